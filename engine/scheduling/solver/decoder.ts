import type { PlanModel } from "../input/plan-model.ts";

/** A block placed by the decoder: `minutes` of work starting at grid slot `slot`. */
export interface Placement {
  task: number;
  slot: number;
  start: number;
  minutes: number;
  kept: boolean;
  /** Moved by the slot-preference pass to a time the person is likelier to keep. */
  preferred?: boolean;
}

/** Lexicographic plan cost; smaller is better, compared field by field in declaration order. */
export interface PlanCost {
  weightedTardiness: number;
  lateTasks: number;
  weightedUnscheduled: number;
  /** Energy misfit minutes + penalties for fragments and context switches. */
  secondary: number;
  /** Σ weight × (completion − now): finish important work early when all else ties. */
  weightedCompletion: number;
}

export interface DecodedPlan {
  placements: Placement[];
  remaining: number[];
  /** Epoch minute the task's last block ends, NaN when work is left over. */
  completion: number[];
  /** For a task that got nothing because a prerequisite is incomplete: that prerequisite's index, else -1. */
  blockedBy: number[];
  cost: PlanCost;
}

/**
 * Preferred placement: 0 = earliest fit, 1 = energy-aware (peak slots for high, off-peak for low first),
 * 2 = just in time (the latest slots that still finish by the due, leaving earlier time to the tasks after it
 * in the order; earliest fit when it cannot finish by then), 3 = in one piece (the earliest stretch that holds all
 * of a splittable task's work by its due, so it does not fragment stretches a later task needs whole).
 */
export type PlacementMode = 0 | 1 | 2 | 3;

const FRAGMENT_PENALTY = 20;
const SWITCH_PENALTY = 10;

/**
 * Largest chunk (a multiple of the slot size, or everything left) that fits `avail` and leaves a remainder that
 * can still be cut into blocks between `minChunk` and `maxBlock`; 0 when none does.
 */
export function splittableChunk(
  left: number,
  avail: number,
  minChunk: number,
  maxBlock: number,
  g: number,
): number {
  if (avail >= left) return left;
  // The remainder r = left - chunk must be cuttable: ceil(r / maxBlock) blocks of at least minChunk each. (No
  // closure here: this runs thousands of times per plan.)
  for (let chunk = Math.floor(avail / g) * g; chunk >= minChunk; chunk -= g) {
    const r = left - chunk;
    if (Math.ceil(r / maxBlock) * minChunk <= r) return chunk;
  }
  return 0;
}

export function compareCost(a: PlanCost, b: PlanCost): number {
  const eps = 1e-6;
  const keys = [
    "weightedTardiness",
    "lateTasks",
    "weightedUnscheduled",
    "secondary",
    "weightedCompletion",
  ] as const;
  for (const key of keys) {
    const d = a[key] - b[key];
    if (d < -eps) return -1;
    if (d > eps) return 1;
  }
  return 0;
}

/**
 * Serial schedule generation: tasks are taken in `sequence` order (skipping ahead to the first whose
 * prerequisites are all processed) and each gets the earliest free slots that satisfy every hard rule.
 * `fixed` blocks (kept from the previous plan) are placed first.
 */
