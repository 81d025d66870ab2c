import type { PlanInputRaw } from "../input/plan-input.ts";
import { parsePlanInput } from "../input/plan-input.ts";
import { buildPlanModel, type PlanModel } from "../input/plan-model.ts";
import { getHighs } from "./exact.ts";

export interface ExactBlocksOptions {
  /** HiGHS wall-clock limit in seconds (default 30). On timeout the best plan found and the dual bound remain. */
  timeLimitSeconds?: number;
  /**
   * A proven lower bound on the optimum from a relaxation (e.g. solveExact's): added as the cut "weighted
   * tardiness ≥ atLeast", which every real plan meets, so the LP relaxation starts from it.
   */
  atLeast?: number;
  /** A plan to start from (e.g. the planner's); used only when it is a feasible point of the model. */
  start?: { blocks: ReadonlyArray<{ taskId: string; start: string; end: string }> };
}

export interface ExactBlock {
  taskId: string;
  start: string;
  end: string;
}

export interface ExactBlocksResult {
  /** True when HiGHS proved the best plan optimal for the model: then `weightedTardiness` is the optimum. */
  optimal: boolean;
  status: string;
  /** Weighted tardiness of the best plan found (the model's objective), null when none was found. */
  weightedTardiness: number | null;
  /** HiGHS's dual bound on the model's optimum. */
  bound: number;
  /** The best plan found, decoded into blocks on the planner's grid. */
  plan: {
    blocks: ExactBlock[];
    unscheduled: Array<{ taskId: string; remainingMinutes: number }>;
  } | null;
  /** Whether the start plan was accepted as a feasible point. */
  startAccepted: boolean;
  columns: number;
  rows: number;
  runtimeMs: number;
}

/** Rows and columns of a MILP, collected row-wise. */
class MilpBuilder {
  readonly cost: number[] = [];
  readonly lower: number[] = [];
  readonly upper: number[] = [];
  readonly integer: number[] = [];
  readonly rowLower: number[] = [];
  readonly rowUpper: number[] = [];
  readonly starts: number[] = [0];
  readonly indices: number[] = [];
  readonly values: number[] = [];

  column(lower: number, upper: number, integer: boolean, cost = 0): number {
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.integer.push(integer ? 1 : 0);
    return this.cost.length - 1;
  }

  /** lo ≤ Σ coef·col ≤ hi; terms on the same column are summed. */
  row(terms: ReadonlyArray<readonly [number, number]>, lo: number, hi: number): void {
    const merged = new Map<number, number>();
    for (const [col, coef] of terms) merged.set(col, (merged.get(col) ?? 0) + coef);
    for (const [col, coef] of merged) {
      if (coef === 0) continue;
      this.indices.push(col);
      this.values.push(coef);
    }
    this.rowLower.push(lo);
    this.rowUpper.push(hi);
    this.starts.push(this.indices.length);
  }

  get numRows(): number {
    return this.rowLower.length;
  }
}

interface TaskColumns {
  /** Grid slot index → column of x (the task works in that slot). */
  x: Map<number, number>;
  /** Grid slot index → column of L (the task's last slot), odd-length tasks only. */
  last: Map<number, number>;
  /** Grid slot index → column of the block-start indicator (when block lengths need it). */
  starts: Map<number, number>;
  /** Grid slot index → column of "the last slot lies before this one", odd-length tasks only. */
  past: Map<number, number>;
  done: number;
  completion: number | null;
  tardiness: number | null;
  slotsNeeded: number;
  /** Minutes the task's last slot leaves unused: slotsNeeded · g − estimate. */
  spare: number;
}

const STATUS: Record<number, string> = {
  7: "optimal",
  8: "infeasible",
  13: "time limit",
  14: "iteration limit",
};

const iso = (epochMinutes: number) => new Date(epochMinutes * 60_000).toISOString();

