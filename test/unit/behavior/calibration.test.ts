/**
 * The stored calibration gives the batch answer: the effort figures computed from running totals (count,
 * sum, sum of squares, per tag) equal those `cairn insights` computes from the finished tasks themselves.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calibrationFromSamples, samplesFor } from "../../../engine/behavior/calibration.ts";
import { effortSamples, minutesPerTask } from "../../../engine/behavior/effort.ts";
import { workIntervals } from "../../../engine/behavior/history.ts";
import { insightsFromHistory } from "../../../engine/behavior/insights-from-history.ts";
import { parseInsightsInput } from "../../../engine/behavior/insights-input.ts";
import { history, withOpenTask } from "./history-fixtures.ts";

/** Six weeks of finished work over three tags with different overruns, and a few open tasks. */
function mixedHistory() {
  const raw = history({ days: 42, ratio: 1.3, derived: true });
  const tags = ["reports", "bugs", "reviews"];
  const tasks = (raw.tasks ?? []).map((task, i) => ({
    ...task,
    tags: [tags[i % 3] as string],
    estimateMinutes: 60 + 15 * (i % 5),
  }));
  let withOpen: typeof raw = { ...raw, tasks };
  for (const [k, tag] of ["reports", "bugs", "planning"].entries())
    withOpen = withOpenTask(withOpen, {
      id: `open-${k}`,
      title: `Next ${tag}`,
      tags: [tag],
      estimateMinutes: 90,
    });
  return parseInsightsInput(withOpen);
}

describe("effort from the stored calibration", () => {
  it("equals the batch computation on the same finished tasks", () => {
    const input = mixedHistory();
    const samples = effortSamples(input.tasks, minutesPerTask(workIntervals(input)));
    assert.ok(samples.length >= 25, `${samples.length} samples`);
    const batch = insightsFromHistory(input);
    const stored = insightsFromHistory(input, { calibration: calibrationFromSamples(samples) });
    assert.equal(batch.basis, "personal");
    assert.equal(stored.effort.multiplier, batch.effort.multiplier);
    assert.equal(stored.effort.samples, batch.effort.samples);
    assert.deepEqual(stored.effort.tagMultipliers, batch.effort.tagMultipliers);
    assert.equal(Object.keys(batch.effort.tagMultipliers).length, 3);
    for (const [i, task] of batch.effort.tasks.entries()) {
      const other = stored.effort.tasks[i];
      assert.equal(other?.taskId, task.taskId);
      for (const key of ["predictedMinutes", "low", "high"] as const)
        assert.ok(Math.abs((other?.[key] ?? Number.NaN) - task[key]) <= 1, `${task.taskId} ${key}`);
    }
    // Everything else in the answer is untouched by where the calibration comes from.
    const { effort: _a, completion: _b, ...rest } = batch;
    const { effort: _c, completion: _d, ...restStored } = stored;
    assert.deepEqual(restStored, rest);
  });

  it("derives each task's actual time from its own events as the batch models do", () => {
    const input = mixedHistory();
    const spent = minutesPerTask(workIntervals(input));
    const finished = input.tasks.filter((t) => t.completedAt);
    const evidence = {
      events: input.events.flatMap((e) =>
        e.taskId && (e.type === "task_started" || e.type === "task_completed")
          ? [{ type: e.type, taskId: e.taskId, occurredAt: e.at }]
          : [],
      ),
      blocks: finished.map((t) => {
        const start = input.events.find((e) => e.type === "focus_started" && e.taskId === t.id)?.at ?? "";
        const end = input.events.find((e) => e.type === "focus_ended" && e.taskId === t.id)?.at ?? "";
        return { taskId: t.id, start, end };
      }),
    };
    const online = samplesFor(
      finished.map((t) => ({
        taskId: t.id,
        estimateMinutes: t.estimateMinutes ?? null,
        tags: t.tags,
        completedAt: t.completedAt ?? "",
      })),
      evidence,
      new Date(input.now),
    );
    for (const sample of online) {
      const task = finished.find((t) => t.id === sample.taskId);
      const expected = Math.log(
        (spent.get(sample.taskId) ?? Number.NaN) / (task?.estimateMinutes ?? Number.NaN),
      );
      assert.ok(Math.abs((sample.logRatio ?? Number.NaN) - expected) < 1e-12, sample.taskId);
    }
  });

  it("falls back to the population prior below the personal threshold, whatever is stored", () => {
    const input = parseInsightsInput(history({ days: 3, ratio: 2, derived: true }));
    const samples = effortSamples(input.tasks, minutesPerTask(workIntervals(input)));
    const stored = insightsFromHistory(input, { calibration: calibrationFromSamples(samples) });
    const batch = insightsFromHistory(input);
    assert.equal(stored.basis, "population");
    assert.deepEqual(stored.effort, batch.effort);
  });
});
