import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildPlanModel,
  checkHardRules,
  parsePlanInput,
  planDay,
  planEdfBaseline,
  planSchedule,
  planWeek,
  toPlanOutput,
} from "../../../engine/scheduling/index.ts";
import { generateScenarios } from "../../bench/planner/generator.ts";
import { assertValid, scenario, task } from "./fixtures.ts";

const MONDAY = "2026-03-02";

describe("checkHardRules catches broken plans", () => {
  const input = scenario({
    person: {
      timezone: "Europe/Berlin",
      preferences: {
        minBlockMinutes: 30,
        maxBlockMinutes: 90,
        bufferMinutes: 10,
        maxFocusMinutesPerDay: 120,
      },
    },
    busy: [{ id: "m1", title: "Sync", start: `${MONDAY}T10:00:00Z`, end: `${MONDAY}T10:30:00Z` }],
    tasks: [
      task("a", 60),
      task("b", 60, { dependsOn: ["a"], splittable: false, earliestStart: `${MONDAY}T12:00:00Z` }),
    ],
  });
  const block = (taskId: string, start: string, end: string) => ({ taskId, start, end, reason: "" });
  const rules = (blocks: ReturnType<typeof block>[]) => checkHardRules(input, { blocks }).map((v) => v.rule);

  it("accepts a valid plan", () => {
    assert.deepEqual(
      rules([
        block("a", `${MONDAY}T08:00:00Z`, `${MONDAY}T09:00:00Z`),
        block("b", `${MONDAY}T12:00:00Z`, `${MONDAY}T13:00:00Z`),
      ]),
      [],
    );
  });
  it("flags each rule", () => {
    assert.ok(rules([block("a", `${MONDAY}T05:00:00Z`, `${MONDAY}T06:00:00Z`)]).includes("before-now"));
    assert.ok(
      rules([block("a", `${MONDAY}T06:30:00Z`, `${MONDAY}T07:30:00Z`)]).includes("outside-working-hours"),
    );
    assert.ok(rules([block("a", `${MONDAY}T09:30:00Z`, `${MONDAY}T09:55:00Z`)]).includes("block-too-short"));
    assert.ok(rules([block("a", `${MONDAY}T10:35:00Z`, `${MONDAY}T11:05:00Z`)]).includes("busy-overlap"));
    assert.ok(
      rules([
        block("a", `${MONDAY}T08:00:00Z`, `${MONDAY}T09:00:00Z`),
        block("a", `${MONDAY}T08:30:00Z`, `${MONDAY}T09:00:00Z`),
      ]).includes("block-overlap"),
    );
    assert.ok(
      rules([
        block("a", `${MONDAY}T08:00:00Z`, `${MONDAY}T09:00:00Z`),
        block("a", `${MONDAY}T11:00:00Z`, `${MONDAY}T11:30:00Z`),
      ]).includes("over-estimate"),
    );
    assert.ok(rules([block("b", `${MONDAY}T12:00:00Z`, `${MONDAY}T13:00:00Z`)]).includes("dependency"));
    assert.ok(
      rules([
        block("a", `${MONDAY}T08:00:00Z`, `${MONDAY}T09:00:00Z`),
        block("b", `${MONDAY}T11:00:00Z`, `${MONDAY}T12:00:00Z`),
      ]).includes("before-earliest-start"),
    );
    assert.ok(
      rules([
        block("a", `${MONDAY}T08:00:00Z`, `${MONDAY}T09:00:00Z`),
        block("b", `${MONDAY}T12:00:00Z`, `${MONDAY}T12:30:00Z`),
        block("b", `${MONDAY}T13:00:00Z`, `${MONDAY}T13:30:00Z`),
      ]).includes("unsplittable"),
    );
    assert.ok(
      rules([
        block("a", `${MONDAY}T07:00:00Z`, `${MONDAY}T08:00:00Z`),
        block("b", `${MONDAY}T12:00:00Z`, `${MONDAY}T13:00:00Z`),
        block("a", `${MONDAY}T14:00:00Z`, `${MONDAY}T14:00:00Z`),
      ]).includes("block-time"),
    );
    assert.ok(rules([block("z", `${MONDAY}T08:00:00Z`, `${MONDAY}T09:00:00Z`)]).includes("unknown-task"));
    const capped = scenario({ ...input, tasks: [task("a", 90), task("c", 60)] });
    const over = checkHardRules(capped, {
      blocks: [
        block("a", `${MONDAY}T08:00:00Z`, `${MONDAY}T09:30:00Z`),
        block("c", `${MONDAY}T11:00:00Z`, `${MONDAY}T12:00:00Z`),
      ],
    });
    assert.ok(over.some((v) => v.rule === "daily-cap"));
    const misreported = checkHardRules(input, {
      blocks: [],
      unscheduled: [{ taskId: "a", remainingMinutes: 10 }],
    });
    assert.ok(misreported.some((v) => v.rule === "unscheduled-report" && v.taskId === "a"));
  });
});

describe("generated scenarios", () => {
  const scenarios = generateScenarios(6, 7);
  for (const { name, input } of scenarios) {
    it(`${name}: no violations, never worse than EDF`, () => {
      const output = planSchedule(input);
      assertValid(input, output);
      const model = buildPlanModel(parsePlanInput(input));
      const edf = toPlanOutput(model, planEdfBaseline(model), performance.now());
      assertValid(input, edf);
      assert.ok(output.metrics.weightedTardiness <= edf.metrics.weightedTardiness + 1e-6);
      assert.ok(output.blocks.every((b) => b.reason.length > 10));
      assert.ok(output.unscheduled.every((u) => u.reason.length > 10));
    });
  }
});

describe("plan_day and plan_week horizons", () => {
  const input = scenario({ tasks: [task("t1", 600), task("t2", 300)] });

  it("planDay only uses that local day", () => {
    const out = assertValid(input, planDay(input, "2026-03-04"));
    assert.ok(out.blocks.length > 0);
    for (const b of out.blocks)
      assert.ok(b.start >= "2026-03-03T23:00:00Z" && b.end <= "2026-03-04T23:00:00Z", b.start);
  });

  it("planWeek covers the week from Monday, clipped to the input horizon", () => {
    const out = assertValid(input, planWeek(input, "2026-03-05"));
    assert.equal(out.metrics.scheduledMinutes, 900);
    assert.ok(out.blocks.every((b) => b.start >= "2026-03-02T06:00:00Z"));
  });
});
