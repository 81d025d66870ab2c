/**
 * The CalDAV connector driven through the Connector contract against a real Radicale server (Debian package
 * `radicale`, started by test/support/radicale.ts). Skipped only when Radicale is not installed and
 * CAIRN_REQUIRE_SERVICES is not "1".
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { DateTime } from "luxon";
import { loadCairnConfig } from "../../bin/connectors.ts";
import {
  type CaldavCredentials,
  type CaldavSettings,
  caldavConnector,
} from "../../connectors/caldav/index.ts";
import { silentLogger } from "../../engine/logger.ts";
import {
  type ConnectorContext,
  CredentialRejectedError,
  type SkippedItem,
  type SourceEvent,
  SourceEvent as SourceEventSchema,
  type SyncScope,
} from "../../engine/sync/connector.ts";
import { type RadicaleServer, skipWithoutRadicale, startRadicale } from "../support/radicale.ts";

const connector = caldavConnector;
const skip = skipWithoutRadicale();

function basic(offsetDays: number, hour: number, minute = 0): string {
  return DateTime.utc()
    .startOf("day")
    .plus({ days: offsetDays, hours: hour, minutes: minute })
    .toFormat("yyyyMMdd'T'HHmmss'Z'");
}
function iso(offsetDays: number, hour: number, minute = 0): string {
  return DateTime.utc().startOf("day").plus({ days: offsetDays, hours: hour, minutes: minute }).toISO() ?? "";
}
function vcalendar(...events: string[]): string {
  return `${["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Other client//EN", ...events, "END:VCALENDAR"].join("\r\n")}\r\n`;
}
/** A feed split the way a CalDAV server stores it: one object per UID, each with the feed's VTIMEZONEs. */
function objectsByUid(feed: string): string[] {
  const lines = feed
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .filter((line) => line !== "");
  const header: string[] = [];
  const zones: string[] = [];
  const byUid = new Map<string, string[]>();
  let block: string[] | null = null;
  for (const line of lines) {
    if (block === null && (line === "BEGIN:VTIMEZONE" || line === "BEGIN:VEVENT")) block = [line];
    else if (block !== null) {
      block.push(line);
      if (line === "END:VTIMEZONE") zones.push(...block);
      if (line === "END:VEVENT") {
        const uid = block.find((l) => l.startsWith("UID:")) ?? "";
        byUid.set(uid, [...(byUid.get(uid) ?? []), ...block]);
      }
      if (line === "END:VTIMEZONE" || line === "END:VEVENT") block = null;
    } else if (!["BEGIN:VCALENDAR", "END:VCALENDAR"].includes(line) && !line.startsWith("METHOD:"))
      header.push(line);
  }
  return [...byUid.values()].map((event) =>
    ["BEGIN:VCALENDAR", ...header, ...zones, ...event, "END:VCALENDAR", ""].join("\r\n"),
  );
}
function vevent(lines: string[]): string {
  return ["BEGIN:VEVENT", `DTSTAMP:${basic(-5, 0)}`, ...lines, "END:VEVENT"].join("\r\n");
}