export function decode(
  model: PlanModel,
  sequence: readonly number[],
  modes: ArrayLike<number>,
  fixed: readonly Placement[] = [],
): DecodedPlan {
  const { grid, tasks, dailyCap, maxBlock } = model;
  const slots = grid.slots;
  const g = grid.granularity;
  const n = tasks.length;
  const occ = new Int32Array(slots.length).fill(-1);
  const dayUsed = new Float64Array(grid.days.length);
  const remaining = tasks.map((t) => t.estimate);
  const lastEnd = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const processed = new Uint8Array(n);
  const blockedBy = new Array<number>(n).fill(-1);
  const placements: Placement[] = [];
  const gapSlots = Math.max(1, Math.ceil(model.input.person.preferences.bufferMinutes / g));

  // nextFree[i]: a slot at or after i that may be free; occupied slots point past themselves (union-find), so a
  // scan jumps over taken stretches instead of walking them slot by slot.
  const nextFree = new Int32Array(slots.length + 1).map((_, i) => i);
  const occupy = (k: number, task: number): void => {
    occ[k] = task;
    nextFree[k] = k + 1;
  };
  const firstFreeFrom = (k: number): number => {
    let i = k;
    while ((nextFree[i] ?? i) !== i) {
      const up = nextFree[i] ?? i;
      nextFree[i] = nextFree[up] ?? up;
      i = up;
    }
    return i;
  };

  for (const block of fixed) {
    const count = Math.ceil(block.minutes / g);
    for (let k = block.slot; k < block.slot + count; k++) occupy(k, block.task);
    const day = slots[block.slot]?.day ?? 0;
    dayUsed[day] = (dayUsed[day] ?? 0) + block.minutes;
    remaining[block.task] = (remaining[block.task] ?? 0) - block.minutes;
    lastEnd[block.task] = Math.max(lastEnd[block.task] ?? 0, block.start + block.minutes);
    placements.push(block);
  }

  const { nextDaySlot, dayFirstSlot, starts } = gridIndex(model);

  const firstSlotAtOrAfter = (time: number): number => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] ?? 0) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  /** A free slot that ends by `limit` and, when `wantPeak` is set, is (or is not) in peak hours. */
  function usable(i: number, limit: number, wantPeak: boolean | null): boolean {
    const s = slots[i];
    if (!s || occ[i] !== -1 || s.start + g > limit) return false;
    return wantPeak === null || s.peak === wantPeak;
  }

  /** One scan over the grid placing chunks of task j; `wantPeak` filters slots, `limit` caps chunk ends. */
  const scan = (j: number, from: number, wantPeak: boolean | null, limit: number, whole = false): void => {
    const task = tasks[j];
    if (!task) return;
    const splittable = task.splittable && !whole;
    let k = firstSlotAtOrAfter(from);
    while (k < slots.length && (remaining[j] ?? 0) > 0) {
      const first = slots[k];
      if (!first) break;
      if (first.start + g > limit) break;
      const need = splittable ? Math.min(task.minChunk, remaining[j] ?? 0) : (remaining[j] ?? 0);
      if (dailyCap - (dayUsed[first.day] ?? 0) < need) {
        k = nextDaySlot[k] ?? slots.length;
        continue;
      }
      if (occ[k] !== -1) {
        k = firstFreeFrom(k);
        continue;
      }
      if (!usable(k, limit, wantPeak)) {
        k++;
        continue;
      }
      const prev = slots[k - 1];
      if (prev && occ[k - 1] === j && prev.run === first.run) {
        k += gapSlots;
        continue;
      }
      let e = k;
      while (e + 1 < slots.length && slots[e + 1]?.run === first.run && usable(e + 1, limit, wantPeak)) e++;
      const after = slots[e + 1];
      if (after && after.run === first.run && occ[e + 1] === j) e -= gapSlots;
      const runMinutes = (e - k + 1) * g;
      const capLeft = dailyCap - (dayUsed[first.day] ?? 0);
      const left = remaining[j] ?? 0;
      let chunk: number;
      if (!splittable) {
        chunk = left <= Math.min(runMinutes, maxBlock, capLeft) ? left : 0;
      } else {
        chunk = splittableChunk(left, Math.min(runMinutes, maxBlock, capLeft), task.minChunk, maxBlock, g);
      }
      if (chunk <= 0) {
        k = Math.max(e + 1, k + 1);
        continue;
      }
      const count = Math.ceil(chunk / g);
      for (let i = k; i < k + count; i++) occupy(i, j);
      dayUsed[first.day] = (dayUsed[first.day] ?? 0) + chunk;
      remaining[j] = left - chunk;
      lastEnd[j] = Math.max(lastEnd[j] ?? 0, first.start + chunk);
      placements.push({ task: j, slot: k, start: first.start, minutes: chunk, kept: false });
      k += count;
    }
  };

  /** Index of the last slot that ends by `limit` (binary search), -1 when none. */
  const lastSlotEndingBy = (limit: number): number => firstSlotAtOrAfter(limit - g + 1e-9) - 1;

  /**
   * Just-in-time placement of task j: walks the grid backwards from its due, taking the latest free stretches
   * (never before `from`), and commits only when all its work fits by then; false (nothing placed) otherwise.
   */
  const scanBackward = (j: number, from: number, limit: number): boolean => {
    const task = tasks[j];
    if (!task) return false;
    let left = remaining[j] ?? 0;
    const chunks: Array<[number, number]> = [];
    const dayDelta = new Map<number, number>();
    const fromSlot = firstSlotAtOrAfter(from);
    let plannedStart = -1;
    let k = lastSlotEndingBy(limit);
    while (k >= fromSlot && left > 0) {
      const last = slots[k];
      if (!last) break;
      if (occ[k] !== -1) {
        k--;
        continue;
      }
      const capLeft = dailyCap - (dayUsed[last.day] ?? 0) - (dayDelta.get(last.day) ?? 0);
      const need = task.splittable ? Math.min(task.minChunk, left) : left;
      if (capLeft < need) {
        k = (dayFirstSlot[k] ?? 0) - 1;
        continue;
      }
      const next = slots[k + 1];
      if (next && next.run === last.run && (occ[k + 1] === j || plannedStart === k + 1)) {
        k -= gapSlots;
        continue;
      }
      let s = k;
      while (s - 1 >= fromSlot && slots[s - 1]?.run === last.run && occ[s - 1] === -1) s--;
      const before = slots[s - 1];
      if (before && before.run === last.run && occ[s - 1] === j) s += gapSlots;
      const runMinutes = (k - s + 1) * g;
      const room = Math.min(runMinutes, maxBlock, capLeft);
      const chunk = task.splittable
        ? runMinutes > 0
          ? splittableChunk(left, room, task.minChunk, maxBlock, g)
          : 0
        : left <= room
          ? left
          : 0;
      if (chunk <= 0) {
        k = Math.min(k - 1, s - 1);
        continue;
      }
      const start = k - Math.ceil(chunk / g) + 1;
      chunks.push([start, chunk]);
      dayDelta.set(last.day, (dayDelta.get(last.day) ?? 0) + chunk);
      left -= chunk;
      plannedStart = start;
      k = start - 1;
    }
    if (left > 0) return false;
    for (let c = chunks.length - 1; c >= 0; c--) {
      const [start, chunk] = chunks[c] ?? [0, 0];
      const slot = slots[start];
      if (!slot) continue;
      for (let i = start; i < start + Math.ceil(chunk / g); i++) occupy(i, j);
      dayUsed[slot.day] = (dayUsed[slot.day] ?? 0) + chunk;
      lastEnd[j] = Math.max(lastEnd[j] ?? 0, slot.start + chunk);
      placements.push({ task: j, slot: start, start: slot.start, minutes: chunk, kept: false });
    }
    remaining[j] = 0;
    return true;
  };

  let cursor = 0; // everything in `sequence` before it is processed
  for (let step = 0; step < n; step++) {
    while (cursor < sequence.length && processed[sequence[cursor] ?? 0]) cursor++;
    let j = -1;
    for (let c = cursor; c < sequence.length && j < 0; c++) {
      const candidate = sequence[c] ?? 0;
      if (processed[candidate]) continue;
      const preds = tasks[candidate]?.preds;
      if (!preds) continue;
      let ready = true;
      for (let q = 0; q < preds.length && ready; q++) ready = processed[preds[q] ?? 0] === 1;
      if (ready) j = candidate;
    }
    if (j < 0) break;
    processed[j] = 1;
    const task = tasks[j];
    if (!task || (remaining[j] ?? 0) <= 0) continue;
    const blocker = task.preds.find((p) => (remaining[p] ?? 0) > 0);
    if (blocker !== undefined) {
      blockedBy[j] = blocker;
      continue;
    }
    let from = task.release;
    for (const p of task.preds) from = Math.max(from, lastEnd[p] ?? from);
    if (!task.splittable && task.estimate > maxBlock) continue;
    if (modes[j] === 2 && task.due !== null && scanBackward(j, from, Math.min(task.due, model.horizonEnd))) {
      continue;
    }
    if (modes[j] === 3 && task.splittable && (remaining[j] ?? 0) <= maxBlock) {
      scan(j, from, null, task.due ?? model.horizonEnd, true);
    }
    if (modes[j] === 1 && task.energy !== "medium") {
      scan(j, from, task.energy === "high", task.due ?? model.horizonEnd);
    }
    scan(j, from, null, Number.POSITIVE_INFINITY);
  }

  const completion = remaining.map((r, j) => (r <= 0 ? (lastEnd[j] ?? Number.NaN) : Number.NaN));
  return {
    placements,
    remaining,
    completion,
    blockedBy,
    cost: costOf(model, placements, remaining, completion),
  };
}

