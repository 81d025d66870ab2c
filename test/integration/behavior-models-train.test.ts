/**
 * `cairn train` is reproducible: two quick runs give byte-identical artifacts (checked with --check against
 * the first run's files), with progress on stderr and the ONNX export checked against the TypeScript
 * reference. The committed full-size artifacts are checked by behavior-models-reproduce.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { runTrainCommand } from "../../engine/behavior/training/train-cli.ts";

describe("cairn train --quick", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-train-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const out = pathToFileURL(`${dir}/`);

  it("writes the artifacts, then a second run finds them byte-identical", async () => {
    const err: string[] = [];
    const stdout: string[] = [];
    const io = { out: (t: string) => stdout.push(t), err: (t: string) => err.push(t) };
    assert.equal(await runTrainCommand({ quick: true, check: false, out }, io), 0, err.join("\n"));
    assert.deepEqual(readdirSync(dir).sort(), [
      "burnout.json",
      "completion.json",
      "completion.onnx",
      "effort.json",
      "figures.json",
      "peak-hours.json",
    ]);
    assert.ok(err.some((l) => /training: \d+\/\d+ people simulated/.test(l)));
    assert.ok(err.some((l) => /ONNX matches the TypeScript reference/.test(l)));
    const figures = JSON.parse(stdout.join("")) as { config: { mode: string } };
    assert.equal(figures.config.mode, "quick");

    const again: string[] = [];
    const check = { out: (t: string) => again.push(t), err: (t: string) => again.push(t) };
    assert.equal(await runTrainCommand({ quick: true, check: true, out }, check), 0, again.join("\n"));
    assert.ok(again.some((l) => l.includes('"identical"')));
  });
});
