/**
 * OAuth 2 access tokens from a refresh token, for any provider. It knows nothing about the database:
 * `load` and `save` are injected (a connector passes its credentials and `ctx.saveCredentials`).
 * Refreshes ahead of expiry, once at a time; a refused refresh token means the connection needs reconnecting.
 */
import { z } from "zod";
import { CredentialRejectedError, TransientProviderError } from "./connector.ts";
import { retryAfterMs } from "./http.ts";

export const TokenSet = z.object({
  accessToken: z.string().min(1).optional(),
  refreshToken: z.string().min(1),
  /** Epoch milliseconds when the access token expires. */
  expiresAt: z.number().optional(),
  scope: z.string().optional(),
});
export type TokenSet = z.infer<typeof TokenSet>;

export interface OAuthTokenManagerOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  load(): Promise<TokenSet>;
  save(tokens: TokenSet): Promise<void>;
  fetch?: typeof fetch;
  now?: () => number;
  /** Refresh this long before expiry. Default 60 s. */
  skewMs?: number;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

export class OAuthTokenManager {
  #inflight: Promise<string> | undefined;
  #current: TokenSet | undefined;

  constructor(private readonly options: OAuthTokenManagerOptions) {}

  /** A valid access token, refreshed when missing or about to expire. */
  async accessToken(): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const tokens = this.#current ?? (await this.options.load());
    this.#current = tokens;
    const skew = this.options.skewMs ?? 60_000;
    if (tokens.accessToken && (tokens.expiresAt === undefined || tokens.expiresAt - skew > now))
      return tokens.accessToken;
    return this.refresh();
  }

  /** Forces a refresh (after the provider answered 401 to the current access token). */
  refresh(): Promise<string> {
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** An `Authorization` header value. */
  async authorization(): Promise<string> {
    return `Bearer ${await this.accessToken()}`;
  }

  async #refresh(): Promise<string> {
    const tokens = this.#current ?? (await this.options.load());
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: tokens.refreshToken,
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
    });
    const response = await (this.options.fetch ?? globalThis.fetch)(this.options.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
    });
    const text = await response.text();
    if (!response.ok) {
      let code = "";
      try {
        code = String((JSON.parse(text) as { error?: unknown }).error ?? "");
      } catch {
        // not JSON: keep the status only
      }
      if (response.status === 400 || response.status === 401) {
        throw new CredentialRejectedError(
          `The OAuth refresh token was refused (${code || `HTTP ${response.status}`}); reconnect the account.`,
        );
      }
      throw new TransientProviderError(
        `OAuth token endpoint answered HTTP ${response.status}`,
        retryAfterMs(response.headers.get("retry-after")),
      );
    }
    const parsed = TokenResponse.safeParse(JSON.parse(text));
    if (!parsed.success) throw new TransientProviderError("OAuth token endpoint sent an unexpected answer");
    const now = (this.options.now ?? Date.now)();
    const next: TokenSet = {
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token ?? tokens.refreshToken,
      ...(parsed.data.expires_in !== undefined ? { expiresAt: now + parsed.data.expires_in * 1000 } : {}),
      ...((parsed.data.scope ?? tokens.scope) ? { scope: parsed.data.scope ?? tokens.scope } : {}),
    };
    this.#current = next;
    await this.options.save(next);
    return parsed.data.access_token;
  }
}
