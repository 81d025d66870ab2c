/** `cairn plan` with habits and a weekly focus goal: a spawned CLI, JSON in, JSON out, exit codes. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { checkHardRules, type PlanInputRaw } from "../../engine/scheduling/index.ts";
import { ScheduleOutput } from "../../engine/scheduling/routines/routines.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cairn-plan-habits-"));
const nineToFive = [{ start: "09:00", end: "17:00" }];

const scenario: PlanInputRaw = {
  person: {
    timezone: "Europe/Berlin",
    workingHours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
    preferences: { maxFocusMinutesPerDay: 300, focusGoalMinutesPerWeek: 720 },
  },
  now: "2026-03-02T06:00:00Z",
  horizon: { start: "2026-03-02T00:00:00+01:00", end: "2026-03-09T00:00:00+01:00" },
  busy: [{ id: "e1", title: "All hands", start: "2026-03-03T10:30:00Z", end: "2026-03-03T13:00:00Z" }],
  tasks: [{ id: "t1", title: "Draft Q3 report", estimateMinutes: 240, due: "2026-03-05T16:00:00Z" }],
  habits: [
    {
      id: "lunch",
      title: "Lunch",
      days: ["mon", "tue", "wed", "thu", "fri"],
      window: { start: "12:00", end: "14:00" },
      minMinutes: 30,
      maxMinutes: 60,
      priority: 2,
    },
    {
      id: "gym",
      title: "Exercise",
      days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
      window: { start: "07:00", end: "09:00" },
      minMinutes: 45,
      maxMinutes: 45,
      timesPerWeek: 3,
      priority: 3,
    },
  ],
};

function cairn(args: string[], input?: string) {
  return spawnSync(process.execPath, [join(root, "bin/cairn.js"), ...args], {
    cwd: dir,
    input,
    encoding: "utf8",
    env: { ...process.env, CAIRN_DATA_DIR: join(dir, "data") },
    timeout: 60_000,
  });
}

describe("cairn plan with habits and a focus goal (spawned CLI)", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("places habit blocks with habitId, reserves focus toward the goal, and explains what did not fit", () => {
    const run = cairn(["plan", "--input", "-"], JSON.stringify(scenario));
    assert.equal(run.status, 0, run.stderr);
    const output = ScheduleOutput.parse(JSON.parse(run.stdout));
    assert.deepEqual(checkHardRules(scenario, output), []);

    const lunches = output.blocks.filter((b) => b.kind === "habit" && b.habitId === "lunch");
    // Tuesday's all-hands (11:30-14:00 local, plus its buffer) leaves no lunch gap: four lunches and one miss.
    assert.equal(lunches.length, 4);
    const misses = output.unscheduled.filter((u) => "habitId" in u && u.habitId === "lunch");
    assert.equal(misses.length, 1);
    assert.match(misses[0]?.reason ?? "", /Tue 3 Mar: meetings/);
    // The gym window lies before working hours (not flagged outsideWorkingHours): it is never placed, and the
    // reason says so rather than blaming meetings.
    assert.equal(output.blocks.filter((b) => b.kind === "habit" && b.habitId === "gym").length, 0);
    const gym = output.unscheduled.filter((u) => "habitId" in u && u.habitId === "gym");
    assert.equal(gym.length, 3);
    assert.ok(gym.every((u) => /no working hours fall in its 07:00–09:00 window/.test(u.reason)));

    const focus = output.blocks.filter((b) => b.kind === "focus");
    assert.ok(focus.length > 0);
    assert.ok(focus.every((b) => !("taskId" in b)));
    assert.deepEqual(output.metrics.focusGoal, { targetMinutes: 720, plannedMinutes: 720 });
    assert.ok(output.blocks.filter((b) => b.kind === "task").every((b) => b.taskId === "t1"));
  });

  it("exits 2 naming the bad habit field", () => {
    const bad = {
      ...scenario,
      habits: [scenario.habits?.[0], { ...scenario.habits?.[1], window: { start: "09:00", end: "07:00" } }],
    };
    const path = join(dir, "bad.json");
    writeFileSync(path, JSON.stringify(bad));
    const run = cairn(["plan", "--input", path]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /habits\[1\]\.window\.end: 07:00 is not after start 09:00/);
    const badDay = cairn(
      ["plan", "--input", "-"],
      JSON.stringify({ ...scenario, habits: [{ ...scenario.habits?.[0], days: ["someday"] }] }),
    );
    assert.equal(badDay.status, 2);
    assert.match(badDay.stderr, /habits\[0\]\.days\[0\]/);
  });
});
