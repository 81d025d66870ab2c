/**
 * Add Google Calendar from the console through Google's consent screen: the console asks for a consent URL
 * (its state sealed with CAIRN_MASTER_KEY and bound to the console session and workspace), Google sends the
 * browser back to the callback with a code, the code is exchanged at the token endpoint with
 * google-auth-library's OAuth2Client, and the refresh token goes to connect_google like any other face's.
 */
import { createHash } from "node:crypto";
import { auth as googleAuth } from "@googleapis/calendar";
import type { Request } from "express";
import { z } from "zod";
import type { Config } from "../../engine/config.ts";
import type { Engine } from "../../engine/engine.ts";
import { CairnError } from "../../engine/errors.ts";
import { redactSecrets } from "../../engine/security/redact.ts";
import { originOf } from "../auth/request.ts";
import type { ConsoleSession } from "../auth/sessions.ts";

/** Google's consent endpoint and token endpoint, unless GOOGLE_AUTH_URL / GOOGLE_TOKEN_URL point elsewhere. */
const DEFAULT_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth";
const DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token";
/** Read and write events (focus blocks are written back), free/busy and push channels. */
export const GOOGLE_CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar";
/** How long a consent may take before its state is refused. */
const STATE_TTL_MS = 15 * 60_000;
export const CALLBACK_PATH = "/admin/api/connections/google/callback";
/** The variables the consent flow needs, as the Google connector documents them. */
export const REQUIRED_VARIABLES = ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"] as const;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined;

const sessionHash = (session: ConsoleSession): string =>
  createHash("sha256").update(`google-consent:${session.id}`).digest("base64url");

const ConsentState = z.object({
  session: z.string(),
  workspace: z.uuid(),
  name: z.string().optional(),
  expires: z.number().int(),
});

export const StartConsent = z.strictObject({
  name: z.string().trim().min(1).max(100).optional().describe("A name for the connection"),
});

export interface GoogleOAuthStatus {
  configured: boolean;
  missing: string[];
  redirectUri: string;
  scope: string;
  /** What to do, for the console to show as is. */
  help: string;
}

/** The server's public base (origin and path prefix) as the browser sees it. */
export function publicBase(req: Request, config: Config): string {
  const configured = config.CAIRN_PUBLIC_URL;
  return originOf(req, configured) + (configured ? new URL(configured).pathname.replace(/\/$/, "") : "");
}

export class GoogleConsent {
  constructor(private readonly engine: Engine) {}

  private get config(): Config {
    return this.engine.services.config;
  }

  status(base: string): GoogleOAuthStatus {
    const missing = REQUIRED_VARIABLES.filter((name) => !text(this.config[name]));
    const redirectUri = `${base}${CALLBACK_PATH}`;
    return {
      configured: missing.length === 0,
      missing: [...missing],
      redirectUri,
      scope: GOOGLE_CALENDAR_SCOPE,
      help:
        missing.length === 0
          ? `Google's consent screen opens; the OAuth client must list ${redirectUri} as an authorized redirect URI.`
          : `Set ${missing.join(" and ")} (an OAuth client of type "Web application" in Google Cloud, with ${redirectUri} as an authorized redirect URI), then restart Cairn.`,
    };
  }

  private client(redirectUri: string) {
    return new googleAuth.OAuth2({
      clientId: text(this.config.GOOGLE_CLIENT_ID),
      clientSecret: text(this.config.GOOGLE_CLIENT_SECRET),
      redirectUri,
      endpoints: {
        oauth2AuthBaseUrl: text(this.config.GOOGLE_AUTH_URL) ?? DEFAULT_AUTH_URL,
        oauth2TokenUrl: text(this.config.GOOGLE_TOKEN_URL) ?? DEFAULT_TOKEN_URL,
      },
    });
  }

  /** The consent URL for this session; undefined when the OAuth client is not configured. */
  consentUrl(session: ConsoleSession, base: string, name: string | undefined): string | undefined {
    const status = this.status(base);
    if (!status.configured) return undefined;
    const state = this.engine.services.secrets.seal(
      JSON.stringify({
        session: sessionHash(session),
        workspace: session.workspace.id,
        ...(name ? { name } : {}),
        expires: this.engine.services.now().getTime() + STATE_TTL_MS,
      } satisfies z.input<typeof ConsentState>),
    );
    return this.client(status.redirectUri).generateAuthUrl({
      access_type: "offline",
      // Google returns a refresh token only on a consent given now, not on a silent re-authorization.
      prompt: "consent",
      include_granted_scopes: true,
      scope: [GOOGLE_CALENDAR_SCOPE],
      state,
    });
  }

  /** Checks the state against this session, exchanges the code, connects; the message says what went wrong. */
  async complete(
    session: ConsoleSession,
    base: string,
    query: { code?: string; state?: string; error?: string },
  ): Promise<{ ok: true; connectionId: string; name: string } | { ok: false; message: string }> {
    const state = this.openState(query.state);
    if (!state || state.session !== sessionHash(session) || state.workspace !== session.workspace.id)
      return { ok: false, message: "The Google sign-in did not start from this console session; try again." };
    if (state.expires < this.engine.services.now().getTime())
      return { ok: false, message: "The Google consent took longer than 15 minutes; try again." };
    if (query.error)
      return {
        ok: false,
        message:
          query.error === "access_denied"
            ? "Google Calendar was not connected: access was not granted on Google's consent screen."
            : `Google answered ${query.error.slice(0, 100)}; try again.`,
      };
    if (!query.code) return { ok: false, message: "Google sent no authorization code back; try again." };
    const status = this.status(base);
    if (!status.configured) return { ok: false, message: status.help };
    let refreshToken: string | undefined;
    try {
      const { tokens } = await this.client(status.redirectUri).getToken(query.code);
      refreshToken = text(tokens.refresh_token);
    } catch (failure) {
      const reason = failure instanceof Error ? failure.message : String(failure);
      this.engine.services.log.warn({ reason: redactSecrets(reason) }, "google code exchange failed");
      return {
        ok: false,
        message: `Google refused the authorization code (${redactSecrets(reason).slice(0, 200)}); try again.`,
      };
    }
    if (!refreshToken)
      return {
        ok: false,
        message:
          "Google gave no refresh token: remove Cairn's access at https://myaccount.google.com/permissions, then add Google Calendar again.",
      };
    try {
      const connection = (await this.engine.call(session, "http", "connect_google", {
        clientId: text(this.config.GOOGLE_CLIENT_ID),
        clientSecret: text(this.config.GOOGLE_CLIENT_SECRET),
        refreshToken,
        ...(state.name ? { name: state.name } : {}),
      })) as { id: string; name: string };
      return { ok: true, connectionId: connection.id, name: connection.name };
    } catch (failure) {
      if (failure instanceof CairnError) return { ok: false, message: failure.message };
      throw failure;
    }
  }

  private openState(sealed: string | undefined): z.output<typeof ConsentState> | undefined {
    if (!sealed || sealed.length > 2000) return undefined;
    try {
      const parsed = ConsentState.safeParse(JSON.parse(this.engine.services.secrets.open(sealed)));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
