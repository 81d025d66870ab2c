import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { calendar, type calendar_v3, auth as googleAuth } from "@googleapis/calendar";
import { type FakeGoogle, startFakeGoogle } from "./google-calendar.ts";

/** Status, Google error reason and Retry-After of a GaxiosError (v6 plain-object or v7 Headers headers). */
function describeError(error: unknown): { status?: number; reason?: string; retryAfter?: string } {
  if (typeof error !== "object" || error === null || !("response" in error)) return {};
  const response: unknown = error.response;
  if (typeof response !== "object" || response === null) return {};
  const out: { status?: number; reason?: string; retryAfter?: string } = {};
  if ("status" in response && typeof response.status === "number") out.status = response.status;
  if ("headers" in response) {
    const headers: unknown = response.headers;
    // gaxios 7 (google-auth-library 10) returns a fetch Headers from its own realm; gaxios 6 a plain object.
    if (
      typeof headers === "object" &&
      headers !== null &&
      "get" in headers &&
      typeof headers.get === "function"
    ) {
      const value: unknown = headers.get("retry-after");
      if (typeof value === "string") out.retryAfter = value;
    } else if (typeof headers === "object" && headers !== null && "retry-after" in headers) {
      const value: unknown = headers["retry-after"];
      if (typeof value === "string") out.retryAfter = value;
    }
  }
  if ("data" in response) {
    const data: unknown = response.data;
    if (typeof data === "object" && data !== null && "error" in data) {
      const body: unknown = data.error;
      if (typeof body === "object" && body !== null && "errors" in body && Array.isArray(body.errors)) {
        const first: unknown = body.errors[0];
        if (
          typeof first === "object" &&
          first !== null &&
          "reason" in first &&
          typeof first.reason === "string"
        ) {
          out.reason = first.reason;
        }
      }
    }
  }
  return out;
}

