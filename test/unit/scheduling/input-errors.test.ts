import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PlanInputError, type PlanInputRaw, planSchedule } from "../../../engine/scheduling/index.ts";
import { runPlanCommand } from "../../../engine/scheduling/service/plan-cli.ts";
import { scenario, task } from "./fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-plan-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function runCli(input: unknown) {
  const path = join(dir, `input-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof input === "string" ? input : JSON.stringify(input));
  let stdout = "";
  let stderr = "";
  const code = await runPlanCommand(path, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const badInputs: Array<[string, PlanInputRaw, RegExp]> = [
  [
    "unknown time zone",
    scenario({ person: { timezone: "Mars/Olympus_Mons" } }),
    /^person\.timezone: unknown time zone "Mars\/Olympus_Mons"/,
  ],
  [
    "horizon end before start",
    scenario({ horizon: { start: "2026-03-09T00:00:00Z", end: "2026-03-02T00:00:00Z" } }),
    /^horizon: end 2026-03-02T00:00:00Z is not after start/,
  ],
  [
    "busy event ending before it starts",
    scenario({
      busy: [{ id: "e1", title: "x", start: "2026-03-02T10:00:00Z", end: "2026-03-02T09:00:00Z" }],
    }),
    /^busy\[0\]: event "e1" ends/,
  ],
  [
    "working interval ending before it starts",
    scenario({
      person: { timezone: "Europe/Berlin", workingHours: { tue: [{ start: "17:00", end: "09:00" }] } },
    }),
    /^person\.workingHours\.tue\[0\]: end 09:00 is not after start 17:00/,
  ],
  [
    "missing prerequisite",
    scenario({
      tasks: [task("t1", 30), task("t2", 30), task("t3", 30), task("t4", 30, { dependsOn: ["t9"] })],
    }),
    /^tasks\[3\]\.dependsOn: task "t9" does not exist/,
  ],
  [
    "dependency cycle",
    scenario({
      tasks: [
        task("a", 30, { dependsOn: ["c"] }),
        task("b", 30, { dependsOn: ["a"] }),
        task("c", 30, { dependsOn: ["b"] }),
      ],
    }),
    /^tasks: dependency cycle a → c → b → a/,
  ],
  [
    "duplicate task id",
    scenario({ tasks: [task("t1", 30), task("t1", 45)] }),
    /^tasks\[1\]\.id: duplicate task id "t1"/,
  ],
  ["time without offset", scenario({ now: "2026-03-02T10:00:00" }), /^now: /],
  ["negative estimate", scenario({ tasks: [task("t1", -5)] }), /^tasks\[0\]\.estimateMinutes: /],
];

describe("bad input", () => {
  for (const [name, input, message] of badInputs) {
    it(`throws PlanInputError for ${name}`, () => {
      assert.throws(
        () => planSchedule(input),
        (error: unknown) => error instanceof PlanInputError && message.test(error.message),
      );
    });
  }

  it("the CLI exits 2 and explains on stderr", async () => {
    for (const [, input, message] of badInputs) {
      const result = await runCli(input);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.match(result.stderr.replace(/^cairn plan: invalid input: /, ""), message);
    }
    const broken = await runCli("{ not json");
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /not valid JSON/);
    let stderr = "";
    const missing = await runPlanCommand(join(dir, "nope.json"), {
      stdout: () => {},
      stderr: (s) => (stderr += s),
    });
    assert.equal(missing, 2);
    assert.match(stderr, /cannot read/);
  });
});

describe("cairn plan", () => {
  it("prints the plan as JSON and exits 0, from a file or stdin", async () => {
    const input = scenario({ tasks: [task("t1", 60, { due: "2026-03-03T16:00:00Z" })] });
    const result = await runCli(input);
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(plan), ["blocks", "unscheduled", "metrics"]);
    assert.equal(plan.blocks[0].taskId, "t1");
    assert.match(plan.blocks[0].start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const key of [
      "weightedTardiness",
      "lateTasks",
      "scheduledMinutes",
      "fragments",
      "energyFit",
      "contextSwitches",
      "keptPreviousBlocks",
      "runtimeMs",
    ]) {
      assert.equal(typeof plan.metrics[key], "number", key);
    }
    let out = "";
    const code = await runPlanCommand("-", {
      stdout: (s) => (out += s),
      stderr: () => {},
      readStdin: async () => JSON.stringify(input),
    });
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out).blocks, plan.blocks);
  });
});
