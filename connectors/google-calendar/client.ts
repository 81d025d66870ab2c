/**
 * One authenticated Calendar API session per connector context: the @googleapis/calendar client pointed at the
 * configured API root through the context's guarded fetch, the engine's OAuthTokenManager refreshing the access
 * token at the configured token endpoint, and the translation of provider failures into the contract's errors.
 * Refreshed tokens are persisted through `ctx.saveCredentials` before they are used.
 */
import { calendar, type calendar_v3 } from "@googleapis/calendar";
import type { ConnectorContext } from "../../engine/sync/connector.ts";
import {
  CredentialRejectedError,
  RateLimitedError,
  TransientProviderError,
} from "../../engine/sync/connector.ts";
import { retryAfterMs } from "../../engine/sync/http.ts";
import { OAuthTokenManager } from "../../engine/sync/oauth.ts";
import {
  DEFAULT_GOOGLE_API_URL,
  DEFAULT_GOOGLE_TOKEN_URL,
  type GoogleCredentials,
  type GoogleSettings,
} from "./schemas.ts";

export type GoogleContext = ConnectorContext<GoogleCredentials, GoogleSettings>;

/** Refresh this long before the recorded expiry, so a token never expires mid-request. */
const EXPIRY_MARGIN_MS = 60_000;
/** Retry-After when Google sends none on a rate limit. */
const DEFAULT_RETRY_AFTER_MS = 30_000;