/**
 * A faithful MILP of the planner's problem on its own grid, for small instances: every feasible point decodes
 * into a plan that obeys the hard rules, so the optimum it proves is the true optimum of weighted tardiness
 * over plans on the grid (and a found plan is an upper bound that is met).
 *
 * Binary x[j,k]: task j works in grid slot k (free working time after meetings and their buffers, at or after
 * the task's earliest start). A task's blocks are its maximal runs of consecutive slots in one stretch, so two
 * blocks of a task never touch (touching blocks would be one block). Per block: at least minChunk minutes
 * (start indicators force the next slots), at most maxBlock (no maxBlock/g + 1 consecutive slots); an
 * unsplittable task is one run of its whole estimate or nothing. A task whose estimate is not a multiple of
 * the slot leaves the unused minutes at the end of its last block (as the planner does): L[j,k] marks that
 * slot, and the daily cap, the last block's minimum length and the completion time account for it. A task
 * with prerequisites works only after each is done (all of it, ending before its first slot). Work left
 * unscheduled finishes at horizon end + the minutes left, as the bench's scorer counts it.
 *
 * Not modelled: previous blocks (a stability preference, not a hard rule), habits and focus blocks (the
 * input must have none), blocks off the slot grid.
 */
export async function solveExactBlocks(
  rawInput: PlanInputRaw,
  options: ExactBlocksOptions = {},
): Promise<ExactBlocksResult> {
  const started = performance.now();
  const parsed = parsePlanInput(rawInput);
  if (parsed.habits.length > 0) throw new Error("solveExactBlocks: habits are not modelled");
  const model = buildPlanModel(parsed);
  const built = buildModel(model, options.atLeast ?? 0);
  const { milp, tasks } = built;
  const empty = {
    optimal: true,
    status: "trivial",
    weightedTardiness: 0,
    bound: 0,
    plan: { blocks: [], unscheduled: [] },
    startAccepted: false,
    columns: milp.cost.length,
    rows: milp.numRows,
    runtimeMs: 0,
  };
  if (model.tasks.every((t) => t.due === null)) {
    return {
      ...empty,
      plan: {
        blocks: [],
        unscheduled: model.tasks.map((t) => ({ taskId: t.id, remainingMinutes: t.estimate })),
      },
    };
  }
  const integral =
    Number.isInteger(model.horizonEnd) && model.tasks.every((t) => t.due === null || Number.isInteger(t.due));
  const highs = await getHighs();
  const solver = highs.createModel({
    numCols: milp.cost.length,
    numRows: milp.numRows,
    colCost: milp.cost,
    colLower: milp.lower,
    colUpper: milp.upper,
    rowLower: milp.rowLower,
    rowUpper: milp.rowUpper,
    integrality: Int32Array.from(milp.integer),
    matrix: {
      format: "csr",
      numRows: milp.numRows,
      numCols: milp.cost.length,
      starts: milp.starts,
      indices: milp.indices,
      values: milp.values,
    },
  });
  try {
    solver.options.set({
      output_flag: process.env.CAIRN_EXACT_LOG === "1",
      log_to_console: process.env.CAIRN_EXACT_LOG === "1",
      time_limit: options.timeLimitSeconds ?? 30,
      mip_rel_gap: 1e-9,
      // With whole-minute dues every plan's weighted tardiness is a whole number: a gap below 1 is closed.
      mip_abs_gap: integral ? 0.999 : 1e-6,
      random_seed: 0,
    });
    let startAccepted = false;
    if (options.start) {
      const values = startValues(model, built, options.start.blocks);
      if (values) {
        try {
          const call = solver.setSolution({ colValue: values });
          startAccepted = call.status >= 0;
        } catch {
          startAccepted = false;
        }
      }
    }
    if (process.env.CAIRN_EXACT_LOG === "1") {
      solver.run({
        0: (event) => {
          process.stderr.write(event.message);
          return undefined;
        },
      });
    } else solver.run();
    const code = solver.getModelStatus();
    const optimal = code === 7;
    const dual = Number(solver.info.get("mip_dual_bound"));
    // 2: a feasible primal solution exists (HiGHS's kSolutionStatusFeasible).
    const hasPlan = optimal || Number(solver.info.get("primal_solution_status")) === 2;
    const decoded = hasPlan ? decodeSolution(model, tasks, solver.getSolution().colValue) : null;
    return {
      optimal,
      status: STATUS[code] ?? `status ${code}`,
      weightedTardiness: decoded === null ? null : Math.round(decoded.weightedTardiness * 100) / 100,
      bound: Number.isFinite(dual) ? Math.max(0, dual) : 0,
      plan: decoded === null ? null : { blocks: decoded.blocks, unscheduled: decoded.unscheduled },
      startAccepted,
      columns: milp.cost.length,
      rows: milp.numRows,
      runtimeMs: Math.round(performance.now() - started),
    };
  } finally {
    solver.dispose();
  }
}

