import { createRandom } from "../../../models/random.ts";
import type { PlanModel, TaskModel } from "../input/plan-model.ts";
import type { DecodedPlan, Placement, PlacementMode } from "./decoder.ts";
import { decode } from "./decoder.ts";
import { edfSequence, planEdfBaseline } from "./edf.ts";
import { workCurve } from "./late-bound.ts";
import { LATE_PHASE_EVALUATIONS_PER_TASK, reduceLateTasks } from "./late-phase.ts";
import { searchObjective } from "./plan-objective.ts";
import { rescueLateTasks } from "./rescue.ts";
import { improveOnSurrogate, surrogateCost } from "./surrogate-search.ts";

export interface HeuristicOptions {
  /** Cap on full schedule evaluations during the search (default: evaluationBudget(tasks)). */
  maxEvaluations?: number;
  /**
   * Wall-clock safety net in ms (default 10 000). The search is bounded by evaluations, so the plan depends only
   * on the input; this cap only stops a pathological run, and the result says when it did.
   */
  timeLimitMs?: number;
  /** Seed for the local search's random moves (default: a hash of the input); same seed, same plan. */
  seed?: number;
}

export interface HeuristicResult {
  plan: DecodedPlan;
  sequence: number[];
  modes: Uint8Array;
  evaluations: number;
  /** True when the wall-clock safety net stopped the search before its evaluation budget. */
  timeLimitHit?: boolean;
}

/** Default safety-net time limit of the search, in ms. */
export const SEARCH_TIME_LIMIT_MS = 10_000;

/**
 * Small plans (up to this many tasks) decode in microseconds, so their search runs its whole, larger budget
 * instead of stopping after 4n moves without improvement: on such instances the exact optimum is often a few
 * hundred evaluations further on.
 */
export const SMALL_PLAN_TASKS = 30;
export const SMALL_PLAN_BUDGET = 1000;

/**
 * Evaluation budget of the search: grows with the number of tasks, so larger plans get a longer search. The
 * local search gets 40 + 2 per task (SMALL_PLAN_BUDGET for small plans), the rescue pass one per task and the
 * late-task phase LATE_PHASE_EVALUATIONS_PER_TASK per task (it uses that much only when many tasks are late).
 */
export function evaluationBudget(tasks: number): number {
  return searchBudget(tasks) + tasks + LATE_PHASE_EVALUATIONS_PER_TASK * tasks;
}

function searchBudget(tasks: number): number {
  return tasks <= SMALL_PLAN_TASKS ? SMALL_PLAN_BUDGET : 40 + 2 * tasks;
}

/**
 * Cumulative usable work time: the start of the m-th usable slot, honouring the daily focus cap. Lets the
 * dispatching rule estimate when work would finish without placing it.
 */
function capacityCurve(model: PlanModel): number[] {
  return [...workCurve(model).slots];
}

/**
 * Apparent Tardiness Cost dispatching (Vepsalainen & Morton) on the capacity curve: at each step pick the
 * ready task maximising w/p · exp(−slack⁺ / (k · p̄)), where slack is measured in calendar time.
 */
function atcSequence(
  model: PlanModel,
  k: number,
  urgency: { due: Array<number | null>; weight: number[] },
): number[] {
  const { tasks } = model;
  const curve = capacityCurve(model);
  const g = model.grid.granularity;
  const pbar = tasks.reduce((s, t) => s + t.estimate, 0) / Math.max(1, tasks.length);
  const timeAfter = (workMinutes: number): number => {
    const i = Math.floor(workMinutes / g);
    return curve[Math.min(i, curve.length - 1)] ?? model.horizonEnd;
  };
  const done = new Uint8Array(tasks.length);
  const sequence: number[] = [];
  let work = 0;
  for (let step = 0; step < tasks.length; step++) {
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const t of tasks) {
      if (done[t.index] || !t.preds.every((p) => done[p])) continue;
      const start = Math.max(timeAfter(work), t.release);
      const finish = work + t.estimate >= curve.length * g ? model.horizonEnd : timeAfter(work + t.estimate);
      const due = urgency.due[t.index] ?? null;
      const slack = due === null ? 1e7 : due - Math.max(start, finish);
      const score =
        ((urgency.weight[t.index] ?? t.weight) / t.estimate) * Math.exp(-Math.max(0, slack) / (k * pbar * 4));
      const tie = score === bestScore && best >= 0 && t.index < best;
      if (score > bestScore || tie) {
        best = t.index;
        bestScore = score;
      }
    }
    if (best < 0) break;
    done[best] = 1;
    sequence.push(best);
    work += tasks[best]?.estimate ?? 0;
  }
  return sequence;
}

