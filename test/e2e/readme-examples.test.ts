/** The README's examples, run as written. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { checkHardRules } from "../../engine/scheduling/index.ts";

const root = new URL("../..", import.meta.url).pathname;

it("`cairn plan --input examples/scenario.json` prints a plan that keeps every hard rule", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.ok(readme.includes("npx cairn plan --input examples/scenario.json"));
  const result = spawnSync(
    process.execPath,
    [join(root, "bin/cairn.js"), "plan", "--input", "examples/scenario.json"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  assert.equal(result.status, 0, result.stderr);
  const plan = JSON.parse(result.stdout) as { blocks: { taskId: string; start: string; end: string }[] };
  const scenario = JSON.parse(readFileSync(join(root, "examples/scenario.json"), "utf8"));
  assert.deepEqual(checkHardRules(scenario, plan), []);
  const firstReview = plan.blocks.find((b) => b.taskId === "t2");
  const lastDraft = plan.blocks.filter((b) => b.taskId === "t1").at(-1);
  assert.ok(firstReview && lastDraft && firstReview.start >= lastDraft.end, "t2 waits for t1");
  const minutes = (id: string) =>
    plan.blocks
      .filter((b) => b.taskId === id)
      .reduce((sum, b) => sum + (Date.parse(b.end) - Date.parse(b.start)) / 60000, 0);
  assert.equal(minutes("t1"), 240);
  assert.equal(minutes("t3"), 45);
});

it("`cairn insights --input examples/history.json` prints personal insights for every open task", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.ok(readme.includes("npx cairn insights --input examples/history.json"));
  const result = spawnSync(
    process.execPath,
    [join(root, "bin/cairn.js"), "insights", "--input", "examples/history.json"],
    { cwd: root, encoding: "utf8" },
  );
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as {
    basis: string;
    peakHours: { bestHour: number };
    effort: { tasks: { taskId: string }[] };
    completion: { taskId: string; probability: number }[];
  };
  assert.equal(out.basis, "personal");
  assert.equal(out.peakHours.bestHour, 10);
  assert.deepEqual(
    out.effort.tasks.map((t) => t.taskId),
    ["t1", "t2", "t3"],
  );
  assert.deepEqual(
    out.completion.map((c) => c.taskId),
    ["t1", "t2"],
  );
});
