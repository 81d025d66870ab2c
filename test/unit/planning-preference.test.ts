/** The learned slot-preference hook in the pure planner: never breaks a hard rule, never makes work later. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import { checkHardRules, planSchedule, type SlotPreference } from "../../engine/scheduling/index.ts";
import { generateScenarios } from "../bench/planner/generator.ts";

/** A person who likes afternoons: score rises with the local start hour. */
function afternoonLover(zone: string): SlotPreference {
  return (_task, startMs) => DateTime.fromMillis(startMs, { zone }).hour / 24;
}

describe("planner slot preference", () => {
  const scenarios = generateScenarios(30, 4242);

  it("keeps every hard rule and never increases tardiness or late tasks on the generated suite", () => {
    let moved = 0;
    for (const scenario of scenarios) {
      const zone = scenario.input.person.timezone;
      const plain = planSchedule(scenario.input, { maxEvaluations: 150, timeLimitMs: 60_000 });
      const learned = planSchedule(scenario.input, {
        maxEvaluations: 150,
        timeLimitMs: 60_000,
        slotPreference: afternoonLover(zone),
      });
      assert.deepEqual(checkHardRules(scenario.input, learned), [], scenario.name);
      assert.ok(
        learned.metrics.weightedTardiness <= plain.metrics.weightedTardiness + 1e-6,
        `${scenario.name}: ${learned.metrics.weightedTardiness} > ${plain.metrics.weightedTardiness}`,
      );
      assert.ok(learned.metrics.lateTasks <= plain.metrics.lateTasks, scenario.name);
      assert.equal(learned.metrics.unscheduledMinutes, plain.metrics.unscheduledMinutes, scenario.name);
      moved += learned.blocks.filter((b) => b.reason.includes("tend to keep")).length;
    }
    assert.ok(moved > 0, "the preference moved no block at all");
  });

  it("moves blocks towards preferred times when deadlines allow", () => {
    const input = {
      person: { timezone: "Europe/Berlin", workingHours: null, preferences: null, energy: null },
      now: "2026-03-02T07:00:00Z",
      horizon: { start: "2026-03-02T00:00:00Z", end: "2026-03-07T00:00:00Z" },
      tasks: [
        { id: "a", estimateMinutes: 60 },
        { id: "b", estimateMinutes: 60, due: "2026-03-06T16:00:00Z" },
      ],
    };
    const plain = planSchedule(input);
    const learned = planSchedule(input, { slotPreference: afternoonLover("Europe/Berlin") });
    const hour = (iso: string) => DateTime.fromISO(iso, { zone: "Europe/Berlin" }).hour;
    const mean = (blocks: { start: string }[]) =>
      blocks.reduce((s, b) => s + hour(b.start), 0) / blocks.length;
    assert.ok(
      mean(learned.blocks) > mean(plain.blocks) + 2,
      `${mean(learned.blocks)} vs ${mean(plain.blocks)}`,
    );
    assert.deepEqual(checkHardRules(input, learned), []);
    assert.equal(learned.metrics.lateTasks, 0);
  });

  it("leaves the plan unchanged without a preference", () => {
    const scenario = scenarios[0];
    assert.ok(scenario);
    const a = planSchedule(scenario.input, { maxEvaluations: 100, timeLimitMs: 10_000 });
    const b = planSchedule(scenario.input, { maxEvaluations: 100, timeLimitMs: 10_000 });
    assert.deepEqual(a.blocks, b.blocks);
  });
});
