/** Minutes of a block inside local peak windows, across DST changes and zones with odd offsets. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DateTime } from "luxon";
import { minutesInLocalWindows } from "../../../engine/scheduling/explanation/plan-metrics.ts";

/** Oracle: walk the block minute by minute in luxon's local time. */
function countByMinute(zone: string, startMs: number, endMs: number, windows: Array<[number, number]>) {
  let total = 0;
  for (let t = startMs; t < endMs; t += 60_000) {
    const local = DateTime.fromMillis(t, { zone });
    const wall = local.hour * 60 + local.minute;
    if (windows.some(([a, b]) => wall >= a * 60 && wall < b * 60)) total += 1;
  }
  return total;
}

describe("minutes in local windows", () => {
  const windows: Array<[number, number]> = [
    [0, 3],
    [9, 12],
    [14, 16.5],
  ];
  const days: Array<[string, string]> = [
    ["America/St_Johns", "2026-03-08T00:00:00Z"], // DST starts at 02:00 local, 05:30 UTC
    ["America/St_Johns", "2026-11-01T00:00:00Z"], // DST ends
    ["Australia/Lord_Howe", "2026-04-04T12:00:00Z"], // a 30-minute DST shift
    ["Pacific/Chatham", "2026-04-04T12:00:00Z"], // +13:45 → +12:45
    ["Asia/Kathmandu", "2026-06-01T00:00:00Z"],
    ["Europe/Berlin", "2026-03-29T00:00:00Z"],
  ];
  it("matches a minute-by-minute count for blocks of every length around each change", () => {
    for (const [zone, iso] of days) {
      const base = Date.parse(iso);
      for (let offset = 0; offset < 36 * 60; offset += 35) {
        for (const length of [5, 30, 90, 240]) {
          const start = base + offset * 60_000;
          const end = start + length * 60_000;
          assert.equal(
            minutesInLocalWindows(zone, start, end, windows),
            countByMinute(zone, start, end, windows),
            `${zone} ${new Date(start).toISOString()} +${length} min`,
          );
        }
      }
    }
  });
});