/** API root and token endpoint of a connection (fromEnv fills them from GOOGLE_API_URL / GOOGLE_TOKEN_URL). */
export function googleEndpoints(settings: GoogleSettings): { apiUrl: string; tokenUrl: string } {
  const apiUrl = settings.apiUrl ?? DEFAULT_GOOGLE_API_URL;
  const tokenUrl = settings.tokenUrl ?? DEFAULT_GOOGLE_TOKEN_URL;
  return { apiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`, tokenUrl };
}

/** What a failed request looked like, whichever gaxios (6 for auth, 7 for the API) threw it. */
interface HttpFailure {
  status: number | undefined;
  retryAfter: string | undefined;
  reasons: string[];
  oauthError: string | undefined;
  message: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const h = record(headers);
  if (!h) return undefined;
  for (const [key, value] of Object.entries(h)) {
    if (key.toLowerCase() === name && typeof value === "string") return value;
  }
  return undefined;
}

export function describeFailure(error: unknown): HttpFailure {
  const e = record(error);
  const response = record(e?.response);
  const status =
    typeof response?.status === "number"
      ? response.status
      : typeof e?.status === "number"
        ? e.status
        : undefined;
  const data = record(response?.data);
  const apiError = record(data?.error);
  const reasons: string[] = [];
  const list = apiError?.errors;
  if (Array.isArray(list)) {
    for (const item of list) {
      const reason = record(item)?.reason;
      if (typeof reason === "string") reasons.push(reason);
    }
  }
  const apiMessage = typeof apiError?.message === "string" ? apiError.message : undefined;
  const oauthError = typeof data?.error === "string" ? data.error : undefined;
  const message = apiMessage ?? (error instanceof Error ? error.message : "request failed");
  return { status, retryAfter: headerOf(response?.headers, "retry-after"), reasons, oauthError, message };
}

const RATE_LIMIT_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"]);

/** Maps a Calendar API failure to the contract's errors; returns the error to throw. */
export function translateApiError(error: unknown, now: Date, what: string): Error {
  const failure = describeFailure(error);
  const { status } = failure;
  const wait = retryAfterMs(failure.retryAfter, now.getTime());
  if (status === 429 || (status === 403 && failure.reasons.some((r) => RATE_LIMIT_REASONS.has(r)))) {
    return new RateLimitedError(`Google Calendar rate limit on ${what}`, wait ?? DEFAULT_RETRY_AFTER_MS);
  }
  if (status !== undefined && status >= 500) {
    return new TransientProviderError(`Google Calendar ${status} on ${what}: ${failure.message}`, wait);
  }
  if (status === undefined) {
    return new TransientProviderError(`Google Calendar unreachable on ${what}: ${failure.message}`);
  }
  return new GoogleApiError(
    status,
    failure.reasons[0] ?? "",
    `Google Calendar ${status} on ${what}: ${failure.message}`,
  );
}

/** A 4xx the caller may handle (404, 410, 400...). */
export class GoogleApiError extends Error {
  override readonly name = "GoogleApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function instantMs(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export class GoogleSession {
  readonly api: calendar_v3.Calendar;
  /** Provider requests made so far (API calls and token refreshes). */
  requests = 0;
  private credentials: GoogleCredentials;
  private readonly tokens: OAuthTokenManager;

  constructor(private readonly ctx: GoogleContext) {
    const { apiUrl, tokenUrl } = googleEndpoints(ctx.settings);
    this.credentials = { ...ctx.credentials };
    // Token refresh goes through the engine's one OAuth manager; refreshed tokens persist via the context.
    this.tokens = new OAuthTokenManager({
      tokenUrl,
      clientId: this.credentials.clientId,
      clientSecret: this.credentials.clientSecret,
      skewMs: EXPIRY_MARGIN_MS,
      now: () => ctx.now().getTime(),
      fetch: (input, init) => {
        this.requests += 1;
        return ctx.fetch(input, init);
      },
      load: async () => {
        const expiresAt = instantMs(this.credentials.expiresAt);
        return {
          refreshToken: this.credentials.refreshToken,
          ...(this.credentials.accessToken ? { accessToken: this.credentials.accessToken } : {}),
          // A stored token without an expiry is refreshed rather than trusted.
          expiresAt: expiresAt ?? 0,
        };
      },
      save: async (tokens) => {
        const next: GoogleCredentials = {
          ...this.credentials,
          refreshToken: tokens.refreshToken,
          ...(tokens.accessToken ? { accessToken: tokens.accessToken } : {}),
          expiresAt: tokens.expiresAt ?? ctx.now().getTime() + 3_600_000,
        };
        await ctx.saveCredentials(next);
        this.credentials = next;
      },
    });
    this.api = calendar({
      version: "v3",
      rootUrl: apiUrl,
      // The engine owns retries and rate limits: no hidden gaxios retries.
      retry: false,
      fetchImplementation: ctx.fetch,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  }

  private accessToken(): Promise<string> {
    return this.tokens.accessToken();
  }

  /** Exchanges the refresh token for a new access token (one exchange at a time) and persists it. */
  refresh(): Promise<string> {
    return this.tokens.refresh();
  }

  /**
   * Runs one API request with a bearer token; on 401 refreshes once and retries, then gives up as a rejected
   * credential. Other failures become RateLimitedError / TransientProviderError / GoogleApiError.
   */
  async call<T>(
    what: string,
    request: (options: { headers: Record<string, string> }) => Promise<{ data: T }>,
  ): Promise<T> {
    let token = await this.accessToken();
    for (let attempt = 0; ; attempt++) {
      this.requests += 1;
      try {
        const response = await request({ headers: { Authorization: `Bearer ${token}` } });
        return response.data;
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.status === 401) {
          if (attempt === 0) {
            token = await this.refresh();
            continue;
          }
          throw new CredentialRejectedError(
            `Google rejected a freshly refreshed access token on ${what}: reconnect`,
          );
        }
        throw translateApiError(error, this.ctx.now(), what);
      }
    }
  }
}

const sessions = new WeakMap<object, GoogleSession>();

/** The session of a context (one per context object, so pages of one run share the refreshed token). */
export function sessionFor(ctx: GoogleContext): GoogleSession {
  let session = sessions.get(ctx);
  if (!session) {
    session = new GoogleSession(ctx);
    sessions.set(ctx, session);
  }
  return session;
}
