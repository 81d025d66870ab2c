/** The faithful MILP (solver/exact-blocks.ts): whatever it returns is a real plan, and its optimum is met. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkHardRules,
  evaluatePlan,
  parsePlanInput,
  planSchedule,
  solveExact,
} from "../../../engine/scheduling/index.ts";
import { solveExactBlocks } from "../../../engine/scheduling/solver/exact-blocks.ts";
import { scenario, task } from "./fixtures.ts";

describe("faithful exact model", () => {
  it("keeps an unsplittable task whole where the relaxed model splits it around a meeting", async () => {
    // Monday 09:00–17:00 Berlin, a meeting 10:00–10:30 with 10-minute buffers: free 09:00–09:50, 10:40–17:00.
    // "whole" (90 min, unsplittable, due 10:30, priority 1) cannot fit before the meeting: at best 10:40–12:10,
    // 100 minutes late, weight 8. The relaxed model works 50 minutes before the meeting and 40 after it.
    const input = scenario({
      busy: [{ id: "m", title: "Meeting", start: "2026-03-02T09:00:00Z", end: "2026-03-02T09:30:00Z" }],
      tasks: [task("whole", 90, { due: "2026-03-02T09:30:00Z", priority: 1, splittable: false })],
    });
    const exact = await solveExactBlocks(input, { timeLimitSeconds: 30 });
    assert.ok(exact.optimal, exact.status);
    assert.equal(exact.weightedTardiness, 800);
    assert.deepEqual(exact.plan?.blocks, [
      { taskId: "whole", start: "2026-03-02T09:40:00.000Z", end: "2026-03-02T11:10:00.000Z" },
    ]);
    const relaxed = await solveExact(input, { timeLimitSeconds: 30 });
    assert.ok(
      relaxed.lowerBound < 800,
      `the relaxed bound ${relaxed.lowerBound} is not below the real optimum`,
    );
    assert.equal(planSchedule(input).metrics.weightedTardiness, 800);
  });

  it("returns a plan that passes the hard-rule check and scores what the model says, at most the planner's", async () => {
    // Two mornings with meetings, a 120-minute daily cap and 30–60 minute blocks; an odd 37-minute estimate, a
    // prerequisite, an earliest start, an unsplittable task and more work than fits by the dues.
    const morning = [{ start: "09:00", end: "12:00" }];
    const base = scenario();
    const input = scenario({
      person: {
        ...base.person,
        workingHours: { mon: morning, tue: morning },
        preferences: {
          minBlockMinutes: 30,
          maxBlockMinutes: 60,
          bufferMinutes: 10,
          maxFocusMinutesPerDay: 120,
        },
      },
      horizon: { start: "2026-03-02T00:00:00+01:00", end: "2026-03-04T00:00:00+01:00" },
      busy: [
        { id: "m1", title: "Standup", start: "2026-03-02T08:30:00Z", end: "2026-03-02T08:45:00Z" },
        { id: "m2", title: "Planning", start: "2026-03-03T09:00:00Z", end: "2026-03-03T10:00:00Z" },
      ],
      tasks: [
        task("spec", 37, { due: "2026-03-02T09:00:00Z", priority: 2 }),
        task("build", 60, { due: "2026-03-02T10:30:00Z", priority: 1, dependsOn: ["spec"] }),
        task("call", 45, { due: "2026-03-03T08:30:00Z", priority: 3, splittable: false }),
        task("later", 60, { due: "2026-03-03T11:00:00Z", earliestStart: "2026-03-03T08:00:00Z" }),
        task("tidy", 40, { priority: 4 }),
      ],
    });
    const exact = await solveExactBlocks(input, { timeLimitSeconds: 60 });
    assert.ok(exact.optimal, exact.status);
    const plan = exact.plan;
    assert.ok(plan);
    assert.deepEqual(checkHardRules(input, plan), []);
    const scored = evaluatePlan(parsePlanInput(input), plan.blocks);
    assert.equal(scored.weightedTardiness, exact.weightedTardiness);
    assert.ok((exact.weightedTardiness ?? 0) > 0, "the scenario is meant to be overloaded");
    const spec = plan.blocks.filter((b) => b.taskId === "spec");
    const minutes = spec.reduce((s, b) => s + (Date.parse(b.end) - Date.parse(b.start)) / 60_000, 0);
    assert.ok(minutes === 37 || minutes === 0, `spec gets ${minutes} minutes`);
    const planner = planSchedule(input);
    assert.ok(
      planner.metrics.weightedTardiness >= (exact.weightedTardiness ?? 0) - 1e-6,
      `the planner's ${planner.metrics.weightedTardiness} beats the proven optimum ${exact.weightedTardiness}`,
    );
    const relaxed = await solveExact(input, { timeLimitSeconds: 30 });
    assert.ok(relaxed.lowerBound <= (exact.weightedTardiness ?? 0) + 1e-6);
    // The planner's plan is a point of the model: given as a start, HiGHS accepts it and ends no worse.
    const started = await solveExactBlocks(input, { timeLimitSeconds: 60, start: planner });
    assert.ok(started.startAccepted);
    assert.equal(started.weightedTardiness, exact.weightedTardiness);
  });
});
