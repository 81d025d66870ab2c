import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import { heatLevels, hourTotals, normalizeGrid } from "../../../admin/console/src/lib/heatmap.ts";
import { focusHeatmap } from "../../../admin/console-api/workspace-insights.ts";
import type { KeptFocus } from "../../../engine/db/repositories/console-views.ts";
import { seededRandom } from "../../bench/support/stats.ts";

/** The heatmap as it was computed before, one luxon DateTime per local hour: the reference. */
function luxonHeatmap(blocks: readonly KeptFocus[]): number[][] {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const block of blocks) {
    let at = DateTime.fromJSDate(block.startAt, { zone: block.timezone });
    if (!at.isValid) at = DateTime.fromJSDate(block.startAt, { zone: "UTC" });
    const end = block.endAt.getTime();
    while (at.toMillis() < end) {
      const hourEnd = Math.min(at.startOf("hour").plus({ hours: 1 }).toMillis(), end);
      const row = grid[at.weekday - 1] as number[];
      row[at.hour] = (row[at.hour] as number) + (hourEnd - at.toMillis()) / 60_000;
      at = DateTime.fromMillis(hourEnd, { zone: at.zone });
    }
  }
  return grid.map((row) => row.map((minutes) => Math.round(minutes)));
}

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

  it("matches the per-hour luxon reference across zones, half-hour offsets and DST changes", () => {
    const zones = [
      "UTC",
      "America/New_York",
      "Europe/Berlin",
      "Asia/Kolkata",
      "Australia/Lord_Howe",
      "Nowhere/Bad",
    ];
    const random = seededRandom(13);
    // Around the 2026 DST changes (March and October/November, both hemispheres) and ordinary weeks.
    const anchors = [
      "2026-03-08T06:00:00Z",
      "2026-03-29T00:30:00Z",
      "2026-04-05T14:00:00Z",
      "2026-10-25T00:00:00Z",
      "2026-11-01T05:30:00Z",
      "2026-06-10T12:00:00Z",
    ];
    const blocks: KeptFocus[] = [];
    for (let i = 0; i < 3_000; i++) {
      const start = Date.parse(anchors[i % anchors.length] as string) + (random() - 0.5) * 12 * 3_600_000;
      blocks.push({
        startAt: new Date(start),
        endAt: new Date(start + random() * 5 * 3_600_000),
        timezone: zones[Math.floor(random() * zones.length)] as string,
      });
    }
    for (const zone of zones) {
      const mine = blocks.filter((block) => block.timezone === zone);
      assert.deepEqual(focusHeatmap(mine), luxonHeatmap(mine), zone);
    }
    assert.deepEqual(focusHeatmap(blocks), luxonHeatmap(blocks));
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
