/** Each unscheduled or late reason names the constraint that actually bound the task, never a generic list. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type PlanInputRaw, planSchedule } from "../../../engine/scheduling/index.ts";
import { generateIndependentScenario } from "../../bench/planner/independent-generator.ts";
import { assertValid, blocksOf, scenario, task } from "./fixtures.ts";

const MONDAY = { start: "2026-03-02T00:00:00+01:00", end: "2026-03-03T00:00:00+01:00" };
const GENERIC = /around meetings, your daily focus cap and more urgent work/;

function reasonFor(input: PlanInputRaw, taskId: string): string {
  const out = assertValid(input, planSchedule(input));
  const reason = out.unscheduled.find((u) => u.taskId === taskId)?.reason ?? "";
  assert.doesNotMatch(reason, GENERIC);
  return reason;
}

describe("honest reasons", () => {
  it("a Sunday without working hours says so, not meetings or the cap", () => {
    const input = scenario({
      now: "2026-03-07T20:00:00Z",
      horizon: { start: "2026-03-08T00:00:00+01:00", end: "2026-03-09T00:00:00+01:00" },
      tasks: [task("a", 60)],
    });
    assert.equal(
      reasonFor(input, "a"),
      "No time was left for it before Sun 8 Mar: there are no working hours in that time.",
    );
  });

  it("names the daily focus cap when free time is left but the cap is reached", () => {
    const input = scenario({
      horizon: MONDAY,
      person: { timezone: "Europe/Berlin", preferences: { maxFocusMinutesPerDay: 90 } },
      tasks: [task("a", 240)],
    });
    assert.equal(
      reasonFor(input, "a"),
      "Only 90 of 240 minutes fit before Mon 2 Mar: your daily focus cap of 90 minutes is reached on every day with free time.",
    );
  });

  it("names meetings when they cover the working hours", () => {
    const input = scenario({
      horizon: MONDAY,
      busy: [{ id: "m", title: "Offsite", start: "2026-03-02T08:00:00Z", end: "2026-03-02T16:00:00Z" }],
      tasks: [task("a", 60)],
    });
    assert.match(
      reasonFor(input, "a"),
      /: meetings \(with their 10-minute buffers\) fill your working hours\.$/,
    );
  });

  it("names the more urgent work that took the time", () => {
    const input = scenario({
      horizon: MONDAY,
      tasks: [
        task("deck", 480, { title: "Board deck", priority: 1, due: "2026-03-02T16:00:00Z" }),
        task("b", 60),
      ],
    });
    assert.equal(
      reasonFor(input, "b"),
      "No time was left for it before Mon 2 Mar: more urgent work fills the free time (“Board deck”).",
    );
  });

  it("names the earliest start when it leaves too little of the day", () => {
    const input = scenario({
      horizon: MONDAY,
      tasks: [task("a", 60, { earliestStart: "2026-03-02T16:30:00+01:00" })],
    });
    assert.equal(
      reasonFor(input, "a"),
      "Only 30 of 60 minutes fit before Mon 2 Mar: it may not start before Mon 2 Mar 16:30, and no more working hours are left after that.",
    );
  });

  it("names a prerequisite that is not done", () => {
    const input = scenario({
      horizon: MONDAY,
      tasks: [task("big", 600, { title: "Migrate billing" }), task("after", 30, { dependsOn: ["big"] })],
    });
    assert.match(reasonFor(input, "after"), /^It waits for “Migrate billing”/);
  });

  it("names short stretches between meetings for an unsplittable task", () => {
    const busy = [9, 11, 13, 15].map((h, i) => ({
      id: `m${i}`,
      title: "Call",
      start: `2026-03-02T${String(h - 1).padStart(2, "0")}:00:00Z`,
      end: `2026-03-02T${String(h - 1).padStart(2, "0")}:30:00Z`,
    }));
    const input = scenario({ horizon: MONDAY, busy, tasks: [task("a", 120, { splittable: false })] });
    assert.match(
      reasonFor(input, "a"),
      /^No free stretch of 120 uninterrupted minutes was left before Mon 2 Mar: the free stretches left are at most \d+ minutes, too short for a block\.$/,
    );
  });

  it("explains a late block by what filled the time before its deadline", () => {
    const input = scenario({
      person: { timezone: "Europe/Berlin", preferences: { maxFocusMinutesPerDay: 60 } },
      tasks: [task("a", 180, { due: "2026-03-03T17:00:00+01:00" })],
    });
    const out = assertValid(input, planSchedule(input));
    const last = blocksOf(out, "a").at(-1);
    assert.match(
      last?.reason ?? "",
      /after its Tue 3 Mar deadline \(before then your daily focus cap of 60 minutes is reached on every day with free time\)/,
    );
  });
});

describe("effective preferences", () => {
  it("prints the documented defaults in metrics when preferences are absent", () => {
    const input = scenario({
      person: { timezone: "Europe/Berlin", workingHours: null, preferences: null, energy: null },
      tasks: [task("a", 30)],
    });
    const out = planSchedule(input);
    const nineToFive = [{ start: "09:00", end: "17:00" }];
    assert.deepEqual(out.metrics.preferences, {
      minBlockMinutes: 30,
      maxBlockMinutes: 120,
      bufferMinutes: 10,
      maxFocusMinutesPerDay: 300,
      workingHours: {
        mon: nineToFive,
        tue: nineToFive,
        wed: nineToFive,
        thu: nineToFive,
        fri: nineToFive,
        sat: [],
        sun: [],
      },
      peakHours: [[9, 12]],
    });
  });
});

describe("honest reasons on generated scenarios", () => {
  it("'more urgent work' names only tasks due earlier (or as due and more important) than the one explained", () => {
    let checked = 0;
    for (let i = 0; i < 12; i++) {
      const { input } = generateIndependentScenario(77, i);
      const out = planSchedule(input);
      const byTitle = new Map<string, PlanInputRaw["tasks"][number][]>();
      for (const t of input.tasks) byTitle.set(t.title ?? t.id, [...(byTitle.get(t.title ?? t.id) ?? []), t]);
      const byId = new Map(input.tasks.map((t) => [t.id, t]));
      const explained = [
        ...out.blocks.flatMap((b) => (b.taskId ? [{ taskId: b.taskId, reason: b.reason }] : [])),
        ...out.unscheduled.map((u) => ({ taskId: u.taskId, reason: u.reason })),
      ];
      for (const { taskId, reason } of explained) {
        const named = /more urgent work fills the free time \(([^)]*)\)/.exec(reason)?.[1];
        const task = byId.get(taskId);
        if (named === undefined || task === undefined) continue;
        for (const [, title] of named.matchAll(/“([^”]+)”/g)) {
          const others = byTitle.get(title ?? "") ?? [];
          if (others.length !== 1) continue;
          const other = others[0] as PlanInputRaw["tasks"][number];
          const due = (t: typeof task) => (t.due ? Date.parse(t.due) : Number.POSITIVE_INFINITY);
          const moreUrgent =
            due(other) < due(task) ||
            (due(other) === due(task) && (other.priority ?? 3) < (task.priority ?? 3));
          assert.ok(moreUrgent, `${taskId}: “${title}” is named as more urgent in “${reason}”`);
          checked++;
        }
      }
    }
    assert.ok(checked > 0, "the scenarios contain 'more urgent work' reasons to check");
  });
});
