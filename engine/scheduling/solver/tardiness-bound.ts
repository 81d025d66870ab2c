import type { PlanModel } from "../input/plan-model.ts";
import { bucketsOf, getHighs, lpText } from "./exact.ts";

/**
 * A lower bound on weighted tardiness that every plan obeying the hard rules pays, much tighter than the
 * time-indexed relaxation of exact.ts on overloaded plans. Two valid bounds on each task's tardiness
 * T_j = max(0, C_j − due_j), combined in one LP (HiGHS, no binaries, solved to optimality in well under a second):
 * - alone: C_j is no earlier than its chain finishes with nothing else planned: its own work from the later of
 *   its earliest start and its prerequisites' bounds, and all its prerequisites' work plus its own from the
 *   earliest of their starts, each walked over the free grid slots with at most the daily cap a day (block sizes
 *   and buffers between blocks ignored); a task that can never be placed (unsplittable and longer than the
 *   maximum block, or behind such a prerequisite) finishes at the horizon end + its estimate;
 * - work spread: every minute of a task's work ends by C_j, so T_j is at least the average over its minutes of
 *   max(0, end of that minute − due). The LP spreads each task's work over 30-minute buckets of free time
 *   (bucket and daily capacities, earliest starts and the alone start bound respected), each minute charged at
 *   its bucket's earliest usable minute + 1; work not placed ends at the horizon end.
 * The LP minimises Σ w_j T_j with T_j at least both, over a relaxation of every real plan, so its optimum is a
 * bound. It is for benchmarks (how far the planner can still get), never for planning.
 */

/** Earliest epoch minute by which `work` minutes fit in free slots from `from`, at most the daily cap a day. */
function finishOnGrid(model: PlanModel, from: number, work: number): number {
  const g = model.grid.granularity;
  if (work <= 0) return from;
  const perDay = new Map<number, number>();
  let left = work;
  for (const slot of model.grid.slots) {
    if (slot.start < from) continue;
    const used = perDay.get(slot.day) ?? 0;
    if (used + g > model.dailyCap) continue;
    perDay.set(slot.day, used + g);
    left -= g;
    if (left <= 0) return slot.start + g + left;
  }
  return model.horizonEnd + left;
}

interface TaskBound {
  /** Lower bound on the start of any of the task's work. */
  start: number;
  /** Lower bound on the completion. */
  completion: number;
  placeable: boolean;
}

function aloneBounds(model: PlanModel): TaskBound[] {
  const bounds: Array<TaskBound | undefined> = [];
  const ancestorsWork = (j: number): { work: number; release: number } => {
    const seen = new Set<number>();
    const stack = [...(model.tasks[j]?.preds ?? [])];
    let work = 0;
    let release = model.tasks[j]?.release ?? model.now;
    while (stack.length > 0) {
      const p = stack.pop() ?? 0;
      if (seen.has(p)) continue;
      seen.add(p);
      const task = model.tasks[p];
      if (!task) continue;
      work += task.estimate;
      release = Math.min(release, task.release);
      stack.push(...task.preds);
    }
    return { work, release };
  };
  const visit = (j: number): TaskBound => {
    const known = bounds[j];
    if (known) return known;
    const task = model.tasks[j];
    if (!task) return { start: model.now, completion: model.now, placeable: false };
    let start = task.release;
    let placeable = task.splittable || task.estimate <= model.maxBlock;
    for (const p of task.preds) {
      const pred = visit(p);
      start = Math.max(start, pred.completion);
      placeable &&= pred.placeable;
    }
    const chain = ancestorsWork(j);
    // No plan scores a task later than the horizon end + its estimate (nothing of it placed), even when its
    // prerequisites' work alone overflows the horizon.
    const completion = placeable
      ? Math.min(
          model.horizonEnd + task.estimate,
          Math.max(
            finishOnGrid(model, start, task.estimate),
            finishOnGrid(model, chain.release, chain.work + task.estimate),
          ),
        )
      : model.horizonEnd + task.estimate;
    const bound = { start, completion, placeable };
    bounds[j] = bound;
    return bound;
  };
  return model.tasks.map((t) => visit(t.index));
}

