/**
 * The ICS connector driven through the Connector contract against a tiny local HTTP server serving a feed:
 * RRULE + EXDATE + RECURRENCE-ID expansion, all-day events, declined and free events, conditional requests.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { DateTime } from "luxon";
import { loadCairnConfig } from "../../bin/connectors.ts";
import { type IcsCredentials, type IcsSettings, icsConnector } from "../../connectors/ics/index.ts";
import { silentLogger } from "../../engine/logger.ts";
import {
  type ConnectorContext,
  CredentialRejectedError,
  RateLimitedError,
  type SourceEvent,
  SourceEvent as SourceEventSchema,
  TransientProviderError,
} from "../../engine/sync/connector.ts";

const connector = icsConnector;

interface Feed {
  body: string;
  etag: boolean;
  status?: number;
  retryAfter?: string;
}

/** UTC basic format of a day offset from today at hour:minute (UTC). */
function basic(offsetDays: number, hour: number, minute = 0): string {
  return DateTime.utc()
    .startOf("day")
    .plus({ days: offsetDays, hours: hour, minutes: minute })
    .toFormat("yyyyMMdd'T'HHmmss'Z'");
}
function basicDate(offsetDays: number): string {
  return DateTime.utc().startOf("day").plus({ days: offsetDays }).toFormat("yyyyMMdd");
}
function iso(offsetDays: number, hour: number, minute = 0): string {
  return DateTime.utc().startOf("day").plus({ days: offsetDays, hours: hour, minutes: minute }).toISO() ?? "";
}