/**
 * Due dates and weights pulled back through dependencies: a prerequisite is as urgent as the most urgent task
 * waiting on it (its due minus that task's estimate) and at least as important.
 */
function propagatedUrgency(model: PlanModel): { due: Array<number | null>; weight: number[] } {
  const { tasks } = model;
  const due = tasks.map((t) => t.due);
  const weight = tasks.map((t) => t.weight);
  const order = topologicalOrder(tasks);
  for (let i = order.length - 1; i >= 0; i--) {
    const j = order[i] ?? 0;
    for (const s of tasks[j]?.succs ?? []) {
      const succDue = due[s];
      const succ = tasks[s];
      if (succDue === null || succDue === undefined || !succ) continue;
      const pulled = succDue - succ.estimate;
      const own = due[j];
      due[j] = own === null || own === undefined ? pulled : Math.min(own, pulled);
      weight[j] = Math.max(weight[j] ?? 1, weight[s] ?? 1);
    }
  }
  return { due, weight };
}

function topologicalOrder(tasks: readonly TaskModel[]): number[] {
  const indegree = tasks.map((t) => t.preds.length);
  const queue = tasks.filter((t) => t.preds.length === 0).map((t) => t.index);
  const order: number[] = [];
  while (queue.length > 0) {
    const j = queue.shift() ?? 0;
    order.push(j);
    for (const s of tasks[j]?.succs ?? []) {
      indegree[s] = (indegree[s] ?? 1) - 1;
      if (indegree[s] === 0) queue.push(s);
    }
  }
  return order;
}

