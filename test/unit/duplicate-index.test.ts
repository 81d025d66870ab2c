import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HashingEmbedder } from "../../engine/search/embedder.ts";
import { cosine } from "../../engine/sync/dedupe.ts";
import { NearDuplicateIndex } from "../../engine/sync/duplicate-index.ts";

const embedder = new HashingEmbedder();
const verbs = ["Fix", "Review", "Plan", "Migrate", "Document", "Test"];
const things = ["login flow", "billing export", "onboarding guide", "release notes", "search index"];
const titles = Array.from(
  { length: 300 },
  (_, i) => `${verbs[i % verbs.length]} ${things[(i * 7) % things.length]} ${i % 40}`,
);

/** The nearest tasks by a scan of every vector: what the per-item SQL probe answered. */
function scan(vectors: Map<string, Float32Array>, query: Float32Array, maxDistance: number, limit: number) {
  return [...vectors]
    .map(([id, vector]) => ({ id, distance: 1 - cosine(query, vector) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit)
    .filter((n) => n.distance <= maxDistance);
}

describe("near-duplicate index", () => {
  it("answers what a scan of every stored vector answers", () => {
    const index = new NearDuplicateIndex(embedder.dimensions);
    const vectors = new Map(titles.map((title, i) => [`t${i}`, embedder.embed(title)]));
    for (const [id, vector] of vectors) index.upsert(id, vector);
    let nonEmpty = 0;
    for (const text of [
      "Fix login flow 3",
      "Review billing export",
      "Plan the offsite",
      "Migrate search index 7",
    ]) {
      const query = embedder.embed(text);
      for (const maxDistance of [0.16, 0.4]) {
        const expected = scan(vectors, query, maxDistance, 5);
        const found = index.near(query, maxDistance, 5);
        assert.deepEqual(
          found.map((n) => n.id).sort(),
          expected.map((n) => n.id).sort(),
          `${text} within ${maxDistance}`,
        );
        if (found.length > 0) nonEmpty += 1;
      }
    }
    assert.ok(nonEmpty >= 3);
  });

  it("uses a task's latest vector and forgets a removed one", () => {
    const index = new NearDuplicateIndex(embedder.dimensions);
    index.upsert("a", embedder.embed("Renew the TLS certificates"));
    index.upsert("b", embedder.embed("Write the onboarding guide"));
    assert.deepEqual(
      index.near(embedder.embed("Renew the TLS certificates"), 0.16, 5).map((n) => n.id),
      ["a"],
    );
    index.upsert("a", embedder.embed("Plan the team offsite"));
    assert.deepEqual(index.near(embedder.embed("Renew the TLS certificates"), 0.16, 5), []);
    assert.deepEqual(
      index.near(embedder.embed("Plan the team offsite"), 0.16, 5).map((n) => n.id),
      ["a"],
    );
    index.upsert("b", null);
    assert.equal(index.size, 1);
    assert.deepEqual(index.near(embedder.embed("Write the onboarding guide"), 0.16, 5), []);
  });

  it("keeps a row read again with the same vector, and still answers what a full scan answers", () => {
    const index = new NearDuplicateIndex(embedder.dimensions);
    // As the database returns them: float4 values printed as text and parsed back.
    const stored = (text: string) => JSON.parse(JSON.stringify(Array.from(embedder.embed(text)))) as number[];
    const vectors = titles.slice(0, 120).map((title, i) => [`t${i}`, stored(title)] as const);
    for (const [id, vector] of vectors) index.upsert(id, vector);
    const query = stored(titles[7] as string);
    const before = index.near(query, 0.3, 5);
    assert.equal(before[0]?.id, "t7");
    index.prepare(1, [query], 0.3);
    // A refresh re-reads rows written by transactions that were still open at the one before.
    for (const [id] of vectors) index.upsert(id, stored(titles[Number(id.slice(1))] as string));
    assert.equal(index.heldRows, 120, "no row added for an unchanged vector");
    assert.deepEqual(index.near(query, 0.3, 5), before, "the early answer");
    assert.deepEqual(index.near(query, 0.3, 5), before, "a fresh probe");
    index.upsert("t7", stored("Plan the team offsite"));
    assert.equal(index.heldRows, 121, "a changed vector replaces its row");
    assert.ok(!index.near(query, 0.3, 5).some((n) => n.id === "t7"));
  });

  it("answers a probe prepared early as a fresh probe, after rows were added, replaced and removed", () => {
    const early = new NearDuplicateIndex(embedder.dimensions);
    const fresh = new NearDuplicateIndex(embedder.dimensions);
    const both = (id: string, vector: Float32Array | null) => {
      early.upsert(id, vector);
      fresh.upsert(id, vector);
    };
    titles.slice(0, 150).forEach((title, i) => {
      both(`t${i}`, embedder.embed(title));
    });
    const queries = [
      "Fix login flow 3",
      "Review billing export 9",
      "Migrate search index 7",
      "Plan the offsite",
    ];
    const vectors = queries.map((text) => embedder.embed(text));
    early.prepare(1, vectors, 0.4);
    // Meanwhile the page before is written: new rows, a replaced vector, a removed one.
    titles.slice(150).forEach((title, i) => {
      both(`t${150 + i}`, embedder.embed(title));
    });
    const nearestBefore = fresh.near(vectors[0] as Float32Array, 0.4, 1)[0]?.id as string;
    both(nearestBefore, embedder.embed("Plan the team offsite"));
    both(fresh.near(vectors[1] as Float32Array, 0.4, 1)[0]?.id as string, null);
    let nonEmpty = 0;
    for (const [i, vector] of vectors.entries()) {
      for (const [round, [maxDistance, limit]] of (
        [
          [0.4, 5],
          [0.16, 5],
          [0.4, 50],
        ] as const
      ).entries()) {
        // Round 0 uses the answer prepared before the changes above; later ones, one prepared just now.
        if (round > 0) early.prepare(2, [vector], 0.4);
        if (round === 2) both(`late${i}`, vector);
        const answer = early.near(vector, maxDistance, limit);
        assert.deepEqual(
          answer,
          fresh.near(vector, maxDistance, limit),
          `${queries[i]} within ${maxDistance}`,
        );
        if (answer.length > 0) nonEmpty += 1;
      }
    }
    assert.ok(nonEmpty >= 6);
    early.forgetPrepared(2);
  });

  it("prunes rows by a bound and still answers exactly what the full scan answers", () => {
    const pruned = new NearDuplicateIndex(embedder.dimensions);
    const full = new NearDuplicateIndex(embedder.dimensions, false);
    const stored = (text: string) =>
      Float32Array.from(embedder.embed(text), (v) => Math.round(v * 1e6) / 1e6);
    const nouns = [...things, "CI cache", "audit log", "API limits", "design review", "quarterly report"];
    const rows = Array.from({ length: 2000 }, (_, i) => {
      const title = `${verbs[(i * 5) % verbs.length]} ${nouns[(i * 3) % nouns.length]} (${i})`;
      return i % 2 === 0
        ? `${title}\nDetails for work item ${i}.\n${i % 3 === 0 ? "customer" : "frontend"}`
        : title;
    });
    rows.forEach((text, i) => {
      pruned.upsert(`r${i}`, stored(text));
      full.upsert(`r${i}`, stored(text));
    });
    const queries = Array.from({ length: 120 }, (_, i) =>
      i % 3 === 0
        ? (rows[(i * 17) % rows.length] as string)
        : `${verbs[i % verbs.length]} ${nouns[i % nouns.length]} #${i}`,
    );
    let matches = 0;
    for (const text of queries) {
      const query = stored(text);
      for (const maxDistance of [0.16, 0.3, 0.6]) {
        const answer = pruned.near(query, maxDistance, 50);
        assert.deepEqual(answer, full.near(query, maxDistance, 50), `${text} within ${maxDistance}`);
        matches += answer.length;
      }
    }
    assert.ok(matches > 200, `only ${matches} matches: the comparison says little`);
    assert.ok(
      pruned.exactCount < (queries.length * 3 * rows.length) / 4,
      `${pruned.exactCount} exact dot products: the bound prunes too little`,
    );
  });
});
