/**
 * Console sign-in: people with a console password, and who owns a workspace. A person's role is derived:
 * owner (console_users.is_owner), else admin (people.is_admin), else member.
 */
import type { Person, Workspace } from "../../domain.ts";
import type { Queryable } from "../port.ts";
import { PERSON_COLUMNS, personFromRow } from "./workspaces.ts";

export type ConsoleRole = "owner" | "admin" | "member";

export interface ConsoleLogin {
  workspace: Workspace;
  person: Person;
  passwordHash: string;
  isOwner: boolean;
}

interface LoginRow {
  workspace_id: string;
  slug: string;
  workspace_name: string;
  id: string;
  email: string;
  name: string;
  timezone: string;
  is_admin: boolean;
  password_hash: string;
  is_owner: boolean;
}

const personColumns = PERSON_COLUMNS.split(", ")
  .map((column) => `p.${column}`)
  .join(", ");

/** System: every person with this email (any workspace) who has a console password. */
export async function findConsoleLogins(tx: Queryable, email: string): Promise<ConsoleLogin[]> {
  const { rows } = await tx.query<LoginRow>(
    `SELECT w.id AS workspace_id, w.slug, w.name AS workspace_name, ${personColumns}, c.password_hash, c.is_owner
       FROM console_users c JOIN people p ON p.id = c.person_id JOIN workspaces w ON w.id = c.workspace_id
      WHERE lower(p.email) = lower($1) AND c.password_hash IS NOT NULL
      ORDER BY c.is_owner DESC, p.created_at`,
    [email],
  );
  return rows.map((row) => ({
    workspace: { id: row.workspace_id, slug: row.slug, name: row.workspace_name },
    person: personFromRow(row),
    passwordHash: row.password_hash,
    isOwner: row.is_owner,
  }));
}

/** System: whether any workspace has an owner who can sign in. */
export async function ownerExists(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM console_users WHERE is_owner AND password_hash IS NOT NULL) AS found",
  );
  return rows[0]?.found === true;
}

/** Sets (or replaces) a person's console password; `owner` true also makes them an owner. */
export async function saveConsolePassword(
  tx: Queryable,
  entry: { workspaceId: string; personId: string; passwordHash: string; owner?: boolean },
): Promise<void> {
  await tx.query(
    `INSERT INTO console_users (person_id, workspace_id, password_hash, is_owner) VALUES ($1, $2, $3, $4)
     ON CONFLICT (person_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
       is_owner = console_users.is_owner OR EXCLUDED.is_owner, updated_at = now()`,
    [entry.personId, entry.workspaceId, entry.passwordHash, entry.owner ?? false],
  );
}

/** Workspace-scoped: the owner flag of these people (absent: not an owner). */
export async function ownersAmong(tx: Queryable, personIds: readonly string[]): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const { rows } = await tx.query<{ person_id: string }>(
    "SELECT person_id FROM console_users WHERE is_owner AND person_id = ANY($1::uuid[])",
    [personIds],
  );
  return new Set(rows.map((row) => row.person_id));
}

export const roleOf = (person: Person, isOwner: boolean): ConsoleRole =>
  isOwner ? "owner" : person.isAdmin ? "admin" : "member";

/** Workspace-scoped: sets a person's role (owner and admin are workspace admins too); the updated person. */
export async function setConsoleRole(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  role: ConsoleRole,
): Promise<Person | undefined> {
  const { rows } = await tx.query<Parameters<typeof personFromRow>[0]>(
    `UPDATE people SET is_admin = $2 WHERE id = $1 RETURNING ${PERSON_COLUMNS}`,
    [personId, role !== "member"],
  );
  const row = rows[0];
  if (!row) return undefined;
  await tx.query(
    `INSERT INTO console_users (person_id, workspace_id, is_owner) VALUES ($1, $2, $3)
     ON CONFLICT (person_id) DO UPDATE SET is_owner = EXCLUDED.is_owner, updated_at = now()`,
    [personId, workspaceId, role === "owner"],
  );
  return personFromRow(row);
}

/** Workspace-scoped: how many owners the workspace has (the last one cannot be demoted). */
export async function countOwners(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ n: number | string }>(
    "SELECT count(*) AS n FROM console_users WHERE is_owner",
  );
  return Number(rows[0]?.n ?? 0);
}
