/** The weighted-tardiness lower bound (solver/tardiness-bound.ts) never exceeds a real plan, and is tight where it must be. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildPlanModel,
  evaluatePlan,
  type PlanInputRaw,
  parsePlanInput,
  planSchedule,
} from "../../../engine/scheduling/index.ts";
import { tardinessLowerBound } from "../../../engine/scheduling/solver/tardiness-bound.ts";
import { generateScenario } from "../../bench/planner/generator.ts";
import { generateIndependentScenario } from "../../bench/planner/independent-generator.ts";
import { scenario, task } from "./fixtures.ts";

async function boundOf(input: PlanInputRaw) {
  return tardinessLowerBound(buildPlanModel(parsePlanInput(input), { granularityMinutes: 1 }));
}

function plannerWt(input: PlanInputRaw): number {
  return evaluatePlan(parsePlanInput(input), planSchedule(input).blocks).weightedTardiness;
}

describe("weighted-tardiness lower bound", () => {
  it("charges a task that can never be placed in full, as the plan does", async () => {
    // Unsplittable 150 minutes with 120-minute blocks at most: never placed, so it finishes at the horizon end +
    // 150 minutes on the plan's measure, whatever else happens.
    const input = scenario({
      tasks: [task("long", 150, { due: "2026-03-03T12:00:00Z", priority: 2, splittable: false })],
    });
    const bound = await boundOf(input);
    assert.ok(bound.optimal);
    const horizonEnd = Date.parse("2026-03-09T00:00:00+01:00") / 60_000;
    const expected = 4 * (horizonEnd + 150 - Date.parse("2026-03-03T12:00:00Z") / 60_000);
    assert.equal(bound.alone, expected);
    assert.equal(bound.combined, expected);
    assert.equal(plannerWt(input), expected);
  });

  it("never charges a dependent for its prerequisite's overflow", async () => {
    // One working day (480 minutes): the 600-minute prerequisite cannot finish, so the dependent gets nothing and
    // scores the horizon end + its own 30 minutes, not + the prerequisite's 120 minutes left over.
    const input = scenario({
      horizon: { start: "2026-03-02T00:00:00+01:00", end: "2026-03-03T00:00:00+01:00" },
      tasks: [
        task("big", 600, { priority: 4 }),
        task("next", 30, { dependsOn: ["big"], due: "2026-03-02T11:00:00Z", priority: 4 }),
      ],
    });
    const bound = await boundOf(input);
    const expected =
      Date.parse("2026-03-03T00:00:00+01:00") / 60_000 + 30 - Date.parse("2026-03-02T11:00:00Z") / 60_000;
    assert.equal(bound.alone, expected);
    assert.equal(bound.combined, expected);
    assert.equal(plannerWt(input), expected);
  });

  it("sees two tasks competing for one morning, which each alone would not", async () => {
    // Both 60 minutes, due Monday 10:00 local, from 09:00: one of them is late whatever the order; alone, neither is.
    const due = "2026-03-02T09:00:00Z";
    const input = scenario({
      tasks: [task("a", 60, { due, priority: 1 }), task("b", 60, { due, priority: 4 })],
    });
    const bound = await boundOf(input);
    assert.equal(bound.alone, 0);
    assert.ok(bound.combined > 0, `combined ${bound.combined}`);
    assert.ok(bound.combined <= plannerWt(input), `${bound.combined} > ${plannerWt(input)}`);
  });

  it("is at most the proven optimum on the benchmark's proved scenarios, and at most the planner elsewhere", async () => {
    // Proven optima of the faithful model (BENCHMARKS.md, "True optima"): s20 17,139, s25 13,058, i30 98,180.
    const proved: Array<[PlanInputRaw, number]> = [
      [generateScenario(2026, 20).input, 17139],
      [generateScenario(2026, 25).input, 13058],
      [generateIndependentScenario(77, 30).input, 98180],
    ];
    for (const [input, optimum] of proved) {
      const bound = await boundOf(input);
      assert.ok(bound.optimal);
      assert.ok(bound.combined <= optimum, `bound ${bound.combined} above the optimum ${optimum}`);
      assert.ok(bound.combined >= bound.alone);
    }
    for (const index of [13, 17]) {
      const input = generateScenario(2026, index).input;
      const bound = await boundOf(input);
      const planner = plannerWt(input);
      assert.ok(
        bound.combined <= planner,
        `s${index}: bound ${bound.combined} above the planner's ${planner}`,
      );
      // Overloaded: the work spread over the week sees what the tasks alone do not.
      assert.ok(bound.combined > bound.alone, `s${index}: ${bound.combined} vs ${bound.alone}`);
    }
  });
});
