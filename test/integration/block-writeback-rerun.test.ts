/**
 * A plan that arrives while write-backs of older plans are still running reaches the calendar. The write-back
 * queue keeps at most one extra run per person (`rerunIfActive`): with a write-back and its queued rerun both
 * running, a third plan's enqueue was absorbed by the running rerun, which had read the blocks before that
 * plan was stored, so the calendar kept the second plan. Each run now reads the blocks again after writing and
 * goes on until the calendar matches them. Found by the scale-out harness (test/e2e/scale-out).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { googleCalendarConnector } from "../../connectors/google-calendar/index.ts";
import { applyPlanToCalendar, type BlockWriteEnvironment } from "../../engine/sync/block-writer.ts";
import type { AnyConnector } from "../../engine/sync/connector.ts";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";
import { backends } from "../support/harness.ts";
import { type SyncCairn, startSyncCairn } from "./sync-support.ts";

interface Schedule {
  blocks: { id: string }[];
}

for (const backend of backends()) {
  describe(`a plan stored while two write-backs run (${backend.name})`, { skip: backend.skip }, () => {
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

    it("ends with the calendar showing the newest plan", async () => {
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
      const arrived = [0, 1].map((i) => new Promise<void>((resolve) => (arrivals[i] = resolve)));
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
      await app.call("update_task", { id: task.id, estimateMinutes: 120 });
      await app.call("plan_week", { date: week });
      const second = write();
      await arrived[1];
      // The third plan, stored while both runs hold the blocks they read before it.
      await app.call("update_task", { id: task.id, estimateMinutes: 60 });
      await app.call("plan_week", { date: week });
      const newest = await app.call<Schedule>("get_schedule", {});
      assert.ok(newest.blocks.length > 0);
      release();
      await Promise.all([first, second]);
      assert.deepEqual(cairnEventBlocks(), newest.blocks.map((b) => b.id).sort());
    });
  });
}
