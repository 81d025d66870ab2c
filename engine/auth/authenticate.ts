import type { Actor } from "../actions/define.ts";
import type { Db } from "../db/port.ts";
import { CairnError, ErrorCode, tooManyAuthFailures, unauthorized } from "../errors.ts";
import type { Limiter } from "../security/rate-limiter.ts";
import { resolveApiToken } from "./api-tokens.ts";

export interface Authenticated extends Actor {
  /** Stable key for rate limits and audit (never the token itself). */
  principal: string;
}

export function bearerFrom(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

/** Resolves an `Authorization: Bearer …` header to a person, or throws a 401 error that says how to get a token. */
export async function authenticateBearer(db: Db, header: string | undefined): Promise<Authenticated> {
  const token = bearerFrom(header);
  if (!token) {
    throw unauthorized(
      "Missing bearer token. Send 'Authorization: Bearer <token>'; create one with: cairn token create --workspace <slug> --person <email>",
    );
  }
  const resolved = await resolveApiToken(db, token);
  if (!resolved)
    throw unauthorized("Unknown or revoked API token. Create a new one with: cairn token create");
  return { workspace: resolved.workspace, person: resolved.person, principal: `token:${resolved.tokenId}` };
}

/**
 * Runs `authenticate` under the per-address budget of failed authentications: each 401 takes one from the
 * caller's address, and an address with none left gets 429 (with Retry-After) before its token is checked,
 * so guessing tokens, or flooding the database with lookups, stops at the limit.
 */
export async function authenticateFromAddress<T>(
  failures: Limiter,
  address: string | undefined,
  authenticate: () => Promise<T>,
): Promise<T> {
  const key = `addr:${address ?? "unknown"}`;
  const wait = await failures.peek(key);
  if (wait > 0) throw tooManyAuthFailures(wait);
  try {
    return await authenticate();
  } catch (error) {
    if (error instanceof CairnError && error.code === ErrorCode.Unauthorized) await failures.take(key);
    throw error;
  }
}
