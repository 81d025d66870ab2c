/**
 * Peak-hours heatmap (weekday × local hour): kept focus time bucketed into the hours it covered, and the
 * minutes turned into five shades relative to the busiest hour.
 */
import { localParts } from "./local-time.ts";

export type HeatGrid = number[][];

export const emptyGrid = (): HeatGrid => Array.from({ length: 7 }, () => new Array<number>(24).fill(0));

/** Minutes of each interval added to the weekday × hour cells it covers, in the person's zone. */
export function bucketMinutes(intervals: { start: string; end: string }[], zone: string): HeatGrid {
  const grid = emptyGrid();
  for (const interval of intervals) {
    const end = Date.parse(interval.end);
    let at = Date.parse(interval.start);
    if (!(end > at)) continue;
    while (at < end) {
      const parts = localParts(at, zone);
      const minuteOfHour = parts.minutes % 60;
      const step = Math.min(end - at, (60 - minuteOfHour) * 60_000 - (at % 60_000));
      const row = grid[parts.weekday];
      const hour = Math.floor(parts.minutes / 60);
      if (row) row[hour] = (row[hour] ?? 0) + step / 60_000;
      at += step;
    }
  }
  return grid.map((row) => row.map((minutes) => Math.round(minutes)));
}

/** A 7 × 24 grid whatever came in: missing cells are 0, extra ones dropped, negatives and NaN are 0. */
export function normalizeGrid(grid: readonly (readonly number[])[]): HeatGrid {
  return emptyGrid().map((row, weekday) =>
    row.map((_, hour) => {
      const value = grid[weekday]?.[hour] ?? 0;
      return Number.isFinite(value) && value > 0 ? value : 0;
    }),
  );
}

/** 0 for an empty cell, else 1–4 by its share of the busiest cell. */
export function heatLevels(grid: HeatGrid): number[][] {
  const max = Math.max(0, ...grid.flat());
  return grid.map((row) => row.map((value) => (value <= 0 || max === 0 ? 0 : Math.ceil((value / max) * 4))));
}

/** Sum over weekdays per hour: which hours of the day carry the most focus. */
export function hourTotals(grid: HeatGrid): number[] {
  return Array.from({ length: 24 }, (_, hour) => grid.reduce((sum, row) => sum + (row[hour] ?? 0), 0));
}
