import type { PlanModel } from "../input/plan-model.ts";

/**
 * A cheap stand-in for the decoder: tasks are processed back to back on the capacity curve (the start of each
 * usable minute of focus time after meetings and the daily cap), so a sequence's weighted tardiness costs O(n)
 * instead of a full decode. Fragmentation and block sizes are ignored; the real decoder judges the result.
 */
export interface CapacityCurve {
  /** Start (epoch minutes) of each usable slot, in order. */
  slots: number[];
  granularity: number;
}

export function surrogateCost(model: PlanModel, curve: CapacityCurve, sequence: readonly number[]): number {
  let work = 0;
  let cost = 0;
  for (const j of sequence) {
    const task = model.tasks[j];
    if (!task) continue;
    work += task.estimate;
    cost += taskCost(model, curve, j, work);
  }
  return cost;
}

/** Weighted tardiness of task j when it is the last to finish after `work` minutes on the curve. */
function taskCost(model: PlanModel, curve: CapacityCurve, j: number, work: number): number {
  const task = model.tasks[j];
  if (!task || task.due === null) return 0;
  const g = curve.granularity;
  const capacity = curve.slots.length * g;
  let finish: number;
  if (work <= capacity) {
    const i = Math.max(0, Math.ceil(work / g) - 1);
    finish = (curve.slots[i] ?? model.horizonEnd) + g;
  } else {
    finish = model.horizonEnd + Math.min(task.estimate, work - capacity);
  }
  finish = Math.max(finish, task.release + task.estimate);
  return finish > task.due ? task.weight * (finish - task.due) : 0;
}

/**
 * Steepest-descent on the surrogate with insertion moves (every task to every position that keeps its
 * prerequisites before it and its dependents after it), capped at `maxPasses` passes. Deterministic.
 */
export function improveOnSurrogate(
  model: PlanModel,
  curve: CapacityCurve,
  start: readonly number[],
  maxPasses = 4,
): number[] {
  let sequence = [...start];
  let best = surrogateCost(model, curve, sequence);
  const n = sequence.length;
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    for (let from = 0; from < n; from++) {
      const j = sequence[from];
      const task = j === undefined ? undefined : model.tasks[j];
      if (!task) continue;
      const position = new Map(sequence.map((t, i) => [t, i]));
      const lo = Math.max(-1, ...task.preds.map((p) => position.get(p) ?? -1)) + 1;
      const hi = Math.min(n, ...task.succs.map((s) => position.get(s) ?? n)) - 1;
      // Every insertion point of j costs O(1): the order without j, its prefix costs and its suffix costs
      // shifted by j's estimate are computed once.
      const base = sequence.filter((_, i) => i !== from);
      const m = base.length;
      const work = new Float64Array(m + 1);
      for (let i = 0; i < m; i++) work[i + 1] = (work[i] ?? 0) + (model.tasks[base[i] ?? 0]?.estimate ?? 0);
      const prefix = new Float64Array(m + 1);
      for (let i = 0; i < m; i++) {
        prefix[i + 1] = (prefix[i] ?? 0) + taskCost(model, curve, base[i] ?? 0, work[i + 1] ?? 0);
      }
      const shiftedSuffix = new Float64Array(m + 1);
      for (let i = m - 1; i >= 0; i--) {
        shiftedSuffix[i] =
          (shiftedSuffix[i + 1] ?? 0) +
          taskCost(model, curve, base[i] ?? 0, (work[i + 1] ?? 0) + task.estimate);
      }
      let bestTo = -1;
      let bestCost = best;
      for (let to = lo; to <= hi; to++) {
        if (to === from) continue;
        const cost =
          (prefix[to] ?? 0) +
          taskCost(model, curve, task.index, (work[to] ?? 0) + task.estimate) +
          (shiftedSuffix[to] ?? 0);
        if (cost < bestCost - 1e-6) {
          bestCost = cost;
          bestTo = to;
        }
      }
      if (bestTo >= 0) {
        sequence.splice(from, 1);
        sequence.splice(bestTo, 0, task.index);
        best = bestCost;
        improved = true;
      }
    }
    if (!improved) break;
  }
  sequence = sequence.filter((j) => j !== undefined);
  return sequence;
}
