/**
 * CalDAV plumbing shared by pull and write-back: Basic auth headers, and a fetch for tsdav that goes through the
 * context's guarded fetch, counts provider requests and turns transport-level failures into the contract's
 * errors (401 → CredentialRejectedError, 429 → RateLimitedError, 5xx / network → TransientProviderError).
 */
import { z } from "zod";
import type { ConnectorContext } from "../../engine/sync/connector.ts";
import {
  CredentialRejectedError,
  RateLimitedError,
  TransientProviderError,
} from "../../engine/sync/connector.ts";
import { retryAfterMs } from "../../engine/sync/http.ts";

export const CaldavCredentials = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});
export type CaldavCredentials = z.infer<typeof CaldavCredentials>;

export const CaldavSettings = z.object({
  /** The server (discovery starts here: /.well-known/caldav, principal, calendar home). */
  serverUrl: z.url({ protocol: /^https?$/ }),
  /** Sync only this calendar collection (skips discovery); focus blocks are written here by default. */
  calendarUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Zone of all-day events (default: the calendar's calendar-timezone, else UTC). */
  timeZone: z.string().min(1).optional(),
  /** The person's address, to recognize events they declined (ATTENDEE;PARTSTAT=DECLINED). */
  email: z.string().optional(),
  /** Window of expanded events: from now - pastDays (default 30) to now + futureDays (default 90). */
  pastDays: z.number().int().min(0).max(365).default(30),
  futureDays: z.number().int().min(1).max(730).default(90),
});
export type CaldavSettings = z.output<typeof CaldavSettings>;

export type CaldavContext = ConnectorContext<CaldavCredentials, CaldavSettings>;

function hostOf(input: string | URL | Request): string {
  try {
    return new URL(input instanceof Request ? input.url : input.toString()).host;
  } catch {
    return "server";
  }
}

/** Per-call view of a CalDAV account: auth headers and a counting, error-translating fetch. */
export class DavSession {
  requests = 0;
  readonly headers: Record<string, string>;
  readonly fetch: typeof fetch;

  constructor(ctx: CaldavContext) {
    const { username, password } = ctx.credentials;
    this.headers = {
      Authorization: `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`,
    };
    this.fetch = async (input, init) => {
      this.requests += 1;
      const host = hostOf(input);
      let response: Response;
      try {
        response = await ctx.fetch(input, { ...init, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      } catch (error) {
        const reason = error instanceof Error ? error.message : "network error";
        throw new TransientProviderError(`CalDAV server ${host} unreachable: ${reason}`);
      }
      const { status } = response;
      if (status === 401) {
        await response.body?.cancel();
        throw new CredentialRejectedError(`CalDAV server ${host} rejected the username or password (401)`);
      }
      if (status === 429 || status === 503) {
        const wait = retryAfterMs(response.headers.get("retry-after"), ctx.now().getTime());
        await response.body?.cancel();
        if (status === 429) throw new RateLimitedError(`CalDAV server ${host} rate limited`, wait ?? 60_000);
        throw new TransientProviderError(`CalDAV server ${host} unavailable (503)`, wait);
      }
      if (status >= 500) {
        await response.body?.cancel();
        throw new TransientProviderError(`CalDAV server ${host} answered ${status}`);
      }
      return response;
    };
  }

  /** Plain GET of one calendar object: its text and ETag, or null when it does not exist. */
  async getObject(url: string): Promise<{ data: string; etag: string | undefined } | null> {
    const response = await this.fetch(url, {
      method: "GET",
      headers: { ...this.headers, Accept: "text/calendar" },
    });
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return null;
    }
    const data = await response.text();
    if (!response.ok) throw new Error(`CalDAV GET ${new URL(url).pathname} answered ${response.status}`);
    return { data, etag: response.headers.get("etag") ?? undefined };
  }
}

/** Throws unless a write answered 2xx (412: someone changed the object since we read it). */
export async function expectOk(response: Response, what: string): Promise<void> {
  const status = response.status;
  await response.body?.cancel();
  if (status >= 200 && status < 300) return;
  if (status === 412)
    throw new TransientProviderError(`CalDAV ${what}: the object changed meanwhile (412), retry`);
  throw new Error(`CalDAV ${what} answered ${status}`);
}
