/**
 * Scopes (discovered calendars, or the configured one) and pulls. A pull first asks the collection's CTag (one
 * PROPFIND): unchanged CTag and the same window mean nothing changed. Otherwise the events overlapping the window
 * are listed with their ETags (calendar-query); an unchanged ETag set means the change was outside the window.
 * When something did change, the window's objects are fetched (calendar-multiget), recurrences expanded
 * (engine/sync/ical.ts), and the page is a full snapshot (`resetScope`), so events deleted on the server disappear.
 * Events that cannot be read are reported as skipped ("<href> <UID>") with their reason.
 */
import { calendarMultiGet, calendarQuery, createAccount, fetchCalendars, propfind } from "tsdav";
import { z } from "zod";
import type { PullPage, SyncScope } from "../../engine/sync/connector.ts";
import { calendarZoneName, expandEvents, type IcalOccurrence, parseEvents } from "../../engine/sync/ical.ts";
import { type CaldavContext, DavSession } from "./dav.ts";

const DAY_MS = 86_400_000;

const CaldavCursor = z.object({
  v: z.literal(1),
  ctag: z.string(),
  /** First day of the window last expanded; a new day re-expands. */
  windowFrom: z.string(),
  /** href → ETag of the objects in the window at the last snapshot. */
  etags: z.record(z.string(), z.string()),
});
type CaldavCursor = z.infer<typeof CaldavCursor>;

