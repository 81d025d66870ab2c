/**
 * The Google Calendar connector driven through the Connector contract against the Google fake:
 * @googleapis/calendar and the engine's OAuthTokenManager talk to it over HTTP.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadCairnConfig } from "../../bin/connectors.ts";
import {
  type GoogleCredentials,
  type GoogleSettings,
  googleCalendarConnector,
  renewIfExpiring,
  watchCalendar,
} from "../../connectors/google-calendar/index.ts";
import { silentLogger } from "../../engine/logger.ts";
import {
  type ChannelStore,
  type ConnectorContext,
  CredentialRejectedError,
  type PullPage,
  type PushChannel,
  RateLimitedError,
  type SourceEvent,
  SourceEvent as SourceEventSchema,
  type SyncScope,
  TransientProviderError,
} from "../../engine/sync/connector.ts";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";

const connector = googleCalendarConnector;

interface Harness {
  ctx: ConnectorContext<GoogleCredentials, GoogleSettings>;
  saved: GoogleCredentials[];
  /** Every URL requested through ctx.fetch (the engine's guarded fetch in production). */
  fetched: string[];
}

function harness(
  fake: FakeGoogle,
  overrides: Partial<GoogleCredentials> = {},
  settings: object = {},
): Harness {
  const saved: GoogleCredentials[] = [];
  const fetched: string[] = [];
  const ctx: ConnectorContext<GoogleCredentials, GoogleSettings> = {
    credentials: connector.credentials.parse({
      clientId: fake.state.clientId,
      clientSecret: fake.state.clientSecret,
      refreshToken: "1//fake-refresh-token",
      ...overrides,
    }),
    settings: connector.settings.parse({ apiUrl: fake.url, tokenUrl: fake.tokenUrl, ...settings }),
    async saveCredentials(next) {
      saved.push(next);
      ctx.credentials = next;
    },
    fetch: (input, init) => {
      fetched.push(input instanceof Request ? input.url : input.toString());
      return fetch(input, init);
    },
    log: silentLogger,
    now: () => new Date(),
  };
  return { ctx, saved, fetched };
}

/** Pulls every page of a scope from `cursor`; returns normalized events, the final cursor and the pages. */
async function pullAll(h: Harness, scope: SyncScope, cursor: string | null) {
  const pages: PullPage[] = [];
  const events: SourceEvent[] = [];
  let next = cursor;
  for (;;) {
    const page = await connector.pull(h.ctx, scope, next);
    pages.push(page);
    for (const raw of page.items) {
      const item = connector.normalize(raw, scope, h.ctx.settings);
      assert.equal(item.type, "event");
      if (item.type === "event") events.push(SourceEventSchema.parse(item.event));
    }
    if (page.nextCursor !== null) next = page.nextCursor;
    if (!page.hasMore) break;
  }
  return { events, cursor: next, pages, apiCalls: pages.reduce((n, p) => n + p.apiCalls, 0) };
}

function day(offsetDays: number, hour: number, minute = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offsetDays);
  d.setUTCHours(hour, minute, 0, 0);
  return d.toISOString().replace(".000Z", "Z");
}

function isoDate(offsetDays: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}

