/**
 * Effort calibration (trained, models/trained/effort.json). For an open task the log multiplier of its
 * estimate is the person's mean log(actual/estimate), shrunk toward the population's with
 * `personPriorSamples` pseudo-tasks, then refined by the person's finished tasks with similar words (title
 * and tags, weighted by token overlap), shrunk toward the person's value with `similarPriorWeight`. The 80 %
 * interval is the trained 10th–90th percentile of the residual log error for people with that many samples.
 */
import type { PersonCalibration } from "./calibration-totals.ts";
import { clamp, type Interval, MINUTE, median, round } from "./history.ts";
import type { HistoryTask } from "./insights-input.ts";
import { type EffortModel, REFERENCE_MODELS, trainedModels } from "./trained-models.ts";

/** The reference planning-fallacy factor (the answer before training). */
export const POPULATION_MULTIPLIER =
  Math.round(Math.exp(REFERENCE_MODELS.effort.populationLogRatio) * 100) / 100;
/** Reference 10th/90th percentiles of log(actual/estimate) around the prediction. */
export const POPULATION_SPREAD: [number, number] = [-0.45, 0.55];
const DEFAULT_ESTIMATE = 60;

export interface EffortSample {
  taskId: string;
  tags: string[];
  logRatio: number;
  /** Lower-case words of the title and tags. */
  tokens?: string[];
}

export interface EffortTask {
  taskId: string;
  estimateMinutes: number;
  predictedMinutes: number;
  low: number;
  high: number;
  multiplier: number;
  basis: "similar" | "tag" | "personal" | "population";
  spentMinutes: number;
  /** Finished tasks whose words overlap this one's. */
  similarTasks?: number;
}

export interface Effort {
  multiplier: number;
  samples: number;
  tagMultipliers: Record<string, number>;
  tasks: EffortTask[];
}

const STOP = new Set([
  "the",
  "and",
  "for",
  "with",
  "from",
  "into",
  "a",
  "an",
  "of",
  "to",
  "on",
  "in",
  "my",
  "our",
]);

/** Words that say what a task is: lower-case title words (two letters or more, no stop words) and tags. */
export function taskTokens(task: Pick<HistoryTask, "title" | "tags">): string[] {
  const words = task.title
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2 && !STOP.has(w));
  return [...new Set([...words, ...task.tags.map((t) => `#${t.toLowerCase()}`)])].sort();
}

export function tokenOverlap(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const set = new Set(a);
  const shared = b.filter((t) => set.has(t)).length;
  return shared / (a.length + b.length - shared);
}

/** Focus/task work minutes per task. */
export function minutesPerTask(work: Interval[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of work)
    if (w.taskId) out.set(w.taskId, (out.get(w.taskId) ?? 0) + (w.end - w.start) / MINUTE);
  return out;
}

export function effortSamples(tasks: HistoryTask[], spent: Map<string, number>): EffortSample[] {
  const out: EffortSample[] = [];
  for (const t of tasks) {
    if (!t.completedAt || !t.estimateMinutes) continue;
    const actual = t.actualMinutes ?? spent.get(t.id);
    if (!actual || actual <= 0) continue;
    out.push({
      taskId: t.id,
      tags: t.tags,
      logRatio: Math.log(actual / t.estimateMinutes),
      tokens: taskTokens(t),
    });
  }
  return out;
}

/** Variance of the person's log ratios, shrunk toward the population's with 3 pseudo-samples. */
export function personVariance(samples: readonly EffortSample[], model: EffortModel): number {
  const n = samples.length;
  const mean = n ? samples.reduce((s, x) => s + x.logRatio, 0) / n : 0;
  const squares = samples.reduce((s, x) => s + (x.logRatio - mean) ** 2, 0);
  return (squares + 3 * model.withinPersonVariance) / (Math.max(0, n - 1) + 3);
}

/**
 * The person's mean log ratio, shrunk toward the population's. The prior counts as `personPriorSamples`
 * samples for a person with a typical spread, fewer for a consistent one (normal–normal pooling).
 */
export function personLogRatio(samples: readonly EffortSample[], model: EffortModel): number {
  const sum = samples.reduce((s, x) => s + x.logRatio, 0);
  const prior = (model.personPriorSamples * personVariance(samples, model)) / model.withinPersonVariance;
  return (sum + prior * model.populationLogRatio) / (samples.length + prior);
}

/**
 * `personLogRatio` from running totals (count, sum, sum of squares) instead of the samples: the variance
 * comes from sumSq − sum²/n, equal to the two-pass sum of squares up to floating-point rounding.
 */
export function personLogRatioFromTotals(
  totals: { samples: number; sumLog: number; sumSqLog: number },
  model: EffortModel,
): number {
  const n = totals.samples;
  const squares = n > 0 ? Math.max(0, totals.sumSqLog - (totals.sumLog * totals.sumLog) / n) : 0;
  const variance = (squares + 3 * model.withinPersonVariance) / (Math.max(0, n - 1) + 3);
  const prior = (model.personPriorSamples * variance) / model.withinPersonVariance;
  return (totals.sumLog + prior * model.populationLogRatio) / (n + prior);
}

/** The calibrated log multiplier for a task with these words, and how many finished tasks overlapped. */
export function calibratedLogRatio(
  tokens: readonly string[],
  samples: readonly EffortSample[],
  personLog: number,
  model: EffortModel,
): { logRatio: number; similar: number } {
  let weight = 0;
  let sum = 0;
  let similar = 0;
  for (const s of samples) {
    const w = tokenOverlap(tokens, s.tokens ?? []);
    if (w <= 0) continue;
    similar++;
    weight += w;
    sum += w * s.logRatio;
  }
  return {
    logRatio: (sum + model.similarPriorWeight * personLog) / (weight + model.similarPriorWeight),
    similar,
  };
}

