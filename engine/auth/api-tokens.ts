import { createHash, randomBytes } from "node:crypto";
import type { Actor } from "../actions/define.ts";
import type { Db } from "../db/port.ts";
import {
  findActiveTokenOwner,
  insertApiToken,
  markApiTokenUsed,
  revokedTokenIds,
} from "../db/repositories/api-tokens.ts";
import { recordAudit } from "../db/repositories/event-log.ts";
import { ensurePerson, ensureWorkspace } from "../db/repositories/workspaces.ts";

const TOKEN_PREFIX = "cairn_";

/** A new bearer token and what is stored of it (its hash and first characters). */
export function newApiToken(): { token: string; tokenHash: string; prefix: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, tokenHash: hashToken(token), prefix: token.slice(0, 12) };
}

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
  const { token, tokenHash, prefix } = newApiToken();
  return db.system(async (tx) => {
    const workspace = await ensureWorkspace(tx, options.workspace);
    const person = await ensurePerson(tx, workspace.id, {
      email: options.email,
      isAdmin: options.admin ?? false,
      timezone: options.timezone,
    });
    const tokenId = await insertApiToken(tx, {
      workspaceId: workspace.id,
      personId: person.id,
      name: options.name ?? "cli",
      tokenHash,
      prefix,
    });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actorPersonId: person.id,
      actor: "cli",
      action: "token_create",
      target: options.email,
    });
    return { token, tokenId, workspace, person };
  });
}

export interface ResolvedToken extends Actor {
  tokenId: string;
}

/** The person a bearer token belongs to, or undefined for an unknown or revoked token. */
export async function resolveApiToken(db: Db, token: string): Promise<ResolvedToken | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  return db.system(async (tx) => {
    const owner = await findActiveTokenOwner(tx, hashToken(token));
    if (!owner) return undefined;
    const lastUsed = owner.lastUsedAt ? new Date(owner.lastUsedAt).getTime() : 0;
    if (Date.now() - lastUsed > 60_000) await markApiTokenUsed(tx, owner.tokenId);
    return { tokenId: owner.tokenId, workspace: owner.workspace, person: owner.person };
  });
}

/** System: which of these token ids are revoked (for servers ending sessions opened with them). */
export async function revokedAmong(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return db.system((tx) => revokedTokenIds(tx, ids));
}
