import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ago, freshnessText } from "../../../admin/console/src/lib/freshness.ts";
import { storedFigures } from "../../../engine/behavior/insights-snapshots.ts";

const NOW = new Date("2026-03-03T12:00:00Z");
const base = { newest: null, computedNow: 0, pending: 0, stale: 0, freshForMinutes: 180 };

describe("the workspace aggregate's freshness", () => {
  it("says how long ago the oldest figures were computed", () => {
    assert.match(ago(NOW.getTime() - 20_000, NOW.getTime()), /\(just now\)$/);
    assert.match(ago(NOW.getTime() - 25 * 60_000, NOW.getTime()), /\(25 min ago\)$/);
    assert.match(ago(NOW.getTime() - 5 * 3_600_000, NOW.getTime()), /\(5 h ago\)$/);
    const text = freshnessText({ ...base, asOf: "2026-03-03T11:35:00Z" }, NOW);
    assert.match(text, /^Figures as of .*\(25 min ago\)\.$/);
    assert.doesNotMatch(text, /background/, "nothing is waiting");
  });

  it("says who is still waiting for figures and that they are on their way", () => {
    const text = freshnessText({ ...base, asOf: "2026-03-03T07:00:00Z", pending: 1, stale: 12 }, NOW);
    assert.match(text, /1 person has no figures yet\./);
    assert.match(text, /12 people's figures are older than 3 h\./);
    assert.match(text, /background/);
    assert.equal(freshnessText({ ...base, asOf: null }, NOW), "");
    assert.match(freshnessText({ ...base, asOf: null, pending: 4 }, NOW), /^4 people have no figures yet\./);
  });

  it("reads stored figures, and treats a row without its basis (written before it was kept) as missing", () => {
    assert.deepEqual(
      storedFigures({ basis: "personal", burnoutRisk: 0.2, score: 71, effortMultiplier: 1.3 }),
      { basis: "personal", burnoutRisk: 0.2, score: 71, effortMultiplier: 1.3 },
    );
    assert.deepEqual(storedFigures({ basis: "population", burnoutRisk: null, score: "x" }), {
      basis: "population",
      burnoutRisk: null,
      score: null,
      effortMultiplier: null,
    });
    assert.equal(storedFigures({ burnoutRisk: 0.2, score: 71, effortMultiplier: 1.3 }), undefined);
  });
});
