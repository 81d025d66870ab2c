/** Focus blocks reach the person's Google calendar as events Cairn owns, follow the plan, and leave other events alone. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";
import { backends } from "../support/harness.ts";
import { type SyncCairn, startSyncCairn, waitFor } from "./sync-support.ts";

interface Schedule {
  blocks: { id: string; start: string; end: string; taskId: string | null }[];
}

for (const backend of backends()) {
  describe(`focus block write-back on ${backend.name}`, { skip: backend.skip }, () => {
    let google: FakeGoogle;
    let app: SyncCairn;
    let foreignId: string;
    let foreignUpdated: string | null | undefined;

    const cairnEvents = () =>
      [...(google.state.calendars.get(google.state.primaryCalendarId)?.events.values() ?? [])]
        .map((stored) => stored.json)
        .filter((event) => event.status !== "cancelled" && event.extendedProperties?.private?.cairnBlockId);

    before(async () => {
      google = await startFakeGoogle({ userEmail: "owner@example.com", timeZone: "UTC" });
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const foreign = google.state.addEvent(google.state.primaryCalendarId, {
        summary: "Customer call",
        start: { dateTime: `${tomorrow}T10:00:00Z` },
        end: { dateTime: `${tomorrow}T11:00:00Z` },
      });
      foreignId = foreign.id as string;
      foreignUpdated = foreign.updated;
      app = await startSyncCairn({ db: backend.db, jobs: backend.jobs });
      await app.call("connect_google", {
        clientId: google.state.clientId,
        clientSecret: google.state.clientSecret,
        refreshToken: "1//fake-refresh-token",
        apiUrl: google.url,
        tokenUrl: google.tokenUrl,
        syncEveryMinutes: 0,
      });
    });
    after(async () => {
      await app?.close();
      await google?.close();
    });

    it("writes each planned block as an event Cairn owns, then moves and removes them as the plan changes", async () => {
      await app.call("sync_now", {});
      const due = new Date(Date.now() + 4 * 86_400_000).toISOString();
      const task = await app.call<{ id: string }>("create_task", {
        title: "Write the launch plan",
        estimateMinutes: 180,
        due,
        priority: 1,
      });
      // Every day a working day, and the week two days ahead: the test means the same on any weekday.
      const week = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      await app.call("set_preferences", {
        timezone: "UTC",
        workingHours: Object.fromEntries(
          ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [
            d,
            [{ start: "09:00", end: "17:00" }],
          ]),
        ),
      });
      await app.call("plan_week", { date: week });
      const first = await app.call<Schedule>("get_schedule", {});
      const mine = first.blocks.filter((b) => b.taskId === task.id);
      assert.ok(mine.length >= 2, `expected blocks for the task, got ${JSON.stringify(first.blocks)}`);

      const written = await waitFor("focus events on the calendar", async () => {
        const events = cairnEvents();
        return events.length === first.blocks.length ? events : undefined;
      });
      for (const block of first.blocks) {
        const event = written.find((e) => e.extendedProperties?.private?.cairnBlockId === block.id);
        assert.ok(event, `no event for block ${block.id}`);
        assert.equal(
          new Date(event.start?.dateTime as string).toISOString(),
          new Date(block.start).toISOString(),
        );
        assert.equal(
          new Date(event.end?.dateTime as string).toISOString(),
          new Date(block.end).toISOString(),
        );
      }

      await app.call("update_task", { id: task.id, estimateMinutes: 45 });
      await app.call("plan_week", { date: week });
      const second = await app.call<Schedule>("get_schedule", {});
      await waitFor("the calendar to follow the new plan", async () => {
        const events = cairnEvents();
        const ids = events.map((e) => e.extendedProperties?.private?.cairnBlockId).sort();
        const expected = second.blocks.map((b) => b.id).sort();
        return JSON.stringify(ids) === JSON.stringify(expected) ? events : undefined;
      });

      const foreign = google.state.getEvent(google.state.primaryCalendarId, foreignId);
      assert.equal(foreign.status, "confirmed");
      assert.equal(foreign.updated, foreignUpdated);
      assert.equal(foreign.summary, "Customer call");
    });
  });
}

describe("focus block write-back to a chosen Google calendar", () => {
  let google: FakeGoogle;
  let app: SyncCairn;
  const focusCalendar = "focus-blocks@group.calendar.google.com";

  before(async () => {
    google = await startFakeGoogle({ userEmail: "owner@example.com", timeZone: "UTC" });
    google.state.addCalendar({ id: focusCalendar, summary: "Focus", timeZone: "UTC" });
    app = await startSyncCairn({ db: "pglite", jobs: "in-process" });
  });
  after(async () => {
    await app?.close();
    await google?.close();
  });

  it("writes blocks to blockCalendarId, not to primary", async () => {
    await app.call("connect_google", {
      clientId: google.state.clientId,
      clientSecret: google.state.clientSecret,
      refreshToken: "1//fake-refresh-token",
      apiUrl: google.url,
      tokenUrl: google.tokenUrl,
      blockCalendarId: focusCalendar,
      syncEveryMinutes: 0,
    });
    await app.call("sync_now", {});
    await app.call("create_task", {
      title: "Draft the roadmap",
      estimateMinutes: 120,
      due: new Date(Date.now() + 4 * 86_400_000).toISOString(),
      priority: 1,
    });
    await app.call("set_preferences", {
      timezone: "UTC",
      workingHours: Object.fromEntries(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ start: "09:00", end: "17:00" }]]),
      ),
    });
    await app.call("plan_week", { date: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10) });
    const schedule = await app.call<Schedule>("get_schedule", {});
    assert.ok(schedule.blocks.length > 0, "the plan has blocks");
    const cairnEventsIn = (calendarId: string) =>
      [...(google.state.calendars.get(calendarId)?.events.values() ?? [])]
        .map((stored) => stored.json)
        .filter((event) => event.status !== "cancelled" && event.extendedProperties?.private?.cairnBlockId);
    await waitFor("blocks on the chosen calendar", async () =>
      cairnEventsIn(focusCalendar).length === schedule.blocks.length ? true : undefined,
    );
    assert.equal(cairnEventsIn(google.state.primaryCalendarId).length, 0, "nothing written to primary");
  });
});
