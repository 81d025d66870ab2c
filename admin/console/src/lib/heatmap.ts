/**
 * Peak-hours heatmap (weekday × local hour): the server's minutes of kept focus per cell (bucketed into the
 * hours they covered, admin/console-api/workspace-insights.ts), turned into five shades relative to the
 * busiest hour.
 */

export type HeatGrid = number[][];

export const emptyGrid = (): HeatGrid => Array.from({ length: 7 }, () => new Array<number>(24).fill(0));

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
