/**
 * What the behaviour models tell the planner about one person: how long their tasks really take (planned at
 * the calibrated prediction once the history is their own), when they work best (used as the energy windows
 * when they set none), and which deadlines are at risk. Pure once the history is read; `now` is the only clock.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import type { PersonCalibration } from "../../behavior/calibration-totals.ts";
import { effortSamples, minutesPerTask } from "../../behavior/effort.ts";
import { workIntervals } from "../../behavior/history.ts";
import { type InsightsReport, insightsFromHistory } from "../../behavior/insights-from-history.ts";
import type { InsightsInput } from "../../behavior/insights-input.ts";
import type { PlanningProfile } from "./profile.ts";

/** Below this chance of finishing by its due time a task is flagged as at risk. */
export const AT_RISK_THRESHOLD = 0.5;
/** Learned peak hours replace the default only when the models are at least this sure of them. */
export const LEARNED_PEAK_MIN_CONFIDENCE = 0.5;

export const AtRiskTask = z.object({
  taskId: z.string(),
  probability: z.number().min(0).max(1).describe("Chance the task is done by its due time"),
  due: z.string().describe("The due time, ISO 8601 in UTC"),
});
export type AtRiskTask = z.infer<typeof AtRiskTask>;

export interface CalibratedEstimate {
  taskId: string;
  estimateMinutes: number;
  predictedMinutes: number;
  low: number;
  high: number;
  basis: "personal" | "population";
  /** Why, in the person's terms: "you took 1.4× your estimate on 6 similar tasks (tagged “reports”)". */
  reason: string;
}

export interface BehaviorSignals {
  basis: "personal" | "population";
  /** Per open task: the minutes to plan instead of the raw estimate (only when calibration applies). */
  planned: Map<string, CalibratedEstimate>;
  /** Learned local peak windows, when the person set none and the models are confident; else null. */
  peakHours: [number, number][] | null;
  atRisk: AtRiskTask[];
  report: InsightsReport;
  history: InsightsInput;
}

const percent = (p: number) => `${Math.round(p * 100)} %`;
const times = (ratio: number) => `${(Math.round(ratio * 10) / 10).toFixed(1)}×`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The calibrated estimate of every open task in the history, each with the reason in the person's terms. */
export function calibratedEstimates(history: InsightsInput, report: InsightsReport): CalibratedEstimate[] {
  const samples =
    report.basis === "personal" ? effortSamples(history.tasks, minutesPerTask(workIntervals(history))) : [];
  const tasks = new Map(history.tasks.map((t) => [t.id, t]));
  const tagged = new Set(Object.keys(report.effort.tagMultipliers));
  return report.effort.tasks.map((e) => {
    const tags = (tasks.get(e.taskId)?.tags ?? []).filter((tag) => tagged.has(tag));
    const similar = tags.length ? samples.filter((s) => s.tags.some((tag) => tags.includes(tag))) : samples;
    let reason: string;
    if (report.basis === "population" || similar.length === 0) {
      reason = `too little history of your own yet (${samples.length} finished task${samples.length === 1 ? "" : "s"} with an estimate and tracked time), so this is the typical ${times(report.effort.multiplier)} overrun people have`;
    } else {
      const ratio = Math.exp(median(similar.map((s) => s.logRatio)));
      const kind = tags.length
        ? `similar task${similar.length === 1 ? "" : "s"} (tagged ${tags.map((t) => `“${t}”`).join(", ")})`
        : `finished task${similar.length === 1 ? "" : "s"}`;
      reason = `you took ${times(ratio)} your estimate on ${similar.length} ${kind}`;
    }
    return {
      taskId: e.taskId,
      estimateMinutes: e.estimateMinutes,
      predictedMinutes: Math.max(1, Math.round(e.predictedMinutes)),
      low: Math.max(1, Math.round(e.low)),
      high: Math.max(1, Math.round(e.high)),
      basis: report.basis,
      reason,
    };
  });
}

export function behaviorSignals(
  history: InsightsInput,
  profile: PlanningProfile,
  threshold = AT_RISK_THRESHOLD,
  calibration?: PersonCalibration,
): BehaviorSignals {
  const report = insightsFromHistory(history, { calibration });
  const personal = report.basis === "personal";
  const planned = new Map<string, CalibratedEstimate>();
  if (personal && profile.useCalibratedEstimates) {
    for (const estimate of calibratedEstimates(history, report)) planned.set(estimate.taskId, estimate);
  }
  const learned = report.peakHours;
  const peakHours =
    personal &&
    profile.defaults.includes("peakHours") &&
    learned.hours.length > 0 &&
    learned.confidence >= LEARNED_PEAK_MIN_CONFIDENCE
      ? learned.hours.map(([from, to]) => [from, to] as [number, number])
      : null;
  const atRisk = report.completion
    .filter((c) => c.probability < threshold)
    .map((c) => ({ taskId: c.taskId, probability: c.probability, due: new Date(c.due).toISOString() }));
  return { basis: report.basis, planned, peakHours, atRisk, report, history };
}

/** "At risk: 35 % chance of finishing by Fri 24 Mar 16:00." in the person's zone. */
export function atRiskNote(risk: AtRiskTask, timezone: string): string {
  const due = DateTime.fromISO(risk.due, { zone: timezone }).setLocale("en-GB").toFormat("ccc d LLL HH:mm");
  return `At risk: ${percent(risk.probability)} chance of finishing by ${due}.`;
}

export function calibrationNote(estimate: CalibratedEstimate): string {
  return `Planned ${estimate.predictedMinutes} minutes for the ${estimate.estimateMinutes} you estimated: ${estimate.reason}.`;
}

export function peakHoursNote(hours: [number, number][]): string {
  const list = hours.map(([from, to]) => `${from}:00–${to}:00`).join(" and ");
  return `Your peak hours (${list}) are learned from the focus time you kept.`;
}