/**
 * Earliest completion of each task placed alone (epoch minutes; Infinity when it cannot finish): after its
 * release and its prerequisites' earliest completions, at most the daily cap a day, an unsplittable task in one
 * stretch. A relaxation of every plan, so a valid lower bound on the completion column.
 */
function earliestCompletions(model: PlanModel): { ready: number[]; done: number[] } {
  const slots = model.grid.slots;
  const g = model.grid.granularity;
  const ready = model.tasks.map((t) => t.release);
  const done = model.tasks.map(() => Number.NaN);
  const visit = (j: number, depth: number): number => {
    const task = model.tasks[j];
    if (!task) return Number.POSITIVE_INFINITY;
    const known = done[j] ?? Number.NaN;
    if (!Number.isNaN(known)) return known;
    if (depth > model.tasks.length) return Number.POSITIVE_INFINITY;
    let from = task.release;
    for (const p of task.preds) from = Math.max(from, visit(p, depth + 1));
    ready[j] = from;
    let finish = Number.POSITIVE_INFINITY;
    if (!task.splittable) {
      if (task.estimate <= model.maxBlock && task.estimate <= model.dailyCap) {
        const need = Math.ceil(task.estimate / g);
        let length = 0;
        for (let k = 0; k < slots.length && finish === Number.POSITIVE_INFINITY; k++) {
          const slot = slots[k];
          const before = slots[k - 1];
          if (!slot || slot.start < from) continue;
          const joined =
            before && before.start >= from && before.run === slot.run && before.start + g === slot.start;
          length = joined ? length + 1 : 1;
          if (length >= need) finish = slot.start - (need - 1) * g + task.estimate;
        }
      }
    } else {
      const perDay = new Map<number, number>();
      let work = 0;
      for (const slot of slots) {
        if (slot.start < from) continue;
        const used = perDay.get(slot.day) ?? 0;
        if (used >= model.dailyCap) continue;
        const add = Math.min(g, model.dailyCap - used, task.estimate - work);
        perDay.set(slot.day, used + add);
        work += add;
        if (work >= task.estimate) {
          finish = slot.start + add;
          break;
        }
      }
    }
    done[j] = finish;
    return finish;
  };
  for (let j = 0; j < model.tasks.length; j++) visit(j, 0);
  return { ready, done };
}

