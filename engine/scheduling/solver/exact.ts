import type { Highs } from "highs";
import type { PlanInputRaw } from "../input/plan-input.ts";
import { parsePlanInput } from "../input/plan-input.ts";
import { buildPlanModel, type PlanModel } from "../input/plan-model.ts";

export interface ExactOptions {
  /** Bucket size in minutes for the time-indexed model (default 30). */
  bucketMinutes?: number;
  /** HiGHS wall-clock limit in seconds (default 10). On timeout the MIP dual bound is still a valid bound. */
  timeLimitSeconds?: number;
  /** "milp" (binary bucket indicators) or "lp" (its LP relaxation: cheaper, weaker). Default: milp when
   * tasks × buckets ≤ 4000, else lp. */
  mode?: "milp" | "lp";
  /** What to minimise (default weightedTardiness). */
  objective?: "weightedTardiness" | "lateTasks";
}

export interface ExactResult {
  /** Proven lower bound on the objective for every plan that obeys the hard rules on the planner's grid. */
  lowerBound: number;
  /** True when HiGHS proved the relaxed model optimal (then lowerBound is its optimum). */
  optimal: boolean;
  status: string;
  mode: "milp" | "lp";
  buckets: number;
  variables: number;
  runtimeMs: number;
}

type HighsLoader = () => Promise<Highs>;

// Loaded on first use: the module is large, and most plans (and every `cairn plan`) never need the MILP.
async function loadHighs(): Promise<Highs> {
  const highsModule = await import("highs");
  // highs ships CommonJS-flavoured typings: TypeScript sees the loader under `.default`, Node's ESM build
  // exports it as the default itself. Accept both shapes.
  const loader = ((highsModule as unknown as { default?: HighsLoader }).default ??
    (highsModule as unknown as HighsLoader)) as HighsLoader;
  return loader();
}

let highsInstance: Promise<Highs> | null = null;
/** The one HiGHS instance of the process, loaded on first use (exact-blocks.ts solves on it too). */
export const getHighs = (): Promise<Highs> => {
  highsInstance ??= loadHighs();
  return highsInstance;
};

export interface Bucket {
  day: number;
  slotStarts: number[];
}

/** The model's free grid slots grouped into buckets of `size` minutes, apart per local day. */
export function bucketsOf(model: PlanModel, size: number): Bucket[] {
  const byKey = new Map<string, Bucket>();
  for (const slot of model.grid.slots) {
    const key = `${Math.floor(slot.start / size)}|${slot.day}`;
    const bucket = byKey.get(key) ?? { day: slot.day, slotStarts: [] };
    bucket.slotStarts.push(slot.start);
    byKey.set(key, bucket);
  }
  return [...byKey.values()];
}

/** A minimisation in HiGHS's LP file format. */
export function lpText(parts: {
  objective: string;
  rows: string[];
  bounds: string[];
  binaries?: string[];
}): string {
  const binaries = parts.binaries ?? [];
  return [
    "Minimize",
    ` obj: ${parts.objective}`,
    "Subject To",
    ...parts.rows.map((r, i) => ` r${i}: ${r}`),
    "Bounds",
    ...parts.bounds.map((b) => ` ${b}`),
    ...(binaries.length > 0 ? ["Binaries", ` ${binaries.join(" ")}`] : []),
    "End",
  ].join("\n");
}

const signed = (c: number) => (c >= 0 ? `+ ${c}` : `- ${-c}`);

const STATUS: Record<number, string> = {
  7: "optimal",
  8: "infeasible",
  13: "time limit",
  14: "iteration limit",
};

/**
 * Time-indexed MILP of a preemptive relaxation, solved with HiGHS. Work x[j,q] (minutes) goes into buckets of
 * free grid time; a task that works in bucket q finishes no earlier than the first free minute it may use there
 * plus that work; prerequisites finish before the bucket where a dependent works ends; bucket and daily
 * capacities hold. Block-size limits and unsplittability are relaxed (except that an unsplittable task longer
 * than the maximum block can never be placed), so every plan the heuristic can produce is feasible here and the
 * optimum — or HiGHS' dual bound when time runs out — is a proven lower bound.
 */
