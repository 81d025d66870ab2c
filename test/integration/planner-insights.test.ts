/**
 * The planner uses the behaviour models: a person whose work runs 1.5× over gets longer blocks (unless they
 * opt out), a person with no declared peak hours and a clear 14:00–16:00 rhythm gets high-energy work placed
 * there, and a task with little slack is flagged as at risk in its reason and in the plan's atRisk list.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Task } from "../../engine/domain.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { act, seedHistory, type Who, workingDayAfter } from "./planner-insights-fixtures.ts";

interface Block {
  taskId: string | null;
  start: string;
  end: string;
  minutes: number;
  reason: string;
}
interface Plan {
  blocks: Block[];
  unscheduled: { taskId: string; reason: string }[];
  atRisk: { taskId: string; probability: number; due: string }[];
  summary: string;
}
interface Estimate {
  taskId: string;
  estimateMinutes: number | null;
  predictedMinutes: number;
  low: number;
  high: number;
  basis: string;
  reason: string;
}

const minutesOf = (plan: Plan, taskId: string) =>
  plan.blocks.filter((b) => b.taskId === taskId).reduce((sum, b) => sum + b.minutes, 0);

for (const backend of backends()) {
  describe(`the planner uses the behaviour models (${backend.name})`, { skip: backend.skip }, () => {
    const now = new Date();
    const day = workingDayAfter(now, 2);
    let cairn: TestCairn;
    let ada: Who;
    let bob: Who;
    const call = <T>(who: Who, action: string, input: unknown) => act<T>(cairn, who, action, input);

    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        now: () => now,
        startWorkers: false,
      });
      ada = await cairn.token({ workspace: "insights-plan", email: "ada@plan.test" });
      bob = await cairn.token({ workspace: "insights-plan", email: "bob@plan.test" });
      // Ada: ten reports estimated at 80 minutes, each taking 120 (1.5×), always worked 14:00–16:00.
      await seedHistory(cairn, ada, now, { tasks: 10, estimateMinutes: 80, ratio: 1.5, hourUtc: 14 });
    });
    after(async () => cairn?.close());

    it("plans a person who runs 1.5× over at the calibrated estimate, and at the raw one once they opt out", async () => {
      const task = await call<Task>(ada, "create_task", { title: "Quarterly plan", estimateMinutes: 60 });
      const estimate = await call<Estimate>(ada, "estimate_task", { taskId: task.id });
      assert.equal(estimate.basis, "personal");
      assert.equal(estimate.estimateMinutes, 60);
      assert.ok(estimate.predictedMinutes >= 80, `longer than 60: ${JSON.stringify(estimate)}`);
      assert.ok(estimate.low <= estimate.predictedMinutes && estimate.predictedMinutes <= estimate.high);
      assert.match(estimate.reason, /^You took 1\.5× your estimate on 10 finished tasks\.$/);

      const plan = await call<Plan>(ada, "plan_day", { date: day });
      assert.equal(minutesOf(plan, task.id), estimate.predictedMinutes, "planned at the prediction");
      const reason = plan.blocks.find((b) => b.taskId === task.id)?.reason ?? "";
      assert.match(
        reason,
        new RegExp(`Planned ${estimate.predictedMinutes} minutes for the 60 you estimated`),
      );

      await call(ada, "set_preferences", { useCalibratedEstimates: false });
      const raw = await call<Plan>(ada, "plan_day", { date: day });
      assert.equal(minutesOf(raw, task.id), 60, "opted out: the raw estimate");
      await call(ada, "set_preferences", { useCalibratedEstimates: true });
      await call(ada, "delete_task", { id: task.id });
    });

    it("places high-energy work in the learned 14:00–16:00 peak when the person declared none", async () => {
      const adaTask = await call<Task>(ada, "create_task", {
        title: "Design the architecture",
        estimateMinutes: 60,
        energy: "high",
      });
      const bobTask = await call<Task>(bob, "create_task", {
        title: "Design the data model",
        estimateMinutes: 60,
        energy: "high",
      });
      const adaPlan = await call<Plan>(ada, "plan_day", { date: day });
      const adaBlocks = adaPlan.blocks.filter((b) => b.taskId === adaTask.id);
      assert.ok(adaBlocks.length > 0);
      for (const block of adaBlocks) {
        const hour = new Date(block.start).getUTCHours();
        assert.ok(hour >= 14 && hour < 16, `in the learned peak: ${JSON.stringify(block)}`);
        assert.match(block.reason, /in your peak hours/);
        assert.match(
          block.reason,
          /Your peak hours \(14:00–16:00\) are learned from the focus time you kept\./,
        );
      }
      // Bob has no history: the default peak (09:00–12:00) stands.
      const bobPlan = await call<Plan>(bob, "plan_day", { date: day });
      const bobBlock = bobPlan.blocks.find((b) => b.taskId === bobTask.id);
      const bobHour = new Date(bobBlock?.start ?? "").getUTCHours();
      assert.ok(bobHour >= 9 && bobHour < 12, `Bob keeps the default peak: ${JSON.stringify(bobBlock)}`);

      // A peak the person sets wins over the learned one.
      await call(ada, "set_preferences", { peakHours: [[9, 11]] });
      const declared = await call<Plan>(ada, "plan_day", { date: day });
      const declaredHour = new Date(
        declared.blocks.find((b) => b.taskId === adaTask.id)?.start ?? "",
      ).getUTCHours();
      assert.ok(declaredHour >= 9 && declaredHour < 11, "the declared peak is used");
      await call(ada, "delete_task", { id: adaTask.id });
    });

    it("flags a task with little slack as at risk in its reason, in the plan and in the schedule", async () => {
      const carol = await cairn.token({ workspace: "insights-plan", email: "carol@plan.test" });
      const due = `${day}T12:00:00Z`;
      const tight = await call<Task>(carol, "create_task", {
        title: "Migrate the billing system",
        estimateMinutes: 2400,
        due,
      });
      const relaxed = await call<Task>(carol, "create_task", {
        title: "Tidy the wiki",
        estimateMinutes: 30,
        due: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
      });
      const plan = await call<Plan>(carol, "plan_week", {});
      const flagged = plan.atRisk.find((r) => r.taskId === tight.id);
      assert.ok(flagged, `the tight task is at risk: ${JSON.stringify(plan.atRisk)}`);
      assert.ok(flagged.probability < 0.5);
      assert.equal(flagged.due, new Date(due).toISOString());
      assert.ok(!plan.atRisk.some((r) => r.taskId === relaxed.id), "plenty of slack: not flagged");
      const percent = `${Math.round(flagged.probability * 100)} %`;
      const said = [
        ...plan.blocks.filter((b) => b.taskId === tight.id).map((b) => b.reason),
        ...plan.unscheduled.filter((u) => u.taskId === tight.id).map((u) => u.reason),
      ];
      assert.ok(said.length > 0);
      for (const reason of said)
        assert.ok(reason.includes(`At risk: ${percent} chance of finishing by`), reason);
      assert.match(plan.summary, /1 deadline is at risk\./);

      const schedule = await call<{ atRisk: Plan["atRisk"] }>(carol, "get_schedule", {});
      assert.deepEqual(schedule.atRisk, plan.atRisk);
    });

    it("refuses estimate_task for a task that is not the caller's, naming why", async () => {
      const bobs = await call<Task>(bob, "create_task", { title: "Bob's thing", estimateMinutes: 30 });
      const { status, body } = await cairn.call(ada.token, "estimate_task", { taskId: bobs.id });
      assert.equal(status, 409, JSON.stringify(body));
      const bad = await cairn.call(ada.token, "estimate_task", { taskId: "nope" });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /taskId/);
    });
  });
}
