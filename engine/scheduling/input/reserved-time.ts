import type { SlotGrid } from "./free-time.ts";

/** A span of time already taken before the solver runs (a habit occurrence), in epoch minutes [start, end). */
export type ReservedSpan = readonly [number, number];

/**
 * The grid without the slots that overlap a reserved span. Runs are renumbered so that a run still means one
 * gap-free stretch: the solver never places a block across a reserved span. No buffer is added around
 * reserved spans (they are Cairn's own blocks, not meetings).
 */
export function withoutReserved(grid: SlotGrid, reserved: readonly ReservedSpan[]): SlotGrid {
  if (reserved.length === 0) return grid;
  const g = grid.granularity;
  const spans = [...reserved].sort((a, b) => a[0] - b[0]);
  const taken = (t: number) => spans.some(([s, e]) => t < e && t + g > s);
  const slots: SlotGrid["slots"] = [];
  let run = -1;
  let previous: { end: number; run: number } | null = null;
  for (const slot of grid.slots) {
    if (taken(slot.start)) continue;
    if (!previous || previous.end !== slot.start || previous.run !== slot.run) run++;
    previous = { end: slot.start + g, run: slot.run };
    slots.push({ ...slot, run });
  }
  return { ...grid, slots };
}
