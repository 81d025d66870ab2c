/** Fewer late tasks at no cost in weighted tardiness: the search's objective and its rescue moves. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildPlanModel,
  evaluatePlan,
  parsePlanInput,
  planEdfBaseline,
  planSchedule,
  toPlanOutput,
} from "../../../engine/scheduling/index.ts";
import { decode, type PlanCost } from "../../../engine/scheduling/solver/decoder.ts";
import { planObjective } from "../../../engine/scheduling/solver/plan-objective.ts";
import { rescueLateTasks } from "../../../engine/scheduling/solver/rescue.ts";
import { generateScenario } from "../../bench/planner/generator.ts";
import { generateIndependentScenario } from "../../bench/planner/independent-generator.ts";
import { assertValid, scenario, task } from "./fixtures.ts";

const cost = (weightedTardiness: number, lateTasks: number): PlanCost => ({
  weightedTardiness,
  lateTasks,
  weightedUnscheduled: 0,
  secondary: 0,
  weightedCompletion: 0,
});

describe("the search's objective", () => {
  it("trades a little tardiness for a task on time, but never above the EDF plan's tardiness", () => {
    const compare = planObjective(cost(1000, 5), 50);
    assert.equal(compare(cost(530, 2), cost(500, 3)), -1, "30 more minutes buy one task on time at price 50");
    assert.equal(compare(cost(570, 2), cost(500, 3)), 1, "70 more minutes do not");
    assert.equal(
      compare(cost(1000, 9), cost(1001, 0)),
      -1,
      "over the EDF bar loses, whatever its late tasks",
    );
    assert.equal(compare(cost(1200, 0), cost(1100, 9)), 1, "further over the bar loses to less far over it");
    assert.equal(compare(cost(500, 3), cost(500, 3)), 0);
  });
});

describe("rescue moves", () => {
  it("puts two urgent tasks on time that a long, light task ahead of them made late", () => {
    // Monday 09:00–17:00 Berlin. In EDF order the light 4-hour task (due 13:30 local) leaves both urgent 2-hour
    // ones late; rescuing the cheapest late task first, then the other, leaves only the light one late.
    const input = scenario({
      tasks: [
        task("light", 240, { due: "2026-03-02T12:30:00Z", priority: 4 }),
        task("b", 120, { due: "2026-03-02T13:00:00Z", priority: 1 }),
        task("c", 120, { due: "2026-03-02T14:00:00Z", priority: 1 }),
      ],
    });
    const model = buildPlanModel(parsePlanInput(input));
    const modes = new Uint8Array(3);
    const start = decode(model, [0, 1, 2], modes);
    assert.equal(start.cost.lateTasks, 2, "the EDF order leaves both urgent tasks late");
    const edf = planEdfBaseline(model).cost;
    const rescued = rescueLateTasks(
      model,
      { plan: start, sequence: [0, 1, 2], modes },
      [],
      planObjective(edf, 0),
      20,
    );
    assert.equal(rescued.plan.cost.lateTasks, 1);
    assert.ok(rescued.plan.cost.weightedTardiness < start.cost.weightedTardiness);
    assert.equal(rescued.sequence.at(-1), 0, "the light task goes last");
    assert.ok(rescued.evaluations <= 20);
    assert.equal(planSchedule(input).metrics.lateTasks, 1);
  });

  it("leaves no more late tasks than EDF on sampled overloaded scenarios, with no more tardiness", () => {
    const scenarios = [
      ...[0, 13, 26].map((i) => generateScenario(2026, i)),
      ...[8, 15, 32].map((i) => generateIndependentScenario(77, i)),
    ];
    let planLate = 0;
    let edfLate = 0;
    for (const { name, input } of scenarios) {
      const parsed = parsePlanInput(input);
      const model = buildPlanModel(parsed);
      const plan = assertValid(input, planSchedule(input));
      const edf = evaluatePlan(parsed, toPlanOutput(model, planEdfBaseline(model), 0).blocks);
      assert.ok(
        plan.metrics.weightedTardiness <= edf.weightedTardiness + 1e-6,
        `${name}: more tardiness than EDF`,
      );
      planLate += plan.metrics.lateTasks;
      edfLate += edf.lateTasks;
    }
    assert.ok(planLate < edfLate, `planner ${planLate} late tasks, EDF ${edfLate}`);
  });
});