function parseCursor(text: string | null): CaldavCursor | null {
  if (text === null) return null;
  try {
    const parsed = CaldavCursor.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A string property out of tsdav's parsed XML (plain, number, or `{ _cdata }` / `{ _text }`). */
function textProp(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (typeof value === "object" && value !== null) {
    if ("_cdata" in value && typeof value._cdata === "string") return value._cdata;
    if ("_text" in value && typeof value._text === "string") return value._text;
  }
  return undefined;
}

const ensureSlash = (url: string) => (url.endsWith("/") ? url : `${url}/`);

/** IANA zone of a calendar-timezone property (a VCALENDAR with one VTIMEZONE, its TZID IANA or Windows). */
function tzidOf(calendarTimezone: string | undefined): string | undefined {
  const match = /^TZID:(.+)$/m.exec(calendarTimezone ?? "");
  return calendarZoneName(match?.[1]?.trim() || undefined);
}

export async function caldavScopes(ctx: CaldavContext): Promise<SyncScope[]> {
  const session = new DavSession(ctx);
  const configured = ctx.settings.calendarUrl;
  if (configured) {
    const url = ensureSlash(configured);
    const [answer] = await propfind({
      url,
      props: { "d:displayname": {} },
      depth: "0",
      headers: session.headers,
      fetch: session.fetch,
    });
    if (!answer?.ok)
      throw new Error(`CalDAV calendar ${new URL(url).pathname} answered ${answer?.status ?? "nothing"}`);
    return [{ id: url, kind: "events", label: textProp(answer.props?.displayname) ?? new URL(url).pathname }];
  }
  const account = await createAccount({
    account: { serverUrl: ctx.settings.serverUrl, accountType: "caldav" },
    headers: session.headers,
    fetch: session.fetch,
  });
  const calendars = await fetchCalendars({ account, headers: session.headers, fetch: session.fetch });
  return calendars
    .filter(
      (calendar) =>
        calendar.components === undefined ||
        calendar.components.length === 0 ||
        calendar.components.includes("VEVENT"),
    )
    .map((calendar) => ({
      id: ensureSlash(calendar.url),
      kind: "events" as const,
      label: textProp(calendar.displayName) ?? new URL(calendar.url).pathname,
    }));
}

function basicUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

function windowFilter(from: Date, to: Date) {
  return [
    {
      "comp-filter": {
        _attributes: { name: "VCALENDAR" },
        "comp-filter": {
          _attributes: { name: "VEVENT" },
          "time-range": { _attributes: { start: basicUtc(from), end: basicUtc(to) } },
        },
      },
    },
  ];
}

function hrefKey(href: string, base: string): string {
  return new URL(href, base).pathname;
}

export async function pullCalendar(
  ctx: CaldavContext,
  scope: SyncScope,
  cursorText: string | null,
): Promise<PullPage> {
  const session = new DavSession(ctx);
  const url = ensureSlash(scope.id);
  const now = ctx.now().getTime();
  const from = new Date(now - ctx.settings.pastDays * DAY_MS);
  const to = new Date(now + ctx.settings.futureDays * DAY_MS);
  const windowFrom = from.toISOString().slice(0, 10);
  const stored = parseCursor(cursorText);
  const sameWindow = stored !== null && stored.windowFrom === windowFrom;

  const [state] = await propfind({
    url,
    props: { "cs:getctag": {}, "d:sync-token": {}, "c:calendar-timezone": {} },
    depth: "0",
    headers: session.headers,
    fetch: session.fetch,
  });
  if (!state?.ok)
    throw new Error(`CalDAV calendar ${new URL(url).pathname} answered ${state?.status ?? "nothing"}`);
  // Servers without a CTag fall back to the sync-token, which changes the same way.
  const ctag = textProp(state.props?.getctag) ?? textProp(state.props?.syncToken) ?? "";
  if (sameWindow && ctag !== "" && stored.ctag === ctag) {
    return { items: [], nextCursor: null, hasMore: false, apiCalls: session.requests };
  }

  const filters = windowFilter(from, to);
  let objects: { href: string; etag: string; data: string | undefined }[];
  if (sameWindow) {
    // The CTag moved: list the window's ETags first; fetch the objects only when one of them changed.
    const listed = await calendarQuery({
      url,
      props: { "d:getetag": {} },
      filters,
      depth: "1",
      headers: session.headers,
      fetch: session.fetch,
    });
    const etags: Record<string, string> = {};
    for (const entry of listed) {
      if (!entry.ok || !entry.href) continue;
      const key = hrefKey(entry.href, url);
      if (key === new URL(url).pathname) continue;
      etags[key] = textProp(entry.props?.getetag) ?? "";
    }
    const before = Object.entries(stored.etags);
    const unchanged =
      before.length === Object.keys(etags).length && before.every(([href, etag]) => etags[href] === etag);
    if (unchanged) {
      const next: CaldavCursor = { v: 1, ctag, windowFrom, etags };
      return { items: [], nextCursor: JSON.stringify(next), hasMore: false, apiCalls: session.requests };
    }
    const hrefs = Object.keys(etags);
    const fetched =
      hrefs.length === 0
        ? []
        : await calendarMultiGet({
            url,
            props: { "d:getetag": {}, "c:calendar-data": {} },
            objectUrls: hrefs,
            depth: "1",
            headers: session.headers,
            fetch: session.fetch,
          });
    objects = fetched.flatMap((entry) =>
      entry.ok && entry.href
        ? [
            {
              href: hrefKey(entry.href, url),
              etag: textProp(entry.props?.getetag) ?? "",
              data: textProp(entry.props?.calendarData),
            },
          ]
        : [],
    );
  } else {
    const fetched = await calendarQuery({
      url,
      props: { "d:getetag": {}, "c:calendar-data": {} },
      filters,
      depth: "1",
      headers: session.headers,
      fetch: session.fetch,
    });
    objects = fetched.flatMap((entry) =>
      entry.ok && entry.href && hrefKey(entry.href, url) !== new URL(url).pathname
        ? [
            {
              href: hrefKey(entry.href, url),
              etag: textProp(entry.props?.getetag) ?? "",
              data: textProp(entry.props?.calendarData),
            },
          ]
        : [],
    );
  }

  const timeZone = ctx.settings.timeZone ?? tzidOf(textProp(state.props?.calendarTimezone)) ?? "UTC";
  const items: IcalOccurrence[] = [];
  const skipped: { externalId: string; reason: string }[] = [];
  const etags: Record<string, string> = {};
  for (const object of objects) {
    etags[object.href] = object.etag;
    if (!object.data) {
      skipped.push({ externalId: object.href, reason: "no calendar-data" });
      continue;
    }
    try {
      const parsed = parseEvents(object.data);
      const expanded = expandEvents(parsed.events, {
        calendarId: scope.id,
        from,
        to,
        timeZone,
        email: ctx.settings.email,
      });
      items.push(...expanded.occurrences);
      for (const item of [...parsed.skipped, ...expanded.skipped])
        skipped.push({ externalId: `${object.href} ${item.externalId}`, reason: item.reason });
    } catch (error) {
      skipped.push({
        externalId: object.href,
        reason: error instanceof Error ? error.message : "unparseable",
      });
    }
  }
  const next: CaldavCursor = { v: 1, ctag, windowFrom, etags };
  return {
    items,
    ...(skipped.length > 0 ? { skipped } : {}),
    nextCursor: JSON.stringify(next),
    hasMore: false,
    resetScope: true,
    apiCalls: session.requests,
  };
}
