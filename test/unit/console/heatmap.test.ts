import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { heatLevels, hourTotals, normalizeGrid } from "../../../admin/console/src/lib/heatmap.ts";
import { focusHeatmap } from "../../../admin/console-api/workspace-insights.ts";

describe("peak-hours heatmap", () => {
  it("buckets kept focus into local weekday × hour cells, splitting at hour boundaries", () => {
    // Tue 3 March 2026, 09:30–11:15 in New York (UTC-5).
    const grid = focusHeatmap([
      {
        startAt: new Date("2026-03-03T14:30:00Z"),
        endAt: new Date("2026-03-03T16:15:00Z"),
        timezone: "America/New_York",
      },
    ]);
    assert.equal(grid[1]?.[9], 30);
    assert.equal(grid[1]?.[10], 60);
    assert.equal(grid[1]?.[11], 15);
    assert.equal(
      grid.flat().reduce((a, b) => a + b, 0),
      105,
    );
  });

  it("puts a block crossing midnight on both days and adds repeated weeks together", () => {
    const utc = (start: string, end: string) => ({
      startAt: new Date(start),
      endAt: new Date(end),
      timezone: "UTC",
    });
    const grid = focusHeatmap([
      utc("2026-03-08T23:30:00Z", "2026-03-09T00:30:00Z"), // Sun 23:30 → Mon 00:30 UTC
      utc("2026-03-02T00:00:00Z", "2026-03-02T00:20:00Z"), // an earlier Monday
      utc("2026-03-02T05:00:00Z", "2026-03-02T04:00:00Z"), // backwards: ignored
    ]);
    assert.equal(grid[6]?.[23], 30);
    assert.equal(grid[0]?.[0], 50);
  });

  it("shades cells relative to the busiest one", () => {
    const grid = normalizeGrid([[0, 10, 20, 40, Number.NaN, -5]]);
    assert.equal(grid.length, 7);
    assert.equal(grid[0]?.length, 24);
    assert.deepEqual(heatLevels(grid)[0]?.slice(0, 6), [0, 1, 2, 4, 0, 0]);
    assert.deepEqual(
      heatLevels(normalizeGrid([]))
        .flat()
        .every((level) => level === 0),
      true,
      "an empty grid stays blank",
    );
    assert.equal(hourTotals(grid)[3], 40);
  });
});
