/** Workspaces and the people in them: identity, time zone, and the columns a planning profile is read from. */
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

/** Workspace-scoped: everyone in the workspace, by name. */
export async function listPeopleByName(tx: Queryable): Promise<Person[]> {
  const result = await tx.query<PersonRow>(
    `SELECT ${PERSON_COLUMNS} FROM people ORDER BY lower(name), lower(email)`,
  );
  return result.rows.map(personFromRow);
}

/** Sets the time zone, and the name when one is given. */
export async function updatePersonNameAndTimezone(
  tx: Queryable,
  id: string,
  name: string | null,
  timezone: string,
): Promise<Person | undefined> {
  const result = await tx.query<PersonRow>(
    `UPDATE people SET name = coalesce($2, name), timezone = $3 WHERE id = $1 RETURNING ${PERSON_COLUMNS}`,
    [id, name, timezone],
  );
  const row = result.rows[0];
  return row ? personFromRow(row) : undefined;
}

/** The workspace's first admin, else its first person: who acts when nobody is named. */
export async function firstPerson(
  tx: Queryable,
  workspaceId: string,
): Promise<{ id: string; email: string } | undefined> {
  const result = await tx.query<{ id: string; email: string }>(
    "SELECT id, email FROM people WHERE workspace_id = $1 ORDER BY is_admin DESC, created_at LIMIT 1",
    [workspaceId],
  );
  return result.rows[0];
}

/** Lower-cased email → person id, for matching assignees from a source. */
export async function personIdsByEmail(tx: Queryable, workspaceId: string): Promise<Map<string, string>> {
  const result = await tx.query<{ id: string; email: string }>(
    "SELECT id, email FROM people WHERE workspace_id = $1",
    [workspaceId],
  );
  return new Map(result.rows.map((row) => [row.email.toLowerCase(), row.id]));
}

/** The stored columns a planning profile is read from (JSON columns as the driver returns them). */
export interface PlanningProfileRow {
  timezone: string;
  working_hours: unknown;
  preferences: unknown;
}

export async function getPlanningProfileRow(
  tx: Queryable,
  personId: string,
): Promise<PlanningProfileRow | undefined> {
  const result = await tx.query<PlanningProfileRow>(
    "SELECT timezone, working_hours, preferences FROM people WHERE id = $1",
    [personId],
  );
  return result.rows[0];
}

export interface PlanningProfileUpdate {
  /** null keeps the stored time zone. */
  timezone: string | null;
  /** JSON of the full week; null keeps the stored working hours. */
  workingHoursJson: string | null;
  /** JSON stored under preferences.planning (replacing it). */
  planningJson: string;
}

export async function updatePlanningProfileRow(
  tx: Queryable,
  personId: string,
  update: PlanningProfileUpdate,
): Promise<void> {
  await tx.query(
    `UPDATE people SET timezone = coalesce($2, timezone),
       working_hours = coalesce($3::jsonb, working_hours),
       preferences = jsonb_set(coalesce(preferences, '{}'::jsonb), '{planning}', $4::jsonb, true)
     WHERE id = $1`,
    [personId, update.timezone, update.workingHoursJson, update.planningJson],
  );
}
