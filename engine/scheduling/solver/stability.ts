import { toEpochMinutes } from "../input/free-time.ts";
import type { PlanModel } from "../input/plan-model.ts";
import type { Placement } from "./decoder.ts";

/** Previous blocks starting within this window after `now` are candidates to keep. */
export const STABILITY_WINDOW_MINUTES = 24 * 60;

/**
 * Previous blocks that are still valid and start within 24 h of now, as fixed placements: the task still
 * exists, the block sits on free working slots of one stretch, respects block sizes, earliest start, the
 * daily cap, and leaves a remainder that can still form a block. A block of a task with prerequisites is kept
 * only if every prerequisite is entirely covered by kept blocks that end before it.
 */
export function keepablePreviousBlocks(model: PlanModel): Placement[] {
  const { grid, tasks } = model;
  const g = grid.granularity;
  const slotAt = new Map(grid.slots.map((s, i) => [s.start, i]));
  const indexById = new Map(tasks.map((t) => [t.id, t.index]));
  const taken = new Set<number>();
  const dayUsed = new Map<number, number>();
  const keptMinutes = new Map<number, number>();
  let kept: Placement[] = [];

  const candidates = model.input.previousBlocks
    .map((b) => ({
      task: indexById.get(b.taskId),
      start: toEpochMinutes(b.start),
      end: toEpochMinutes(b.end),
    }))
    .sort((a, b) => a.start - b.start);
  for (const c of candidates) {
    const task = c.task === undefined ? undefined : tasks[c.task];
    const minutes = c.end - c.start;
    if (!task || !Number.isInteger(minutes) || c.start < task.release) continue;
    if (c.start >= model.now + STABILITY_WINDOW_MINUTES || c.end > model.horizonEnd) continue;
    if (minutes < task.minChunk || minutes > model.maxBlock) continue;
    if (!task.splittable && minutes !== task.estimate) continue;
    const already = keptMinutes.get(task.index) ?? 0;
    const left = task.estimate - already - minutes;
    if (left < 0 || (left > 0 && left < task.minChunk)) continue;
    const first = slotAt.get(c.start);
    if (first === undefined) continue;
    const count = Math.ceil(minutes / g);
    const run = grid.slots[first]?.run;
    let fits = true;
    for (let k = first; k < first + count; k++) {
      const slot = grid.slots[k];
      if (!slot || slot.run !== run || slot.start !== c.start + (k - first) * g || taken.has(k)) fits = false;
    }
    const day = grid.slots[first]?.day ?? -1;
    if (!fits || (dayUsed.get(day) ?? 0) + minutes > model.dailyCap) continue;
    for (let k = first; k < first + count; k++) taken.add(k);
    dayUsed.set(day, (dayUsed.get(day) ?? 0) + minutes);
    keptMinutes.set(task.index, already + minutes);
    kept.push({ task: task.index, slot: first, start: c.start, minutes, kept: true });
  }

  // Drop blocks whose prerequisites are not fully kept and finished before them, until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    const covered = new Map<number, { minutes: number; end: number }>();
    for (const p of kept) {
      const c = covered.get(p.task) ?? { minutes: 0, end: Number.NEGATIVE_INFINITY };
      covered.set(p.task, { minutes: c.minutes + p.minutes, end: Math.max(c.end, p.start + p.minutes) });
    }
    const next = kept.filter((p) =>
      (tasks[p.task]?.preds ?? []).every((q) => {
        const c = covered.get(q);
        return c !== undefined && c.minutes === tasks[q]?.estimate && c.end <= p.start;
      }),
    );
    if (next.length !== kept.length) {
      changed = true;
      kept = next;
    }
  }
  return kept;
}