function buildModel(model: PlanModel, atLeast: number): { milp: MilpBuilder; tasks: TaskColumns[] } {
  const milp = new MilpBuilder();
  const slots = model.grid.slots;
  const g = model.grid.granularity;
  const base = model.now;
  const horizon = model.horizonEnd - base;
  const maxRun = Math.floor(model.maxBlock / g);
  /** The slot right before k in the same stretch, or -1. */
  const previous = (k: number): number => {
    const here = slots[k];
    const before = slots[k - 1];
    return here && before && before.run === here.run && before.start + g === here.start ? k - 1 : -1;
  };
  const next = (k: number): number => {
    const here = slots[k];
    const after = slots[k + 1];
    return here && after && after.run === here.run && here.start + g === after.start ? k + 1 : -1;
  };

  const matters: boolean[] = model.tasks.map((t) => t.due !== null);
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of model.tasks) {
      if (!matters[t.index] && t.succs.some((s) => matters[s])) {
        matters[t.index] = true;
        changed = true;
      }
    }
  }
  const earliest = earliestCompletions(model);
  const tasks: TaskColumns[] = model.tasks.map((task) => {
    const slotsNeeded = Math.ceil(task.estimate / g);
    const spare = slotsNeeded * g - task.estimate;
    // A task whose work no due depends on adds nothing to weighted tardiness: leaving it out loses no optimum.
    const placeable = (task.splittable || task.estimate <= model.maxBlock) && matters[task.index] === true;
    const x = new Map<number, number>();
    if (placeable) {
      slots.forEach((slot, k) => {
        if (slot.start >= (earliest.ready[task.index] ?? task.release)) x.set(k, milp.column(0, 1, true));
      });
    }
    const finish = earliest.done[task.index] ?? Number.POSITIVE_INFINITY;
    const canFinish = x.size >= slotsNeeded && finish <= model.horizonEnd;
    const done = milp.column(0, canFinish ? 1 : 0, true);
    const needsCompletion = task.due !== null || task.succs.length > 0;
    const completion = needsCompletion ? milp.column(canFinish ? finish - base : 0, horizon, false) : null;
    const last = new Map<number, number>();
    if (spare > 0) for (const k of x.keys()) last.set(k, milp.column(0, 1, true));
    const tardiness = task.due === null ? null : milp.column(0, Number.POSITIVE_INFINITY, false, task.weight);
    return { x, last, starts: new Map(), past: new Map(), done, completion, tardiness, slotsNeeded, spare };
  });

  model.tasks.forEach((task, j) => {
    const cols = tasks[j];
    if (!cols) return;
    const { x, last, done, completion, tardiness, slotsNeeded, spare } = cols;
    const xs = [...x.values()];
    // Slot count: all of the estimate when done, less than that otherwise (nothing for an unsplittable task).
    if (!task.splittable) {
      milp.row([...xs.map((c) => [c, 1] as const), [done, -slotsNeeded]], 0, 0);
    } else {
      milp.row([...xs.map((c) => [c, 1] as const), [done, -slotsNeeded]], 0, Number.POSITIVE_INFINITY);
      milp.row([...xs.map((c) => [c, 1] as const), [done, -1]], Number.NEGATIVE_INFINITY, slotsNeeded - 1);
    }
    // Block starts: st[k] ≥ x[k] − x[previous k]; continuous, pushed up only where a block starts.
    const minSlots = Math.ceil(task.minChunk / g);
    const needStarts = !task.splittable || minSlots > 1;
    const starts: number[] = [];
    if (needStarts) {
      for (const [k, xk] of x) {
        const p = previous(k);
        const xp = p >= 0 ? x.get(p) : undefined;
        // A block starting at k needs minSlots slots of one stretch (an unsplittable one: all of its slots).
        let room = 1;
        for (let q = k; room < (task.splittable ? minSlots : slotsNeeded); room++) {
          q = next(q);
          if (q < 0 || !x.has(q)) break;
        }
        const fits = room >= (task.splittable ? minSlots : slotsNeeded);
        const st = milp.column(0, fits ? 1 : 0, false);
        starts.push(st);
        cols.starts.set(k, st);
        milp.row(
          [[st, 1], [xk, -1], ...(xp === undefined ? [] : [[xp, 1] as const])],
          0,
          Number.POSITIVE_INFINITY,
        );
        if (task.splittable && fits) {
          for (let i = 1, q = k; i < minSlots; i++) {
            q = next(q);
            const xq = x.get(q);
            if (xq !== undefined)
              milp.row(
                [
                  [xq, 1],
                  [st, -1],
                ],
                0,
                Number.POSITIVE_INFINITY,
              );
          }
        }
      }
      if (!task.splittable)
        milp.row(
          starts.map((c) => [c, 1] as const),
          Number.NEGATIVE_INFINITY,
          1,
        );
    }
    // At most maxBlock per block: no maxRun + 1 consecutive slots of one stretch.
    if (task.splittable && slotsNeeded > maxRun) {
      for (const k of x.keys()) {
        const window = [k];
        for (let q = k; window.length <= maxRun; ) {
          q = next(q);
          if (q < 0 || !x.has(q)) break;
          window.push(q);
        }
        if (window.length === maxRun + 1) {
          milp.row(
            window.map((q) => [x.get(q) ?? -1, 1] as const),
            Number.NEGATIVE_INFINITY,
            maxRun,
          );
        }
      }
    }
    // The last slot of an odd-length task: one when done, at an occupied slot with no work after it, and the
    // last block long enough once its unused minutes are taken off.
    if (spare > 0) {
      milp.row([...[...last.values()].map((c) => [c, 1] as const), [done, -1]], 0, 0);
      const lastSlots = Math.ceil((task.minChunk + spare) / g);
      let past: number | null = null;
      let previousLast: number | null = null;
      for (const [k, xk] of x) {
        const lk = last.get(k);
        if (lk === undefined) continue;
        milp.row(
          [
            [xk, 1],
            [lk, -1],
          ],
          0,
          Number.POSITIVE_INFINITY,
        );
        if (previousLast !== null) {
          // past_k = Σ L before k; x[k] + past_k ≤ 1.
          const p = milp.column(0, 1, false);
          milp.row([[p, 1], [previousLast, -1], ...(past === null ? [] : [[past, -1] as const])], 0, 0);
          milp.row(
            [
              [xk, 1],
              [p, 1],
            ],
            Number.NEGATIVE_INFINITY,
            1,
          );
          cols.past.set(k, p);
          past = p;
        }
        previousLast = lk;
        if (task.splittable) {
          let q = k;
          for (let i = 1; i < lastSlots; i++) {
            q = q < 0 ? -1 : previous(q);
            const xq = q >= 0 ? x.get(q) : undefined;
            if (xq === undefined) {
              milp.upper[lk] = 0;
              break;
            }
            milp.row(
              [
                [xq, 1],
                [lk, -1],
              ],
              0,
              Number.POSITIVE_INFINITY,
            );
          }
        }
      }
    }
    // Completion: the end of every slot worked, less the unused minutes of the last one; and, to tighten the
    // LP relaxation, at least the mean end of its slots + (n − 1)·g/2 (n distinct slots end g apart or more).
    if (completion !== null && xs.length > 0) {
      milp.row(
        [
          [completion, 1],
          ...[...x].map(([k, xk]) => [xk, -((slots[k]?.start ?? 0) + g - base) / slotsNeeded] as const),
          [done, -(((slotsNeeded - 1) * g) / 2 - spare)],
        ],
        0,
        Number.POSITIVE_INFINITY,
      );
      for (const [k, xk] of x) {
        const end = (slots[k]?.start ?? 0) + g - base;
        const lk = last.get(k);
        milp.row(
          [[completion, 1], [xk, -end], ...(lk === undefined ? [] : [[lk, spare] as const])],
          0,
          Number.POSITIVE_INFINITY,
        );
      }
    }
    if (task.due !== null && completion !== null && tardiness !== null) {
      const due = task.due - base;
      milp.row(
        [
          [tardiness, 1],
          [completion, -1],
        ],
        -due,
        Number.POSITIVE_INFINITY,
      );
      // Not done: finishes at horizon end + the minutes left (estimate − g·Σx, as no slot is partial then).
      const unfinished = horizon - due + task.estimate;
      if (unfinished > 0) {
        milp.row(
          [[tardiness, 1], ...xs.map((c) => [c, g] as const), [done, unfinished]],
          unfinished,
          Number.POSITIVE_INFINITY,
        );
      }
    }
    // Prerequisites: all of each done, ending before any slot of this task.
    for (const p of task.preds) {
      const pred = tasks[p];
      if (!pred || pred.completion === null) continue;
      milp.row([...xs.map((c) => [c, 1] as const), [pred.done, -slotsNeeded]], Number.NEGATIVE_INFINITY, 0);
      const bigM = horizon + g;
      for (const [k, xk] of x) {
        const start = (slots[k]?.start ?? 0) - base;
        milp.row(
          [
            [pred.completion, 1],
            [xk, bigM],
          ],
          Number.NEGATIVE_INFINITY,
          start + bigM,
        );
      }
    }
  });

  if (atLeast > 0) {
    const terms = tasks.flatMap((t, j) =>
      t.tardiness === null ? [] : [[t.tardiness, model.tasks[j]?.weight ?? 0] as const],
    );
    milp.row(terms, atLeast, Number.POSITIVE_INFINITY);
  }
  // One task per slot.
  slots.forEach((_, k) => {
    const here = tasks.flatMap((t) => {
      const c = t.x.get(k);
      return c === undefined ? [] : [[c, 1] as const];
    });
    if (here.length > 1) milp.row(here, Number.NEGATIVE_INFINITY, 1);
  });
  // Daily cap, in minutes: g per slot worked, less the unused minutes of a last slot.
  const byDay = new Map<number, Array<readonly [number, number]>>();
  slots.forEach((slot, k) => {
    const terms = byDay.get(slot.day) ?? [];
    for (const t of tasks) {
      const c = t.x.get(k);
      if (c !== undefined) terms.push([c, g]);
      const l = t.last.get(k);
      if (l !== undefined) terms.push([l, -t.spare]);
    }
    byDay.set(slot.day, terms);
  });
  for (const [day, terms] of byDay) {
    const slotsThatDay = slots.filter((s) => s.day === day).length;
    if (slotsThatDay * g > model.dailyCap) milp.row(terms, Number.NEGATIVE_INFINITY, model.dailyCap);
  }
  return { milp, tasks };
}

