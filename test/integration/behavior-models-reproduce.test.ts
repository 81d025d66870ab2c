/**
 * The committed models/trained/ artifacts are exactly what `cairn train` (full size) produces. This runs the
 * whole training (a few minutes on 2 cores), the same as `cairn train --check`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runTrainCommand } from "../../engine/behavior/training/train-cli.ts";

describe("the committed behaviour models", () => {
  it("match what cairn train produces", async () => {
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    assert.equal(await runTrainCommand({ quick: false, check: true }, io), 0, lines.join("\n"));
  });
});