describe("fake Google Calendar v3 + OAuth with @googleapis/calendar", () => {
  let fake: FakeGoogle;
  let auth: InstanceType<typeof googleAuth.OAuth2>;
  let cal: calendar_v3.Calendar;
  let secondaryId: string;

  before(async () => {
    fake = await startFakeGoogle({ refreshToken: "1//refresh-me", timeZone: "Europe/Paris" });
    secondaryId = fake.state.addCalendar({ summary: "Team", timeZone: "America/New_York" }).id;
    fake.state.generateEvents("primary", 120, { startDate: "2026-03-02", days: 14, recurringRate: 0 });
    fake.state.addEvent("primary", {
      id: "recurring0standup",
      summary: "Weekly sync",
      start: { dateTime: "2026-03-02T10:00:00", timeZone: "Europe/Paris" },
      end: { dateTime: "2026-03-02T10:30:00", timeZone: "Europe/Paris" },
      recurrence: ["RRULE:FREQ=WEEKLY;COUNT=5"],
    });
    auth = new googleAuth.OAuth2({
      clientId: fake.state.clientId,
      clientSecret: fake.state.clientSecret,
      endpoints: { oauth2TokenUrl: fake.tokenUrl },
      // Refresh and retry once on 401 even before expiry_date (server-side revocation / clock skew).
      forceRefreshOnFailure: true,
    });
    auth.setCredentials({ refresh_token: "1//refresh-me" });
    cal = calendar({ version: "v3", auth, rootUrl: `${fake.url}/` });
  });

  after(async () => {
    await fake.close();
  });

  it("refreshes an access token and lists calendars", async () => {
    const { data } = await cal.calendarList.list();
    const ids = data.items?.map((c) => c.id);
    assert.deepEqual(ids, [fake.state.primaryCalendarId, secondaryId]);
    assert.equal(data.items?.[0]?.primary, true);
    assert.ok(fake.requests.some((r) => r.path === "/token" && r.status === 200));
  });

  let syncToken = "";

  it("pages a full sync with expanded recurring instances and a sync token on the last page", async () => {
    const items: calendar_v3.Schema$Event[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { data } = await cal.events.list({
        calendarId: "primary",
        singleEvents: true,
        maxResults: 50,
        timeMin: "2026-03-01T00:00:00Z",
        ...(pageToken ? { pageToken } : {}),
      });
      pages++;
      items.push(...(data.items ?? []));
      pageToken = data.nextPageToken ?? undefined;
      if (pageToken) assert.equal(data.nextSyncToken, undefined);
      else syncToken = data.nextSyncToken ?? "";
    } while (pageToken);
    assert.equal(items.length, 125);
    assert.equal(pages, 3);
    assert.ok(syncToken);
    const instances = items.filter((e) => e.recurringEventId === "recurring0standup");
    assert.equal(instances.length, 5);
    assert.equal(instances[0]?.id, "recurring0standup_20260302T090000Z");
    assert.deepEqual(instances[0]?.originalStartTime, {
      dateTime: "2026-03-02T10:00:00+01:00",
      timeZone: "Europe/Paris",
    });
    // 30 March is after the switch to summer time: still 10:00 local.
    assert.equal(instances[4]?.start?.dateTime, "2026-03-30T10:00:00+02:00");
  });

  it("filters by timeMin/timeMax", async () => {
    const { data } = await cal.events.list({
      calendarId: "primary",
      singleEvents: true,
      orderBy: "startTime",
      timeMin: "2026-03-09T00:00:00+01:00",
      timeMax: "2026-03-10T00:00:00+01:00",
      maxResults: 2500,
    });
    const starts = (data.items ?? []).map((e) =>
      Date.parse(e.start?.dateTime ?? `${e.start?.date}T00:00:00+01:00`),
    );
    assert.ok(starts.length > 0);
    assert.ok(data.items?.some((e) => e.id === "recurring0standup_20260309T090000Z"));
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
    );
  });

  it("writes: insert focus time with private extended properties, patch, put, delete", async () => {
    const { data: block } = await cal.events.insert({
      calendarId: "primary",
      requestBody: {
        summary: "Focus: write report",
        eventType: "focusTime",
        focusTimeProperties: {
          autoDeclineMode: "declineOnlyNewConflictingInvitations",
          chatStatus: "doNotDisturb",
        },
        start: { dateTime: "2026-03-04T14:00:00+01:00", timeZone: "Europe/Paris" },
        end: { dateTime: "2026-03-04T15:30:00+01:00", timeZone: "Europe/Paris" },
        transparency: "opaque",
        extendedProperties: { private: { cairn: "block", cairnBlockId: "b-1" } },
      },
    });
    assert.ok(block.id);
    assert.equal(block.eventType, "focusTime");

    const found = await cal.events.list({ calendarId: "primary", privateExtendedProperty: ["cairn=block"] });
    assert.deepEqual(
      found.data.items?.map((e) => e.id),
      [block.id],
    );

    await assert.rejects(
      cal.events.insert({
        calendarId: secondaryId,
        requestBody: {
          eventType: "focusTime",
          start: { dateTime: "2026-03-04T14:00:00Z" },
          end: { dateTime: "2026-03-04T15:00:00Z" },
        },
      }),
      (error: unknown) => describeError(error).status === 400,
    );

    const { data: patched } = await cal.events.patch({
      calendarId: "primary",
      eventId: block.id,
      requestBody: { end: { dateTime: "2026-03-04T16:00:00+01:00", timeZone: "Europe/Paris" } },
    });
    assert.equal(patched.end?.dateTime, "2026-03-04T16:00:00+01:00");
    assert.equal(patched.extendedProperties?.private?.cairnBlockId, "b-1");
    assert.equal(patched.sequence, 1);

    const { data: replaced } = await cal.events.update({
      calendarId: "primary",
      eventId: block.id,
      requestBody: {
        summary: "Focus: write report (moved)",
        eventType: "focusTime",
        start: { dateTime: "2026-03-05T09:00:00+01:00" },
        end: { dateTime: "2026-03-05T10:00:00+01:00" },
        extendedProperties: { private: { cairn: "block" } },
      },
    });
    assert.equal(replaced.summary, "Focus: write report (moved)");
    assert.equal(replaced.extendedProperties?.private?.cairnBlockId, undefined);

    const deleted = await cal.events.delete({ calendarId: "primary", eventId: block.id });
    assert.equal(deleted.status, 204);
    const { data: gone } = await cal.events.get({ calendarId: "primary", eventId: block.id });
    assert.equal(gone.status, "cancelled");
  });

  it("returns only changes (deletions as cancelled) for a sync token", async () => {
    const someone = [...(fake.state.calendars.get(fake.state.primaryCalendarId)?.events.values() ?? [])][3]
      ?.json;
    assert.ok(someone?.id);
    fake.state.updateEvent("primary", someone.id, { summary: "Renamed" });
    await cal.events.delete({ calendarId: "primary", eventId: "recurring0standup_20260316T090000Z" });
    const { data } = await cal.events.list({ calendarId: "primary", singleEvents: true, syncToken });
    const byId = new Map((data.items ?? []).map((e) => [e.id, e]));
    assert.equal(byId.get(someone.id)?.summary, "Renamed");
    const cancelledInstance = byId.get("recurring0standup_20260316T090000Z");
    assert.equal(cancelledInstance?.status, "cancelled");
    assert.equal(cancelledInstance?.recurringEventId, "recurring0standup");
    assert.ok(data.items?.some((e) => e.status === "cancelled" && e.summary === undefined)); // the focus block
    assert.ok(data.nextSyncToken);
    assert.notEqual(data.nextSyncToken, syncToken);

    const again = await cal.events.list({
      calendarId: "primary",
      singleEvents: true,
      syncToken: data.nextSyncToken ?? "",
    });
    assert.deepEqual(again.data.items, []);
  });

  it("answers 410 fullSyncRequired once sync tokens are invalidated", async () => {
    fake.state.invalidateSyncTokens("primary");
    await assert.rejects(cal.events.list({ calendarId: "primary", syncToken }), (error: unknown) => {
      const { status, reason } = describeError(error);
      assert.equal(status, 410);
      assert.equal(reason, "fullSyncRequired");
      return true;
    });
  });

  it("computes freeBusy without transparent or declined events", async () => {
    fake.state.addEvent(secondaryId, {
      summary: "Busy",
      start: { dateTime: "2026-04-01T09:00:00Z" },
      end: { dateTime: "2026-04-01T10:00:00Z" },
    });
    fake.state.addEvent(secondaryId, {
      summary: "Overlapping",
      start: { dateTime: "2026-04-01T09:30:00Z" },
      end: { dateTime: "2026-04-01T11:00:00Z" },
    });
    fake.state.addEvent(secondaryId, {
      summary: "Free",
      transparency: "transparent",
      start: { dateTime: "2026-04-01T12:00:00Z" },
      end: { dateTime: "2026-04-01T13:00:00Z" },
    });
    fake.state.addEvent(secondaryId, {
      summary: "Declined",
      attendees: [{ email: fake.state.userEmail, responseStatus: "declined" }],
      start: { dateTime: "2026-04-01T14:00:00Z" },
      end: { dateTime: "2026-04-01T15:00:00Z" },
    });
    const { data } = await cal.freebusy.query({
      requestBody: {
        timeMin: "2026-04-01T00:00:00Z",
        timeMax: "2026-04-02T00:00:00Z",
        items: [{ id: secondaryId }, { id: "nobody@example.com" }],
      },
    });
    assert.deepEqual(data.calendars?.[secondaryId]?.busy, [
      { start: "2026-04-01T09:00:00Z", end: "2026-04-01T11:00:00Z" },
    ]);
    assert.equal(data.calendars?.["nobody@example.com"]?.errors?.[0]?.reason, "notFound");
  });

  it("surfaces 429 and 403 rateLimitExceeded with Retry-After", async () => {
    fake.state.failNext({ status: 429, retryAfterSeconds: 5 });
    await assert.rejects(cal.events.list({ calendarId: "primary" }, { retry: false }), (error: unknown) => {
      assert.deepEqual(describeError(error), { status: 429, reason: "rateLimitExceeded", retryAfter: "5" });
      return true;
    });
    // With forceRefreshOnFailure the auth client treats any 403 as an auth error: it refreshes the token and
    // retries once, so a 403 rateLimitExceeded only surfaces when the retry is limited too.
    fake.state.failNext({ status: 403, retryAfterSeconds: 2, count: 2 });
    await assert.rejects(cal.events.list({ calendarId: "primary" }, { retry: false }), (error: unknown) => {
      assert.deepEqual(describeError(error), { status: 403, reason: "rateLimitExceeded", retryAfter: "2" });
      return true;
    });
  });

  it("refreshes after access tokens expire, and fails with invalid_grant once revoked", async () => {
    fake.state.expireAccessTokens();
    const { data } = await cal.calendarList.list();
    assert.equal(data.items?.length, 2);

    fake.state.revokeRefreshToken();
    fake.state.expireAccessTokens();
    await assert.rejects(cal.calendarList.list(), (error: unknown) => {
      assert.equal(describeError(error).status, 400);
      assert.match(String(error), /invalid_grant/);
      return true;
    });
  });

  it("creates and stops watch channels and delivers push notifications", async () => {
    fake.state.addRefreshToken("1//second");
    const auth2 = new googleAuth.OAuth2({
      clientId: fake.state.clientId,
      clientSecret: fake.state.clientSecret,
      endpoints: { oauth2TokenUrl: fake.tokenUrl },
    });
    auth2.setCredentials({ refresh_token: "1//second" });
    const cal2 = calendar({ version: "v3", auth: auth2, rootUrl: `${fake.url}/` });

    const received: IncomingHttpHeaders[] = [];
    const receiver = createServer((req, res) => {
      received.push(req.headers);
      res.statusCode = 200;
      res.end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/google`;
    try {
      const { data: channel } = await cal2.events.watch({
        calendarId: "primary",
        requestBody: { id: "chan-1", type: "web_hook", address, token: "tok=abc" },
      });
      assert.equal(channel.id, "chan-1");
      assert.ok(channel.resourceId);
      assert.ok(Number(channel.expiration) > Date.now());

      const results = await fake.state.notifyWatchers("primary");
      assert.deepEqual(results, [{ channelId: "chan-1", status: 200 }]);
      assert.equal(received[0]?.["x-goog-channel-id"], "chan-1");
      assert.equal(received[0]?.["x-goog-resource-state"], "exists");
      assert.equal(received[0]?.["x-goog-channel-token"], "tok=abc");
      assert.equal(received[0]?.["x-goog-message-number"], "1");
      assert.equal(received[0]?.["x-goog-resource-id"], channel.resourceId);

      const stopped = await cal2.channels.stop({
        requestBody: { id: "chan-1", resourceId: channel.resourceId },
      });
      assert.equal(stopped.status, 204);
      assert.deepEqual(await fake.state.notifyWatchers("primary"), []);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
