import type { PlanTask } from "../input/plan-input.ts";
import type { PlanModel } from "../input/plan-model.ts";
import type { DecodedPlan, Placement } from "./decoder.ts";
import { costOf } from "./decoder.ts";

/**
 * A learned score of a candidate block: higher means the person is likelier to keep it. Called with epoch
 * milliseconds. Used only as a secondary term: it never makes a task later, never breaks a hard rule.
 */
export type SlotPreference = (task: PlanTask, startMs: number, endMs: number) => number;

export interface PreferencePassOptions {
  /** Secondary-cost minutes one unit of preference score is worth (default 60: +0.5 ≈ 30 misfit minutes). */
  weight?: number;
  /** Candidate starts are aligned to this many minutes (default 15). */
  alignMinutes?: number;
  /** Improvement passes over all blocks (default 2). */
  passes?: number;
  /**
   * Cap on candidate slots examined (default PREFERENCE_EVALUATION_BUDGET). The pass is bounded by this
   * work, not by the clock, so the same input gives the same plan under any load; blocks not reached when it runs
   * out keep the solver's placement.
   */
  maxEvaluations?: number;
  /** Wall-clock safety net in ms (default 10 000): only stops a pathological run, and the result says so. */
  timeLimitMs?: number;
}

export interface PreferencePassResult {
  plan: DecodedPlan;
  /** Candidate slots examined. */
  evaluations: number;
  evaluationBudget: number;
  /** True only when the wall-clock safety net stopped the pass before its evaluation budget. */
  timeLimitHit?: boolean;
}

/** Default wall-clock safety net of the pass, in ms. */
export const PREFERENCE_TIME_LIMIT_MS = 10_000;

/**
 * Default evaluation budget: enough for both passes to examine every aligned slot of two weeks (about 1,350 at
 * 15-minute alignment) for up to 120 blocks; larger plans stop early, deterministically.
 */
export const PREFERENCE_EVALUATION_BUDGET = 2 * 120 * 1_400;

const FRAGMENT_FREE = 0;
const SWITCH_PENALTY = 10;
const EPS = 1e-6;

/**
 * Re-ranks the feasible slots of each placed (not kept) block by the learned slot preference and moves the
 * block when that lowers the secondary cost (energy misfit + switches − weight × preference) without touching
 * the primary objectives: a block never moves past its task's deadline (nor, for a late task, past its old
 * completion), before its release or prerequisites, after its dependants' blocks, onto occupied or non-working
 * time, next to another block of its task in the same stretch, or over the daily cap.
 */
