import type { Actor } from "../actions/define.ts";
import type { Db } from "../db/port.ts";
import { unauthorized } from "../errors.ts";
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