/** Blocks from the solution: each task's maximal runs of consecutive slots in one stretch. */
function decodeSolution(
  model: PlanModel,
  tasks: TaskColumns[],
  values: Float64Array,
): NonNullable<ExactBlocksResult["plan"]> & { weightedTardiness: number } {
  const slots = model.grid.slots;
  const g = model.grid.granularity;
  const blocks: Array<{ taskId: string; start: number; end: number }> = [];
  const unscheduled: Array<{ taskId: string; remainingMinutes: number }> = [];
  let weightedTardiness = 0;
  model.tasks.forEach((task, j) => {
    const cols = tasks[j];
    if (!cols) return;
    const used = [...cols.x.entries()].filter(([, c]) => (values[c] ?? 0) > 0.5).map(([k]) => k);
    const mine: Array<{ taskId: string; start: number; end: number }> = [];
    for (const k of used) {
      const slot = slots[k];
      if (!slot) continue;
      const open = mine[mine.length - 1];
      const before = slots[k - 1];
      if (open && before && used.includes(k - 1) && before.run === slot.run && open.end === slot.start) {
        open.end = slot.start + g;
      } else mine.push({ taskId: task.id, start: slot.start, end: slot.start + g });
    }
    const done = (values[cols.done] ?? 0) > 0.5;
    const lastBlock = mine[mine.length - 1];
    if (done && lastBlock) lastBlock.end -= cols.spare;
    const minutes = mine.reduce((s, b) => s + b.end - b.start, 0);
    const left = task.estimate - minutes;
    if (left > 0) unscheduled.push({ taskId: task.id, remainingMinutes: left });
    // As the bench's scorer counts it: unscheduled work finishes at horizon end + the minutes left.
    const finish = left > 0 ? model.horizonEnd + left : Math.max(...mine.map((b) => b.end));
    if (task.due !== null && finish > task.due) weightedTardiness += task.weight * (finish - task.due);
    blocks.push(...mine);
  });
  blocks.sort((a, b) => a.start - b.start);
  return {
    blocks: blocks.map((b) => ({ taskId: b.taskId, start: iso(b.start), end: iso(b.end) })),
    unscheduled,
    weightedTardiness,
  };
}