function calendar(events: string[]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Cairn tests//EN",
    "X-WR-TIMEZONE:Europe/Paris",
    ...events,
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

// A weekly standup, 6 occurrences from tomorrow; the 3rd is excluded (EXDATE), the 4th moved (RECURRENCE-ID).
const standup = [
  "BEGIN:VEVENT",
  "UID:standup-1@example.com",
  `DTSTAMP:${basic(-10, 0)}`,
  `DTSTART:${basic(1, 9)}`,
  `DTEND:${basic(1, 9, 15)}`,
  "RRULE:FREQ=WEEKLY;COUNT=6",
  `EXDATE:${basic(15, 9)}`,
  "SUMMARY:Standup",
  "END:VEVENT",
  "BEGIN:VEVENT",
  "UID:standup-1@example.com",
  `DTSTAMP:${basic(-10, 0)}`,
  `RECURRENCE-ID:${basic(22, 9)}`,
  `DTSTART:${basic(22, 13)}`,
  `DTEND:${basic(22, 13, 15)}`,
  "SUMMARY:Standup (moved)",
  "END:VEVENT",
].join("\r\n");

const offsite = [
  "BEGIN:VEVENT",
  "UID:offsite@example.com",
  `DTSTAMP:${basic(-10, 0)}`,
  `DTSTART;VALUE=DATE:${basicDate(3)}`,
  `DTEND;VALUE=DATE:${basicDate(5)}`,
  "SUMMARY:Offsite",
  "END:VEVENT",
].join("\r\n");

const declined = [
  "BEGIN:VEVENT",
  "UID:declined@example.com",
  `DTSTAMP:${basic(-10, 0)}`,
  `DTSTART:${basic(2, 14)}`,
  `DTEND:${basic(2, 15)}`,
  "SUMMARY:Optional review",
  "ATTENDEE;PARTSTAT=DECLINED;CN=Me:mailto:me@example.com",
  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:other@example.com",
  "END:VEVENT",
].join("\r\n");

const free = [
  "BEGIN:VEVENT",
  "UID:free@example.com",
  `DTSTAMP:${basic(-10, 0)}`,
  `DTSTART:${basic(2, 7)}`,
  `DTEND:${basic(2, 8)}`,
  "SUMMARY:Gym",
  "TRANSP:TRANSPARENT",
  "END:VEVENT",
].join("\r\n");

const ancient = [
  "BEGIN:VEVENT",
  "UID:ancient@example.com",
  `DTSTAMP:${basic(-100, 0)}`,
  `DTSTART:${basic(-90, 9)}`,
  `DTEND:${basic(-90, 10)}`,
  "SUMMARY:Long ago",
  "END:VEVENT",
].join("\r\n");

describe("ICS connector", () => {
  let server: Server;
  let base = "";
  const feeds = new Map<string, Feed>();
  const hits: { path: string; headers: IncomingMessage["headers"] }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://feed.local").pathname;
      hits.push({ path, headers: req.headers });
      const feed = feeds.get(path);
      if (!feed) {
        res.writeHead(404).end();
        return;
      }
      if (feed.status) {
        res.writeHead(feed.status, feed.retryAfter ? { "Retry-After": feed.retryAfter } : {}).end();
        return;
      }
      const etag = `"${Buffer.from(feed.body).length}-${feed.body.length % 97}"`;
      if (feed.etag && req.headers["if-none-match"] === etag) {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, {
        "Content-Type": "text/calendar; charset=utf-8",
        ...(feed.etag ? { ETag: etag } : {}),
      });
      res.end(feed.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function context(path: string, settings: object = {}): ConnectorContext<IcsCredentials, IcsSettings> {
    return {
      credentials: connector.credentials.parse({}),
      settings: connector.settings.parse({ url: `${base}${path}`, email: "me@example.com", ...settings }),
      saveCredentials: async () => {
        throw new Error("an ICS feed has no credentials to save");
      },
      fetch: (input, init) => fetch(input, init),
      log: silentLogger,
      now: () => new Date(),
    };
  }

  async function pull(ctx: ConnectorContext<IcsCredentials, IcsSettings>, cursor: string | null) {
    const [scope] = await connector.scopes(ctx);
    assert.ok(scope);
    const page = await connector.pull(ctx, scope, cursor);
    const events: SourceEvent[] = page.items.map((raw) => {
      const item = connector.normalize(raw, scope, ctx.settings);
      assert.equal(item.type, "event");
      return SourceEventSchema.parse(item.type === "event" ? item.event : undefined);
    });
    return { page, events, scope };
  }

  test("expands RRULE with EXDATE and RECURRENCE-ID, all-day in the feed's zone, declined and free", async () => {
    feeds.set("/team.ics", { body: calendar([standup, offsite, declined, free, ancient]), etag: true });
    const ctx = context("/team.ics");
    const { page, events, scope } = await pull(ctx, null);
    assert.equal(page.apiCalls, 1);
    assert.equal(page.hasMore, false);
    assert.equal(page.resetScope, true, "a changed feed is a full snapshot of the window");
    assert.ok(
      scope.id.startsWith("ics:") && !scope.id.includes("127.0.0.1"),
      "scope id does not leak the URL",
    );
    assert.equal(scope.label, new URL(base).host);

    const standups = events.filter((e) => e.recurringEventId === "standup-1@example.com");
    assert.deepEqual(
      standups.map((e) => [e.start, e.title]),
      [
        [iso(1, 9), "Standup"],
        [iso(8, 9), "Standup"],
        [iso(22, 13), "Standup (moved)"],
        [iso(29, 9), "Standup"],
        [iso(36, 9), "Standup"],
      ],
      "5 of 6: the EXDATE one is gone, the override moved",
    );
    const moved = standups[2];
    assert.equal(
      moved?.externalId,
      `standup-1@example.com#${new Date(iso(22, 9)).toISOString()}`,
      "keyed by RECURRENCE-ID",
    );
    assert.equal(new Set(standups.map((e) => e.externalId)).size, 5);

    const allDay = events.find((e) => e.externalId === "offsite@example.com");
    assert.ok(allDay);
    assert.equal(allDay.allDay, true);
    const paris = (offset: number) =>
      DateTime.utc()
        .startOf("day")
        .plus({ days: offset })
        .setZone("Europe/Paris", { keepLocalTime: true })
        .toUTC()
        .toISO();
    assert.equal(allDay.start, paris(3), "midnight in X-WR-TIMEZONE");
    assert.equal(allDay.end, paris(5), "end exclusive");
    assert.equal(allDay.recurringEventId, null);

    const no = events.find((e) => e.externalId === "declined@example.com");
    assert.equal(no?.declined, true);
    assert.equal(events.find((e) => e.externalId === "free@example.com")?.busy, false);
    assert.equal(events.find((e) => e.externalId === "free@example.com")?.declined, false);
    assert.equal(
      events.some((e) => e.externalId === "ancient@example.com"),
      false,
      "outside the window",
    );

    // Unchanged feed: one conditional request (304), no items, cursor kept.
    const again = await pull(ctx, page.nextCursor);
    assert.equal(again.page.items.length, 0);
    assert.equal(again.page.apiCalls, 1);
    assert.equal(again.page.nextCursor, null);
    assert.ok(hits.at(-1)?.headers["if-none-match"], "conditional request");

    // Feed changes: the removed event is simply absent from the next snapshot.
    feeds.set("/team.ics", { body: calendar([standup, offsite, free]), etag: true });
    const changed = await pull(ctx, page.nextCursor);
    assert.equal(changed.page.resetScope, true);
    assert.equal(
      changed.events.some((e) => e.externalId === "declined@example.com"),
      false,
    );
    assert.equal(changed.events.length, 7);
  });

  const readFixture = (name: string) =>
    readFileSync(new URL(`../fixtures/ics/${name}`, import.meta.url), "utf8");
  /** A context whose window (30 days back, 90 ahead) covers the fixtures' March 2026. */
  const inMarch = (path: string) => ({ ...context(path), now: () => new Date("2026-03-10T00:00:00Z") });
  const starts = (events: SourceEvent[], title: string) =>
    events.filter((e) => e.title === title).map((e) => e.start.slice(0, 16));

  test("an Outlook/Exchange feed: Windows and custom VTIMEZONE zones; the unreadable event counted with its reason", async () => {
    feeds.set("/outlook.ics", { body: readFixture("outlook-exchange.ics"), etag: true });
    const outlook = await pull(inMarch("/outlook.ics"), null);
    assert.deepEqual(starts(outlook.events, "Weekly sync"), [
      "2026-03-02T17:00",
      "2026-03-09T16:00",
      "2026-03-23T16:00",
    ]);
    assert.deepEqual(starts(outlook.events, "Design review"), ["2026-03-27T09:00", "2026-03-30T08:00"]);
    assert.deepEqual(starts(outlook.events, "Vendor call (custom zone)"), [
      "2026-03-06T20:00",
      "2026-03-07T20:00",
      "2026-03-08T19:00",
    ]);
    assert.deepEqual(starts(outlook.events, "Standup (moved to the afternoon)"), ["2026-03-25T13:00"]);
    assert.deepEqual(starts(outlook.events, "Quarterly planning"), ["2026-03-26T13:00", "2026-03-30T12:00"]);
    assert.equal(outlook.events.length, 14);
    assert.deepEqual(
      outlook.page.skipped?.map((s) => s.reason),
      [
        'DTSTART: time zone "Atlantis Standard Time" is neither an IANA nor a Windows zone, and the feed has no VTIMEZONE for it',
      ],
    );
  });

  test("a Google feed: X-WR-TIMEZONE, EXDATEs with TZID on several lines, an override, all-day", async () => {
    feeds.set("/google.ics", { body: readFixture("google.ics"), etag: true });
    const google = await pull(inMarch("/google.ics"), null);
    assert.equal(google.page.skipped, undefined);
    assert.deepEqual(
      starts(google.events, "1:1 with Sam").filter((s) => s < "2026-03-20"),
      ["2026-03-02T15:00", "2026-03-09T14:00", "2026-03-18T14:00"],
    );
    assert.deepEqual(starts(google.events, "1:1 with Sam (after lunch)"), ["2026-03-16T17:00"]);
    assert.deepEqual(starts(google.events, "Team day off"), ["2026-03-06T05:00"]);
  });

  test("an Apple/iCloud feed: two RRULEs, RDATE with TZID, in UTC, as PERIOD and DATE lists", async () => {
    feeds.set("/apple.ics", { body: readFixture("apple-icloud.ics"), etag: true });
    const apple = await pull(inMarch("/apple.ics"), null);
    assert.equal(apple.page.skipped, undefined);
    assert.deepEqual(starts(apple.events, "Choir"), [
      "2026-03-03T17:00",
      "2026-03-15T17:00",
      "2026-03-20T17:00",
      "2026-03-25T17:00",
      "2026-03-27T16:00",
      "2026-03-31T16:00",
      "2026-04-15T16:00",
    ]);
    const period = apple.events.find((e) => e.start.startsWith("2026-03-25T17:00"));
    assert.equal(period?.end, "2026-03-25T19:00:00.000Z", "an RDATE period keeps its own end");
    assert.deepEqual(starts(apple.events, "Choir (concert rehearsal)"), ["2026-03-17T19:00"]);
    assert.deepEqual(starts(apple.events, "Bin day"), [
      "2026-03-01T23:00",
      "2026-03-17T23:00",
      "2026-03-18T23:00",
      "2026-03-29T22:00",
    ]);
  });

  test("a server without validators: unchanged body (same hash) yields nothing after one request", async () => {
    feeds.set("/plain.ics", { body: calendar([free]), etag: false });
    const ctx = context("/plain.ics");
    const first = await pull(ctx, null);
    assert.equal(first.events.length, 1);
    const second = await pull(ctx, first.page.nextCursor);
    assert.equal(second.page.items.length, 0);
    assert.equal(second.page.apiCalls, 1);
    assert.equal(second.page.resetScope, undefined);
  });

  test("webcal:// means https; errors map to the contract", async () => {
    assert.equal(
      connector.settings.parse({ url: "webcal://example.com/a.ics" }).url,
      "https://example.com/a.ics",
    );
    assert.throws(() => connector.settings.parse({ url: "file:///etc/passwd" }));

    feeds.set("/limited.ics", { body: "", etag: false, status: 429, retryAfter: "12" });
    await assert.rejects(
      pull(context("/limited.ics"), null),
      (error: unknown) => error instanceof RateLimitedError && error.retryAfterMs === 12_000,
    );
    feeds.set("/down.ics", { body: "", etag: false, status: 503 });
    await assert.rejects(
      pull(context("/down.ics"), null),
      (error: unknown) => error instanceof TransientProviderError,
    );
    feeds.set("/private.ics", { body: "", etag: false, status: 403 });
    await assert.rejects(pull(context("/private.ics?token=s3cret"), null), (error: unknown) => {
      return error instanceof CredentialRejectedError && !error.message.includes("s3cret");
    });
    feeds.set("/html.ics", { body: "<html>login</html>", etag: false });
    await assert.rejects(pull(context("/html.ics"), null), /not an iCalendar document/);
  });

  test("the connector is read-only", () => {
    assert.equal(connector.upsertBlock, undefined);
    assert.equal(connector.deleteBlock, undefined);
  });
  test("fromEnv: one connection per ICS_URLS entry, named by host", () => {
    assert.deepEqual(connector.fromEnv?.(loadCairnConfig({})), []);
    const seeds = connector.fromEnv?.(
      loadCairnConfig({
        ICS_URLS:
          "https://cal.example/a.ics?token=s3cret, webcal://cal.example/b.ics https://other.example/c.ics",
      }),
    );
    assert.deepEqual(
      seeds?.map((seed) => [seed.name, seed.settings.url]),
      [
        ["ICS cal.example", "https://cal.example/a.ics?token=s3cret"],
        ["ICS cal.example (2)", "https://cal.example/b.ics"],
        ["ICS other.example", "https://other.example/c.ics"],
      ],
    );
  });
});