describe("CalDAV connector against Radicale", { skip }, () => {
  let radicale: RadicaleServer;
  let auth = "";

  before(async () => {
    radicale = await startRadicale();
    auth = `Basic ${Buffer.from(`${radicale.username}:${radicale.password}`).toString("base64")}`;
  });
  after(async () => {
    await radicale?.stop();
  });

  function context(settings: object = {}, credentials: Partial<CaldavCredentials> = {}) {
    const ctx: ConnectorContext<CaldavCredentials, CaldavSettings> = {
      credentials: connector.credentials.parse({
        username: radicale.username,
        password: radicale.password,
        ...credentials,
      }),
      settings: connector.settings.parse({ serverUrl: radicale.url, ...settings }),
      saveCredentials: async () => {
        throw new Error("CalDAV credentials are never rewritten");
      },
      fetch: (input, init) => fetch(input, init),
      log: silentLogger,
      now: () => new Date(),
    };
    return ctx;
  }

  /** Another client writes straight to the server. */
  async function put(calendarUrl: string, name: string, body: string): Promise<string> {
    const response = await fetch(`${calendarUrl}${name}`, {
      method: "PUT",
      headers: { Authorization: auth, "Content-Type": "text/calendar; charset=utf-8" },
      body,
    });
    assert.ok(response.status === 201 || response.status === 204, `PUT ${name}: ${response.status}`);
    return response.headers.get("etag") ?? "";
  }
  async function get(url: string): Promise<{ status: number; text: string; etag: string | null }> {
    const response = await fetch(url, { headers: { Authorization: auth } });
    return { status: response.status, text: await response.text(), etag: response.headers.get("etag") };
  }
  async function remove(url: string): Promise<void> {
    const response = await fetch(url, { method: "DELETE", headers: { Authorization: auth } });
    assert.equal(response.status, 200);
  }

  async function pull(
    ctx: ConnectorContext<CaldavCredentials, CaldavSettings>,
    scope: SyncScope,
    cursor: string | null,
  ) {
    const page = await connector.pull(ctx, scope, cursor);
    const events: SourceEvent[] = page.items.map((raw) => {
      const item = connector.normalize(raw, scope, ctx.settings);
      assert.equal(item.type, "event");
      return SourceEventSchema.parse(item.type === "event" ? item.event : undefined);
    });
    return { page, events };
  }

  test("discovers calendars from the server URL; a configured calendar is the only scope", async () => {
    const work = await radicale.createCalendar("work", "Work");
    const discovered = await connector.scopes(context());
    const ids = discovered.map((s) => s.id);
    assert.ok(ids.includes(radicale.calendarUrl) && ids.includes(work), ids.join(", "));
    assert.ok(
      discovered.every(
        (s) => s.kind === "events" && s.id.startsWith(`${radicale.url}/${radicale.username}/`),
      ),
    );
    assert.equal(discovered.find((s) => s.id === work)?.label, "Work");
    const configured = await connector.scopes(context({ calendarUrl: work }));
    assert.deepEqual(configured, [{ id: work, kind: "events", label: "Work" }]);
  });

  test("reads events (recurring with EXDATE and an override, all-day, declined, free); unchanged CTag is one request", async () => {
    const calendarUrl = await radicale.createCalendar("read", "Read test");
    await put(
      calendarUrl,
      "standup.ics",
      vcalendar(
        vevent([
          "UID:standup@other",
          `DTSTART:${basic(1, 9)}`,
          `DTEND:${basic(1, 9, 15)}`,
          "RRULE:FREQ=DAILY;COUNT=5",
          `EXDATE:${basic(3, 9)}`,
          "SUMMARY:Standup",
        ]),
        vevent([
          "UID:standup@other",
          `RECURRENCE-ID:${basic(4, 9)}`,
          `DTSTART:${basic(4, 16)}`,
          `DTEND:${basic(4, 16, 15)}`,
          "SUMMARY:Standup (late)",
        ]),
      ),
    );
    await put(
      calendarUrl,
      "holiday.ics",
      vcalendar(
        vevent([
          "UID:holiday@other",
          `DTSTART;VALUE=DATE:${basic(6, 0).slice(0, 8)}`,
          `DTEND;VALUE=DATE:${basic(7, 0).slice(0, 8)}`,
          "SUMMARY:Holiday",
          "TRANSP:TRANSPARENT",
        ]),
      ),
    );
    await put(
      calendarUrl,
      "review.ics",
      vcalendar(
        vevent([
          "UID:review@other",
          `DTSTART:${basic(2, 14)}`,
          `DTEND:${basic(2, 15)}`,
          "SUMMARY:Review",
          "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com",
        ]),
      ),
    );
    const ctx = context({ calendarUrl, email: "me@example.com", timeZone: "Europe/Berlin" });
    const [scope] = await connector.scopes(ctx);
    assert.ok(scope);

    const first = await pull(ctx, scope, null);
    assert.equal(first.page.resetScope, true);
    assert.equal(first.page.hasMore, false);
    assert.equal(first.page.apiCalls, 2, "PROPFIND CTag + one calendar-query with data");
    const standups = first.events.filter((e) => e.recurringEventId === "standup@other");
    assert.deepEqual(
      standups.map((e) => [e.start, e.title]),
      [
        [iso(1, 9), "Standup"],
        [iso(2, 9), "Standup"],
        [iso(4, 16), "Standup (late)"],
        [iso(5, 9), "Standup"],
      ],
    );
    assert.equal(standups[2]?.externalId, `standup@other#${new Date(iso(4, 9)).toISOString()}`);
    const holiday = first.events.find((e) => e.externalId === "holiday@other");
    assert.equal(holiday?.allDay, true);
    assert.equal(holiday?.busy, false);
    const berlinMidnight = DateTime.utc()
      .startOf("day")
      .plus({ days: 6 })
      .setZone("Europe/Berlin", { keepLocalTime: true })
      .toUTC()
      .toISO();
    assert.equal(holiday?.start, berlinMidnight);
    assert.equal(first.events.find((e) => e.externalId === "review@other")?.declined, true);
    assert.equal(first.events.length, 6);

    // Nothing changed: one PROPFIND, no items, cursor kept.
    const idle = await pull(ctx, scope, first.page.nextCursor);
    assert.equal(idle.page.apiCalls, 1);
    assert.equal(idle.page.items.length, 0);
    assert.equal(idle.page.nextCursor, null);

    // A change outside the window moves the CTag, but the window's ETags are the same: no download.
    await put(
      calendarUrl,
      "far.ics",
      vcalendar(
        vevent(["UID:far@other", `DTSTART:${basic(300, 9)}`, `DTEND:${basic(300, 10)}`, "SUMMARY:Far away"]),
      ),
    );
    const outside = await pull(ctx, scope, first.page.nextCursor);
    assert.equal(outside.page.items.length, 0);
    assert.equal(outside.page.apiCalls, 2);
    assert.ok(outside.page.nextCursor);

    // An event deleted on the server is absent from the next snapshot.
    await remove(`${calendarUrl}review.ics`);
    const afterDelete = await pull(ctx, scope, outside.page.nextCursor);
    assert.equal(afterDelete.page.resetScope, true);
    assert.equal(afterDelete.page.apiCalls, 3, "CTag, ETag list, multiget");
    assert.equal(
      afterDelete.events.some((e) => e.externalId === "review@other"),
      false,
    );
    assert.equal(afterDelete.events.length, 5);
  });

  test("Outlook, Google and Apple objects: every event at its time, the unreadable one counted with its reason", async () => {
    // One calendar per client, one object per UID (as CalDAV stores them), each with the feed's VTIMEZONEs.
    const clients = [
      ["outlook", "outlook-exchange.ics"],
      ["google", "google.ics"],
      ["apple", "apple-icloud.ics"],
    ] as const;
    const events = new Map<string, SourceEvent[]>();
    const skipped = new Map<string, SkippedItem[]>();
    for (const [name, file] of clients) {
      const calendarUrl = await radicale.createCalendar(`client-${name}`, name);
      const text = readFileSync(new URL(`../fixtures/ics/${file}`, import.meta.url), "utf8")
        // Radicale refuses RDATE;VALUE=PERIOD on PUT; the ICS test covers periods.
        .replace(/RDATE;VALUE=PERIOD:[^\r]*\r\n/, "");
      for (const [i, body] of objectsByUid(text).entries()) await put(calendarUrl, `${name}-${i}.ics`, body);
      const ctx = {
        ...context({ calendarUrl, email: "me@example.com" }),
        now: () => new Date("2026-03-10T00:00:00Z"),
      };
      const [scope] = await connector.scopes(ctx);
      assert.ok(scope);
      const { page, events: read } = await pull(ctx, scope, null);
      events.set(name, read);
      skipped.set(name, page.skipped ?? []);
    }
    const starts = (client: string, title: string) =>
      (events.get(client) ?? []).filter((e) => e.title === title).map((e) => e.start.slice(0, 16));

    assert.deepEqual(starts("outlook", "Weekly sync"), [
      "2026-03-02T17:00",
      "2026-03-09T16:00",
      "2026-03-23T16:00",
    ]);
    assert.deepEqual(starts("outlook", "Design review"), ["2026-03-27T09:00", "2026-03-30T08:00"]);
    assert.deepEqual(starts("outlook", "Quarterly planning"), ["2026-03-26T13:00", "2026-03-30T12:00"]);
    assert.deepEqual(starts("outlook", "Vendor call (custom zone)"), [
      "2026-03-06T20:00",
      "2026-03-07T20:00",
      "2026-03-08T19:00",
    ]);
    assert.deepEqual(starts("outlook", "Standup (moved to the afternoon)"), ["2026-03-25T13:00"]);
    assert.equal(events.get("outlook")?.length, 14);
    const unreadable = skipped.get("outlook") ?? [];
    assert.equal(unreadable.length, 1, JSON.stringify(unreadable));
    assert.match(
      unreadable[0]?.externalId ?? "",
      /outlook-\d\.ics 040000008200E00074C5B7101A82E00800000000DEADBEEF/,
    );
    assert.match(
      unreadable[0]?.reason ?? "",
      /time zone "Atlantis Standard Time" is neither an IANA nor a Windows zone/,
    );

    assert.deepEqual(skipped.get("google"), []);
    assert.deepEqual(
      starts("google", "1:1 with Sam").filter((s) => s < "2026-03-20"),
      ["2026-03-02T15:00", "2026-03-09T14:00", "2026-03-18T14:00"],
    );
    assert.deepEqual(starts("google", "1:1 with Sam (after lunch)"), ["2026-03-16T17:00"]);

    assert.deepEqual(skipped.get("apple"), []);
    assert.deepEqual(starts("apple", "Choir"), [
      "2026-03-03T17:00",
      "2026-03-15T17:00",
      "2026-03-20T17:00",
      "2026-03-27T16:00",
      "2026-03-31T16:00",
      "2026-04-15T16:00",
    ]);
    assert.deepEqual(starts("apple", "Choir (concert rehearsal)"), ["2026-03-17T19:00"]);
    // All-day in UTC here: the calendar has no calendar-timezone and no zone is configured.
    assert.deepEqual(starts("apple", "Bin day"), [
      "2026-03-02T00:00",
      "2026-03-18T00:00",
      "2026-03-19T00:00",
      "2026-03-30T00:00",
    ]);
  });

  test("writes, moves and deletes a focus block; never touches a foreign event", async () => {
    const calendarUrl = await radicale.createCalendar("blocks", "Blocks");
    const foreignEtag = await put(
      calendarUrl,
      "meeting.ics",
      vcalendar(
        vevent(["UID:meeting@other", `DTSTART:${basic(1, 10)}`, `DTEND:${basic(1, 11)}`, "SUMMARY:Meeting"]),
      ),
    );
    // An impostor: a file named like Cairn's but without Cairn's marks.
    const impostorEtag = await put(
      calendarUrl,
      "cairn-blk_fake.ics",
      vcalendar(
        vevent([
          "UID:impostor@other",
          `DTSTART:${basic(1, 12)}`,
          `DTEND:${basic(1, 13)}`,
          "SUMMARY:Not yours",
        ]),
      ),
    );
    const ctx = context({ calendarUrl });
    const scope: SyncScope = { id: calendarUrl, kind: "events", label: "Blocks" };
    const upsert = connector.upsertBlock;
    const remove = connector.deleteBlock;
    assert.ok(upsert && remove);

    const block = {
      blockId: "blk_42",
      title: "Focus: write, review; ship",
      description: "Planned by Cairn\nsecond line",
      start: iso(2, 13),
      end: iso(2, 15),
      externalEventId: null,
      calendarId: calendarUrl,
    };
    const id = await upsert(ctx, block);
    assert.equal(id, "cairn-blk_42@cairn");
    const stored = await get(`${calendarUrl}cairn-blk_42.ics`);
    assert.equal(stored.status, 200);
    assert.match(stored.text, /X-CAIRN-BLOCK-ID:blk_42/);
    assert.match(stored.text, /SUMMARY:Focus: write\\, review\\; ship/);

    const synced = await pull(ctx, scope, null);
    const mine = synced.events.find((e) => e.externalId === id);
    assert.equal(mine?.cairnBlockId, "blk_42");
    assert.equal(mine?.title, "Focus: write, review; ship");
    assert.equal(mine?.start, new Date(iso(2, 13)).toISOString());
    assert.equal(synced.events.find((e) => e.externalId === "meeting@other")?.cairnBlockId, null);

    // Move.
    assert.equal(await upsert(ctx, { ...block, start: iso(3, 8), end: iso(3, 9), externalEventId: id }), id);
    const moved = await pull(ctx, scope, synced.page.nextCursor);
    assert.equal(moved.events.find((e) => e.externalId === id)?.start, new Date(iso(3, 8)).toISOString());
    assert.match((await get(`${calendarUrl}cairn-blk_42.ics`)).text, /SEQUENCE:1/);

    // Refusals: a foreign UID, a Cairn-looking id whose object lacks Cairn's marks, moving a foreign event.
    await assert.rejects(remove(ctx, calendarUrl, "meeting@other"), /not created by Cairn/);
    await assert.rejects(remove(ctx, calendarUrl, "cairn-blk_fake@cairn"), /not created by Cairn/);
    await assert.rejects(
      upsert(ctx, { ...block, blockId: "blk_fake", externalEventId: null }),
      /not created by Cairn/,
    );
    await assert.rejects(upsert(ctx, { ...block, externalEventId: "meeting@other" }), /not created by Cairn/);
    assert.equal((await get(`${calendarUrl}meeting.ics`)).etag, foreignEtag, "foreign event untouched");
    assert.equal((await get(`${calendarUrl}cairn-blk_fake.ics`)).etag, impostorEtag, "impostor untouched");

    // Delete (twice: idempotent).
    await remove(ctx, calendarUrl, id);
    assert.equal((await get(`${calendarUrl}cairn-blk_42.ics`)).status, 404);
    await remove(ctx, calendarUrl, id);
    const gone = await pull(ctx, scope, moved.page.nextCursor);
    assert.equal(
      gone.events.some((e) => e.externalId === id),
      false,
    );
    assert.ok(gone.events.some((e) => e.externalId === "meeting@other"));
  });

  test("a wrong password is CredentialRejectedError without the password in the message", async () => {
    const ctx = context({ calendarUrl: radicale.calendarUrl }, { password: "not-the-password" });
    await assert.rejects(
      connector.pull(ctx, { id: radicale.calendarUrl, kind: "events", label: "x" }, null),
      (error: unknown) =>
        error instanceof CredentialRejectedError && !error.message.includes("not-the-password"),
    );
  });
});

test("CalDAV fromEnv: CALDAV_URL + CALDAV_USERNAME + CALDAV_PASSWORD make one connection", () => {
  assert.deepEqual(connector.fromEnv?.(loadCairnConfig({ CALDAV_URL: "https://dav.example/" })), []);
  const seeds = connector.fromEnv?.(
    loadCairnConfig({ CALDAV_URL: "https://dav.example/", CALDAV_USERNAME: "ann", CALDAV_PASSWORD: "pw" }),
  );
  assert.equal(seeds?.length, 1);
  assert.deepEqual(seeds?.[0]?.credentials, { username: "ann", password: "pw" });
  assert.equal(seeds?.[0]?.settings.serverUrl, "https://dav.example/");
});
