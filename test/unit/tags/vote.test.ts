import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { voteTags } from "../../../engine/tags/vote.ts";

const near = (taskId: string, similarity: number, tags: string[]) => ({
  taskId,
  title: taskId,
  tags,
  similarity,
});

describe("voteTags", () => {
  it("weights votes by similarity squared and shrinks thin evidence", () => {
    const [only] = voteTags([near("a", 1, ["x"])]);
    assert.equal(only?.tag, "x");
    assert.equal(only?.confidence, Number((1 / 1.25).toFixed(3)), "one perfect neighbour is not certainty");
    const votes = voteTags([near("a", 0.9, ["x", "y"]), near("b", 0.6, ["y"])]);
    const total = 0.81 + 0.36 + 0.25;
    assert.deepEqual(
      votes.map((v) => [v.tag, v.confidence]),
      [
        ["y", Number(((0.81 + 0.36) / total).toFixed(3))],
        ["x", Number((0.81 / total).toFixed(3))],
      ],
    );
  });

  it("ignores unrelated neighbours, excluded tags and a neighbour's repeated tag", () => {
    const votes = voteTags([near("a", 0.8, ["x", "x", "Keep"]), near("b", 0.2, ["z"])], {
      exclude: ["keep"],
    });
    assert.deepEqual(
      votes.map((v) => v.tag),
      ["x"],
    );
    assert.equal(votes[0]?.confidence, Number((0.64 / 0.89).toFixed(3)));
  });

  it("keeps the three most similar neighbours as the basis, and applies minConfidence and limit", () => {
    const neighbours = [0.5, 0.9, 0.7, 0.8].map((s, i) => near(`t${i}`, s, ["x"]));
    const [x] = voteTags([...neighbours, near("o", 0.4, ["rare"])], { minConfidence: 0.2, limit: 1 });
    assert.deepEqual(
      x?.basis.map((b) => b.taskId),
      ["t1", "t3", "t2"],
    );
    assert.deepEqual(voteTags(neighbours, { minConfidence: 0.99 }), []);
  });
});