/**
 * `calibratedLogRatio` over a fixed set of samples with distinct tokens (as `effortSamples` makes them), for
 * many tasks: an inverted index from token to samples counts the shared tokens, so only overlapping samples
 * are visited. The sums run in sample order with the same arithmetic, so the result is identical.
 */
export function similarityIndex(
  samples: readonly EffortSample[],
): (
  tokens: readonly string[],
  personLog: number,
  model: EffortModel,
) => { logRatio: number; similar: number } {
  const postings = new Map<string, number[]>();
  samples.forEach((s, i) => {
    for (const token of s.tokens ?? []) {
      const list = postings.get(token);
      if (list) list.push(i);
      else postings.set(token, [i]);
    }
  });
  const shared = new Int32Array(samples.length);
  const sizes = Float64Array.from(samples, (s) => s.tokens?.length ?? 0);
  const logRatios = Float64Array.from(samples, (s) => s.logRatio);
  return (tokens, personLog, model) => {
    let weight = 0;
    let sum = 0;
    let similar = 0;
    const touched: number[] = [];
    for (const token of new Set(tokens)) {
      for (const i of postings.get(token) ?? []) {
        if (shared[i] === 0) touched.push(i);
        shared[i] = (shared[i] ?? 0) + 1;
      }
    }
    // In sample order: a scan when most samples overlap (a common word), else the sorted few.
    const order = touched.length * 8 > samples.length ? null : touched.sort((a, b) => a - b);
    const count = order ? order.length : samples.length;
    for (let k = 0; k < count; k++) {
      const i = order ? (order[k] as number) : k;
      const n = shared[i] as number;
      if (n === 0) continue;
      shared[i] = 0;
      const w = n / (tokens.length + (sizes[i] as number) - n);
      if (w <= 0) continue;
      similar++;
      weight += w;
      sum += w * (logRatios[i] as number);
    }
    return {
      logRatio: (sum + model.similarPriorWeight * personLog) / (weight + model.similarPriorWeight),
      similar,
    };
  };
}

/** The trained 80 % interval (log offsets around the prediction) for a person with `samples` samples. */
export function intervalFor(samples: number, model: EffortModel): [number, number] {
  let chosen = model.intervals[0] ?? { low: POPULATION_SPREAD[0], high: POPULATION_SPREAD[1] };
  for (const i of model.intervals) if (samples >= i.minSamples) chosen = i;
  return [chosen.low, chosen.high];
}

/**
 * With `calibration` (the person's stored totals, engine/behavior/calibration.ts) the person's multiplier,
 * per-tag multipliers and interval come from those totals, and the finished tasks in `tasks` serve only as the
 * similar-words neighbours; without it everything comes from `tasks` (the `cairn insights` computation).
 */
export function effort(
  tasks: HistoryTask[],
  work: Interval[],
  personal: boolean,
  model: EffortModel = trainedModels().effort,
  calibration?: PersonCalibration,
): Effort {
  const spent = minutesPerTask(work);
  const samples = personal ? effortSamples(tasks, spent) : [];
  const stored = personal ? calibration : undefined;
  const personLog = stored ? personLogRatioFromTotals(stored, model) : personLogRatio(samples, model);
  const sampleCount = stored ? stored.samples : samples.length;
  const spread = intervalFor(sampleCount, model);
  const tagLogs = new Map<string, number>();
  const tagTotals = stored
    ? [...stored.tags].map(([tag, t]) => [tag, t.samples, t.sumLog] as const)
    : [...new Set(samples.flatMap((s) => s.tags))].map((tag) => {
        const values = samples.filter((s) => s.tags.includes(tag)).map((s) => s.logRatio);
        return [tag, values.length, values.reduce((a, b) => a + b, 0)] as const;
      });
  for (const [tag, count, sum] of tagTotals.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (count >= 3)
      tagLogs.set(tag, (sum + model.personPriorSamples * personLog) / (count + model.personPriorSamples));
  }
  const estimates = tasks.filter((t) => t.estimateMinutes).map((t) => t.estimateMinutes ?? 0);
  const fallbackEstimate = estimates.length ? median(estimates) : DEFAULT_ESTIMATE;
  const similarity = similarityIndex(samples);
  const out: EffortTask[] = tasks
    .filter((t) => !t.completedAt)
    .map((t) => {
      const { logRatio, similar } = similarity(taskTokens(t), personLog, model);
      const estimate = t.estimateMinutes || fallbackEstimate;
      const predicted = estimate * Math.exp(logRatio);
      return {
        taskId: t.id,
        estimateMinutes: Math.round(estimate),
        predictedMinutes: Math.round(predicted),
        low: Math.round(predicted * Math.exp(spread[0])),
        high: Math.round(predicted * Math.exp(spread[1])),
        multiplier: round(Math.exp(logRatio)),
        basis: similar > 0 ? "similar" : sampleCount ? "personal" : "population",
        spentMinutes: Math.round(spent.get(t.id) ?? 0),
        similarTasks: similar,
      };
    });
  return {
    multiplier: round(clamp(Math.exp(personLog), 0.1, 20)),
    samples: sampleCount,
    tagMultipliers: Object.fromEntries([...tagLogs].map(([k, v]) => [k, round(Math.exp(v))])),
    tasks: out,
  };
}
