/** The planning actions over POST /api/actions/... on a person with tasks and calendar events in the database. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Task } from "../../engine/domain.ts";
import { checkHardRules, type PlanInputRaw } from "../../engine/scheduling/index.ts";
import type { CalendarWriter } from "../../engine/scheduling/service/calendar-writer.ts";
import { PLAN_QUEUE } from "../../engine/scheduling/service/replan.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { waitForDrainedQueue } from "../support/queues.ts";

// Wednesday 4 March 2026, 09:00 in Berlin (UTC+1).
const NOW = new Date("2026-03-04T08:00:00Z");
const ZONE = "Europe/Berlin";

interface Block {
  id: string;
  taskId: string | null;
  taskTitle: string | null;
  kind: string;
  status: string;
  start: string;
  end: string;
  when: string;
  minutes: number;
  planVersion: number;
  reason: string;
}
interface PlanBody {
  planVersion: number;
  timezone: string;
  horizon: { start: string; end: string };
  blocks: Block[];
  unscheduled: Array<{ taskId: string; remainingMinutes: number; reason: string }>;
  unchangedBlocks: number;
  summary: string;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function insertEvent(
  cairn: TestCairn,
  workspaceId: string,
  personId: string,
  event: { title: string; start: string; end: string; declined?: boolean; status?: string; busy?: boolean },
): Promise<void> {
  await cairn.engine.services.db.scoped(workspaceId, (tx) =>
    tx.query(
      `INSERT INTO calendar_events (workspace_id, person_id, external_id, title, start_at, end_at, declined, status, busy)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
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
      ],
    ),
  );
}

const overlaps = (a: { start: string; end: string }, b: { start: string; end: string }, pad = 0) =>
  Date.parse(a.start) < Date.parse(b.end) + pad * 60_000 &&
  Date.parse(b.start) - pad * 60_000 < Date.parse(a.end);

for (const backend of backends()) {
  describe(`planning actions on ${backend.name}`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    const sync = { start: "2026-03-04T09:00:00Z", end: "2026-03-04T10:00:00Z" };

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, now: () => NOW });
      // Background replans would race the assertions here; the replan suite below tests them.
      cairn.engine.services.replan.delayMs = 10 * 60_000;
    });
    after(async () => cairn?.close());

    /** A person in a workspace of their own, with three tasks, a team sync and two events that do not block time. */
    const planner = async () => {
      const issued = await cairn.token({
        workspace: `plan-${randomUUID().slice(0, 8)}`,
        email: "pia@acme.test",
      });
      const { token } = issued;
      const workspaceId = issued.workspace.id;
      const personId = issued.person.id;
      const call = async <T>(action: string, input: unknown, expected = 200): Promise<T> => {
        const { status, body } = await cairn.call(token, action, input);
        assert.equal(status, expected, JSON.stringify(body));
        return body as T;
      };
      await call("set_preferences", { timezone: ZONE });
      const tasks = {
        report: await call<Task>("create_task", {
          title: "Draft Q3 report",
          estimateMinutes: 120,
          due: "2026-03-06T16:00:00Z",
          priority: 1,
          energy: "high",
        }),
        review: await call<Task>("create_task", {
          title: "Review budget",
          estimateMinutes: 90,
          priority: 2,
        }),
        email: await call<Task>("create_task", { title: "Inbox zero", priority: 4, energy: "low" }),
      };
      await insertEvent(cairn, workspaceId, personId, { title: "Team sync", ...sync });
      await insertEvent(cairn, workspaceId, personId, {
        title: "Declined lunch talk",
        start: "2026-03-04T12:00:00Z",
        end: "2026-03-04T13:00:00Z",
        declined: true,
      });
      await insertEvent(cairn, workspaceId, personId, {
        title: "Cancelled 1:1",
        start: "2026-03-04T13:00:00Z",
        end: "2026-03-04T14:00:00Z",
        status: "cancelled",
      });
      return { token, workspaceId, personId, tasks, call };
    };
    type Tasks = Awaited<ReturnType<typeof planner>>["tasks"];

    const inputFor = (
      tasks: Tasks,
      horizon: { start: string; end: string },
      busy = [sync],
    ): PlanInputRaw => ({
      person: { timezone: ZONE, workingHours: null, preferences: null, energy: null },
      now: NOW.toISOString(),
      horizon,
      busy: busy.map((b, i) => ({ id: `e${i}`, ...b })),
      tasks: [
        {
          id: tasks.report.id,
          estimateMinutes: 120,
          due: "2026-03-06T16:00:00Z",
          priority: 1,
          energy: "high",
        },
        { id: tasks.review.id, estimateMinutes: 90, priority: 2 },
        { id: tasks.email.id, estimateMinutes: 60, priority: 4, energy: "low" },
      ],
    });

    it("plans today around the meetings that block time and stores a version", async () => {
      const { call, tasks } = await planner();
      const plan = await call<PlanBody>("plan_day", {});
      assert.equal(plan.timezone, ZONE);
      assert.equal(plan.horizon.start, "2026-03-03T23:00:00.000Z");
      assert.ok(plan.planVersion >= 1);
      assert.ok(plan.blocks.length >= 3, plan.summary);
      for (const block of plan.blocks) {
        assert.ok(!overlaps(block, sync, 10), `${block.when} overlaps the team sync`);
        assert.ok(block.reason.length > 10);
        assert.equal(block.planVersion, plan.planVersion);
        assert.equal(block.status, "planned");
      }
      // Declined and cancelled events do not block time: 13:00-15:00 local is usable.
      assert.ok(
        plan.blocks.some((b) => overlaps(b, { start: "2026-03-04T12:00:00Z", end: "2026-03-04T14:00:00Z" })),
      );
      const violations = checkHardRules(inputFor(tasks, plan.horizon), {
        blocks: plan.blocks.map((b) => ({ ...b, taskId: b.taskId ?? "" })),
      });
      assert.deepEqual(violations, []);
      const email = plan.blocks.find((b) => b.taskId === tasks.email.id);
      assert.match(email?.reason ?? "", /Assumed 60 minutes/);
    });

    it("keeps an unchanged plan stable and shows it with reasons, versions and history", async () => {
      const { call } = await planner();
      const first = await call<PlanBody>("plan_day", {});
      const second = await call<PlanBody>("plan_day", {});
      assert.equal(second.planVersion, first.planVersion + 1);
      assert.equal(second.unchangedBlocks, second.blocks.length);
      assert.deepEqual(
        second.blocks.map((b) => [b.id, b.start, b.end]),
        first.blocks.map((b) => [b.id, b.start, b.end]),
      );
      const schedule = await call<{
        currentVersion: number;
        blocks: Block[];
        history: Array<{ version: number; trigger: string }>;
      }>("get_schedule", { includeHistory: true });
      assert.equal(schedule.currentVersion, second.planVersion);
      assert.deepEqual(
        schedule.blocks.map((b) => b.id),
        second.blocks.map((b) => b.id),
      );
      assert.ok(schedule.blocks.every((b) => b.taskTitle && b.reason));
      assert.deepEqual(
        schedule.history.map((h) => h.version),
        [second.planVersion, first.planVersion],
      );
      assert.equal(schedule.history[0]?.trigger, "plan_day");
    });

    it("plans the coming 7 days by default, not a week partly over, and passes the hard rules", async () => {
      const { call, tasks } = await planner();
      const plan = await call<PlanBody>("plan_week", {});
      // Today (Wednesday 4 March, Berlin) and the six days after it.
      assert.equal(plan.horizon.start, "2026-03-03T23:00:00.000Z");
      assert.equal(plan.horizon.end, "2026-03-10T23:00:00.000Z");
      assert.match(plan.summary, /the 7 days from Wednesday 4 March/);
      const violations = checkHardRules(inputFor(tasks, plan.horizon), {
        blocks: plan.blocks.map((b) => ({ ...b, taskId: b.taskId ?? "" })),
      });
      assert.deepEqual(violations, []);
      const total = plan.blocks.reduce((s, b) => s + b.minutes, 0);
      assert.equal(total, 120 + 90 + 60);
    });

    it("says what to do now and why", async () => {
      const { call } = await planner();
      await call<PlanBody>("plan_week", {}); // a plan whose first block may be under way now
      const next = await call<{
        current: Block | null;
        next: Block | null;
        suggestion: { title: string } | null;
        reason: string;
      }>("next_task", {});
      assert.ok(next.current ?? next.suggestion, JSON.stringify(next));
      assert.ok(next.reason.length > 10);
      if (next.current) assert.ok(Date.parse(next.current.start) <= NOW.getTime());
    });

    it("reschedules a task to tomorrow afternoon and logs the move", async () => {
      const { call, tasks, workspaceId } = await planner();
      const moved = await call<{
        window: { start: string; end: string; label: string };
        blocks: Block[];
        warnings: string[];
      }>("reschedule_task", { taskId: tasks.review.id, when: "tomorrow afternoon" });
      assert.equal(moved.window.start, "2026-03-05T11:00:00.000Z");
      assert.equal(moved.window.end, "2026-03-05T16:00:00.000Z");
      assert.ok(moved.blocks.length > 0);
      for (const block of moved.blocks) {
        assert.ok(Date.parse(block.start) >= Date.parse(moved.window.start), block.when);
        assert.ok(Date.parse(block.end) <= Date.parse(moved.window.end), block.when);
        assert.match(block.reason, /Pinned/);
      }
      assert.deepEqual(moved.warnings, []);
      const events = await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        tx.query<{ n: number | string }>(
          "SELECT count(*) AS n FROM events WHERE type = 'block_moved' AND task_id = $1",
          [tasks.review.id],
        ),
      );
      assert.ok(Number(events.rows[0]?.n) >= 1);
      const explicit = await call<{ window: { start: string; end: string } }>("reschedule_task", {
        taskId: tasks.review.id,
        when: "next Monday 9-11",
      });
      assert.equal(explicit.window.start, "2026-03-09T08:00:00.000Z");
      assert.equal(explicit.window.end, "2026-03-09T10:00:00.000Z");
    });

    it("starts focus from now, shortened before the next meeting", async () => {
      const { call, tasks, workspaceId } = await planner();
      const focus = await call<{ block: Block; shortened: boolean; message: string }>("start_focus", {
        minutes: 90,
        taskId: tasks.report.id,
      });
      assert.equal(focus.block.kind, "focus");
      assert.equal(focus.block.start, NOW.toISOString());
      assert.equal(Date.parse(focus.block.end), Date.parse(sync.start));
      assert.equal(focus.shortened, true);
      assert.match(focus.message, /Team sync/);
      const logged = await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        tx.query<{ n: number | string }>("SELECT count(*) AS n FROM events WHERE type = 'focus_started'"),
      );
      assert.equal(Number(logged.rows[0]?.n), 1);
      // The next plan treats the focus block as taken time.
      const plan = await call<PlanBody>("plan_day", {});
      assert.ok(plan.blocks.every((b) => !overlaps(b, focus.block)));
    });

    it("learns from a response to a block", async () => {
      const { call, workspaceId, personId } = await planner();
      const plan = await call<PlanBody>("plan_week", {});
      const block = plan.blocks[0];
      assert.ok(block);
      const answered = await call<{ block: Block }>("respond_to_block", {
        blockId: block.id,
        response: "accept",
      });
      assert.equal(answered.block.status, "accepted");
      const state = await cairn.engine.services.db.scoped(workspaceId, (tx) =>
        tx.query<{ person_id: string | null; observations: number }>(
          "SELECT person_id, observations FROM slot_preference_state",
        ),
      );
      const own = state.rows.find((r) => r.person_id === personId);
      assert.ok(own && own.observations >= 1);
      assert.ok(state.rows.some((r) => r.person_id === null));
    });

    it("rejects an unknown time zone naming the field", async () => {
      const { call, token } = await planner();
      const { status, body } = await cairn.call(token, "set_preferences", { timezone: "Mars/Olympus" });
      assert.equal(status, 400);
      const error = (body as { error: { code: string; issues: Array<{ path: string }> } }).error;
      assert.equal(error.code, "invalid_input");
      assert.deepEqual(
        error.issues.map((i) => i.path),
        ["timezone"],
      );
      const overlap = await cairn.call(token, "set_preferences", {
        workingHours: {
          mon: [
            { start: "09:00", end: "12:00" },
            { start: "11:00", end: "13:00" },
          ],
        },
      });
      assert.equal(overlap.status, 400);
      assert.match(JSON.stringify(overlap.body), /workingHours\.mon\[1\]/);
      const ok = await call<{ preferences: { workingHours: Record<string, unknown[]>; defaults: string[] } }>(
        "set_preferences",
        { noMeetingDays: ["wed"], workingHours: { sat: [{ start: "10:00", end: "12:00" }] } },
      );
      assert.equal(ok.preferences.workingHours.sat?.length, 1);
      assert.equal(ok.preferences.workingHours.mon?.length, 1);
      assert.ok(!ok.preferences.defaults.includes("noMeetingDays"));
    });
  });

  describe(`debounced replanning on ${backend.name}`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let token: string;
    const written: number[] = [];

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, now: () => NOW });
      cairn.engine.services.replan.delayMs = 400;
      const writer: CalendarWriter = {
        async syncBlocks(_workspaceId, _personId, version) {
          written.push(version);
        },
      };
      cairn.engine.services.calendarWriter = writer;
      token = (await cairn.token({ workspace: `replan-${randomUUID().slice(0, 8)}`, email: "rex@acme.test" }))
        .token;
    });
    after(async () => cairn?.close());

    const history = async () => {
      const { body } = await cairn.call(token, "get_schedule", { includeHistory: true });
      return body as { history: Array<{ version: number; trigger: string }>; blocks: Block[] };
    };

    it("replans once after quick changes and hands the version to the calendar writer", async () => {
      const { body } = await cairn.call(token, "create_task", { title: "Write spec", estimateMinutes: 60 });
      const task = body as Task;
      await cairn.call(token, "update_task", { id: task.id, estimateMinutes: 90 });
      const first = await waitFor(async () => {
        const h = await history();
        return h.history.length > 0 ? h : undefined;
      });
      // Settled: no replan is waiting, delayed or running, so none can add a version after this.
      await waitForDrainedQueue(cairn.jobs, PLAN_QUEUE);
      const settled = await history();
      assert.equal(settled.history.length, 1, JSON.stringify(settled.history));
      assert.match(first.history[0]?.trigger ?? "", /^replan: tasks changed/);
      assert.equal(
        settled.blocks.reduce((s, b) => s + b.minutes, 0),
        90,
      );
      assert.deepEqual(written, [1]);

      await cairn.call(token, "update_task", { id: task.id, estimateMinutes: 120 });
      const again = await waitFor(async () => {
        const h = await history();
        return h.history.length > 1 ? h : undefined;
      });
      assert.equal(again.history[0]?.version, 2);
      assert.equal(
        again.blocks.reduce((s, b) => s + b.minutes, 0),
        120,
      );
    });
  });
}