export async function solveExact(rawInput: PlanInputRaw, options: ExactOptions = {}): Promise<ExactResult> {
  const started = performance.now();
  const model = buildPlanModel(parsePlanInput(rawInput));
  const size = options.bucketMinutes ?? 30;
  const g = model.grid.granularity;
  const buckets = bucketsOf(model, size);
  const base = model.now;
  const horizon = model.horizonEnd - base;
  const objective = options.objective ?? "weightedTardiness";
  const rows: string[] = [];
  const bounds: string[] = [];
  const binaries: string[] = [];
  const bucketUse = new Map<number, string[]>();
  const dayUse = new Map<number, string[]>();
  let variables = 0;
  const taskVars = new Map<number, Array<{ q: number; x: string; y: string; end: number }>>();

  for (const task of model.tasks) {
    const j = task.index;
    const vars: Array<{ q: number; x: string; y: string; end: number }> = [];
    const placeable = task.splittable || task.estimate <= model.maxBlock;
    buckets.forEach((bucket, q) => {
      if (!placeable) return;
      const usable = bucket.slotStarts.filter((s) => s >= task.release);
      const first = usable[0];
      const last = usable[usable.length - 1];
      if (first === undefined || last === undefined) return;
      const cap = Math.min(usable.length * g, task.estimate);
      const x = `x${j}_${q}`;
      const y = `y${j}_${q}`;
      vars.push({ q, x, y, end: last + g - base });
      bounds.push(`0 <= ${x} <= ${cap}`, `0 <= ${y} <= 1`);
      binaries.push(y);
      rows.push(`${x} - ${cap} ${y} <= 0`);
      rows.push(`C${j} - ${first - base} ${y} - ${x} >= 0`);
      bucketUse.set(q, [...(bucketUse.get(q) ?? []), x]);
      dayUse.set(bucket.day, [...(dayUse.get(bucket.day) ?? []), x]);
      variables += 2;
    });
    taskVars.set(j, vars);
    const sum = vars.map((v) => v.x).join(" + ");
    rows.push(`${sum ? `${sum} + ` : ""}u${j} = ${task.estimate}`);
    rows.push(`u${j} - ${task.estimate} z${j} <= 0`);
    bounds.push(`0 <= u${j} <= ${task.estimate}`, `0 <= z${j} <= 1`, `C${j} >= 0`);
    binaries.push(`z${j}`);
    variables += 3;
    if (task.due !== null) {
      const due = task.due - base;
      rows.push(`T${j} - C${j} >= ${-due}`);
      rows.push(`T${j} ${signed(due - horizon)} z${j} - u${j} >= 0`);
      bounds.push(`T${j} >= 0`);
      variables++;
      if (objective === "lateTasks") {
        const bigM = Math.max(1, horizon + task.estimate - due) + 1;
        rows.push(`T${j} - ${bigM} L${j} <= 0`);
        bounds.push(`0 <= L${j} <= 1`);
        binaries.push(`L${j}`);
        variables++;
      }
    }
  }
  const bigM = horizon + 1;
  for (const task of model.tasks) {
    const mine = taskVars.get(task.index) ?? [];
    for (const p of task.preds) {
      const sum = mine.map((v) => v.x).join(" + ");
      if (sum) rows.push(`${sum} + ${task.estimate} z${p} <= ${task.estimate}`);
      for (const v of mine) rows.push(`C${p} + ${bigM} ${v.y} <= ${v.end + bigM}`);
    }
  }
  buckets.forEach((bucket, q) => {
    const xs = bucketUse.get(q);
    if (xs && xs.length > 1) rows.push(`${xs.join(" + ")} <= ${bucket.slotStarts.length * g}`);
  });
  for (const [, xs] of dayUse) rows.push(`${xs.join(" + ")} <= ${model.dailyCap}`);

  const terms = model.tasks
    .filter((t) => t.due !== null)
    .map((t) => (objective === "lateTasks" ? `L${t.index}` : `${t.weight} T${t.index}`));
  const mode = options.mode ?? (variables <= 8000 ? "milp" : "lp");
  const lp = lpText({
    objective: terms.length > 0 ? terms.join(" + ") : "0 z0",
    rows,
    bounds,
    binaries: mode === "milp" ? binaries : [],
  });

  if (model.tasks.length === 0 || terms.length === 0) {
    return {
      lowerBound: 0,
      optimal: true,
      status: "trivial",
      mode,
      buckets: buckets.length,
      variables,
      runtimeMs: 0,
    };
  }
  const highs = await getHighs();
  const solver = highs.createModel({ format: "lp", data: lp });
  try {
    solver.options.set({ output_flag: false, time_limit: options.timeLimitSeconds ?? 10, mip_rel_gap: 1e-6 });
    solver.run();
    const code = solver.getModelStatus();
    const optimal = code === 7;
    let lowerBound = 0;
    if (optimal) lowerBound = solver.getObjectiveValue();
    else if (mode === "milp") lowerBound = Number(solver.info.get("mip_dual_bound"));
    if (!Number.isFinite(lowerBound)) lowerBound = 0;
    if (objective === "lateTasks") lowerBound = Math.ceil(lowerBound - 1e-6);
    return {
      lowerBound: Math.max(0, lowerBound),
      optimal,
      status: STATUS[code] ?? `status ${code}`,
      mode,
      buckets: buckets.length,
      variables,
      runtimeMs: Math.round(performance.now() - started),
    };
  } finally {
    solver.dispose();
  }
}
