/** Habit blocks reach the person's Google calendar as Cairn's own events, titled by the habit, and leave with it. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";
import { backends } from "../support/harness.ts";
import { type SyncCairn, startSyncCairn, waitFor } from "./sync-support.ts";

interface Schedule {
  blocks: { id: string; kind: string; habitId: string | null; start: string; end: string }[];
}

for (const backend of backends()) {
  describe(`habit block write-back on ${backend.name}`, { skip: backend.skip }, () => {
    let google: FakeGoogle;
    let app: SyncCairn;

    const cairnEvents = () =>
      [...(google.state.calendars.get(google.state.primaryCalendarId)?.events.values() ?? [])]
        .map((stored) => stored.json)
        .filter((event) => event.status !== "cancelled" && event.extendedProperties?.private?.cairnBlockId);

    before(async () => {
      google = await startFakeGoogle({ userEmail: "owner@example.com", timeZone: "UTC" });
      app = await startSyncCairn({ db: backend.db, jobs: backend.jobs });
      // The replans habit changes enqueue would race the explicit plan_week calls here.
      app.cairn.engine.services.replan.delayMs = 10 * 60_000;
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

    it("writes habit blocks as events named after the habit, moves them with the habit and removes them on delete", async () => {
      await app.call("sync_now", {});
      const everyDay = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
      await app.call("set_preferences", {
        timezone: "UTC",
        workingHours: Object.fromEntries(everyDay.map((d) => [d, [{ start: "00:00", end: "24:00" }]])),
      });
      const { habit } = await app.call<{ habit: { id: string } }>("create_habit", {
        title: "Lunch",
        days: everyDay,
        window: { start: "12:00", end: "14:00" },
        minMinutes: 30,
        maxMinutes: 60,
      });
      // The week of a day 7 days ahead starts tomorrow at the earliest, so all seven lunches are ahead whatever the
      // day and hour (the week of a day two days ahead holds today on a Monday, and its lunch is gone by 13:30).
      const week = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      const first = await app.call<Schedule>("plan_week", { date: week });
      const lunches = first.blocks.filter((b) => b.kind === "habit" && b.habitId === habit.id);
      assert.equal(lunches.length, 7, JSON.stringify(first.blocks));

      const written = await waitFor("habit events on the calendar", async () => {
        const events = cairnEvents().filter((e) => e.summary === "Lunch");
        return events.length === lunches.length ? events : undefined;
      });
      for (const block of lunches) {
        const event = written.find((e) => e.extendedProperties?.private?.cairnBlockId === block.id);
        assert.ok(event, `no event for habit block ${block.id}`);
        assert.equal(
          new Date(event.start?.dateTime as string).toISOString(),
          new Date(block.start).toISOString(),
        );
        assert.equal(
          new Date(event.end?.dateTime as string).toISOString(),
          new Date(block.end).toISOString(),
        );
      }

      // A later window: the plan moves every lunch, and so does the calendar.
      await app.call("update_habit", { habitId: habit.id, window: { start: "13:00", end: "15:00" } });
      const moved = await app.call<Schedule>("plan_week", { date: week });
      const later = moved.blocks.filter((b) => b.kind === "habit");
      assert.ok(later.every((b) => new Date(b.start).getUTCHours() === 13));
      await waitFor("the calendar to follow the moved habit", async () => {
        const events = cairnEvents().filter((e) => e.summary === "Lunch");
        const starts = events.map((e) => new Date(e.start?.dateTime as string).toISOString()).sort();
        const expected = later.map((b) => new Date(b.start).toISOString()).sort();
        return JSON.stringify(starts) === JSON.stringify(expected) ? events : undefined;
      });

      await app.call("delete_habit", { habitId: habit.id });
      await app.call("plan_week", { date: week });
      await waitFor("the habit's events to leave the calendar", async () =>
        cairnEvents().every((e) => e.summary !== "Lunch") ? true : undefined,
      );
    });
  });
}
