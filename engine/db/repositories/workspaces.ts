import type { Person, Workspace } from "../../domain.ts";
import type { Queryable } from "../port.ts";

interface PersonRow {
  id: string;
  email: string;
  name: string;
  timezone: string;
  is_admin: boolean;
}

export const personFromRow = (row: PersonRow): Person => ({
  id: row.id,
  email: row.email,
  name: row.name,
  timezone: row.timezone,
  isAdmin: row.is_admin,
});

export const PERSON_COLUMNS = "id, email, name, timezone, is_admin";

/** System transaction: creates the workspace when missing. */
export async function ensureWorkspace(tx: Queryable, slug: string, name = slug): Promise<Workspace> {
  const inserted = await tx.query<Workspace>(
    `INSERT INTO workspaces (slug, name) VALUES ($1, $2)
     ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id, slug, name`,
    [slug, name],
  );
  return inserted.rows[0] as Workspace;
}

export async function findWorkspace(tx: Queryable, slugOrId: string): Promise<Workspace | undefined> {
  const byId = /^[0-9a-f-]{36}$/i.test(slugOrId);
  const result = await tx.query<Workspace>(
    `SELECT id, slug, name FROM workspaces WHERE ${byId ? "id = $1::uuid" : "slug = $1"}`,
    [slugOrId],
  );
  return result.rows[0];
}

export async function listWorkspaces(tx: Queryable): Promise<Workspace[]> {
  return (await tx.query<Workspace>("SELECT id, slug, name FROM workspaces ORDER BY created_at")).rows;
}

export interface PersonInput {
  email: string;
  name?: string;
  timezone?: string;
  isAdmin?: boolean;
}

/** Creates the person when missing; promotes to admin when asked (never demotes). */
export async function ensurePerson(tx: Queryable, workspaceId: string, input: PersonInput): Promise<Person> {
  const name = input.name ?? input.email.split("@")[0] ?? input.email;
  const result = await tx.query<PersonRow>(
    `INSERT INTO people (workspace_id, email, name, timezone, is_admin) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, lower(email)) DO UPDATE SET is_admin = people.is_admin OR EXCLUDED.is_admin
     RETURNING ${PERSON_COLUMNS}`,
    [workspaceId, input.email, name, input.timezone ?? "UTC", input.isAdmin ?? false],
  );
  return personFromRow(result.rows[0] as PersonRow);
}

export async function findPersonByEmail(
  tx: Queryable,
  workspaceId: string,
  email: string,
): Promise<Person | undefined> {
  const result = await tx.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND lower(email) = lower($2)`,
    [workspaceId, email],
  );
  const row = result.rows[0];
  return row ? personFromRow(row) : undefined;
}

export async function findPersonById(
  tx: Queryable,
  workspaceId: string,
  id: string,
): Promise<Person | undefined> {
  const result = await tx.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, id],
  );
  const row = result.rows[0];
  return row ? personFromRow(row) : undefined;
}