export function improveWithPreference(
  model: PlanModel,
  plan: DecodedPlan,
  preference: SlotPreference,
  options: PreferencePassOptions = {},
): PreferencePassResult {
  const weight = options.weight ?? 60;
  const { grid, tasks } = model;
  const slots = grid.slots;
  const g = grid.granularity;
  const align = Math.max(g, options.alignMinutes ?? 15);
  const gapSlots = Math.max(1, Math.ceil(model.input.person.preferences.bufferMinutes / g));
  const placements: Placement[] = plan.placements.map((p) => ({ ...p }));
  const occ = new Int32Array(slots.length).fill(-1);
  const dayUsed = new Float64Array(grid.days.length);
  const countOf = (p: Placement) => Math.ceil(p.minutes / g);
  placements.forEach((p, i) => {
    for (let k = p.slot; k < p.slot + countOf(p); k++) occ[k] = i;
    const day = slots[p.slot]?.day ?? 0;
    dayUsed[day] = (dayUsed[day] ?? 0) + p.minutes;
  });
  const planTasks = model.input.tasks;
  const caches = tasks.map(() => new Map<number, number>());
  const scoreOf = (taskIndex: number, start: number, minutes: number): number => {
    const cache = caches[taskIndex] as Map<number, number>;
    const key = start * 2048 + minutes;
    let value = cache.get(key);
    if (value === undefined) {
      const task = planTasks[taskIndex];
      value = task ? preference(task, start * 60_000, (start + minutes) * 60_000) : 0;
      if (!Number.isFinite(value)) value = 0;
      cache.set(key, value);
    }
    return value;
  };
  const aligned: number[] = [];
  slots.forEach((slot, k) => {
    if (slot.start % align === 0) aligned.push(k);
  });
  const started = performance.now();
  const timeLimitMs = options.timeLimitMs ?? PREFERENCE_TIME_LIMIT_MS;
  const evaluationBudget = options.maxEvaluations ?? PREFERENCE_EVALUATION_BUDGET;
  let evaluations = 0;
  let timeLimitHit = false;
  const budgetLeft = (): boolean => {
    if (evaluations >= evaluationBudget) return false;
    if (performance.now() - started >= timeLimitMs) timeLimitHit = true;
    return !timeLimitHit;
  };
  const misfitOf = (taskIndex: number, slot: number, minutes: number): number => {
    const energy = tasks[taskIndex]?.energy;
    if (energy === "medium") return 0;
    let misfit = 0;
    for (let k = slot; k < slot + Math.ceil(minutes / g); k++) {
      if ((energy === "high") !== (slots[k]?.peak ?? false)) misfit += g;
    }
    return misfit;
  };
  const switches = (): number => {
    const ordered = [...placements].sort((a, b) => a.start - b.start);
    let count = 0;
    for (let i = 1; i < ordered.length; i++) {
      const a = ordered[i - 1];
      const b = ordered[i];
      if (a && b && a.task !== b.task && slots[a.slot]?.day === slots[b.slot]?.day) count++;
    }
    return count;
  };

  passes: for (let pass = 0; pass < (options.passes ?? 2); pass++) {
    let moved = false;
    for (let i = 0; i < placements.length; i++) {
      const p = placements[i];
      const task = p ? tasks[p.task] : undefined;
      if (!p || !task || p.kept) continue;
      if (!budgetLeft()) break passes;
      const count = countOf(p);
      const own = placements.filter((q, k) => k !== i && q.task === p.task);
      const predsEnd = Math.max(
        task.release,
        ...task.preds.flatMap((pred) =>
          placements.filter((q) => q.task === pred).map((q) => q.start + q.minutes),
        ),
      );
      const succStart = Math.min(
        Number.POSITIVE_INFINITY,
        ...task.succs.flatMap((succ) => placements.filter((q) => q.task === succ).map((q) => q.start)),
      );
      const otherEnd = Math.max(Number.NEGATIVE_INFINITY, ...own.map((q) => q.start + q.minutes));
      const oldEnd = p.start + p.minutes;
      const complete = (plan.remaining[p.task] ?? 0) <= 0;
      const oldCompletion = Math.max(otherEnd, oldEnd);
      // Latest end this block may have without making its task later than it is now.
      const due = task.due ?? Number.POSITIVE_INFINITY;
      const latestEnd = Math.min(
        succStart,
        complete ? Math.max(oldCompletion, due) : Number.POSITIVE_INFINITY,
        model.horizonEnd,
      );
      const oldDay = slots[p.slot]?.day ?? -1;
      const baseValue = misfitOf(p.task, p.slot, p.minutes) - weight * scoreOf(p.task, p.start, p.minutes);
      let best = -1;
      let bestValue = baseValue - EPS;
      for (const k of aligned) {
        const first = slots[k];
        if (!first || k === p.slot || k + count > slots.length) continue;
        if (first.start + p.minutes > latestEnd) break;
        if (first.start < predsEnd) continue;
        if (evaluations >= evaluationBudget) break;
        evaluations++;
        let fits = true;
        for (let m = k; m < k + count; m++) {
          const s = slots[m];
          if (
            !s ||
            s.run !== first.run ||
            s.start !== first.start + (m - k) * g ||
            (occ[m] !== -1 && occ[m] !== i)
          ) {
            fits = false;
            break;
          }
        }
        if (!fits) continue;
        // Same-task blocks keep a gap inside one stretch (as the decoder does).
        for (
          let m = Math.max(0, k - gapSlots);
          m < Math.min(slots.length, k + count + gapSlots) && fits;
          m++
        ) {
          if (m >= k && m < k + count) continue;
          const owner = occ[m] ?? -1;
          if (
            owner !== -1 &&
            owner !== i &&
            placements[owner]?.task === p.task &&
            slots[m]?.run === first.run
          ) {
            fits = false;
          }
        }
        if (!fits) continue;
        const used = (dayUsed[first.day] ?? 0) - (first.day === oldDay ? p.minutes : 0);
        if (used + p.minutes > model.dailyCap) continue;
        const value = misfitOf(p.task, k, p.minutes) - weight * scoreOf(p.task, first.start, p.minutes);
        if (value < bestValue) {
          bestValue = value;
          best = k;
        }
      }
      if (best < 0) continue;
      const target = slots[best];
      if (!target) continue;
      const before = switches();
      const previous = { slot: p.slot, start: p.start };
      for (let m = p.slot; m < p.slot + count; m++) occ[m] = -1;
      for (let m = best; m < best + count; m++) occ[m] = i;
      dayUsed[oldDay] = (dayUsed[oldDay] ?? 0) - p.minutes;
      dayUsed[target.day] = (dayUsed[target.day] ?? 0) + p.minutes;
      p.slot = best;
      p.start = target.start;
      const gain = baseValue - bestValue - SWITCH_PENALTY * (switches() - before) - FRAGMENT_FREE;
      if (gain > EPS) {
        p.preferred = true;
        moved = true;
        continue;
      }
      // Not worth the extra context switches: undo.
      for (let m = best; m < best + count; m++) occ[m] = -1;
      for (let m = previous.slot; m < previous.slot + count; m++) occ[m] = i;
      dayUsed[target.day] = (dayUsed[target.day] ?? 0) - p.minutes;
      dayUsed[oldDay] = (dayUsed[oldDay] ?? 0) + p.minutes;
      p.slot = previous.slot;
      p.start = previous.start;
    }
    if (!moved) break;
  }

  const stats = timeLimitHit
    ? { evaluations, evaluationBudget, timeLimitHit: true }
    : { evaluations, evaluationBudget };
  const lastEnd = new Array<number>(tasks.length).fill(Number.NEGATIVE_INFINITY);
  for (const p of placements) lastEnd[p.task] = Math.max(lastEnd[p.task] ?? 0, p.start + p.minutes);
  const completion = plan.remaining.map((r, j) => (r <= 0 ? (lastEnd[j] ?? Number.NaN) : Number.NaN));
  const remaining = [...plan.remaining];
  const cost = costOf(model, placements, remaining, completion);
  const original = plan.cost;
  if (
    cost.weightedTardiness > original.weightedTardiness + EPS ||
    cost.lateTasks > original.lateTasks ||
    cost.weightedUnscheduled > original.weightedUnscheduled + EPS
  ) {
    return { plan, ...stats }; // Defensive: the pass must never cost lateness.
  }
  return { plan: { placements, remaining, completion, blockedBy: plan.blockedBy, cost }, ...stats };
}
