/** Habits and the weekly focus goal around the task planner: placement, shrinking, yielding, honest reasons. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkHardRules, PlanInputError, type PlanInputRaw } from "../../../engine/scheduling/index.ts";
import { planWithRoutines, ScheduleOutput } from "../../../engine/scheduling/routines/routines.ts";
import { generateScenarios } from "../../bench/planner/generator.ts";
import { minutes, scenario, task } from "./fixtures.ts";

type Habit = NonNullable<PlanInputRaw["habits"]>[number];

const lunch = (extra: Partial<Habit> = {}): Habit => ({
  id: "lunch",
  title: "Lunch",
  days: ["mon", "tue", "wed", "thu", "fri"],
  window: { start: "12:00", end: "14:00" },
  minMinutes: 30,
  maxMinutes: 60,
  ...extra,
});

function plan(input: PlanInputRaw) {
  const output = ScheduleOutput.parse(planWithRoutines(input));
  const violations = checkHardRules(input, output);
  assert.deepEqual(violations, [], violations.map((v) => `${v.rule}: ${v.message}`).join("\n"));
  return output;
}

const habitBlocks = (output: ScheduleOutput, id: string) =>
  output.blocks.filter((b) => b.kind === "habit" && b.habitId === id);
const habitMisses = (output: ScheduleOutput, id: string) =>
  output.unscheduled.filter((u) => "habitId" in u && u.habitId === id);
const localTime = (iso: string) =>
  new Date(iso).toLocaleTimeString("en-GB", {
    timeZone: "Europe/Berlin",
    hour: "2-digit",
    minute: "2-digit",
  });
const localDay = (iso: string) =>
  new Date(iso).toLocaleDateString("en-GB", { timeZone: "Europe/Berlin", weekday: "short" });

describe("habits in the plan", () => {
  it("places a daily habit in its window on each listed day, as blocks with habitId and no taskId", () => {
    const output = plan(scenario({ habits: [lunch()], tasks: [task("a", 600)] }));
    const blocks = habitBlocks(output, "lunch");
    assert.equal(blocks.length, 5);
    for (const block of blocks) {
      assert.equal(minutes(block), 60);
      assert.equal(localTime(block.start), "12:00");
      assert.equal("taskId" in block, false);
      assert.match(block.reason, /Lunch/);
    }
    // Work goes around the habit; habit minutes are reported apart from focus minutes.
    assert.equal(output.metrics.scheduledMinutes, 600);
    assert.equal(output.metrics.habitMinutes, 300);
    assert.ok(output.blocks.filter((b) => b.kind === "task").length > 0);
  });

  it("takes at most timesPerWeek of the listed days, spread over the week", () => {
    const output = plan(
      scenario({
        habits: [
          {
            id: "gym",
            title: "Exercise",
            days: ["mon", "tue", "wed", "thu", "fri"],
            window: { start: "07:00", end: "09:00" },
            minMinutes: 45,
            maxMinutes: 45,
            timesPerWeek: 3,
            outsideWorkingHours: true,
          },
        ],
      }),
    );
    const blocks = habitBlocks(output, "gym");
    assert.deepEqual(
      blocks.map((b) => localDay(b.start)),
      ["Mon", "Wed", "Fri"],
    );
    assert.equal(habitMisses(output, "gym").length, 0);
  });

  it("stays inside working hours unless flagged, and says so when a listed day has none", () => {
    const sat = lunch({ days: ["sat"] });
    const inside = plan(scenario({ habits: [sat] }));
    assert.equal(habitBlocks(inside, "lunch").length, 0);
    const [miss] = habitMisses(inside, "lunch");
    assert.ok(miss);
    assert.equal(miss.reason.includes("no working hours"), true, miss.reason);
    assert.doesNotMatch(miss.reason, /meeting/);

    const flagged = plan(scenario({ habits: [{ ...sat, outsideWorkingHours: true }] }));
    assert.equal(habitBlocks(flagged, "lunch").length, 1);
    assert.equal(habitMisses(flagged, "lunch").length, 0);
  });

  it("shrinks toward minMinutes around a meeting, and names meetings when none of the window is left", () => {
    const output = plan(
      scenario({
        habits: [lunch({ days: ["mon", "tue"] })],
        busy: [
          // Monday 12:00-13:10 local: with the 10-minute buffer, 13:20-14:00 is left (40 minutes).
          { id: "m1", title: "Client call", start: "2026-03-02T11:00:00Z", end: "2026-03-02T12:10:00Z" },
          // Tuesday: the whole window.
          { id: "m2", title: "Offsite", start: "2026-03-03T10:00:00Z", end: "2026-03-03T14:00:00Z" },
        ],
      }),
    );
    const [monday] = habitBlocks(output, "lunch");
    assert.ok(monday);
    assert.equal(localTime(monday.start), "13:20");
    assert.equal(minutes(monday), 40);
    assert.match(monday.reason, /shortened to 40 of 60 minutes/);
    const [tuesday] = habitMisses(output, "lunch");
    assert.ok(tuesday && "date" in tuesday);
    assert.equal(tuesday.date, "2026-03-03");
    assert.match(tuesday.reason, /meetings \(with 10-minute buffers\) leave no 30-minute gap/);
  });

  it("counts a kept habit block (busy id habit:<id>:...) as that day's occurrence", () => {
    const output = plan(
      scenario({
        habits: [lunch({ days: ["mon", "tue"] })],
        busy: [
          {
            id: "habit:lunch:b1",
            title: "Lunch",
            start: "2026-03-02T11:30:00Z",
            end: "2026-03-02T12:15:00Z",
          },
        ],
      }),
    );
    assert.deepEqual(
      habitBlocks(output, "lunch").map((b) => localDay(b.start)),
      ["Tue"],
    );
    assert.equal(habitMisses(output, "lunch").length, 0);
  });

  it("does not count habit time toward the daily focus cap", () => {
    const base = scenario({
      now: "2026-03-02T07:00:00Z",
      horizon: { start: "2026-03-02T00:00:00+01:00", end: "2026-03-03T00:00:00+01:00" },
      habits: [lunch()],
      tasks: [task("a", 60)],
    });
    base.person.preferences = {
      minBlockMinutes: 30,
      maxBlockMinutes: 120,
      bufferMinutes: 10,
      maxFocusMinutesPerDay: 60,
    };
    const output = plan(base);
    assert.equal(habitBlocks(output, "lunch").length, 1);
    assert.equal(output.metrics.scheduledMinutes, 60);
  });
});

describe("habits against deadlines", () => {
  // Monday only, 09:00-17:00 (480 minutes) and a task that needs nearly all of it by 17:00.
  const tight = (estimate: number, priority: number): PlanInputRaw =>
    scenario({
      horizon: { start: "2026-03-02T00:00:00+01:00", end: "2026-03-03T00:00:00+01:00" },
      habits: [lunch({ days: ["mon"] })],
      tasks: [task("a", estimate, { title: "Board deck", due: "2026-03-02T16:00:00Z", priority })],
    });

  it("gives way to a deadline of the same or higher priority that it would otherwise make late", () => {
    const output = plan(tight(440, 2));
    assert.equal(output.metrics.lateTasks, 0);
    assert.equal(habitBlocks(output, "lunch").length, 0);
    const [miss] = habitMisses(output, "lunch");
    assert.ok(miss);
    assert.match(
      miss.reason,
      /gave way to “Board deck” \(priority 2, due Mon 2 Mar 17:00\), which would otherwise be late/,
    );
  });

  it("shrinks to minMinutes first when that is enough", () => {
    const output = plan(tight(405, 3));
    assert.equal(output.metrics.lateTasks, 0);
    const [block] = habitBlocks(output, "lunch");
    assert.ok(block, JSON.stringify(output.unscheduled));
    assert.equal(minutes(block), 30);
    assert.match(block.reason, /shortened to 30 minutes so “Board deck”/);
  });

  it("holds against ordinary work: a lower-priority task stays late", () => {
    const output = plan(tight(440, 4));
    assert.equal(habitBlocks(output, "lunch").length, 1);
    assert.equal(minutes(habitBlocks(output, "lunch")[0] as { start: string; end: string }), 60);
    assert.equal(output.metrics.lateTasks, 1);
  });
});

describe("the weekly focus goal", () => {
  it("adds no focus blocks without a goal", () => {
    const output = plan(scenario({ tasks: [task("a", 120)] }));
    assert.equal(output.blocks.filter((b) => b.kind === "focus").length, 0);
    assert.equal(output.metrics.focusGoal, undefined);
    assert.ok(output.blocks.every((b) => b.kind === "task"));
  });

  it("reserves unassigned focus time toward the goal, peak hours first, within the hard rules", () => {
    const input = scenario({ tasks: [task("a", 120)], habits: [lunch()] });
    input.person.preferences = {
      minBlockMinutes: 30,
      maxBlockMinutes: 120,
      bufferMinutes: 10,
      maxFocusMinutesPerDay: 240,
      focusGoalMinutesPerWeek: 600,
    };
    const output = plan(input);
    const focus = output.blocks.filter((b) => b.kind === "focus");
    const reserved = focus.reduce((sum, b) => sum + minutes(b), 0);
    assert.equal(reserved, 480);
    assert.ok(focus.every((b) => !("taskId" in b)));
    assert.ok(focus.every((b) => minutes(b) >= 30 && minutes(b) <= 120));
    assert.equal(localTime((focus[0] as { start: string }).start), "09:00");
    assert.match((focus[0] as { reason: string }).reason, /weekly goal of 10 h: tasks fill 2 h/);
    assert.deepEqual(output.metrics.focusGoal, { targetMinutes: 600, plannedMinutes: 600 });
  });
});

describe("habit input errors name the item", () => {
  const cases: Array<[Partial<Habit>, RegExp]> = [
    [
      { window: { start: "14:00", end: "12:00" } },
      /^habits\[1\]\.window\.end: 12:00 is not after start 14:00/,
    ],
    [{ minMinutes: 60, maxMinutes: 30 }, /^habits\[1\]\.maxMinutes: 30 is smaller than minMinutes 60/],
    [
      { days: ["mon", "tue"], timesPerWeek: 3 },
      /^habits\[1\]\.timesPerWeek: 3 is more than the 2 listed days/,
    ],
    [{ days: ["monday" as "mon"] }, /^habits\[1\]\.days\[0\]/],
    [{ minMinutes: 180, maxMinutes: 180 }, /^habits\[1\]\.minMinutes: 180 minutes do not fit/],
  ];
  for (const [change, expected] of cases) {
    it(`rejects ${JSON.stringify(change)}`, () => {
      assert.throws(
        () => planWithRoutines(scenario({ habits: [lunch({ id: "ok" }), lunch(change)] })),
        (error: unknown) => error instanceof PlanInputError && expected.test(error.message),
      );
    });
  }
});

describe("the checker covers habit and focus blocks", () => {
  it("flags a habit outside its window, an unknown habit and focus without a goal", () => {
    const input = scenario({ habits: [lunch()] });
    const violations = checkHardRules(input, {
      blocks: [
        { kind: "habit", habitId: "lunch", start: "2026-03-02T09:00:00Z", end: "2026-03-02T10:00:00Z" },
        { kind: "habit", habitId: "nope", start: "2026-03-03T11:00:00Z", end: "2026-03-03T12:00:00Z" },
        { kind: "focus", start: "2026-03-04T08:00:00Z", end: "2026-03-04T09:00:00Z" },
      ],
    });
    const rules = violations.map((v) => v.rule);
    assert.ok(rules.includes("habit-window"));
    assert.ok(rules.includes("unknown-habit"));
    assert.ok(rules.includes("focus-without-goal"));
  });
});

describe("generated scenarios with habits and a focus goal", () => {
  for (const { name, input } of generateScenarios(4, 11)) {
    it(`${name}: no hard-rule violations`, () => {
      const withRoutines: PlanInputRaw = {
        ...input,
        person: {
          ...input.person,
          preferences: { ...input.person.preferences, focusGoalMinutesPerWeek: 900 },
        },
        habits: [
          lunch(),
          {
            id: "walk",
            title: "Walk",
            days: ["mon", "wed", "fri", "sat"],
            window: { start: "16:00", end: "18:00" },
            minMinutes: 20,
            maxMinutes: 40,
            timesPerWeek: 2,
            priority: 1,
          },
        ],
      };
      const output = plan(withRoutines);
      assert.ok(output.blocks.every((b) => b.reason.length > 10));
      assert.ok(output.unscheduled.every((u) => u.reason.length > 10));
    });
  }
});
