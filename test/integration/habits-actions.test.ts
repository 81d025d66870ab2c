/**
 * Habits and the focus goal through the product: the habit actions over POST /api/actions/..., plan_week placing
 * habit and focus-goal blocks, get_schedule with calendar events and goal progress, on PGlite and Postgres.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

// Monday 2 March 2026, 08:00 in Berlin (UTC+1).
const NOW = new Date("2026-03-02T07:00:00Z");
const ZONE = "Europe/Berlin";

interface Habit {
  id: string;
  title: string;
  days: string[];
  window: { start: string; end: string };
  minMinutes: number;
  maxMinutes: number;
  timesPerWeek: number | null;
  priority: number;
  outsideWorkingHours: boolean;
  label: string;
}
interface Block {
  id: string;
  kind: string;
  taskId: string | null;
  habitId: string | null;
  habitTitle: string | null;
  status: string;
  start: string;
  end: string;
  minutes: number;
  reason: string;
}
interface PlanBody {
  planVersion: number;
  blocks: Block[];
  unscheduledHabits: Array<{ habitId: string; habitTitle: string; date: string; reason: string }>;
  summary: string;
}
interface Schedule {
  blocks: Block[];
  events: Array<{
    id: string;
    title: string;
    start: string;
    end: string;
    allDay: boolean;
    source: string;
    busy: boolean;
  }>;
  focusGoal: {
    weekStart: string;
    targetMinutes: number;
    plannedMinutes: number;
    completedMinutes: number;
    remainingMinutes: number;
  } | null;
}

const localTime = (iso: string) =>
  new Date(iso).toLocaleTimeString("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit" });

for (const backend of backends()) {
  describe(`habits and the focus goal on ${backend.name}`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let token: string;
    let otherToken: string;
    let workspaceId: string;
    let personId: string;

    const call = async <T>(action: string, input: unknown, expected = 200, as = token): Promise<T> => {
      const { status, body } = await cairn.call(as, action, input);
      assert.equal(status, expected, `${action}: ${JSON.stringify(body)}`);
      return body as T;
    };

    const insertEvent = (event: {
      title: string;
      start: string;
      end: string;
      declined?: boolean;
      status?: string;
      busy?: boolean;
      allDay?: boolean;
    }) =>
      cairn.engine.services.db.scoped(workspaceId, (tx) =>
        tx.query(
          `INSERT INTO calendar_events (workspace_id, person_id, external_id, title, start_at, end_at, declined,
             status, busy, all_day)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            workspaceId,
            personId,
            randomUUID(),
            event.title,
            event.start,
            event.end,
            event.declined ?? false,
            event.status ?? "confirmed",
            event.busy ?? true,
            event.allDay ?? false,
          ],
        ),
      );

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, now: () => NOW });
      cairn.engine.services.replan.delayMs = 10 * 60_000;
    });

    // Every test gets a workspace of its own, with the same week of meetings.
    beforeEach(async () => {
      const workspace = `habits-${randomUUID().slice(0, 8)}`;
      const issued = await cairn.token({ workspace, email: "hana@acme.test" });
      token = issued.token;
      workspaceId = issued.workspace.id;
      personId = issued.person.id;
      otherToken = (await cairn.token({ workspace, email: "omar@acme.test" })).token;
      await call("set_preferences", { timezone: ZONE });
      await insertEvent({
        title: "Board meeting",
        start: "2026-03-03T10:30:00Z",
        end: "2026-03-03T13:00:00Z",
      });
      await insertEvent({
        title: "Declined offsite",
        start: "2026-03-04T11:00:00Z",
        end: "2026-03-04T12:00:00Z",
        declined: true,
      });
      await insertEvent({
        title: "Cancelled review",
        start: "2026-03-04T13:00:00Z",
        end: "2026-03-04T14:00:00Z",
        status: "cancelled",
      });
      await insertEvent({
        title: "Out of office (free)",
        start: "2026-03-05T00:00:00Z",
        end: "2026-03-06T00:00:00Z",
        busy: false,
        allDay: true,
      });
    });
    after(async () => cairn?.close());

    /** The weekday lunch habit, as the first test leaves it after its update. */
    const createLunch = () =>
      call<{ habit: Habit }>("create_habit", {
        title: "Lunch",
        days: ["mon", "tue", "wed", "thu", "fri"],
        window: { start: "12:00", end: "14:00" },
        minMinutes: 30,
        maxMinutes: 45,
      });

    it("creates, lists and updates a habit; bad input is a 400 naming the field", async () => {
      const created = await call<{ habit: Habit; message: string }>("create_habit", {
        title: "Lunch",
        days: ["mon", "tue", "wed", "thu", "fri"],
        window: { start: "12:00", end: "14:00" },
        minMinutes: 30,
        maxMinutes: 60,
      });
      assert.equal(created.habit.priority, 3);
      assert.equal(created.habit.timesPerWeek, null);
      assert.equal(created.habit.outsideWorkingHours, false);
      assert.equal(created.habit.label, "Lunch: Mon–Fri 12:00–14:00, 30–60 min");

      const bad = await cairn.call(token, "create_habit", {
        title: "Run",
        days: ["mon", "wed"],
        window: { start: "18:00", end: "07:00" },
        minMinutes: 45,
        timesPerWeek: 3,
      });
      assert.equal(bad.status, 400);
      const text = JSON.stringify(bad.body);
      assert.match(text, /window\.end/);
      assert.match(text, /timesPerWeek/);
      const badDay = await cairn.call(token, "create_habit", {
        title: "Run",
        days: ["someday"],
        window: { start: "07:00", end: "08:00" },
        minMinutes: 30,
      });
      assert.equal(badDay.status, 400);
      assert.match(JSON.stringify(badDay.body), /days/);

      const updated = await call<{ habit: Habit }>("update_habit", {
        habitId: created.habit.id,
        maxMinutes: 45,
      });
      assert.equal(updated.habit.maxMinutes, 45);
      assert.equal(updated.habit.minMinutes, 30);
      const tooLong = await cairn.call(token, "update_habit", { habitId: created.habit.id, minMinutes: 50 });
      assert.equal(tooLong.status, 400);
      assert.match(JSON.stringify(tooLong.body), /maxMinutes/);

      const listed = await call<{ habits: Habit[] }>("list_habits", {});
      assert.deepEqual(
        listed.habits.map((h) => [h.title, h.maxMinutes]),
        [["Lunch", 45]],
      );
      // Own habits only: a colleague neither sees nor changes them.
      const theirs = await call<{ habits: Habit[] }>("list_habits", {}, 200, otherToken);
      assert.equal(theirs.habits.length, 0);
      await call("update_habit", { habitId: created.habit.id, title: "Mine now" }, 404, otherToken);
      await call("delete_habit", { habitId: created.habit.id }, 404, otherToken);
    });

    it("plans habit blocks and focus-goal blocks; get_schedule shows events and goal progress", async () => {
      await createLunch();
      await call("set_preferences", { focusGoalMinutesPerWeek: 600 });
      await call("create_task", { title: "Write spec", estimateMinutes: 120, priority: 2 });
      const plan = await call<PlanBody>("plan_week", {});
      const lunches = plan.blocks.filter((b) => b.kind === "habit");
      // Tuesday's board meeting covers the lunch window: four lunches, and Tuesday explained.
      assert.equal(lunches.length, 4, plan.summary);
      for (const lunch of lunches) {
        assert.equal(lunch.habitTitle, "Lunch");
        assert.equal(lunch.taskId, null);
        assert.equal(lunch.minutes, 45);
        assert.equal(localTime(lunch.start), "12:00");
      }
      assert.equal(plan.unscheduledHabits.length, 1);
      assert.equal(plan.unscheduledHabits[0]?.date, "2026-03-03");
      assert.match(plan.unscheduledHabits[0]?.reason ?? "", /meetings/);
      const focus = plan.blocks.filter((b) => b.kind === "focus");
      assert.equal(
        focus.reduce((s, b) => s + b.minutes, 0),
        480,
      );
      assert.ok(focus.every((b) => b.taskId === null && /weekly goal/.test(b.reason)));
      assert.match(plan.summary, /habit block/);

      const schedule = await call<Schedule>("get_schedule", {});
      assert.equal(schedule.blocks.length, plan.blocks.length);
      assert.deepEqual(
        schedule.events.map((e) => [e.title, e.busy, e.allDay, e.source]),
        [
          ["Board meeting", true, false, "cairn"],
          ["Out of office (free)", false, true, "cairn"],
        ],
      );
      assert.deepEqual(schedule.focusGoal, {
        weekStart: "2026-03-01T23:00:00.000Z",
        targetMinutes: 600,
        plannedMinutes: 600,
        completedMinutes: 0,
        remainingMinutes: 0,
      });

      // Unchanged inputs: the same habit and focus blocks are carried over, not rewritten.
      const again = await call<PlanBody & { unchangedBlocks: number }>("plan_week", {});
      assert.equal(again.unchangedBlocks, again.blocks.length);
    });

    it("get_schedule reports no goal when none is set", async () => {
      await createLunch();
      await call("create_task", { title: "Write spec", estimateMinutes: 120, priority: 2 });
      await call("set_preferences", { focusGoalMinutesPerWeek: 600 });
      await call("plan_week", {});
      await call("set_preferences", { focusGoalMinutesPerWeek: null });
      const schedule = await call<Schedule>("get_schedule", {});
      assert.equal(schedule.focusGoal, null);
      const replanned = await call<PlanBody>("plan_week", {});
      assert.equal(replanned.blocks.filter((b) => b.kind === "focus").length, 0);
    });

    it("delete_habit takes its upcoming blocks out of the plan", async () => {
      await createLunch();
      await call("plan_week", {});
      const { habits } = await call<{ habits: Habit[] }>("list_habits", {});
      const lunch = habits[0] as Habit;
      const deleted = await call<{ removedBlocks: number; message: string }>("delete_habit", {
        habitId: lunch.id,
      });
      assert.equal(deleted.removedBlocks, 4);
      const schedule = await call<Schedule>("get_schedule", {});
      assert.equal(schedule.blocks.filter((b) => b.kind === "habit").length, 0);
      assert.equal((await call<{ habits: Habit[] }>("list_habits", {})).habits.length, 0);
      await call("delete_habit", { habitId: lunch.id }, 404);
    });
  });
}
