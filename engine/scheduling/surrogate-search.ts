import type { PlanModel } from "./plan-model.ts";

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
  const g = curve.granularity;
  const capacity = curve.slots.length * g;
  let work = 0;
  let cost = 0;
  for (const j of sequence) {
    const task = model.tasks[j];
    if (!task) continue;
    work += task.estimate;
    let finish: number;
    if (work <= capacity) {
      const i = Math.max(0, Math.ceil(work / g) - 1);
      finish = (curve.slots[i] ?? model.horizonEnd) + g;
    } else {
      finish = model.horizonEnd + Math.min(task.estimate, work - capacity);
    }
    finish = Math.max(finish, task.release + task.estimate);
    if (task.due !== null && finish > task.due) cost += task.weight * (finish - task.due);
  }
  return cost;
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
      let bestTo = -1;
      let bestCost = best;
      for (let to = lo; to <= hi; to++) {
        if (to === from) continue;
        const candidate = [...sequence];
        candidate.splice(from, 1);
        candidate.splice(to, 0, task.index);
        const cost = surrogateCost(model, curve, candidate);
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
