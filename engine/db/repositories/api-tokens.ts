import { z } from "zod";
import type { Person, Workspace } from "../../domain.ts";
import type { Queryable } from "../port.ts";
import { PERSON_COLUMNS, personFromRow } from "./workspaces.ts";

/** What anyone may see of a token: never the token or its hash. */
export const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The token's first characters, to recognise it (cairn_xxxxxx)."),
  person: z.object({ id: z.uuid(), email: z.string() }),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  expiresAt: z.string().nullable().describe("After this the token is refused; null: it never expires."),
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
  expires_at: Date | string | null;
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
  expiresAt: iso(row.expires_at),
});

const TOKEN_SELECT = `SELECT t.id, t.name, t.prefix, t.person_id, p.email, t.created_at, t.last_used_at, t.revoked_at, t.expires_at
  FROM api_tokens t JOIN people p ON p.id = t.person_id`;

export interface NewApiToken {
  workspaceId: string;
  personId: string;
  name: string;
  tokenHash: string;
  prefix: string;
  expiresAt?: Date;
}

/** Stores a token's hash; returns the token's id. */
export async function insertApiToken(tx: Queryable, token: NewApiToken): Promise<string> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO api_tokens (workspace_id, person_id, name, token_hash, prefix, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      token.workspaceId,
      token.personId,
      token.name,
      token.tokenHash,
      token.prefix,
      token.expiresAt?.toISOString() ?? null,
    ],
  );
  return (inserted.rows[0] as { id: string }).id;
}

export interface ActiveTokenOwner {
  tokenId: string;
  lastUsedAt: Date | null;
  workspace: Workspace;
  person: Person;
}

/** System: the workspace and person of an unrevoked token, by its hash. */
export async function findActiveTokenOwner(
  tx: Queryable,
  tokenHash: string,
): Promise<ActiveTokenOwner | undefined> {
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
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
    [tokenHash],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    tokenId: row.token_id,
    lastUsedAt: row.last_used_at,
    workspace: { id: row.workspace_id, slug: row.slug, name: row.workspace_name },
    person: personFromRow(row),
  };
}

export async function markApiTokenUsed(tx: Queryable, id: string): Promise<void> {
  await tx.query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", [id]);
}

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

/** Which of these token ids are revoked. */
export async function revokedTokenIds(tx: Queryable, ids: readonly string[]): Promise<string[]> {
  const result = await tx.query<{ id: string }>(
    "SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NOT NULL",
    [ids],
  );
  return result.rows.map((row) => row.id);
}
