import type { PlanModel } from "../input/plan-model.ts";
import type { DecodedPlan, Placement } from "./decoder.ts";
import { decode } from "./decoder.ts";
import type { CostComparator } from "./plan-objective.ts";

export interface RescueOptions {
  /** How many of the cheapest-to-delay tasks ahead of a late task to try giving up for it (default 1). */
  sacrifices?: number;
  /**
   * Also try each sacrifice right after the late task, not only at the end of the order: it may then be late by
   * less (default false).
   */
  sacrificeRightAfter?: boolean;
  /**
   * Which late task to try first: "tardiness" (least weighted tardiness, the default) or "size" (smallest
   * estimate per weight, the easiest to fit in, as Moore–Hodgson favours).
   */
  order?: "tardiness" | "size";
}

export interface RescueState {
  plan: DecodedPlan;
  sequence: number[];
  modes: Uint8Array;
}

/** Finish minute of task j in a plan (unscheduled work finishes after the horizon). */
function finishOf(model: PlanModel, plan: DecodedPlan, j: number): number {
  const done = plan.completion[j] ?? Number.NaN;
  return Number.isNaN(done) ? model.horizonEnd + (plan.remaining[j] ?? 0) : done;
}

function tardinessOf(model: PlanModel, plan: DecodedPlan, j: number): number {
  const task = model.tasks[j];
  if (!task || task.due === null) return 0;
  const late = finishOf(model, plan, j) - task.due;
  return late > 1e-9 ? task.weight * late : 0;
}

function ancestorsOf(model: PlanModel, j: number): Set<number> {
  const found = new Set<number>();
  const stack = [...(model.tasks[j]?.preds ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() ?? 0;
    if (found.has(p)) continue;
    found.add(p);
    stack.push(...(model.tasks[p]?.preds ?? []));
  }
  return found;
}

/** j moved to `to` with every transitive prerequisite that sat after `to` right before it. */
function pullTo(model: PlanModel, sequence: readonly number[], j: number, to: number): number[] {
  const ancestors = ancestorsOf(model, j);
  const head = sequence.slice(0, to).filter((k) => k !== j);
  const moved = sequence.slice(to).filter((k) => ancestors.has(k));
  const rest = sequence.slice(to).filter((k) => k !== j && !ancestors.has(k));
  return [...head, ...moved, j, ...rest];
}

/** Late tasks of a plan: least weighted tardiness first, or smallest estimate per weight first. */
function lateTasksInOrder(model: PlanModel, plan: DecodedPlan, order: "tardiness" | "size"): number[] {
  return model.tasks
    .map((t) => ({ j: t.index, cost: tardinessOf(model, plan, t.index), size: t.estimate / t.weight }))
    .filter((x) => x.cost > 0)
    .sort((a, b) => (order === "size" ? a.size - b.size : 0) || a.cost - b.cost || a.j - b.j)
    .map((x) => x.j);
}

/**
 * Rescue moves, a targeted way to cut the number of late tasks: for each late task, cheapest first, it moves to
 * the latest position in the order at which it finishes on time (binary search over the positions ahead of it);
 * when that does not pay, the task with work before its due that costs least per minute to delay goes to the end
 * of the order (Moore–Hodgson's step, as a move rather than a seed). A result is kept only when `compare` prefers it to the current plan. Bounded by
 * `budget` decodes; deterministic.
 */
export function rescueLateTasks(
  model: PlanModel,
  start: RescueState,
  fixed: readonly Placement[],
  compare: CostComparator,
  budget: number,
  options: RescueOptions = {},
): RescueState & { evaluations: number } {
  const sacrifices = options.sacrifices ?? 1;
  const positions = options.sacrificeRightAfter ? (["after", "end"] as const) : (["end"] as const);
  let current = start;
  let evaluations = 0;
  const tried = new Set<number>();

  /** The plan with j pulled to the latest position where it is on time, or null. */
  const pullOnTime = (state: RescueState, j: number): RescueState | null => {
    const pos = state.sequence.indexOf(j);
    let lo = 0;
    let hi = pos - 1;
    let found: RescueState | null = null;
    while (lo <= hi && evaluations < budget) {
      const mid = (lo + hi + 1) >> 1;
      const sequence = pullTo(model, state.sequence, j, mid);
      const plan = decode(model, sequence, state.modes, fixed);
      evaluations++;
      if (tardinessOf(model, plan, j) <= 0) {
        found = { plan, sequence, modes: state.modes };
        if (mid === hi) break;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  };

  while (evaluations < budget) {
    const j = lateTasksInOrder(model, current.plan, options.order ?? "tardiness").find((k) => !tried.has(k));
    if (j === undefined) break;
    tried.add(j);
    const pulled = current.sequence.indexOf(j) > 0 ? pullOnTime(current, j) : null;
    let next = pulled && compare(pulled.plan.cost, current.plan.cost) < 0 ? pulled : null;
    if (!next) {
      tries: for (const k of sacrificeCandidates(model, current, j, sacrifices)) {
        for (const where of positions) {
          if (evaluations >= budget) break tries;
          const without = current.sequence.filter((x) => x !== k);
          let sequence: number[];
          if (where === "end") sequence = [...without, k];
          else {
            // Only a task ahead of j can be moved to right after it.
            if (current.sequence.indexOf(k) > current.sequence.indexOf(j)) continue;
            const at = without.indexOf(j) + 1;
            sequence = [...without.slice(0, at), k, ...without.slice(at)];
          }
          const plan = decode(model, sequence, current.modes, fixed);
          evaluations++;
          if (compare(plan.cost, current.plan.cost) < 0) {
            next = { plan, sequence, modes: current.modes };
            break tries;
          }
        }
      }
    }
    if (next) {
      current = next;
      tried.clear();
      tried.add(j);
    }
  }
  return { ...current, evaluations };
}

/** Sacrifice candidates for late task j: the `count` tasks with work before j's due that are cheapest to delay. */
function sacrificeCandidates(model: PlanModel, state: RescueState, j: number, count: number): number[] {
  const due = model.tasks[j]?.due;
  if (due === null || due === undefined) return [];
  const ancestors = ancestorsOf(model, j);
  const before = new Set<number>();
  for (const p of state.plan.placements) {
    if (p.start < due && p.task !== j && !p.kept && !ancestors.has(p.task)) before.add(p.task);
  }
  return [...before]
    .map((k) => model.tasks[k])
    .filter((t) => t !== undefined)
    .sort((a, b) => b.estimate / b.weight - a.estimate / a.weight || a.index - b.index)
    .slice(0, count)
    .map((t) => t.index);
}