describe("Google Calendar connector", () => {
  let fake: FakeGoogle;
  const me = "me@example.com";

  before(async () => {
    fake = await startFakeGoogle({ timeZone: "Europe/Paris" });
  });
  after(async () => {
    await fake.close();
  });

  test("scopes: primary by id, configured calendars, busy-only through freeBusy", async () => {
    const team = fake.state.addCalendar({ summary: "Team" });
    const boss = fake.state.addCalendar({
      id: "boss@example.com",
      summary: "Boss",
      accessRole: "freeBusyReader",
    });
    const h = harness(fake, {}, { calendarIds: [team.id], busyOnlyCalendarIds: [boss.id] });
    const scopes = await connector.scopes(h.ctx);
    assert.deepEqual(
      scopes.map((s) => s.id),
      [me, team.id, `busy:${boss.id}`],
    );
    assert.equal(scopes[1]?.label, "Team");

    fake.state.addEvent(boss.id, {
      summary: "Secret",
      start: { dateTime: day(1, 9) },
      end: { dateTime: day(1, 10) },
    });
    fake.state.addEvent(boss.id, {
      summary: "Secret 2",
      start: { dateTime: day(1, 9, 30) },
      end: { dateTime: day(1, 11) },
    });
    const busyScope = scopes[2];
    assert.ok(busyScope);
    const { events, pages } = await pullAll(h, busyScope, null);
    assert.equal(pages[0]?.resetScope, true);
    assert.equal(events.length, 1, "overlapping busy intervals are merged by freeBusy");
    assert.equal(events[0]?.title, "Busy");
    assert.equal(events[0]?.start, new Date(day(1, 9)).toISOString());
    assert.equal(events[0]?.end, new Date(day(1, 11)).toISOString());
  });

  test("full sync with paging, recurring expansion, all-day, declined, transparent; then incremental", async () => {
    const cal = fake.state.addCalendar({ summary: "Sync test", timeZone: "Europe/Paris" });
    const scope: SyncScope = { id: cal.id, kind: "events", label: "Sync test" };
    fake.state.generateEvents(cal.id, 30, { seed: 7, recurringRate: 0 });
    const weekly = fake.state.addEvent(cal.id, {
      summary: "Weekly 1:1",
      start: { dateTime: day(1, 8), timeZone: "Europe/Paris" },
      end: { dateTime: day(1, 8, 30), timeZone: "Europe/Paris" },
      recurrence: ["RRULE:FREQ=WEEKLY;COUNT=5"],
    });
    const allDay = fake.state.addEvent(cal.id, {
      summary: "Offsite",
      start: { date: isoDate(3) },
      end: { date: isoDate(5) },
    });
    const declined = fake.state.addEvent(cal.id, {
      summary: "Optional sync",
      start: { dateTime: day(2, 14) },
      end: { dateTime: day(2, 15) },
      attendees: [
        { email: me, responseStatus: "declined" },
        { email: "x@example.com", responseStatus: "accepted" },
      ],
    });
    const free = fake.state.addEvent(cal.id, {
      summary: "Gym (free)",
      start: { dateTime: day(2, 7) },
      end: { dateTime: day(2, 8) },
      transparency: "transparent",
    });
    const old = fake.state.addEvent(cal.id, {
      summary: "Ancient",
      start: { dateTime: day(-60, 9) },
      end: { dateTime: day(-60, 10) },
    });

    const h = harness(fake, {}, { pageSize: 10 });
    const first = await pullAll(h, scope, null);
    assert.ok(first.pages.length >= 4, `paged (${first.pages.length} pages)`);
    assert.ok(first.pages.slice(0, -1).every((p) => p.hasMore));
    assert.ok(!first.pages.some((p) => p.resetScope), "a first sync is no reset");
    const byId = new Map(first.events.map((e) => [e.externalId, e]));
    assert.equal(byId.has(old.id ?? ""), false, "events before now-30d are not synced");

    const instances = first.events.filter((e) => e.recurringEventId === weekly.id);
    assert.equal(instances.length, 5, "recurring event expanded into its 5 instances");
    assert.ok(instances.every((e) => e.title === "Weekly 1:1" && !e.allDay));
    assert.equal(byId.has(weekly.id ?? ""), false, "no master, only instances");

    const offsite = byId.get(allDay.id ?? "");
    assert.ok(offsite);
    assert.equal(offsite.allDay, true);
    // Midnight in Europe/Paris, end exclusive two days later.
    const parisMidnight = (date: string) => {
      const probe = new Date(`${date}T00:00:00Z`);
      const offsetH = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Paris",
        hour: "2-digit",
        hourCycle: "h23",
      })
        .format(probe)
        .trim();
      return new Date(probe.getTime() - Number(offsetH) * 3_600_000).toISOString();
    };
    assert.equal(offsite.start, parisMidnight(isoDate(3)));
    assert.equal(offsite.end, parisMidnight(isoDate(5)));

    assert.equal(byId.get(declined.id ?? "")?.declined, true);
    assert.equal(byId.get(declined.id ?? "")?.busy, true);
    assert.equal(byId.get(free.id ?? "")?.busy, false);
    assert.equal(byId.get(free.id ?? "")?.declined, false);

    // Nothing changed: one request, no items.
    const idle = await pullAll(h, scope, first.cursor);
    assert.equal(idle.events.length, 0);
    assert.equal(idle.apiCalls, 1);
    assert.equal(idle.pages.length, 1);

    // Changes: an edit, a cancelled single, a cancelled instance of the series.
    fake.state.updateEvent(cal.id, free.id ?? "", {
      summary: "Gym moved",
      start: { dateTime: day(2, 18) },
      end: { dateTime: day(2, 19) },
    });
    fake.state.deleteEvent(cal.id, declined.id ?? "");
    const third = instances[2];
    assert.ok(third);
    fake.state.deleteEvent(cal.id, third.externalId);
    const delta = await pullAll(h, scope, idle.cursor);
    const changed = new Map(delta.events.map((e) => [e.externalId, e]));
    assert.equal(changed.size, 3, [...changed.keys()].join(","));
    assert.equal(changed.get(free.id ?? "")?.title, "Gym moved");
    assert.equal(changed.get(free.id ?? "")?.start, new Date(day(2, 18)).toISOString());
    assert.equal(changed.get(declined.id ?? "")?.deleted, true);
    assert.equal(changed.get(third.externalId)?.deleted, true);
    assert.equal(
      changed.get(third.externalId)?.start,
      third.start,
      "a cancelled instance keeps its original start",
    );
    assert.ok(!delta.pages.some((p) => p.resetScope));
  });

  test("410 Gone on the sync token: resetScope and a full resync in the same pull", async () => {
    const cal = fake.state.addCalendar({ summary: "Gone" });
    const scope: SyncScope = { id: cal.id, kind: "events", label: "Gone" };
    fake.state.generateEvents(cal.id, 5, { seed: 3 });
    const h = harness(fake);
    const first = await pullAll(h, scope, null);
    fake.state.invalidateSyncTokens(cal.id);
    const page = await connector.pull(h.ctx, scope, first.cursor);
    assert.equal(page.resetScope, true);
    assert.equal(page.apiCalls, 2, "the 410 and the first full page");
    assert.equal(page.items.length, first.events.length);
    assert.equal(page.hasMore, false);
    assert.notEqual(page.nextCursor, first.cursor);
    // The new token works.
    const after410 = await connector.pull(h.ctx, scope, page.nextCursor);
    assert.equal(after410.items.length, 0);
    assert.equal(after410.resetScope, undefined);
  });

  test("access token refresh is persisted; an expired token is refreshed once and retried", async () => {
    const scope: SyncScope = { id: me, kind: "events", label: me };
    const h = harness(fake);
    await connector.pull(h.ctx, scope, null);
    assert.equal(h.saved.length, 1, "first call refreshes and saves");
    const saved = h.saved[0];
    assert.ok(saved?.accessToken?.startsWith("ya29."));
    assert.ok(
      typeof saved?.expiresAt === "number" && saved.expiresAt > Date.now() + 3_000_000,
      "epoch ms, ~1 h ahead",
    );
    assert.equal(saved?.refreshToken, "1//fake-refresh-token");

    // A fresh context with the saved token makes no token request.
    const h2 = harness(fake, { accessToken: saved.accessToken, expiresAt: saved.expiresAt });
    const tokenCalls = () => fake.requests.filter((r) => r.path === "/token").length;
    const before = tokenCalls();
    const page = await connector.pull(h2.ctx, scope, null);
    assert.equal(tokenCalls(), before);
    assert.equal(h2.saved.length, 0);
    assert.equal(page.apiCalls, 1);

    // Google revokes the access token early: 401 → refresh → retry → saved.
    fake.state.expireAccessTokens();
    const h3 = harness(fake, { accessToken: saved.accessToken, expiresAt: saved.expiresAt });
    const retried = await connector.pull(h3.ctx, scope, null);
    assert.equal(retried.apiCalls, 3, "401, token refresh, retry");
    assert.deepEqual(
      h3.fetched.map((url) => new URL(url).pathname),
      [
        `/calendar/v3/calendars/${encodeURIComponent(me)}/events`,
        "/token",
        `/calendar/v3/calendars/${encodeURIComponent(me)}/events`,
      ],
      "API and token requests both go through ctx.fetch",
    );
    assert.equal(h3.saved.length, 1);
    assert.notEqual(h3.saved[0]?.accessToken, saved.accessToken);
  });

  test("a revoked refresh token is CredentialRejectedError (no secret in the message)", async () => {
    fake.state.addRefreshToken("1//soon-revoked");
    fake.state.revokeRefreshToken("1//soon-revoked");
    const h = harness(fake, { refreshToken: "1//soon-revoked" });
    await assert.rejects(
      connector.pull(h.ctx, { id: me, kind: "events", label: me }, null),
      (error: unknown) =>
        error instanceof CredentialRejectedError &&
        !error.message.includes("soon-revoked") &&
        !error.message.includes(fake.state.clientSecret),
    );
    assert.equal(h.saved.length, 0);
  });

  test("429 → RateLimitedError with Retry-After; 403 rateLimitExceeded too; 5xx → TransientProviderError", async () => {
    const h = harness(fake);
    const scope: SyncScope = { id: me, kind: "events", label: me };
    await connector.pull(h.ctx, scope, null); // token in hand
    fake.state.failNext({ status: 429, retryAfterSeconds: 7 });
    await assert.rejects(
      connector.pull(h.ctx, scope, null),
      (error: unknown) => error instanceof RateLimitedError && error.retryAfterMs === 7000,
    );
    fake.state.failNext({ status: 403, reason: "rateLimitExceeded" });
    await assert.rejects(
      connector.pull(h.ctx, scope, null),
      (error: unknown) => error instanceof RateLimitedError,
    );
    fake.state.failNext({ status: 503 });
    await assert.rejects(
      connector.pull(h.ctx, scope, null),
      (error: unknown) => error instanceof TransientProviderError,
    );
    // And then it works again.
    const page = await connector.pull(h.ctx, scope, null);
    assert.equal(page.apiCalls, 1);
  });

  test("focus blocks: created as Cairn-owned focusTime on primary, moved, deleted; synced back with cairnBlockId", async () => {
    const h = harness(fake);
    const upsert = connector.upsertBlock;
    const remove = connector.deleteBlock;
    assert.ok(upsert && remove);
    const block = {
      blockId: "blk_0001",
      title: "Focus: write the spec",
      description: "Planned by Cairn",
      start: day(3, 13),
      end: day(3, 15),
      externalEventId: null,
      calendarId: me,
    };
    const id = await upsert(h.ctx, block);
    const created = fake.state.getEvent(me, id);
    assert.equal(created.eventType, "focusTime");
    assert.deepEqual(created.extendedProperties?.private, { cairnBlockId: "blk_0001", cairnOwned: "1" });
    assert.equal(created.summary, "Focus: write the spec");

    // Synced back, it carries the block id.
    const scope: SyncScope = { id: me, kind: "events", label: me };
    const synced = (await pullAll(h, scope, null)).events.find((e) => e.externalId === id);
    assert.equal(synced?.cairnBlockId, "blk_0001");
    assert.equal(synced?.busy, true);

    // Moved.
    const movedId = await upsert(h.ctx, { ...block, start: day(4, 9), end: day(4, 10), externalEventId: id });
    assert.equal(movedId, id);
    const moved = fake.state.getEvent(me, id);
    assert.equal(Date.parse(moved.start?.dateTime ?? ""), Date.parse(day(4, 9)));
    assert.equal(moved.eventType, "focusTime");

    // Deleted.
    await remove(h.ctx, me, id);
    assert.equal(fake.state.getEvent(me, id).status, "cancelled");
    await remove(h.ctx, me, id); // idempotent

    // Re-planned after deletion: the same deterministic id is restored, not duplicated.
    const again = await upsert(h.ctx, { ...block, externalEventId: null });
    assert.equal(again, id);
    assert.equal(fake.state.getEvent(me, id).status, "confirmed");
  });

  test("focus blocks on a secondary calendar fall back to a plain busy event", async () => {
    const h = harness(fake);
    const team = fake.state.addCalendar({ summary: "Team focus" });
    const id = await connector.upsertBlock?.(h.ctx, {
      blockId: "blk_team",
      title: "Focus",
      description: "",
      start: day(2, 10),
      end: day(2, 11),
      externalEventId: null,
      calendarId: team.id,
    });
    assert.ok(id);
    const event = fake.state.getEvent(team.id, id);
    assert.equal(event.eventType, "default");
    assert.equal(event.transparency, "opaque");
    assert.equal(event.extendedProperties?.private?.cairnOwned, "1");

    // An address-like calendar that is not the account's primary: focusTime is refused (400), busy event written.
    const shared = fake.state.addCalendar({
      id: "shared@example.com",
      summary: "Shared",
      accessRole: "writer",
    });
    const sharedId = await connector.upsertBlock?.(h.ctx, {
      blockId: "blk_shared",
      title: "Focus",
      description: "",
      start: day(2, 12),
      end: day(2, 13),
      externalEventId: null,
      calendarId: shared.id,
    });
    assert.ok(sharedId);
    assert.equal(fake.state.getEvent(shared.id, sharedId).eventType, "default");
    const inserts = fake.requests.filter(
      (r) => r.method === "POST" && r.path.endsWith("/calendars/shared%40example.com/events"),
    );
    assert.deepEqual(
      inserts.map((r) => r.status),
      [400, 200],
    );
  });

  test("never deletes or moves an event Cairn did not create", async () => {
    const h = harness(fake);
    const foreign = fake.state.addEvent(me, {
      summary: "Board meeting",
      start: { dateTime: day(5, 9) },
      end: { dateTime: day(5, 10) },
      extendedProperties: { private: { cairnBlockId: "spoofed" } },
    });
    const id = foreign.id ?? "";
    const writes = () =>
      fake.requests.filter((r) => r.method !== "GET" && r.path.includes(`/events/${id}`)).length;
    await assert.rejects(connector.deleteBlock?.(h.ctx, me, id) ?? Promise.resolve(), /not created by Cairn/);
    await assert.rejects(
      connector.upsertBlock?.(h.ctx, {
        blockId: "spoofed",
        title: "Hijack",
        description: "",
        start: day(5, 11),
        end: day(5, 12),
        externalEventId: id,
        calendarId: me,
      }) ?? Promise.resolve(),
      /not created by Cairn/,
    );
    assert.equal(writes(), 0);
    const still = fake.state.getEvent(me, id);
    assert.equal(still.status, "confirmed");
    assert.equal(still.summary, "Board meeting");
  });

  test("push channel: watch, verify good and bad token, handle sync/exists, renew before expiry", async () => {
    const h = harness(fake);
    const secret = "channel-secret-123";
    const received: { headers: Record<string, string | undefined> }[] = [];
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : v;
      received.push({ headers });
      req.resume();
      req.on("end", () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(address && typeof address === "object");
    const hook = `http://127.0.0.1:${address.port}/webhooks/google`;
    try {
      const channel = await watchCalendar(h.ctx, me, hook, secret, { ttlSeconds: 3600 });
      assert.ok(channel.channelId && channel.resourceId);
      assert.equal(channel.calendarId, me);
      assert.ok(Math.abs(Date.parse(channel.expiration) - (Date.now() + 3_600_000)) < 60_000);

      await fake.state.notifyWatchers(me, "exists");
      const note = received.at(-1);
      assert.ok(note);
      const request = { headers: note.headers, rawBody: Buffer.alloc(0), body: undefined };
      const webhook = connector.webhook;
      assert.ok(webhook);
      assert.equal(webhook.verify(request, secret), true);
      assert.equal(webhook.verify(request, "wrong-secret"), false);
      assert.equal(
        webhook.verify(
          { ...request, headers: { ...note.headers, "x-goog-channel-token": undefined } },
          secret,
        ),
        false,
      );
      assert.deepEqual(webhook.handle(request), { kind: "sync", scopeIds: [me] });
      assert.equal(
        webhook.handle({ ...request, headers: { ...note.headers, "x-goog-resource-state": "sync" } }).kind,
        "ignore",
      );

      // Not near expiry: kept. Near expiry: a new channel, the old one stopped.
      const kept = await renewIfExpiring(h.ctx, channel, me, hook, secret, { renewBeforeMs: 60_000 });
      assert.equal(kept.renewed, false);
      const renewed = await renewIfExpiring(h.ctx, channel, me, hook, secret, {
        renewBeforeMs: 2 * 3_600_000,
      });
      assert.equal(renewed.renewed, true);
      assert.notEqual(renewed.channel.channelId, channel.channelId);
      assert.equal(fake.state.channels.has(channel.channelId), false, "old channel stopped");
      assert.equal(fake.state.channels.has(renewed.channel.channelId), true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  test("maintainChannels: one channel per events scope, kept while fresh, renewed near expiry, dropped with its scope", async () => {
    const h = harness(fake);
    const stored = new Map<string, PushChannel>();
    const store: ChannelStore = {
      list: async () => [...stored.values()],
      save: async (channel) => {
        stored.set(channel.id, channel);
      },
      remove: async (id) => {
        stored.delete(id);
      },
    };
    const maintain = connector.maintainChannels;
    assert.ok(maintain);
    // No public URL: nothing happens.
    await maintain({ ...h.ctx, channels: store }, [{ id: me, kind: "events", label: me }]);
    assert.equal(stored.size, 0);

    const team = fake.state.addCalendar({ summary: "Channels" });
    const ctx = { ...h.ctx, channels: store, webhookUrl: "http://127.0.0.1:9/webhooks/google" };
    const scopes: SyncScope[] = [
      { id: me, kind: "events", label: me },
      { id: team.id, kind: "events", label: "Channels" },
      { id: "busy:boss@example.com", kind: "events", label: "Boss (busy only)" },
    ];
    await maintain(ctx, scopes);
    assert.deepEqual(
      [...stored.values()].map((c) => c.scopeId).sort(),
      [me, team.id].sort(),
      "busy-only scopes get none",
    );
    for (const channel of stored.values()) {
      assert.ok(channel.token.length >= 32 && channel.resourceId);
      assert.equal(fake.state.channels.get(channel.id)?.token, channel.token);
    }
    const firstIds = [...stored.keys()].sort();
    await maintain(ctx, scopes);
    assert.deepEqual([...stored.keys()].sort(), firstIds, "fresh channels are kept");

    // Close to expiry: renewed, and the old channel stopped at Google.
    const teamChannel = [...stored.values()].find((c) => c.scopeId === team.id);
    assert.ok(teamChannel);
    stored.set(teamChannel.id, { ...teamChannel, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await maintain(ctx, scopes);
    const renewed = [...stored.values()].filter((c) => c.scopeId === team.id);
    assert.equal(renewed.length, 1);
    assert.notEqual(renewed[0]?.id, teamChannel.id);
    assert.equal(fake.state.channels.has(teamChannel.id), false);

    // The team calendar is no longer synced: its channel goes.
    await maintain(
      ctx,
      scopes.filter((s) => s.id !== team.id),
    );
    assert.deepEqual(
      [...stored.values()].map((c) => c.scopeId),
      [me],
    );
    assert.equal(fake.state.channels.has(renewed[0]?.id ?? ""), false);
  });

  test("fromEnv: a connection from GOOGLE_* variables, none without them", () => {
    assert.deepEqual(connector.fromEnv?.(loadCairnConfig({})), []);
    const seeds = connector.fromEnv?.(
      loadCairnConfig({
        GOOGLE_CLIENT_ID: "id",
        GOOGLE_CLIENT_SECRET: "secret",
        GOOGLE_REFRESH_TOKEN: "refresh",
        GOOGLE_API_URL: fake.url,
        GOOGLE_TOKEN_URL: fake.tokenUrl,
      }),
    );
    assert.equal(seeds?.length, 1);
    assert.deepEqual(seeds?.[0]?.credentials, {
      clientId: "id",
      clientSecret: "secret",
      refreshToken: "refresh",
    });
    assert.equal(seeds?.[0]?.settings.apiUrl, fake.url);
    assert.equal(seeds?.[0]?.settings.tokenUrl, fake.tokenUrl);
  });
});
