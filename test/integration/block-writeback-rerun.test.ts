/**
 * A plan that arrives while write-backs of older plans are still running reaches the calendar, and two runs
 * never write one person's calendar at once. The write-back queue keeps at most one extra run per person
 * (`rerunIfActive`): with a write-back and its queued rerun both running, a third plan's enqueue was absorbed
 * by the running rerun, which had read the blocks before that plan was stored, so the calendar kept the second
 * plan; and two overlapping runs could leave an event that no block records. Now a run holds a per-person
 * lease (a second run waits and is retried), and reads the blocks again after writing until the calendar
 * matches them. Found by the scale-out harness (test/e2e/scale-out).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { googleCalendarConnector } from "../../connectors/google-calendar/index.ts";
import { RetryLaterError } from "../../engine/jobs/port.ts";
import { applyPlanToCalendar, type BlockWriteEnvironment } from "../../engine/sync/block-writer.ts";
import type { AnyConnector } from "../../engine/sync/connector.ts";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";
import { backends } from "../support/harness.ts";
import { type SyncCairn, startSyncCairn } from "./sync-support.ts";

interface Schedule {
  blocks: { id: string }[];
}

for (const backend of backends()) {
  describe(`plans stored while a write-back runs (${backend.name})`, { skip: backend.skip }, () => {
    let google: FakeGoogle;
    let app: SyncCairn;

    before(async () => {
      google = await startFakeGoogle({ userEmail: "owner@example.com", timeZone: "UTC" });
      app = await startSyncCairn({ db: backend.db, jobs: backend.jobs });
      await app.call("connect_google", {
        clientId: google.state.clientId,
        clientSecret: google.state.clientSecret,
        refreshToken: "1//fake-refresh-token",
        apiUrl: google.url,
        tokenUrl: google.tokenUrl,
        syncEveryMinutes: 0,
      });
      await app.call("set_preferences", {
        timezone: "UTC",
        workingHours: Object.fromEntries(
          ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [
            d,
            [{ start: "09:00", end: "17:00" }],
          ]),
        ),
      });
    });
    after(async () => {
      await app?.close();
      await google?.close();
    });

    const cairnEventBlocks = () =>
      [...(google.state.calendars.get(google.state.primaryCalendarId)?.events.values() ?? [])]
        .map((stored) => stored.json)
        .filter((event) => event.status !== "cancelled")
        .map((event) => event.extendedProperties?.private?.cairnBlockId)
        .filter((id): id is string => typeof id === "string")
        .sort();

    it("writes one run at a time, and ends with the calendar showing the newest plan", async () => {
      const { services } = app.cairn.engine;
      // Plans reach the calendar only through the two runs below, which this test holds and releases.
      services.calendarWriter = undefined;
      const task = await app.call<{ id: string }>("create_task", {
        title: "Write the launch plan",
        estimateMinutes: 240,
        due: new Date(Date.now() + 5 * 86_400_000).toISOString(),
        priority: 1,
      });
      const week = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const upsert = googleCalendarConnector.upsertBlock?.bind(googleCalendarConnector);
      assert.ok(upsert);
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const arrivals: (() => void)[] = [];
      const arrived = [0].map((i) => new Promise<void>((resolve) => (arrivals[i] = resolve)));
      let calls = 0;
      const held: AnyConnector = {
        ...googleCalendarConnector,
        async upsertBlock(ctx, block) {
          arrivals[calls++]?.();
          await released;
          return upsert(ctx, block);
        },
      };
      const env: BlockWriteEnvironment = {
        services,
        connectorOf: (kind) => (kind === held.kind ? held : undefined),
        blockWritingKinds: [held.kind],
        contextFor: (connection) => app.sync.contextFor(connection),
      };
      const write = () => applyPlanToCalendar(env, app.admin.workspace.id, app.admin.person.id);

      await app.call("plan_week", { date: week });
      const first = write();
      await arrived[0];
      // A second plan: its write-back finds the first run holding the person's lease and waits its turn.
      await app.call("update_task", { id: task.id, estimateMinutes: 120 });
      await app.call("plan_week", { date: week });
      await assert.rejects(write(), (error: unknown) => error instanceof RetryLaterError);
      // A third plan, stored while the first run holds the blocks it read before either.
      await app.call("update_task", { id: task.id, estimateMinutes: 60 });
      await app.call("plan_week", { date: week });
      const newest = await app.call<Schedule>("get_schedule", {});
      assert.ok(newest.blocks.length > 0);
      release();
      await first;
      assert.deepEqual(cairnEventBlocks(), newest.blocks.map((b) => b.id).sort());
      // The waiting run, retried by the queue, takes the lease and finds nothing left to do.
      const retried = await write();
      assert.deepEqual(
        { created: retried.created, moved: retried.moved, deleted: retried.deleted },
        { created: 0, moved: 0, deleted: 0 },
      );
    });
  });
}