/**
 * Column values for a given plan (the planner's, as a warm start): null when the plan is not a point of the
 * model (off the grid, touching blocks of one task, ...); HiGHS checks the rest.
 */
function startValues(
  model: PlanModel,
  built: { milp: MilpBuilder; tasks: TaskColumns[] },
  blocks: ReadonlyArray<{ taskId: string; start: string; end: string }>,
): Float64Array | null {
  const { milp, tasks } = built;
  const g = model.grid.granularity;
  const slotAt = new Map(model.grid.slots.map((s, k) => [s.start, k]));
  const indexById = new Map(model.tasks.map((t) => [t.id, t.index]));
  const values = new Float64Array(milp.cost.length);
  const minutes = new Map<number, number>();
  const lastSlot = new Map<number, number>();
  for (const block of blocks) {
    const j = indexById.get(block.taskId);
    const cols = j === undefined ? undefined : tasks[j];
    const start = Date.parse(block.start) / 60_000;
    const length = Date.parse(block.end) / 60_000 - start;
    const first = slotAt.get(start);
    if (j === undefined || !cols) return null;
    // A task the model leaves out (no due depends on it): dropping its blocks keeps the plan valid.
    if (cols.x.size === 0) continue;
    if (first === undefined) return null;
    for (let i = 0; i < Math.ceil(length / g); i++) {
      const c = cols.x.get(first + i);
      if (c === undefined) return null;
      values[c] = 1;
      lastSlot.set(j, Math.max(lastSlot.get(j) ?? -1, first + i));
    }
    minutes.set(j, (minutes.get(j) ?? 0) + length);
  }
  const slots = model.grid.slots;
  const base = model.now;
  model.tasks.forEach((task, j) => {
    const cols = tasks[j];
    if (!cols) return;
    const done = (minutes.get(j) ?? 0) >= task.estimate;
    values[cols.done] = done ? 1 : 0;
    const k = lastSlot.get(j);
    const l = k === undefined ? undefined : cols.last.get(k);
    if (done && l !== undefined) values[l] = 1;
    for (const [slot, st] of cols.starts) {
      const xk = values[cols.x.get(slot) ?? -1] ?? 0;
      const before = slots[slot - 1];
      const here = slots[slot];
      const joined = before && here && before.run === here.run && before.start + g === here.start;
      const xp = joined ? (values[cols.x.get(slot - 1) ?? -1] ?? 0) : 0;
      values[st] = Math.max(0, xk - xp);
    }
    for (const [slot, p] of cols.past) values[p] = k !== undefined && done && slot > k ? 1 : 0;
    const finish =
      k === undefined ? 0 : (slots[k]?.start ?? 0) + g - base - (done && cols.spare > 0 ? cols.spare : 0);
    // An unfinished task's completion is free above its bound (the earliest completion alone).
    if (cols.completion !== null)
      values[cols.completion] = Math.max(finish, milp.lower[cols.completion] ?? 0);
    if (cols.tardiness !== null && task.due !== null) {
      const due = task.due - base;
      const left = task.estimate - (minutes.get(j) ?? 0);
      const end = done ? finish : model.horizonEnd - base + left;
      values[cols.tardiness] = Math.max(0, end - due);
    }
  });
  return values;
}
