import type { PlanModel } from "../input/plan-model.ts";
import type { DecodedPlan, Placement, PlanCost } from "./decoder.ts";
import { decode } from "./decoder.ts";
import { type CostComparator, LATE_TRADE_SHARE, lateFirstObjective } from "./plan-objective.ts";
import { type RescueState, rescueLateTasks } from "./rescue.ts";

/**
 * Late-task phase budget per task: the on-time-set pass takes at most one decode per late task (plus one), the
 * rescue passes and the polish share the rest. quick.ts: 2 per task reaches 498 late on the independent suite, 3
 * reaches 490, 5 reaches 487 (BENCHMARKS.md, "## Planner").
 */
export const LATE_PHASE_EVALUATIONS_PER_TASK = 3;

function isLate(model: PlanModel, plan: DecodedPlan, j: number): boolean {
  const task = model.tasks[j];
  if (!task || task.due === null) return false;
  const done = plan.completion[j] ?? Number.NaN;
  const finish = Number.isNaN(done) ? model.horizonEnd + (plan.remaining[j] ?? 0) : done;
  return finish - task.due > 1e-9;
}

/**
 * The plan that commits to an on-time set: its tasks first, latest due first, each just in time (backward from
 * its due), so everything else (in `order`) gets the earliest time they leave.
 */
function decodeOnTimeSet(
  model: PlanModel,
  onTime: ReadonlySet<number>,
  order: readonly number[],
  baseModes: Uint8Array,
  fixed: readonly Placement[],
): RescueState {
  const committed = [...onTime].sort(
    (a, b) => (model.tasks[b]?.due ?? 0) - (model.tasks[a]?.due ?? 0) || a - b,
  );
  const sequence = [...committed, ...order.filter((k) => !onTime.has(k))];
  const modes = Uint8Array.from(baseModes);
  for (const j of committed) modes[j] = 2;
  return { plan: decode(model, sequence, modes, fixed), sequence, modes };
}

/**
 * Moore–Hodgson's greedy on the real decoder: start from the plan's on-time tasks committed just in time, then
 * add each late task (smallest estimate per weight first) when the plan with it committed too has fewer late tasks.
 */
function growOnTimeSet(
  model: PlanModel,
  start: RescueState,
  fixed: readonly Placement[],
  budget: number,
): RescueState & { evaluations: number } {
  const onTime = new Set<number>();
  const late: number[] = [];
  for (const t of model.tasks) {
    if (t.due === null) continue;
    if (isLate(model, start.plan, t.index)) late.push(t.index);
    else onTime.add(t.index);
  }
  if (late.length === 0 || budget < 1) return { ...start, evaluations: 0 };
  let current = decodeOnTimeSet(model, onTime, start.sequence, start.modes, fixed);
  let evaluations = 1;
  const size = (j: number) => (model.tasks[j]?.estimate ?? 0) / (model.tasks[j]?.weight ?? 1);
  late.sort((a, b) => size(a) - size(b) || a - b);
  for (const j of late) {
    if (evaluations >= budget) break;
    onTime.add(j);
    const next = decodeOnTimeSet(model, onTime, start.sequence, start.modes, fixed);
    evaluations++;
    if (next.plan.cost.lateTasks < current.plan.cost.lateTasks) current = next;
    else onTime.delete(j);
  }
  return { ...current, evaluations };
}

/** Seeded local search (insertions, adjacent swaps, placement modes) under `compare`, `budget` decodes. */
function polish(
  model: PlanModel,
  start: RescueState,
  fixed: readonly Placement[],
  compare: CostComparator,
  budget: number,
  random: () => number,
): RescueState & { evaluations: number } {
  let current = start;
  const n = start.sequence.length;
  let evaluations = 0;
  while (evaluations < budget && n > 1) {
    const seq = current.sequence;
    const roll = random();
    let sequence = seq;
    let modes = current.modes;
    if (roll < 0.45) {
      const from = Math.floor(random() * n);
      const span = Math.max(2, Math.floor(n / 4));
      const to = Math.min(n - 1, Math.max(0, from + Math.floor((random() * 2 - 1) * span)));
      if (from === to) continue;
      sequence = [...seq];
      const [item] = sequence.splice(from, 1);
      if (item !== undefined) sequence.splice(to, 0, item);
    } else if (roll < 0.8) {
      const i = Math.floor(random() * (n - 1));
      sequence = [...seq];
      const a = sequence[i] ?? 0;
      sequence[i] = sequence[i + 1] ?? 0;
      sequence[i + 1] = a;
    } else {
      const j = seq[Math.floor(random() * n)] ?? 0;
      modes = Uint8Array.from(modes);
      modes[j] = ((modes[j] ?? 0) + 1 + Math.floor(random() * 3)) % 4;
    }
    const plan = decode(model, sequence, modes, fixed);
    evaluations++;
    if (compare(plan.cost, current.plan.cost) < 0) current = { plan, sequence, modes };
  }
  return { ...current, evaluations };
}

/**
 * The late-task phase, after the weighted-tardiness search: fewer late tasks for at most LATE_TRADE_SHARE more
 * weighted tardiness than `best` (never above the EDF plan's). An on-time set grown on the decoder, then rescue
 * moves (late tasks pulled to their latest on-time position, three sacrifice candidates, right after the late
 * task or at the end) under the late-first objective; when they cut the late count, a short polish and a second
 * rescue. Returns `best` unless the result has fewer late tasks, or as many and less tardiness. Bounded by
 * `budget` decodes; deterministic for a given `random`.
 */
export function reduceLateTasks(
  model: PlanModel,
  best: RescueState,
  fixed: readonly Placement[],
  edf: PlanCost,
  budget: number,
  random: () => number,
): RescueState & { evaluations: number } {
  if (best.plan.cost.lateTasks === 0 || budget < 1) return { ...best, evaluations: 0 };
  const n = model.tasks.length;
  const cap = Math.min(edf.weightedTardiness, best.plan.cost.weightedTardiness * (1 + LATE_TRADE_SHARE));
  const compare = lateFirstObjective(cap);
  const rescue = { sacrifices: 3, sacrificeRightAfter: true, order: "size" } as const;
  const grown = growOnTimeSet(model, best, fixed, Math.min(budget, n + 1));
  let evaluations = grown.evaluations;
  let current: RescueState = compare(grown.plan.cost, best.plan.cost) < 0 ? grown : best;
  const rescued = rescueLateTasks(
    model,
    current,
    fixed,
    compare,
    Math.min(3 * n, budget - evaluations),
    rescue,
  );
  evaluations += rescued.evaluations;
  current = rescued;
  if (current.plan.cost.lateTasks < best.plan.cost.lateTasks && budget > evaluations) {
    const polished = polish(model, current, fixed, compare, Math.min(n, budget - evaluations), random);
    evaluations += polished.evaluations;
    const again = rescueLateTasks(model, polished, fixed, compare, budget - evaluations, rescue);
    evaluations += again.evaluations;
    current = again;
  }
  return compare(current.plan.cost, best.plan.cost) < 0
    ? { ...current, evaluations }
    : { ...best, evaluations };
}