interface GridIndex {
  nextDaySlot: Int32Array;
  dayFirstSlot: Int32Array;
  starts: Float64Array;
}

const gridIndexCache = new WeakMap<readonly object[], GridIndex>();

/**
 * Per-model lookups the decoder needs on every call: slot starts and, per slot, the first slot of the next day
 * and the first slot of its own day.
 */
function gridIndex(model: PlanModel): GridIndex {
  const slots = model.grid.slots;
  const cached = gridIndexCache.get(slots);
  if (cached) return cached;
  const nextDaySlot = new Int32Array(slots.length);
  for (let i = slots.length - 1; i >= 0; i--) {
    const next = slots[i + 1];
    nextDaySlot[i] = !next
      ? slots.length
      : next.day !== slots[i]?.day
        ? i + 1
        : (nextDaySlot[i + 1] ?? slots.length);
  }
  const dayFirstSlot = new Int32Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    dayFirstSlot[i] = i > 0 && slots[i - 1]?.day === slots[i]?.day ? (dayFirstSlot[i - 1] ?? 0) : i;
  }
  const starts = Float64Array.from(slots, (slot) => slot.start);
  const index = { nextDaySlot, dayFirstSlot, starts };
  gridIndexCache.set(slots, index);
  return index;
}

/** The plan cost of a set of placements (shared by the decoder and the slot-preference pass). */
export function costOf(
  model: PlanModel,
  placements: readonly Placement[],
  remaining: number[],
  completion: number[],
): PlanCost {
  const { tasks, grid } = model;
  const g = grid.granularity;
  let weightedTardiness = 0;
  let lateTasks = 0;
  let weightedUnscheduled = 0;
  let weightedCompletion = 0;
  for (const task of tasks) {
    const left = remaining[task.index] ?? 0;
    const done = completion[task.index] ?? Number.NaN;
    const finish = Number.isNaN(done) ? model.horizonEnd + left : done;
    if (task.due !== null && finish - task.due > 1e-9) {
      weightedTardiness += task.weight * (finish - task.due);
      lateTasks++;
    }
    weightedUnscheduled += task.weight * left;
    weightedCompletion += task.weight * (finish - model.now);
  }
  let misfit = 0;
  for (const p of placements) {
    const energy = tasks[p.task]?.energy;
    if (energy === "medium") continue;
    const count = Math.ceil(p.minutes / g);
    for (let k = p.slot; k < p.slot + count; k++) {
      const peak = grid.slots[k]?.peak ?? false;
      if ((energy === "high") !== peak) misfit += g;
    }
  }
  const ordered = [...placements].sort((a, b) => a.start - b.start);
  let switches = 0;
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1];
    const b = ordered[i];
    if (a && b && a.task !== b.task && grid.slots[a.slot]?.day === grid.slots[b.slot]?.day) switches++;
  }
  return {
    weightedTardiness,
    lateTasks,
    weightedUnscheduled,
    secondary: misfit + FRAGMENT_PENALTY * placements.length + SWITCH_PENALTY * switches,
    weightedCompletion,
  };
}