/** All transitive prerequisites of task j. */
function ancestorsOf(tasks: readonly TaskModel[], j: number): Set<number> {
  const found = new Set<number>();
  const stack = [...(tasks[j]?.preds ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() ?? 0;
    if (found.has(p)) continue;
    found.add(p);
    stack.push(...(tasks[p]?.preds ?? []));
  }
  return found;
}

/** Moves task at `from` to `to` and, ahead of it, every prerequisite that sat after `to`. */
function pullWithPrerequisites(
  sequence: readonly number[],
  from: number,
  to: number,
  ancestors: Set<number>,
) {
  const j = sequence[from];
  if (j === undefined) return [...sequence];
  const head = sequence.slice(0, to);
  const moved = sequence.slice(to).filter((k) => ancestors.has(k));
  const rest = sequence.slice(to).filter((k) => k !== j && !ancestors.has(k));
  return [...head, ...moved, j, ...rest];
}

function sortedSequence(tasks: readonly TaskModel[], key: (t: TaskModel) => number): number[] {
  return [...tasks]
    .sort((a, b) => key(a) - key(b) || a.priority - b.priority || a.index - b.index)
    .map((t) => t.index);
}

function initialSequences(model: PlanModel): number[][] {
  const { tasks, now } = model;
  const far = model.horizonEnd + 1e6;
  const urgency = propagatedUrgency(model);
  const due = (t: TaskModel) => urgency.due[t.index] ?? far;
  const weight = (t: TaskModel) => urgency.weight[t.index] ?? t.weight;
  return [
    edfSequence(model),
    sortedSequence(tasks, due),
    atcSequence(model, 0.5, urgency),
    atcSequence(model, 1, urgency),
    atcSequence(model, 2, urgency),
    atcSequence(model, 3, urgency),
    atcSequence(model, 6, urgency),
    sortedSequence(tasks, (t) => t.priority * 1e9 + due(t)),
    sortedSequence(tasks, (t) => (due(t) - now) / weight(t)),
    sortedSequence(tasks, (t) => t.estimate / weight(t)),
  ];
}

/** The best seeds, reordered by a cheap capacity-curve model of the plan (see surrogate-search.ts). */
function surrogateSeeds(model: PlanModel, seeds: readonly number[][]): number[][] {
  const curve = { slots: capacityCurve(model), granularity: model.grid.granularity };
  const ranked = [...seeds]
    .map((sequence, i) => ({ sequence, i, cost: surrogateCost(model, curve, sequence) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i);
  return ranked.slice(0, 2).map((r) => improveOnSurrogate(model, curve, r.sequence));
}

/**
 * Fast planner: dispatching-rule seeds (EDF, ATC, priority, weighted due date) × placement modes, then a
 * local search over the task sequence and per-task placement modes, every candidate decoded into a full
 * plan and compared lexicographically (weighted tardiness, late tasks, unscheduled work, energy/fragments).
 * EDF is one of the seeds, so the result is never worse than the EDF baseline.
 */
export function solveHeuristic(
  model: PlanModel,
  fixed: readonly Placement[] = [],
  options: HeuristicOptions = {},
): HeuristicResult {
  const started = performance.now();
  const n = model.tasks.length;
  const totalEvaluations = options.maxEvaluations ?? evaluationBudget(n);
  // The rescue pass and the late-task phase get their shares of the budget (as in evaluationBudget(n)); the local
  // search the rest.
  const share = (part: number) => Math.floor((totalEvaluations * part) / evaluationBudget(n));
  const rescueBudget = share(n);
  const lateBudget = share(LATE_PHASE_EVALUATIONS_PER_TASK * n);
  const maxEvaluations = totalEvaluations - rescueBudget - lateBudget;
  const timeLimitMs = options.timeLimitMs ?? SEARCH_TIME_LIMIT_MS;
  const random = createRandom(options.seed ?? 1);
  let timeLimitHit = false;
  const energyAware = new Uint8Array(n).map((_, j) => (model.tasks[j]?.energy === "medium" ? 0 : 1));
  const modeSets = [new Uint8Array(n), energyAware];

  const edf = planEdfBaseline(model).cost;
  const compareCost = searchObjective(model, edf);
  let evaluations = 0;
  let best: HeuristicResult | null = null;
  const seeds = initialSequences(model);
  for (const sequence of [...seeds, ...surrogateSeeds(model, seeds)]) {
    for (const modes of modeSets) {
      const plan = decode(model, sequence, modes, fixed);
      evaluations++;
      if (!best || compareCost(plan.cost, best.plan.cost) < 0) {
        best = { plan, sequence, modes: Uint8Array.from(modes), evaluations };
      }
    }
  }
  if (!best || n < 2) return { ...(best ?? emptyResult(model, fixed)), evaluations };

  const budgetLeft = (): boolean => {
    if (evaluations >= maxEvaluations) return false;
    if (performance.now() - started >= timeLimitMs) timeLimitHit = true;
    return !timeLimitHit;
  };
  // The local search walks from `walk`, which is the best plan except after a kick (small plans only).
  let walk: HeuristicResult = best;
  const tryCandidate = (sequence: number[], modes: Uint8Array): boolean => {
    evaluations++;
    const plan = decode(model, sequence, modes, fixed);
    if (compareCost(plan.cost, walk.plan.cost) < 0) {
      walk = { plan, sequence, modes, evaluations };
      if (best && compareCost(plan.cost, best.plan.cost) < 0) best = walk;
      return true;
    }
    return false;
  };

  let stale = 0;
  let pulledSinceImprovement = false;
  const small = n <= SMALL_PLAN_TASKS;
  while (budgetLeft() && (small || stale < 4 * n)) {
    if (small && stale >= 4 * n) {
      // Iterated local search: kick the best plan with a few seeded moves and walk on from there.
      let sequence = best.sequence;
      for (let k = 0; k < 3; k++) {
        const from = Math.floor(random() * n);
        const to = Math.floor(random() * n);
        sequence = moveTo(sequence, from, to);
      }
      evaluations++;
      walk = { plan: decode(model, sequence, best.modes, fixed), sequence, modes: best.modes, evaluations };
      if (compareCost(walk.plan.cost, best.plan.cost) < 0) best = walk;
      stale = 0;
      pulledSinceImprovement = false;
      continue;
    }
    const current: HeuristicResult = walk;
    let improved = false;
    // Pull late tasks forward in the sequence: the move most likely to cut weighted tardiness.
    if (!pulledSinceImprovement) {
      pulledSinceImprovement = true;
      for (const j of lateTasksByCost(model, current.plan)) {
        const pos = current.sequence.indexOf(j);
        const ancestors = ancestorsOf(model.tasks, j);
        for (const moved of blockingMoves(model, current, j, ancestors)) {
          if (!budgetLeft()) break;
          if (tryCandidate(moved, current.modes)) {
            improved = true;
            break;
          }
        }
        if (improved) break;
        for (let step = 1; pos - step >= 0 && budgetLeft(); step *= 2) {
          const moved = pullWithPrerequisites(current.sequence, pos, pos - step, ancestors);
          if (tryCandidate(moved, current.modes)) {
            improved = true;
            break;
          }
        }
        if (improved) break;
      }
    }
    if (!improved && budgetLeft()) {
      const seq = current.sequence;
      const roll = random();
      if (roll < 0.45) {
        const from = Math.floor(random() * n);
        const span = Math.max(2, Math.floor(n / 4));
        const to = Math.min(n - 1, Math.max(0, from + Math.floor((random() * 2 - 1) * span)));
        improved = from !== to && tryCandidate(moveTo(seq, from, to), current.modes);
      } else if (roll < 0.8) {
        const i = Math.floor(random() * (n - 1));
        improved = tryCandidate(swap(seq, i, i + 1), current.modes);
      } else {
        const j = Math.floor(random() * n);
        const others = placementModes(model, j).filter((m) => m !== current.modes[j]);
        const pick = others[Math.floor(random() * others.length)];
        if (pick !== undefined) {
          const modes = Uint8Array.from(current.modes);
          modes[j] = pick;
          improved = tryCandidate(seq, modes);
        }
      }
    }
    stale = improved ? 0 : stale + 1;
    if (improved) pulledSinceImprovement = false;
  }
  if (rescueBudget > 0 && !timeLimitHit) {
    const rescued = rescueLateTasks(model, best, fixed, compareCost, rescueBudget);
    evaluations += rescued.evaluations;
    best = { plan: rescued.plan, sequence: rescued.sequence, modes: rescued.modes, evaluations };
  }
  if (lateBudget > 0 && !timeLimitHit) {
    const fewerLate = reduceLateTasks(model, best, fixed, edf, lateBudget, random);
    evaluations += fewerLate.evaluations;
    best = { plan: fewerLate.plan, sequence: fewerLate.sequence, modes: fewerLate.modes, evaluations };
  }
  return timeLimitHit ? { ...best, evaluations, timeLimitHit } : { ...best, evaluations };
}

/**
 * Lateness-targeted moves for late task j: the "blocking" tasks are those ahead of it in the order, less urgent
 * (due later or never), with work placed before j's due. Candidates: j (with its prerequisites) right before the
 * first blocking task; the longest blocking task right after j; every blocking task right after j.
 */
export function blockingMoves(
  model: PlanModel,
  current: HeuristicResult,
  j: number,
  ancestors: Set<number>,
): number[][] {
  const due = model.tasks[j]?.due;
  if (due === null || due === undefined) return [];
  const sequence = current.sequence;
  const pos = sequence.indexOf(j);
  const before = new Set<number>();
  for (const p of current.plan.placements) if (p.start < due) before.add(p.task);
  const blocking: number[] = [];
  for (let i = 0; i < pos; i++) {
    const k = sequence[i] ?? -1;
    const kDue = model.tasks[k]?.due ?? null;
    if (ancestors.has(k) || !before.has(k) || (kDue !== null && kDue <= due)) continue;
    blocking.push(i);
  }
  if (blocking.length === 0) return [];
  const moves = [pullWithPrerequisites(sequence, pos, blocking[0] ?? 0, ancestors)];
  const longest = [...blocking].sort(
    (a, b) =>
      (model.tasks[sequence[b] ?? 0]?.estimate ?? 0) - (model.tasks[sequence[a] ?? 0]?.estimate ?? 0) ||
      a - b,
  )[0];
  if (longest !== undefined) moves.push(moveTo(sequence, longest, pos));
  if (blocking.length > 1) {
    const pushed = new Set(blocking.map((i) => sequence[i]));
    const head = sequence.slice(0, pos + 1).filter((k) => !pushed.has(k));
    const tail = sequence.slice(pos + 1);
    moves.push([...head, ...sequence.filter((k) => pushed.has(k)), ...tail]);
  }
  return moves;
}

/** The placement modes that differ for task j (see PlacementMode). */
function placementModes(model: PlanModel, j: number): PlacementMode[] {
  const task = model.tasks[j];
  const modes: PlacementMode[] = [0];
  if (!task) return modes;
  if (task.energy !== "medium") modes.push(1);
  if (task.due !== null) modes.push(2);
  if (task.splittable && task.estimate > task.minChunk && task.estimate <= model.maxBlock) modes.push(3);
  return modes;
}

function emptyResult(model: PlanModel, fixed: readonly Placement[]): HeuristicResult {
  const modes = new Uint8Array(model.tasks.length);
  return { plan: decode(model, [], modes, fixed), sequence: [], modes, evaluations: 1 };
}

function lateTasksByCost(model: PlanModel, plan: DecodedPlan): number[] {
  const tardy: Array<[number, number]> = [];
  for (const task of model.tasks) {
    if (task.due === null) continue;
    const done = plan.completion[task.index] ?? Number.NaN;
    const finish = Number.isNaN(done) ? model.horizonEnd + (plan.remaining[task.index] ?? 0) : done;
    if (finish > task.due) tardy.push([task.index, task.weight * (finish - task.due)]);
  }
  return tardy.sort((a, b) => b[1] - a[1]).map(([j]) => j);
}

function moveTo(sequence: readonly number[], from: number, to: number): number[] {
  const next = [...sequence];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

function swap(sequence: readonly number[], i: number, j: number): number[] {
  const next = [...sequence];
  const a = next[i];
  const b = next[j];
  if (a !== undefined && b !== undefined) {
    next[i] = b;
    next[j] = a;
  }
  return next;
}
