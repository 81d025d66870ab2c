import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HashingEmbedder, stem } from "../../engine/search/embedder.ts";
import { reciprocalRankFusion } from "../../engine/search/hybrid-search.ts";

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0);

describe("hashing embedder", () => {
  const embedder = new HashingEmbedder();

  it("is deterministic and unit length", () => {
    const a = embedder.embed("Review the quarterly budget");
    assert.deepEqual(a, embedder.embed("Review the quarterly budget"));
    assert.ok(Math.abs(cosine(a, a) - 1) < 1e-5);
    assert.equal(a.length, 256);
  });

  it("puts related texts closer than unrelated ones, typos included", () => {
    const query = embedder.embed("budget review");
    const related = embedder.embed("Reviewing the budgets for Q3");
    const typo = embedder.embed("buget reveiw");
    const unrelated = embedder.embed("Book flights to Lisbon");
    assert.ok(cosine(query, related) > cosine(query, unrelated) + 0.3);
    assert.ok(cosine(query, typo) > cosine(query, unrelated));
  });

  it("stems common suffixes", () => {
    assert.equal(stem("planning"), "plann");
    assert.equal(stem("stories"), "story");
    assert.equal(stem("is"), "is");
  });

  it("gives empty text a zero vector", () => {
    assert.ok(embedder.embed("the of and").every((v) => v === 0));
  });
});

describe("reciprocal rank fusion", () => {
  it("ranks items found by both lists first", () => {
    const fused = reciprocalRankFusion([
      { name: "text", ids: ["a", "b", "c"] },
      { name: "vector", ids: ["c", "d"] },
    ]);
    const order = [...fused.entries()].sort((x, y) => y[1].score - x[1].score).map(([id]) => id);
    assert.equal(order[0], "c");
    assert.deepEqual(fused.get("c")?.matchedBy, ["text", "vector"]);
    assert.deepEqual(fused.get("d")?.matchedBy, ["vector"]);
  });
});
