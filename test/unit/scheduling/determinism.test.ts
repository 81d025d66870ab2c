/** Same input, same plan: the search is bounded by evaluations and seeded from the input, not by the clock. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import {
  buildPlanModel,
  evaluatePlan,
  type PlanOptions,
  parsePlanInput,
  planEdfBaseline,
  planSchedule,
  type SlotPreference,
  toPlanOutput,
} from "../../../engine/scheduling/index.ts";
import { generateScenario } from "../../bench/planner/generator.ts";
import { generateIndependentScenario } from "../../bench/planner/independent-generator.ts";

async function withCpuHog<T>(work: () => T): Promise<T> {
  // Two busy-looping processes keep both cores of a small machine saturated while `work` runs.
  const hogs: ChildProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const hog = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
      hogs.push(hog);
      await once(hog, "spawn");
    }
    return work();
  } finally {
    for (const hog of hogs) {
      if (hog.exitCode === null && hog.signalCode === null) {
        hog.kill("SIGKILL");
        await once(hog, "exit");
      }
    }
  }
}

describe("deterministic plans", () => {
  it("gives identical blocks and unscheduled work for one 80-task scenario, idle or under a CPU hog", async () => {
    const { input } = generateScenario(2026, 4);
    assert.equal(parsePlanInput(input).tasks.length, 80);
    const idle = planSchedule(input);
    const [first, second] = await withCpuHog(() => [planSchedule(input), planSchedule(input)]);
    assert.ok(first && second);
    for (const run of [idle, first, second]) {
      assert.equal(
        run.metrics.search?.timeLimitHit,
        undefined,
        "the safety net fired: the run was pathological",
      );
    }
    assert.deepEqual(first.blocks, idle.blocks);
    assert.deepEqual(first.unscheduled, idle.unscheduled);
    assert.deepEqual(second.blocks, idle.blocks);
    assert.deepEqual(second.unscheduled, idle.unscheduled);
    assert.equal(first.metrics.search?.evaluations, idle.metrics.search?.evaluations);
    assert.equal(second.metrics.search?.seed, idle.metrics.search?.seed);
  });

  it("gives the same plan on a much faster or much slower machine (clock at 1/100 or twice the speed)", () => {
    const { input } = generateScenario(2026, 4);
    const withClockSpeed = (factor: number) => {
      const realNow = performance.now.bind(performance);
      const origin = realNow();
      performance.now = () => origin + (realNow() - origin) * factor;
      try {
        return planSchedule(input);
      } finally {
        performance.now = realNow;
      }
    };
    const fast = withClockSpeed(0.01);
    const slow = withClockSpeed(2);
    assert.deepEqual(slow.blocks, fast.blocks);
    assert.deepEqual(slow.unscheduled, fast.unscheduled);
  });

  it("reports the wall-clock safety net in metrics when it fires", () => {
    const { input } = generateScenario(2026, 4);
    const out = planSchedule(input, { timeLimitMs: 0 });
    assert.equal(out.metrics.search?.timeLimitHit, true);
  });
});

describe("deterministic plans with a learned slot preference", () => {
  // As planning-service passes a served preference: a score per candidate slot and the learned term's weight.
  const { input } = generateScenario(2026, 4);
  const zone = input.person.timezone;
  const afternoons: SlotPreference = (_task, startMs) => DateTime.fromMillis(startMs, { zone }).hour / 24;
  const learned: PlanOptions = { slotPreference: afternoons, preferencePass: { weight: 45 } };
  const withClockSpeed = (factor: number) => {
    const realNow = performance.now.bind(performance);
    const origin = realNow();
    performance.now = () => origin + (realNow() - origin) * factor;
    try {
      // The main search's safety net is widened so that only the preference pass meets the fast clock.
      return planSchedule(input, { ...learned, timeLimitMs: 1e9 });
    } finally {
      performance.now = realNow;
    }
  };

  it("gives the same plan with the clock at 1/100 or 10 times its speed, and reports the pass's work", () => {
    const slowClock = withClockSpeed(0.01);
    const fastClock = withClockSpeed(10);
    assert.ok(
      slowClock.blocks.some((b) => b.reason.includes("tend to keep")),
      "the preference moved no block",
    );
    assert.deepEqual(fastClock.blocks, slowClock.blocks);
    assert.deepEqual(fastClock.unscheduled, slowClock.unscheduled);
    const pass = slowClock.metrics.search?.preferencePass;
    assert.ok(pass && pass.evaluations > 0 && pass.evaluations <= pass.evaluationBudget);
    assert.equal(pass.timeLimitHit, undefined);
    assert.deepEqual(fastClock.metrics.search?.preferencePass, pass);
  });

  it("gives the same plan idle and under a CPU hog", async () => {
    const idle = planSchedule(input, learned);
    const loaded = await withCpuHog(() => planSchedule(input, learned));
    assert.deepEqual(loaded.blocks, idle.blocks);
    assert.deepEqual(loaded.unscheduled, idle.unscheduled);
  });

  it("reports the pass's wall-clock safety net in metrics when it fires", () => {
    const out = planSchedule(input, { ...learned, preferencePass: { weight: 45, timeLimitMs: 0 } });
    assert.equal(out.metrics.search?.preferencePass?.timeLimitHit, true);
    assert.equal(out.metrics.search?.timeLimitHit, undefined);
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
