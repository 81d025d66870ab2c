/**
 * A person's Slack user token for the focus status, kept fresh under Slack's token rotation: a rotating app's
 * user tokens expire after 12 hours and come with a refresh token. A token that expires within two hours
 * (or that Slack has just answered `token_expired` for) is exchanged through `oauth.v2.access`
 * (grant_type=refresh_token) and stored sealed again. Refresh tokens are single-use, so the exchange runs
 * under the person's row lock: a second worker that waited there finds the token already renewed.
 */
import type { SlackUserToken } from "../../engine/db/repositories/slack-user-tokens.ts";
import {
  readSlackUserTokenForUpdate,
  replaceSlackUserTokenSeal,
} from "../../engine/db/repositories/slack-user-tokens.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import { sendingClient } from "./send.ts";

export interface SealedUserToken {
  token: string;
  scopes?: string[];
  refreshToken?: string;
  /** When the token stops working (epoch ms); absent without rotation. */
  expiresAt?: number;
}

/** Renewed this long before it expires, as Slack's own InstallProvider does. */
const RENEW_BEFORE_MS = 2 * 3600_000;

export interface UserTokenOptions {
  log: Logger;
  apiUrl?: string;
  /** The app's OAuth client: needed to exchange a refresh token. */
  oauth?: { clientId: string; clientSecret: string };
}

/** Slack's answer when the refresh token itself is no longer accepted: the grant is gone. */
export class UserGrantEnded extends Error {}

export function userTokens(engine: Engine, options: UserTokenOptions) {
  const { db, secrets } = engine.services;
  const now = () => engine.services.now().getTime();
  const open = (row: SlackUserToken) => JSON.parse(secrets.open(row.sealed)) as SealedUserToken;

  /** Exchanges the refresh token for a new pair, unless another process already did since `seen`. */
  async function renew(row: SlackUserToken, seen: string): Promise<string> {
    const { oauth } = options;
    return db.scoped(row.workspaceId, async (tx) => {
      const locked = await readSlackUserTokenForUpdate(tx, row.workspaceId, row.personId);
      if (!locked) throw new UserGrantEnded("the person turned the focus status off");
      const current = open(locked);
      if (current.token !== seen || !current.refreshToken || !oauth) return current.token;
      const answer = await sendingClient("", options.apiUrl)
        .oauth.v2.access({
          client_id: oauth.clientId,
          client_secret: oauth.clientSecret,
          grant_type: "refresh_token",
          refresh_token: current.refreshToken,
        })
        .catch((error: unknown) => {
          const code = (error as { data?: { error?: string } }).data?.error;
          if (code === "invalid_refresh_token" || code === "invalid_grant") throw new UserGrantEnded(code);
          throw error;
        });
      const token = answer.access_token;
      if (!token) throw new Error("Slack answered the token refresh without a token");
      const renewed: SealedUserToken = {
        ...current,
        token,
        ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
        ...(answer.expires_in ? { expiresAt: now() + answer.expires_in * 1000 } : {}),
      };
      await replaceSlackUserTokenSeal(
        tx,
        row.workspaceId,
        row.personId,
        secrets.seal(JSON.stringify(renewed)),
      );
      options.log.info({ personId: row.personId }, "slack user token renewed");
      return token;
    });
  }

  return {
    seal(token: SealedUserToken): string {
      return secrets.seal(JSON.stringify(token));
    },
    /** The token as stored, without renewing it (to give it back to Slack on opt-out). */
    stored(row: SlackUserToken): string {
      return open(row).token;
    },
    /** A token that works for the next two hours: renewed first when it would expire sooner. */
    async current(row: SlackUserToken): Promise<string> {
      const sealed = open(row);
      if (!sealed.refreshToken || sealed.expiresAt === undefined) return sealed.token;
      if (sealed.expiresAt - now() > RENEW_BEFORE_MS) return sealed.token;
      return renew(row, sealed.token);
    },
    /** After Slack answered `token_expired` for `used`: a renewed token (or the one another process renewed). */
    async renewed(row: SlackUserToken, used: string): Promise<string> {
      return renew(row, used);
    },
  };
}

export type UserTokens = ReturnType<typeof userTokens>;
