/** `cairn plan` as a user runs it: a spawned CLI, no database, JSON on stdout, exit codes. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { checkHardRules, type PlanInputRaw, PlanOutput } from "../../engine/scheduling/index.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cairn-plan-"));

const scenario: PlanInputRaw = {
  person: {
    timezone: "Europe/Berlin",
    workingHours: {
      mon: [
        { start: "09:00", end: "12:30" },
        { start: "13:30", end: "17:30" },
      ],
      tue: [{ start: "09:00", end: "17:00" }],
      wed: [{ start: "09:00", end: "17:00" }],
      thu: [{ start: "09:00", end: "17:00" }],
      fri: [{ start: "09:00", end: "15:00" }],
    },
    preferences: { minBlockMinutes: 30, maxBlockMinutes: 120, bufferMinutes: 10, maxFocusMinutesPerDay: 300 },
    energy: { peakHours: [[9, 12]] },
  },
  now: "2026-03-06T08:07:00Z",
  horizon: { start: "2026-03-06T00:00:00Z", end: "2026-03-20T00:00:00Z" },
  busy: [{ id: "e1", title: "Standup", start: "2026-03-06T08:30:00Z", end: "2026-03-06T08:45:00Z" }],
  tasks: [
    {
      id: "t1",
      title: "Draft Q3 report",
      estimateMinutes: 240,
      due: "2026-03-10T16:00:00Z",
      priority: 1,
      splittable: true,
      energy: "high",
    },
    { id: "t2", title: "Review", estimateMinutes: 60, dependsOn: ["t1"] },
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

describe("cairn plan (spawned CLI)", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints a plan as JSON and exits 0", () => {
    const path = join(dir, "scenario.json");
    writeFileSync(path, JSON.stringify(scenario));
    const run = cairn(["plan", "--input", path]);
    assert.equal(run.status, 0, run.stderr);
    const output = PlanOutput.parse(JSON.parse(run.stdout));
    assert.equal(output.unscheduled.length, 0);
    assert.equal(
      output.blocks
        .filter((b) => b.taskId === "t1")
        .reduce((s, b) => s + (Date.parse(b.end) - Date.parse(b.start)) / 60_000, 0),
      240,
    );
    assert.deepEqual(checkHardRules(scenario, output), []);
  });

  it("reads the scenario from stdin with -", () => {
    const run = cairn(["plan", "--input", "-"], JSON.stringify(scenario));
    assert.equal(run.status, 0, run.stderr);
    assert.ok(JSON.parse(run.stdout).blocks.length > 0);
  });

  it("exits 2 naming the bad item", () => {
    const path = join(dir, "bad.json");
    writeFileSync(
      path,
      JSON.stringify({ ...scenario, tasks: [{ id: "t1", estimateMinutes: 60, dependsOn: ["nope"] }] }),
    );
    const run = cairn(["plan", "--input", path]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /tasks\[0\]\.dependsOn/);
    assert.match(run.stderr, /"nope"/);
    const zone = join(dir, "zone.json");
    writeFileSync(
      zone,
      JSON.stringify({ ...scenario, person: { ...scenario.person, timezone: "Mars/Olympus" } }),
    );
    const badZone = cairn(["plan", "--input", zone]);
    assert.equal(badZone.status, 2);
    assert.match(badZone.stderr, /person\.timezone/);
    assert.equal(cairn(["plan"]).status, 2);
  });

  it("exits 2 on a misplaced or misspelt field instead of planning on defaults", () => {
    const { preferences, ...personWithout } = scenario.person;
    const cases: Array<{ input: unknown; field: RegExp; hint: RegExp }> = [
      {
        input: { ...scenario, person: personWithout, preferences },
        field: /^cairn plan: invalid input: preferences: unknown field/m,
        hint: /move it to person\.preferences/,
      },
      {
        input: { ...scenario, tasks: [{ id: "t1", estimateMinutes: 60, deadline: "2026-03-10T16:00:00Z" }] },
        field: /tasks\[0\]\.deadline: unknown field/,
        hint: /known fields here: id, title, estimateMinutes, due,/,
      },
      {
        input: { ...scenario, person: { ...scenario.person, preferences: { max_block_minutes: 60 } } },
        field: /person\.preferences\.max_block_minutes: unknown field/,
        hint: /did you mean "maxBlockMinutes"\?/,
      },
      {
        input: {
          ...scenario,
          habits: [
            {
              id: "h1",
              days: ["mon"],
              window: { start: "12:00", end: "14:00", timezone: "UTC" },
              minMinutes: 30,
            },
          ],
        },
        field: /habits\[0\]\.window\.timezone: unknown field/,
        hint: /known fields here: start, end/,
      },
    ];
    for (const [index, { input, field, hint }] of cases.entries()) {
      const path = join(dir, `unknown-${index}.json`);
      writeFileSync(path, JSON.stringify(input));
      const run = cairn(["plan", "--input", path]);
      assert.equal(run.status, 2, run.stderr);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, field);
      assert.match(run.stderr, hint);
    }
  });
});
