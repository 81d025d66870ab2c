/** `cairn insights` as a user runs it: a spawned CLI, no database, the contract's JSON on stdout, exit codes. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { z } from "zod";
import { history, withOpenTask } from "../unit/behavior/history-fixtures.ts";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cairn-insights-"));

const Unit = z.number().min(0).max(1);
const Factor = z.object({ name: z.string(), value: z.number(), effect: z.number() });
/** The required fields of the insights contract (issue 12); more fields are allowed. */
const Contract = z.object({
  basis: z.enum(["personal", "population"]),
  peakHours: z.object({
    bestHour: z.number().int().min(0).max(23),
    hours: z.array(z.tuple([z.number().int().min(0).max(23), z.number().int().min(1).max(24)])),
    confidence: Unit,
  }),
  effort: z.object({
    multiplier: z.number().positive(),
    tasks: z.array(
      z.object({ taskId: z.string(), predictedMinutes: z.number(), low: z.number(), high: z.number() }),
    ),
  }),
  completion: z.array(z.object({ taskId: z.string(), probability: Unit })),
  procrastination: z.object({ index: Unit, factors: z.array(Factor) }),
  burnout: z.object({ risk: Unit, level: z.enum(["low", "moderate", "high"]), factors: z.array(Factor) }),
  score: z.object({
    value: z.number().min(0).max(100),
    streakDays: z.number().int().min(0),
    explanation: z.string().min(1),
  }),
});

function cairn(args: string[], input?: string) {
  return spawnSync(process.execPath, [join(root, "bin/cairn.js"), ...args], {
    cwd: dir,
    input,
    encoding: "utf8",
    env: { ...process.env, CAIRN_DATA_DIR: join(dir, "data") },
    timeout: 60_000,
  });
}

const raw = withOpenTask(
  withOpenTask(history({ days: 21, ratio: 1.4 }), { id: "t1", due: "2026-03-24T16:00:00Z" }),
  {
    id: "t2",
    estimateMinutes: null,
  },
);

describe("cairn insights (spawned CLI)", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the insights contract as JSON, exits 0 and creates no data directory", () => {
    const path = join(dir, "history.json");
    writeFileSync(path, JSON.stringify(raw));
    const run = cairn(["insights", "--input", path]);
    assert.equal(run.status, 0, run.stderr);
    const out = Contract.parse(JSON.parse(run.stdout));
    assert.equal(out.basis, "personal");
    assert.deepEqual(
      out.effort.tasks.map((t) => t.taskId),
      ["t1", "t2"],
    );
    assert.deepEqual(
      out.completion.map((c) => c.taskId),
      ["t1"],
    );
    assert.ok(out.effort.multiplier > 1.2 && out.effort.multiplier < 1.5);
    assert.equal(existsSync(join(dir, "data")), false);
    const again = cairn(["insights", "--input", "-"], JSON.stringify(raw));
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, run.stdout, "same input, same output");
  });

  it("marks a short history as population", () => {
    const run = cairn(["insights", "-i", "-"], JSON.stringify(history({ days: 2 })));
    assert.equal(run.status, 0, run.stderr);
    const out = Contract.parse(JSON.parse(run.stdout));
    assert.equal(out.basis, "population");
    assert.ok(out.peakHours.confidence <= 0.2);
  });

  it("exits 2 naming the bad item", () => {
    const bad = structuredClone(raw);
    const task = bad.tasks?.[3];
    assert.ok(task);
    task.due = "next friday";
    const run = cairn(["insights", "--input", "-"], JSON.stringify(bad));
    assert.equal(run.status, 2);
    assert.match(run.stderr, /tasks\[3\]\.due: /);
    const zone = cairn(
      ["insights", "--input", "-"],
      JSON.stringify({ ...raw, person: { ...raw.person, timezone: "Mars/Olympus" } }),
    );
    assert.equal(zone.status, 2);
    assert.match(zone.stderr, /person\.timezone/);
    assert.equal(cairn(["insights", "--input", "-"], "{not json").status, 2);
    assert.equal(cairn(["insights"]).status, 2);
    assert.equal(cairn(["insights", "--input", join(dir, "missing.json")]).status, 2);
    assert.equal(existsSync(join(dir, "data")), false);
  });

  it("exits 2 on a misspelt field instead of reading the task as never completed", () => {
    const bad = structuredClone(raw) as { tasks: Array<Record<string, unknown>> };
    const task = bad.tasks[0];
    assert.ok(task);
    task.completed_at = task.completedAt ?? "2026-03-10T10:00:00Z";
    delete task.completedAt;
    const run = cairn(["insights", "--input", "-"], JSON.stringify(bad));
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /tasks\[0\]\.completed_at: unknown field, it would be ignored; did you mean "completedAt"\?/,
    );
  });
});