export interface TardinessBound {
  /** Σ weight × each task's tardiness with nothing else planned (its chain alone). */
  alone: number;
  /** The LP's optimum (never below `alone`), rounded down: a lower bound on every plan's weighted tardiness. */
  combined: number;
  /** False when HiGHS did not prove the LP optimal; `combined` is then `alone`. */
  optimal: boolean;
}

/**
 * The bound for a plan model. Computed on the model's grid, it holds for every plan whose blocks start on that
 * grid: build the model with `granularityMinutes: 1` for a bound on every plan with whole-minute starts.
 */
export async function tardinessLowerBound(
  model: PlanModel,
  options: { timeLimitSeconds?: number } = {},
): Promise<TardinessBound> {
  const alone = aloneBounds(model);
  let aloneTotal = 0;
  for (const task of model.tasks) {
    if (task.due === null) continue;
    aloneTotal += task.weight * Math.max(0, (alone[task.index]?.completion ?? 0) - task.due);
  }
  const g = model.grid.granularity;
  const buckets = bucketsOf(model, 30).map(({ day, slotStarts }) => ({
    day,
    first: Math.min(...slotStarts),
    last: Math.max(...slotStarts),
    minutes: slotStarts.length * g,
  }));
  const rows: string[] = [];
  const bounds: string[] = [];
  const bucketUse = new Map<number, string[]>();
  const dayUse = new Map<number, string[]>();
  const terms: string[] = [];
  for (const task of model.tasks) {
    const j = task.index;
    const bound = alone[j];
    if (!bound) continue;
    const work: string[] = [];
    const spread: string[] = [];
    const charge = (end: number) =>
      task.due === null ? 0 : (task.weight * Math.max(0, end - task.due)) / task.estimate;
    if (bound.placeable) {
      buckets.forEach((bucket, q) => {
        const earliest = Math.max(bucket.first, bound.start);
        if (earliest > bucket.last) return;
        const x = `x${j}_${q}`;
        const room = Math.min(task.estimate, bucket.minutes);
        bounds.push(`0 <= ${x} <= ${room}`);
        work.push(x);
        bucketUse.set(q, [...(bucketUse.get(q) ?? []), x]);
        dayUse.set(bucket.day, [...(dayUse.get(bucket.day) ?? []), x]);
        // The first minute of work in the bucket ends at its earliest usable minute + 1.
        const cost = charge(earliest + 1);
        if (cost > 0) spread.push(`- ${cost.toFixed(9)} ${x}`);
      });
    }
    rows.push(`${work.length > 0 ? `${work.join(" + ")} + ` : ""}u${j} = ${task.estimate}`);
    bounds.push(`0 <= u${j} <= ${task.estimate}`);
    const overflow = charge(model.horizonEnd);
    if (overflow > 0) spread.push(`- ${overflow.toFixed(9)} u${j}`);
    if (task.due === null) continue;
    const floor = task.weight * Math.max(0, bound.completion - task.due);
    bounds.push(`W${j} >= ${floor}`);
    if (spread.length > 0) rows.push(`W${j} ${spread.join(" ")} >= 0`);
    terms.push(`W${j}`);
  }
  buckets.forEach((bucket, q) => {
    const xs = bucketUse.get(q);
    if (xs && xs.length > 1) rows.push(`${xs.join(" + ")} <= ${bucket.minutes}`);
  });
  for (const [, xs] of dayUse) rows.push(`${xs.join(" + ")} <= ${model.dailyCap}`);
  if (terms.length === 0) return { alone: aloneTotal, combined: aloneTotal, optimal: true };
  const lp = lpText({ objective: terms.join(" + "), rows, bounds });
  const highs = await getHighs();
  const solver = highs.createModel({ format: "lp", data: lp });
  try {
    solver.options.set({ output_flag: false, time_limit: options.timeLimitSeconds ?? 120 });
    solver.run();
    if (solver.getModelStatus() !== 7) return { alone: aloneTotal, combined: aloneTotal, optimal: false };
    // Rounded down after a small allowance for the LP's tolerances, so rounding never lifts it above a plan.
    const lp = Math.floor(solver.getObjectiveValue() * (1 - 1e-9) - 1e-6);
    return { alone: aloneTotal, combined: Math.max(aloneTotal, lp), optimal: true };
  } finally {
    solver.dispose();
  }
}
