/**
 * ICS subscription connector (read-only): one feed URL per connection, fetched through the context's guarded
 * fetch, parsed by engine/sync/ical.ts, recurring events expanded in a window around now. An unchanged feed costs one
 * conditional request and yields nothing; a changed one is a full snapshot of the window (`resetScope`), so
 * events removed from the feed disappear.
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import type { Config } from "../../engine/config.ts";
import {
  type ConnectionSeed,
  type Connector,
  type ConnectorContext,
  CredentialRejectedError,
  type PullPage,
  RateLimitedError,
  type SyncScope,
  TransientProviderError,
} from "../../engine/sync/connector.ts";
import { retryAfterMs } from "../../engine/sync/http.ts";
import { expandEvents, normalizeOccurrence, parseEvents } from "../../engine/sync/ical.ts";
import { icsCli, icsConnect, icsDocs, icsEnv, icsVariables } from "./connect.ts";

const DAY_MS = 86_400_000;

/** A feed needs no credentials (a secret, if any, is part of its URL). */
export const IcsCredentials = z.object({}).loose();
export type IcsCredentials = z.infer<typeof IcsCredentials>;

export const IcsSettings = z.object({
  /** The feed (http, https, or webcal which means https). Treated as a secret: never logged in full. */
  url: z
    .string()
    .min(1)
    .transform((value) => value.trim().replace(/^webcals?:\/\//i, "https://"))
    .pipe(z.url({ protocol: /^https?$/ })),
  /** Display name of the calendar (default: the feed's host). */
  name: z.string().min(1).optional(),
  /** Zone of all-day events (default: the feed's X-WR-TIMEZONE, else UTC). */
  timeZone: z.string().min(1).optional(),
  /** The person's address, to recognize events they declined (ATTENDEE;PARTSTAT=DECLINED). */
  email: z.string().optional(),
  /** Window of expanded events: from now - pastDays (default 30) to now + futureDays (default 90). */
  pastDays: z.number().int().min(0).max(365).default(30),
  futureDays: z.number().int().min(1).max(730).default(90),
});
export type IcsSettings = z.output<typeof IcsSettings>;

type IcsContext = ConnectorContext<IcsCredentials, IcsSettings>;

const IcsCursor = z.object({
  v: z.literal(1),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  /** SHA-256 of the feed body last expanded. */
  hash: z.string(),
  /** First day of the window last expanded; a new day re-expands the (unchanged) feed. */
  windowFrom: z.string(),
});
type IcsCursor = z.infer<typeof IcsCursor>;

/** Stable scope id of a feed that does not reveal its URL. */
export function icsScopeId(url: string): string {
  return `ics:${createHash("sha256").update(url, "utf8").digest("hex").slice(0, 16)}`;
}

function describeFeed(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "feed";
  }
}

function parseCursor(text: string | null): IcsCursor | null {
  if (text === null) return null;
  try {
    const parsed = IcsCursor.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function fetchFeed(ctx: IcsContext, cursor: IcsCursor | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: "text/calendar, */*;q=0.5" };
  if (cursor?.etag) headers["If-None-Match"] = cursor.etag;
  if (cursor?.lastModified) headers["If-Modified-Since"] = cursor.lastModified;
  const where = describeFeed(ctx.settings.url);
  let response: Response;
  try {
    response = await ctx.fetch(ctx.settings.url, { headers, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : "network error";
    throw new TransientProviderError(`ICS feed at ${where} unreachable: ${reason}`);
  }
  if (response.status === 304 || response.ok) return response;
  await response.body?.cancel();
  const wait = retryAfterMs(response.headers.get("retry-after"), ctx.now().getTime());
  if (response.status === 429)
    throw new RateLimitedError(`ICS feed at ${where} rate limited`, wait ?? 60_000);
  if (response.status >= 500)
    throw new TransientProviderError(`ICS feed at ${where} answered ${response.status}`, wait);
  if (response.status === 401 || response.status === 403) {
    throw new CredentialRejectedError(
      `ICS feed at ${where} refused access (${response.status}): check the URL`,
    );
  }
  throw new Error(`ICS feed at ${where} answered ${response.status}: check the URL`);
}

async function pullFeed(ctx: IcsContext, scope: SyncScope, cursorText: string | null): Promise<PullPage> {
  const now = ctx.now().getTime();
  const from = new Date(now - ctx.settings.pastDays * DAY_MS);
  const to = new Date(now + ctx.settings.futureDays * DAY_MS);
  const windowFrom = from.toISOString().slice(0, 10);
  const stored = parseCursor(cursorText);
  // A new day shifts the window: fetch unconditionally so the feed is expanded again.
  const conditional = stored !== null && stored.windowFrom === windowFrom ? stored : null;
  const response = await fetchFeed(ctx, conditional);
  if (response.status === 304) return { items: [], nextCursor: null, hasMore: false, apiCalls: 1 };
  const body = await response.text();
  const hash = createHash("sha256").update(body, "utf8").digest("hex");
  const next: IcsCursor = { v: 1, hash, windowFrom };
  const etag = response.headers.get("etag");
  const lastModified = response.headers.get("last-modified");
  if (etag) next.etag = etag;
  if (lastModified) next.lastModified = lastModified;
  if (conditional !== null && conditional.hash === hash) {
    return { items: [], nextCursor: JSON.stringify(next), hasMore: false, apiCalls: 1 };
  }
  if (!/BEGIN:VCALENDAR/i.test(body)) {
    throw new Error(`ICS feed at ${describeFeed(ctx.settings.url)} is not an iCalendar document`);
  }
  const parsed = parseEvents(body);
  const expanded = expandEvents(parsed.events, {
    calendarId: scope.id,
    from,
    to,
    timeZone: ctx.settings.timeZone ?? parsed.timeZone ?? "UTC",
    email: ctx.settings.email,
  });
  // Events that cannot be read are counted with their reason in the sync stats, never dropped silently.
  const skipped = [...parsed.skipped, ...expanded.skipped];
  return {
    items: expanded.occurrences,
    ...(skipped.length > 0 ? { skipped } : {}),
    nextCursor: JSON.stringify(next),
    hasMore: false,
    resetScope: true,
    apiCalls: 1,
  };
}

/** ICS_URLS: one read-only connection per feed, named by host (never by the full, possibly secret, URL). */
function fromEnv(config: Config): ConnectionSeed<IcsCredentials, IcsSettings>[] {
  const seeds: ConnectionSeed<IcsCredentials, IcsSettings>[] = [];
  const names = new Map<string, number>();
  for (const url of icsVariables(config).ICS_URLS ?? []) {
    const host = describeFeed(url);
    const n = (names.get(host) ?? 0) + 1;
    names.set(host, n);
    seeds.push({
      name: n === 1 ? `ICS ${host}` : `ICS ${host} (${n})`,
      credentials: {},
      settings: IcsSettings.parse({ url }),
    });
  }
  return seeds;
}

export const icsConnector: Connector<IcsCredentials, IcsSettings> = {
  kind: "ics",
  title: "ICS subscription",
  /** Feeds are static files: a gentle rate. */
  limits: { perSecond: 2, burst: 4 },
  env: icsEnv,
  connect: icsConnect,
  cli: icsCli,
  docs: icsDocs,
  credentials: IcsCredentials,
  settings: IcsSettings,
  // A feed URL is its own key (Google's private-..., iCloud's published ids): sealed, shown redacted.
  secretSettings: ["url"],
  async scopes(ctx) {
    return [
      {
        id: icsScopeId(ctx.settings.url),
        kind: "events",
        label: ctx.settings.name ?? describeFeed(ctx.settings.url),
      },
    ];
  },
  pull: pullFeed,
  normalize: (raw) => ({ type: "event", event: normalizeOccurrence(raw) }),
  fromEnv,
};
