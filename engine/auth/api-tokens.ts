import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Actor } from "../actions/define.ts";
import type { Db, Queryable } from "../db/port.ts";
import {
  ensurePerson,
  ensureWorkspace,
  PERSON_COLUMNS,
  personFromRow,
} from "../db/repositories/workspaces.ts";

const TOKEN_PREFIX = "cairn_";

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export interface IssuedToken extends Actor {
  token: string;
  tokenId: string;
}

/** Creates the workspace and person when missing and issues a bearer token; only its hash is stored. */
export async function issueApiToken(
  db: Db,
  options: { workspace: string; email: string; admin?: boolean; name?: string; timezone?: string },
): Promise<IssuedToken> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return db.system(async (tx) => {
    const workspace = await ensureWorkspace(tx, options.workspace);
    const person = await ensurePerson(tx, workspace.id, {
      email: options.email,
      isAdmin: options.admin ?? false,
      timezone: options.timezone,
    });
    const inserted = await tx.query<{ id: string }>(
      "INSERT INTO api_tokens (workspace_id, person_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4, $5) RETURNING id",
      [workspace.id, person.id, options.name ?? "cli", hashToken(token), token.slice(0, 12)],
    );
    await tx.query(
      "INSERT INTO audit_log (workspace_id, actor_person_id, actor, action, target) VALUES ($1, $2, 'cli', 'token_create', $3)",
      [workspace.id, person.id, options.email],
    );
    return { token, tokenId: (inserted.rows[0] as { id: string }).id, workspace, person };
  });
}

export interface ResolvedToken extends Actor {
  tokenId: string;
}

/** The person a bearer token belongs to, or undefined for an unknown or revoked token. */
export async function resolveApiToken(db: Db, token: string): Promise<ResolvedToken | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  return db.system(async (tx) => {
    const result = await tx.query<{
      token_id: string;
      last_used_at: Date | null;
      workspace_id: string;
      slug: string;
      workspace_name: string;
      id: string;
      email: string;
      name: string;
      timezone: string;
      is_admin: boolean;
    }>(
      `SELECT t.id AS token_id, t.last_used_at, w.id AS workspace_id, w.slug, w.name AS workspace_name,
              ${PERSON_COLUMNS.split(", ")
                .map((c) => `p.${c}`)
                .join(", ")}
       FROM api_tokens t JOIN workspaces w ON w.id = t.workspace_id JOIN people p ON p.id = t.person_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
      [hashToken(token)],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const lastUsed = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
    if (Date.now() - lastUsed > 60_000) {
      await tx.query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", [row.token_id]);
    }
    return {
      tokenId: row.token_id,
      workspace: { id: row.workspace_id, slug: row.slug, name: row.workspace_name },
      person: personFromRow(row),
    };
  });
}

/** What anyone may see of a token: never the token or its hash. */
export const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The token's first characters, to recognise it (cairn_xxxxxx)."),
  person: z.object({ id: z.uuid(), email: z.string() }),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  person_id: string;
  email: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

const tokenFromRow = (row: TokenRow): ApiToken => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  person: { id: row.person_id, email: row.email },
  createdAt: iso(row.created_at) as string,
  lastUsedAt: iso(row.last_used_at),
  revokedAt: iso(row.revoked_at),
});

const TOKEN_SELECT = `SELECT t.id, t.name, t.prefix, t.person_id, p.email, t.created_at, t.last_used_at, t.revoked_at
  FROM api_tokens t JOIN people p ON p.id = t.person_id`;

/** Workspace-scoped: the workspace's tokens, or one person's, newest first. */
export async function listApiTokens(tx: Queryable, personId?: string): Promise<ApiToken[]> {
  const result = await tx.query<TokenRow>(
    `${TOKEN_SELECT} WHERE ($1::uuid IS NULL OR t.person_id = $1) ORDER BY t.created_at DESC, t.id`,
    [personId ?? null],
  );
  return result.rows.map(tokenFromRow);
}

/** Workspace-scoped: one token (of one person when `personId` is given), or undefined. */
export async function findApiToken(
  tx: Queryable,
  id: string,
  personId?: string,
): Promise<ApiToken | undefined> {
  const result = await tx.query<TokenRow>(
    `${TOKEN_SELECT} WHERE t.id = $1 AND ($2::uuid IS NULL OR t.person_id = $2)`,
    [id, personId ?? null],
  );
  const row = result.rows[0];
  return row ? tokenFromRow(row) : undefined;
}

/** Workspace-scoped: marks the token revoked (keeping the first revocation time); true when it changed. */
export async function revokeApiToken(tx: Queryable, id: string): Promise<boolean> {
  const result = await tx.query(
    "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
    [id],
  );
  return result.rowCount > 0;
}

/** System: which of these token ids are revoked (for servers ending sessions opened with them). */
export async function revokedAmong(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return db.system(async (tx) => {
    const result = await tx.query<{ id: string }>(
      "SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NOT NULL",
      [ids],
    );
    return result.rows.map((row) => row.id);
  });
}
