/**
 * Effort calibration: the multiplier is exp(median log(actual/estimate)) over finished tasks, shrunk toward
 * the population's planning-fallacy factor (1.3) with PRIOR_SAMPLES pseudo-tasks. A tag with at least
 * TAG_MIN samples gets its own multiplier, shrunk toward the person's. The 80 % interval is the 10th–90th
 * percentile of the person's log-ratio spread (the population spread when there are few samples).
 */
import { clamp, type Interval, MINUTE, median, quantile, round } from "./history.ts";
import type { HistoryTask } from "./insights-input.ts";

export const POPULATION_MULTIPLIER = 1.3;
/** Population 10th/90th percentiles of log(actual/estimate) around the median. */
export const POPULATION_SPREAD: [number, number] = [-0.45, 0.55];
const PRIOR_SAMPLES = 3;
const TAG_MIN = 3;
const SPREAD_MIN = 5;
const DEFAULT_ESTIMATE = 60;

export interface EffortSample {
  taskId: string;
  tags: string[];
  logRatio: number;
}

export interface EffortTask {
  taskId: string;
  estimateMinutes: number;
  predictedMinutes: number;
  low: number;
  high: number;
  multiplier: number;
  basis: "tag" | "personal" | "population";
  spentMinutes: number;
}

export interface Effort {
  multiplier: number;
  samples: number;
  tagMultipliers: Record<string, number>;
  tasks: EffortTask[];
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
    out.push({ taskId: t.id, tags: t.tags, logRatio: Math.log(actual / t.estimateMinutes) });
  }
  return out;
}

const shrink = (values: number[], prior: number) =>
  (values.length * (values.length ? median(values) : 0) + PRIOR_SAMPLES * prior) /
  (values.length + PRIOR_SAMPLES);

export function effort(tasks: HistoryTask[], work: Interval[], personal: boolean): Effort {
  const spent = minutesPerTask(work);
  const samples = personal ? effortSamples(tasks, spent) : [];
  const logs = samples.map((s) => s.logRatio);
  const personLog = shrink(logs, Math.log(POPULATION_MULTIPLIER));
  const tagLogs = new Map<string, number>();
  const tagNames = [...new Set(samples.flatMap((s) => s.tags))].sort();
  for (const tag of tagNames) {
    const values = samples.filter((s) => s.tags.includes(tag)).map((s) => s.logRatio);
    if (values.length >= TAG_MIN) tagLogs.set(tag, shrink(values, personLog));
  }
  let spread = POPULATION_SPREAD;
  if (logs.length >= SPREAD_MIN) {
    const mid = median(logs);
    const residuals = logs.map((l) => l - mid).sort((a, b) => a - b);
    // Blend with the population spread so a handful of samples cannot claim a razor-thin interval.
    const w = logs.length / (logs.length + PRIOR_SAMPLES);
    spread = [
      Math.min(-0.05, w * quantile(residuals, 0.1) + (1 - w) * POPULATION_SPREAD[0]),
      Math.max(0.05, w * quantile(residuals, 0.9) + (1 - w) * POPULATION_SPREAD[1]),
    ];
  }
  const estimates = tasks.filter((t) => t.estimateMinutes).map((t) => t.estimateMinutes ?? 0);
  const fallbackEstimate = estimates.length ? median(estimates) : DEFAULT_ESTIMATE;
  const open = tasks.filter((t) => !t.completedAt);
  const out: EffortTask[] = open.map((t) => {
    const tagged = t.tags.filter((tag) => tagLogs.has(tag));
    const logMult = tagged.length
      ? tagged.reduce((s, tag) => s + (tagLogs.get(tag) ?? 0), 0) / tagged.length
      : personLog;
    const estimate = t.estimateMinutes || fallbackEstimate;
    const predicted = estimate * Math.exp(logMult);
    return {
      taskId: t.id,
      estimateMinutes: Math.round(estimate),
      predictedMinutes: Math.round(predicted),
      low: Math.round(predicted * Math.exp(spread[0])),
      high: Math.round(predicted * Math.exp(spread[1])),
      multiplier: round(Math.exp(logMult)),
      basis: tagged.length ? "tag" : samples.length ? "personal" : "population",
      spentMinutes: Math.round(spent.get(t.id) ?? 0),
    };
  });
  return {
    multiplier: round(clamp(Math.exp(personLog), 0.1, 20)),
    samples: samples.length,
    tagMultipliers: Object.fromEntries([...tagLogs].map(([k, v]) => [k, round(Math.exp(v))])),
    tasks: out,
  };
}
