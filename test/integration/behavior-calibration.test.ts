/**
 * Per-person effort calibration is learned online and stored (migration 0024): every task finished through
 * complete_task or update_task updates the person's running totals, reopening or deleting one takes its sample
 * back out, and what is stored equals the batch computation (`cairn insights` on the same history) within
 * floating-point rounding. get_insights reads the stored calibration, brings tasks finished some other way
 * (sync, a direct insert) into it, and keeps each workspace's rows to itself.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DateTime } from "luxon";
import { calibrationFromSamples, type PersonCalibration } from "../../engine/behavior/calibration.ts";
import { effortSamples, minutesPerTask } from "../../engine/behavior/effort.ts";
import { workIntervals } from "../../engine/behavior/history.ts";
import type { InsightsWithBehavior } from "../../engine/behavior/insights.ts";
import { insightsFromHistory } from "../../engine/behavior/insights-from-history.ts";
import { storedHistory } from "../../engine/behavior/stored-history.ts";
import { appendEvent } from "../../engine/db/repositories/event-log.ts";
import { ALL_TASKS_TAG, readCalibrationTotals } from "../../engine/db/repositories/person-calibration.ts";
import { insertBlock } from "../../engine/db/repositories/plans.ts";
import { insertTask, listTasksPage } from "../../engine/db/repositories/tasks.ts";
import type { Task } from "../../engine/domain.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { act, type Who } from "./planner-insights-fixtures.ts";

const TAGS = ["reports", "bugs", "reviews"];

for (const backend of backends()) {
  describe(`per-person effort calibration, learned online (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let ada: Who;
    let eve: Who;
    const call = <T>(who: Who, action: string, input: unknown) => act<T>(cairn, who, action, input);
    const db = () => cairn.engine.services.db;

    /** A task worked `minutes` in a kept block `daysAgo` days back at 10:00 UTC, then finished. */
    async function finishWithBlock(
      who: Who,
      title: string,
      estimate: number,
      minutes: number,
      daysAgo: number,
      tags: string[],
    ) {
      const task = await call<Task>(who, "create_task", { title, estimateMinutes: estimate, tags });
      const start = DateTime.utc().startOf("day").minus({ days: daysAgo }).set({ hour: 10 });
      await db().scoped(who.workspace.id, (tx) =>
        insertBlock(tx, who.workspace.id, who.person.id, 0, {
          taskId: task.id,
          start: start.toISO() as string,
          end: start.plus({ minutes }).toISO() as string,
          kind: "task",
          status: "done",
          explanation: { reason: "history" },
        }),
      );
      return task;
    }

    /** What is stored for a person, and the batch computation over their whole stored history. */
    async function storedAndBatch(who: Who) {
      const now = new Date();
      return db().scoped(who.workspace.id, async (tx) => {
        const rows = await readCalibrationTotals(tx, who.person.id);
        const all = await listTasksPage(
          tx,
          { personId: who.person.id, status: ["todo", "in_progress", "done"], includeSourceDeleted: false },
          { order: "created", limit: 10_000 },
        );
        const history = await storedHistory(tx, who.workspace.id, who.person.id, all.tasks, now);
        const samples = effortSamples(history.tasks, minutesPerTask(workIntervals(history)));
        return { rows, batch: calibrationFromSamples(samples), history };
      });
    }

    function assertEqualTotals(
      rows: Awaited<ReturnType<typeof readCalibrationTotals>>,
      batch: PersonCalibration,
    ) {
      const all = rows.find((r) => r.tag === ALL_TASKS_TAG);
      assert.ok(all, "a totals row for all tasks");
      assert.equal(all.samples, batch.samples);
      assert.ok(Math.abs(all.sumLog - batch.sumLog) < 1e-9, `sum ${all.sumLog} vs ${batch.sumLog}`);
      assert.ok(
        Math.abs(all.sumSqLog - batch.sumSqLog) < 1e-9,
        `sum sq ${all.sumSqLog} vs ${batch.sumSqLog}`,
      );
      const tags = rows.filter((r) => r.tag !== ALL_TASKS_TAG && r.samples > 0);
      assert.deepEqual(tags.map((r) => r.tag).sort(), [...batch.tags.keys()].sort());
      for (const row of tags) {
        const expected = batch.tags.get(row.tag);
        assert.equal(row.samples, expected?.samples, row.tag);
        assert.ok(Math.abs(row.sumLog - (expected?.sumLog ?? Number.NaN)) < 1e-9, row.tag);
      }
    }

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, startWorkers: false });
      ada = await cairn.token({ workspace: "calibration-acme", email: "ada@calibration.test" });
      eve = await cairn.token({ workspace: "calibration-globex", email: "eve@calibration.test" });
    });
    after(async () => cairn?.close());

    it("updates the stored totals at each completion, equal to the batch computation", async () => {
      for (let i = 0; i < 12; i++) {
        const estimate = 30 + 10 * (i % 4);
        const ratio = 1 + 0.15 * (i % 5);
        const task = await finishWithBlock(
          ada,
          `Weekly report ${i}`,
          estimate,
          Math.round(estimate * ratio),
          1 + i,
          [TAGS[i % TAGS.length] as string],
        );
        if (i % 4 === 3) await call(ada, "update_task", { id: task.id, status: "done" });
        else await call(ada, "complete_task", { id: task.id });
        const { rows, batch } = await storedAndBatch(ada);
        assertEqualTotals(rows, batch);
      }
      // A task started and finished without a focus block: its start→completion span is its actual time.
      const spanned = await call<Task>(ada, "create_task", {
        title: "Triage bugs",
        estimateMinutes: 40,
        tags: ["bugs"],
      });
      await db().scoped(ada.workspace.id, (tx) =>
        appendEvent(tx, {
          workspaceId: ada.workspace.id,
          personId: ada.person.id,
          taskId: spanned.id,
          type: "task_started",
          occurredAt: new Date(Date.now() - 55 * 60_000),
        }),
      );
      await call(ada, "complete_task", { id: spanned.id });
      // One finished without an estimate: no sample.
      const unestimated = await call<Task>(ada, "create_task", { title: "Inbox zero" });
      await call(ada, "complete_task", { id: unestimated.id });
      const { rows, batch, history } = await storedAndBatch(ada);
      assert.equal(batch.samples, 13, "12 blocks and one span");
      assertEqualTotals(rows, batch);

      // get_insights reads the stored totals; its effort figures are the batch ones on the same history.
      const insights = await call<InsightsWithBehavior>(ada, "get_insights", {});
      const reference = insightsFromHistory(history);
      assert.equal(insights.basis, "personal");
      assert.equal(insights.effort.multiplier, reference.effort.multiplier);
      assert.deepEqual(insights.effort.tagMultipliers, reference.effort.tagMultipliers);
      assert.equal(insights.effort.samples, reference.effort.samples);
    });

    it("takes a reopened or deleted task's sample back out, and counts a re-finished one once", async () => {
      const task = await finishWithBlock(ada, "Review the budget", 60, 120, 20, ["reviews"]);
      await call(ada, "complete_task", { id: task.id });
      const withIt = await storedAndBatch(ada);
      assertEqualTotals(withIt.rows, withIt.batch);

      await call(ada, "update_task", { id: task.id, status: "todo" });
      const reopened = await storedAndBatch(ada);
      assert.equal(reopened.batch.samples, withIt.batch.samples - 1);
      assertEqualTotals(reopened.rows, reopened.batch);

      await call(ada, "complete_task", { id: task.id });
      const again = await storedAndBatch(ada);
      assert.equal(again.batch.samples, withIt.batch.samples);
      assertEqualTotals(again.rows, again.batch);

      // Deleting a finished task is caught up by the next reader that writes (get_insights).
      await call(ada, "delete_task", { id: task.id });
      await call(ada, "get_insights", {});
      const deleted = await storedAndBatch(ada);
      assert.equal(deleted.batch.samples, withIt.batch.samples - 1);
      assertEqualTotals(deleted.rows, deleted.batch);
    });

    it("brings tasks finished without an action (sync, an import) into the totals on the next get_insights", async () => {
      const now = Date.now();
      await db().scoped(eve.workspace.id, async (tx) => {
        for (let i = 0; i < 8; i++) {
          const task = await insertTask(tx, eve.workspace.id, {
            title: `Imported ${i}`,
            parentId: null,
            description: "",
            status: "done",
            priority: 3,
            estimateMinutes: 30,
            due: null,
            earliestStart: null,
            dependsOn: [],
            tags: ["imports"],
            splittable: true,
            energy: "medium",
            personId: eve.person.id,
            source: "cairn",
            externalId: null,
            connectionId: null,
            url: null,
            embedding: null,
          });
          const start = new Date(now - (2 + i) * 86_400_000);
          await insertBlock(tx, eve.workspace.id, eve.person.id, 0, {
            taskId: task.id,
            start: start.toISOString(),
            end: new Date(start.getTime() + 45 * 60_000).toISOString(),
            kind: "task",
            status: "done",
            explanation: { reason: "import" },
          });
          await tx.query("UPDATE tasks SET completed_at = $2 WHERE id = $1", [
            task.id,
            new Date(start.getTime() + 50 * 60_000).toISOString(),
          ]);
        }
      });
      assert.deepEqual((await storedAndBatch(eve)).rows, [], "nothing stored before a reader catches up");
      const insights = await call<InsightsWithBehavior>(eve, "get_insights", {});
      const { rows, batch } = await storedAndBatch(eve);
      assert.equal(batch.samples, 8);
      assertEqualTotals(rows, batch);
      assert.equal(
        (insights.effort.tagMultipliers as Record<string, number>).imports,
        insightsFromHistory((await storedAndBatch(eve)).history).effort.tagMultipliers.imports,
      );
    });

    it("keeps a workspace's calibration rows to that workspace", async () => {
      const seen = await db().scoped(eve.workspace.id, (tx) => readCalibrationTotals(tx, ada.person.id));
      assert.deepEqual(seen, []);
      const own = await db().scoped(ada.workspace.id, (tx) => readCalibrationTotals(tx, ada.person.id));
      assert.ok(own.length > 0);
    });

    it("answers with the population prior while a person has too little history", async () => {
      const newcomer = await cairn.token({ workspace: "calibration-acme", email: "new@calibration.test" });
      const task = await finishWithBlock(newcomer, "First report", 60, 150, 1, ["reports"]);
      await call(newcomer, "complete_task", { id: task.id });
      await call(newcomer, "create_task", { title: "Second report", estimateMinutes: 60 });
      const insights = await call<InsightsWithBehavior>(newcomer, "get_insights", {});
      const { rows, history } = await storedAndBatch(newcomer);
      const reference = insightsFromHistory(history);
      assert.equal(insights.basis, "population");
      assert.equal(reference.basis, "population");
      assert.equal(insights.effort.multiplier, reference.effort.multiplier, "the population prior");
      assert.equal(insights.effort.samples, 0);
      assert.equal(
        rows.find((r) => r.tag === ALL_TASKS_TAG)?.samples,
        1,
        "the sample is stored all the same",
      );
    });
  });
}
