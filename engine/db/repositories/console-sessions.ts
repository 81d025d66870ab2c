/**
 * Console sessions (stored by the hash of the cookie value) and failed sign-ins (by the hash of email and
 * address). System transactions: a session is looked up before its workspace is known.
 */
import type { Person, Workspace } from "../../domain.ts";
import type { Queryable } from "../port.ts";
import { PERSON_COLUMNS, personFromRow } from "./workspaces.ts";

export interface StoredSession {
  id: string;
  workspace: Workspace;
  person: Person;
  isOwner: boolean;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

interface SessionRow {
  session_id: string;
  csrf_token: string;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
  workspace_id: string;
  slug: string;
  workspace_name: string;
  id: string;
  email: string;
  name: string;
  timezone: string;
  is_admin: boolean;
  is_owner: boolean | null;
}

const personColumns = PERSON_COLUMNS.split(", ")
  .map((column) => `p.${column}`)
  .join(", ");

export async function insertConsoleSession(
  tx: Queryable,
  session: { workspaceId: string; personId: string; tokenHash: string; csrfToken: string; expiresAt: Date },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO console_sessions (workspace_id, person_id, token_hash, csrf_token, expires_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      session.workspaceId,
      session.personId,
      session.tokenHash,
      session.csrfToken,
      session.expiresAt.toISOString(),
    ],
  );
  return (rows[0] as { id: string }).id;
}

/** An unexpired session by its hash, with its person, workspace and owner flag. */
export async function findConsoleSession(
  tx: Queryable,
  tokenHash: string,
  now: Date,
): Promise<StoredSession | undefined> {
  const { rows } = await tx.query<SessionRow>(
    `SELECT s.id AS session_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,
            w.id AS workspace_id, w.slug, w.name AS workspace_name, ${personColumns}, c.is_owner
       FROM console_sessions s JOIN people p ON p.id = s.person_id JOIN workspaces w ON w.id = s.workspace_id
       LEFT JOIN console_users c ON c.person_id = s.person_id
      WHERE s.token_hash = $1 AND s.expires_at > $2`,
    [tokenHash, now.toISOString()],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.session_id,
    workspace: { id: row.workspace_id, slug: row.slug, name: row.workspace_name },
    person: personFromRow(row),
    isOwner: row.is_owner === true,
    csrfToken: row.csrf_token,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    expiresAt: new Date(row.expires_at),
  };
}

export async function touchConsoleSession(
  tx: Queryable,
  id: string,
  seenAt: Date,
  expiresAt: Date,
): Promise<void> {
  await tx.query("UPDATE console_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1", [
    id,
    seenAt.toISOString(),
    expiresAt.toISOString(),
  ]);
}

export async function deleteConsoleSession(tx: Queryable, tokenHash: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ id: string }>(
    "DELETE FROM console_sessions WHERE token_hash = $1 RETURNING id",
    [tokenHash],
  );
  return rows[0]?.id;
}

/** Ends every session of a person (their password was reset); returns the ended sessions' ids. */
export async function deletePersonSessions(tx: Queryable, personId: string): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    "DELETE FROM console_sessions WHERE person_id = $1 RETURNING id",
    [personId],
  );
  return rows.map((row) => row.id);
}

export async function deleteExpiredConsoleSessions(tx: Queryable, now: Date): Promise<void> {
  await tx.query("DELETE FROM console_sessions WHERE expires_at <= $1", [now.toISOString()]);
}

export async function recordLoginFailure(tx: Queryable, keyHash: string, at: Date): Promise<void> {
  await tx.query("INSERT INTO console_login_failures (key_hash, failed_at) VALUES ($1, $2)", [
    keyHash,
    at.toISOString(),
  ]);
}

/** The times of a key's failures since `since`, oldest first. */
export async function loginFailuresSince(tx: Queryable, keyHash: string, since: Date): Promise<Date[]> {
  const { rows } = await tx.query<{ failed_at: Date | string }>(
    "SELECT failed_at FROM console_login_failures WHERE key_hash = $1 AND failed_at > $2 ORDER BY failed_at",
    [keyHash, since.toISOString()],
  );
  return rows.map((row) => new Date(row.failed_at));
}

/** Forgets a key's failures (a successful sign-in), and everyone's older than `before`. */
export async function clearLoginFailures(tx: Queryable, keyHash: string, before: Date): Promise<void> {
  await tx.query("DELETE FROM console_login_failures WHERE key_hash = $1 OR failed_at <= $2", [
    keyHash,
    before.toISOString(),
  ]);
}
