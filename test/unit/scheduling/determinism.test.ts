/** Same input, same plan: the search is bounded by evaluations and seeded from the input, not by the clock. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import {
  buildPlanModel,
  evaluatePlan,
  parsePlanInput,
  planEdfBaseline,
  planSchedule,
  toPlanOutput,
} from "../../../engine/scheduling/index.ts";
import { generateScenario } from "../../bench/planner/generator.ts";
import { generateIndependentScenario } from "../../bench/planner/independent-generator.ts";

describe("deterministic plans", () => {
  const hogs: ChildProcess[] = [];

  before(async () => {
    // Two busy-looping processes keep both cores of a small machine saturated while we plan.
    for (let i = 0; i < 2; i++) {
      const hog = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
      hogs.push(hog);
      await once(hog, "spawn");
    }
  });
  after(async () => {
    for (const hog of hogs) {
      if (hog.exitCode === null && hog.signalCode === null) {
        hog.kill("SIGKILL");
        await once(hog, "exit");
      }
    }
  });

  it("gives identical blocks and unscheduled work for one 80-task scenario planned twice under a CPU hog", () => {
    const { input } = generateScenario(2026, 4);
    assert.equal(parsePlanInput(input).tasks.length, 80);
    const first = planSchedule(input);
    const second = planSchedule(input);
    assert.deepEqual(second.blocks, first.blocks);
    assert.deepEqual(second.unscheduled, first.unscheduled);
    assert.equal(first.metrics.search?.timeLimitHit, undefined);
    assert.equal(first.metrics.search?.evaluations, second.metrics.search?.evaluations);
    assert.equal(first.metrics.search?.seed, second.metrics.search?.seed);
  });

  it("reports the wall-clock safety net in metrics when it fires", () => {
    const { input } = generateScenario(2026, 4);
    const out = planSchedule(input, { timeLimitMs: 0 });
    assert.equal(out.metrics.search?.timeLimitHit, true);
  });
});

describe("never worse than earliest-deadline-first", () => {
  it("holds on both generated suites, on weighted tardiness", () => {
    const scenarios = [
      ...[1, 6, 13, 19].map((i) => generateScenario(2026, i)),
      ...[0, 1, 2, 3].map((i) => generateIndependentScenario(77, i)),
    ];
    for (const { name, input } of scenarios) {
      const model = buildPlanModel(parsePlanInput(input));
      const edf = evaluatePlan(model.input, toPlanOutput(model, planEdfBaseline(model), 0).blocks);
      const plan = planSchedule(input);
      assert.ok(
        plan.metrics.weightedTardiness <= edf.weightedTardiness + 1e-6,
        `${name}: ${plan.metrics.weightedTardiness} > EDF ${edf.weightedTardiness}`,
      );
    }
  });
});
