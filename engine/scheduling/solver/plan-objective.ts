import type { PlanModel } from "../input/plan-model.ts";
import type { PlanCost } from "./decoder.ts";
import { compareCost } from "./decoder.ts";
import { planEdfBaseline } from "./edf.ts";

export type CostComparator = (a: PlanCost, b: PlanCost) => number;

/**
 * Price of one late task, as a multiple of the mean weight × mean estimate: making a task on time is worth
 * delaying an average task by its own length this many times. Measured with test/bench/planner/quick.ts
 * (BENCHMARKS.md, "## Planner"): 1 cuts late tasks without raising total weighted tardiness on either suite.
 */
export const LATE_TASK_PRICE = 3;

/**
 * The search's objective. A plan over the EDF plan's weighted tardiness ranks by how far over it is (so the
 * search never trades its way above the bar every plan must clear); below the bar, by weighted tardiness plus a
 * price per late task, then by the lexicographic cost (compareCost).
 */
export function planObjective(edf: PlanCost, latePrice: number): CostComparator {
  const bar = edf.weightedTardiness + 1e-6;
  return (a, b) => {
    const overA = Math.max(0, a.weightedTardiness - bar);
    const overB = Math.max(0, b.weightedTardiness - bar);
    if (Math.abs(overA - overB) > 1e-6) return overA < overB ? -1 : 1;
    const d = a.weightedTardiness + latePrice * a.lateTasks - (b.weightedTardiness + latePrice * b.lateTasks);
    if (d < -1e-6) return -1;
    if (d > 1e-6) return 1;
    return compareCost(a, b);
  };
}

/**
 * The objective for a model: its EDF plan as the bar (`edf`, when the caller has it already), LATE_TASK_PRICE ×
 * mean weight × mean estimate per late task.
 */
export function searchObjective(
  model: PlanModel,
  edf: PlanCost = planEdfBaseline(model).cost,
): CostComparator {
  const n = Math.max(1, model.tasks.length);
  const meanWeight = model.tasks.reduce((s, t) => s + t.weight, 0) / n;
  const meanEstimate = model.tasks.reduce((s, t) => s + t.estimate, 0) / n;
  return planObjective(edf, LATE_TASK_PRICE * meanWeight * meanEstimate);
}

/**
 * Weighted tardiness the late-task phase may add, as a share of the search's best plan's (capped by the EDF
 * bar): within it, fewer late tasks win. Measured with test/bench/planner/quick.ts (BENCHMARKS.md, "## Planner"):
 * 0.05 costs +1.5 % weighted tardiness in total on the independent suite for 42 fewer late tasks (532 → 490), and
 * saves 0.3 % on the generated one (191 → 182 late).
 */
export const LATE_TRADE_SHARE = 0.05;

/**
 * Objective of the late-task phase: a plan over `cap` ranks by how far over it is; under it, by the number of
 * late tasks, then by the lexicographic cost (weighted tardiness first).
 */
export function lateFirstObjective(cap: number): CostComparator {
  const bar = cap + 1e-6;
  return (a, b) => {
    const overA = Math.max(0, a.weightedTardiness - bar);
    const overB = Math.max(0, b.weightedTardiness - bar);
    if (Math.abs(overA - overB) > 1e-6) return overA < overB ? -1 : 1;
    if (a.lateTasks !== b.lateTasks) return a.lateTasks - b.lateTasks;
    return compareCost(a, b);
  };
}
