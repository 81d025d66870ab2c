/** The search's lateness-targeted moves and the late-task lower bound the benchmarks report. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildPlanModel,
  evaluatePlan,
  lateTaskLowerBound,
  parsePlanInput,
  planEdfBaseline,
  planSchedule,
  solveExact,
  toPlanOutput,
} from "../../../engine/scheduling/index.ts";
import { decode } from "../../../engine/scheduling/solver/decoder.ts";
import { blockingMoves } from "../../../engine/scheduling/solver/heuristic.ts";
import { generateScenario } from "../../bench/planner/generator.ts";
import { generateIndependentScenario } from "../../bench/planner/independent-generator.ts";
import { scenario, task } from "./fixtures.ts";

describe("lateness-targeted moves", () => {
  it("puts a late urgent task ahead of the less urgent work that took its time, and pushes that work later", async () => {
    // Monday 09:00–17:00 Berlin; "long" (4 h, due Friday) taken first leaves "urgent" (1 h, due 11:00) late.
    const input = scenario({
      tasks: [
        task("long", 240, { due: "2026-03-06T16:00:00Z", priority: 3 }),
        task("urgent", 60, { due: "2026-03-02T10:00:00Z", priority: 1 }),
      ],
    });
    const model = buildPlanModel(parsePlanInput(input));
    const modes = new Uint8Array(2);
    const plan = decode(model, [0, 1], modes);
    assert.ok(plan.cost.lateTasks === 1 && plan.cost.weightedTardiness > 0, "the starting order is not late");
    const moves = blockingMoves(model, { plan, sequence: [0, 1], modes, evaluations: 1 }, 1, new Set());
    assert.deepEqual(moves[0], [1, 0], "the late task goes right before the blocking one");
    assert.deepEqual(moves[1], [1, 0], "the blocking task goes right after the late one");
    for (const move of moves) assert.equal(decode(model, move, modes).cost.weightedTardiness, 0);
    // The planner reaches HiGHS's proven optimum of 0 on it.
    const exact = await solveExact(input, { timeLimitSeconds: 20 });
    assert.ok(exact.optimal && exact.mode === "milp");
    assert.equal(exact.lowerBound, 0);
    assert.equal(planSchedule(input).metrics.weightedTardiness, 0);
  });
});

describe("late-task lower bound (Moore–Hodgson on the work curve)", () => {
  it("finds that one of three Monday tasks must be late, as HiGHS proves", async () => {
    // 8 h of Monday (09:00–17:00 Berlin): 4 h due 13:30, then 2 h due 14:00 and 2 h due 15:00. All three cannot
    // fit; dropping the long one puts the two others on time.
    const input = scenario({
      tasks: [
        task("a", 240, { due: "2026-03-02T12:30:00Z" }),
        task("b", 120, { due: "2026-03-02T13:00:00Z" }),
        task("c", 120, { due: "2026-03-02T14:00:00Z" }),
      ],
    });
    const model = buildPlanModel(parsePlanInput(input));
    assert.equal(lateTaskLowerBound(model), 1);
    const exact = await solveExact(input, { timeLimitSeconds: 20, objective: "lateTasks" });
    assert.ok(exact.optimal);
    assert.equal(exact.lowerBound, 1);
    assert.ok(planSchedule(input).metrics.lateTasks >= 1);
  });

  it("never exceeds the late tasks of the planner or of EDF on either suite", () => {
    const scenarios = [
      ...[0, 4, 13, 17].map((i) => generateScenario(2026, i)),
      ...[0, 6, 16, 25].map((i) => generateIndependentScenario(77, i)),
    ];
    let bounded = 0;
    for (const { name, input } of scenarios) {
      const model = buildPlanModel(parsePlanInput(input));
      const bound = lateTaskLowerBound(model);
      const edf = evaluatePlan(model.input, toPlanOutput(model, planEdfBaseline(model), 0).blocks);
      const plan = planSchedule(input);
      assert.ok(
        bound <= plan.metrics.lateTasks,
        `${name}: bound ${bound} > planner ${plan.metrics.lateTasks}`,
      );
      assert.ok(bound <= edf.lateTasks, `${name}: bound ${bound} > EDF ${edf.lateTasks}`);
      if (bound > 0) bounded++;
    }
    assert.ok(bounded >= 4, "the bound proved nothing on these overloaded scenarios");
  });
});
