/**
 * Peak hours: a histogram of work minutes by local hour, shrunk toward the trained population curve (learned
 * from simulated people, models/trained/peak-hours.json). The prior weighs as `priorMinutes` of work, so a few
 * sessions barely move it and two weeks of steady work outweigh it. Work outside working hours counts at
 * `afterHoursWeight` (late crunch is rarely chosen for its hour).
 */

import type { WorkingHours } from "../scheduling/input/plan-input.ts";
import { type Interval, round, zoneOffset } from "./history.ts";
import { type PeakHoursModel, REFERENCE_MODELS, trainedModels } from "./trained-models.ts";

export interface PeakHours {
  bestHour: number;
  hours: [number, number][];
  confidence: number;
  /** The posterior share of work per local hour, 0..23. */
  curve: number[];
  workMinutes: number;
}

/** Pseudo-minutes the reference population curve counts as. */
export const PRIOR_MINUTES = REFERENCE_MODELS.peakHours.priorMinutes;
/** Hours whose posterior is at least this share of the best hour's belong to the peak ranges. */
const THRESHOLD = 0.7;

/** The reference population curve: mid-morning main peak, smaller mid-afternoon bump. */
export const POPULATION_CURVE: number[] = REFERENCE_MODELS.peakHours.populationCurve;

function ranges(curve: number[]): [number, number][] {
  const max = Math.max(...curve);
  const out: [number, number][] = [];
  let start = -1;
  for (let h = 0; h <= 24; h++) {
    const above = h < 24 && (curve[h] ?? 0) >= THRESHOLD * max;
    if (above && start < 0) start = h;
    if (!above && start >= 0) {
      out.push([start, h]);
      start = -1;
    }
  }
  return out;
}

/** Local hours of day (0..23) that fall in any day's working hours. */
export function workingHourMask(workingHours: WorkingHours | undefined): boolean[] {
  const mask = new Array<boolean>(24).fill(false);
  if (!workingHours) return mask.fill(true);
  for (const intervals of Object.values(workingHours))
    for (const w of intervals ?? []) {
      const [sh = 0, sm = 0] = w.start.split(":").map(Number);
      const [eh = 24, em = 0] = w.end.split(":").map(Number);
      for (let h = 0; h < 24; h++) if (h + 1 > sh + sm / 60 && h < eh + em / 60) mask[h] = true;
    }
  return mask.some(Boolean) ? mask : mask.fill(true);
}

const HOUR = 3_600_000;

/**
 * Minutes of each interval per local hour of day (0..23): the same numbers as history.ts's
 * minutesByLocalHour, with the zone's offset looked up per hour step instead of a DateTime per step.
 */
export function localHourMinutes(intervals: Interval[], zone: string): number[] {
  const hours = new Array<number>(24).fill(0);
  const offset = zoneOffset(zone);
  for (const iv of intervals) {
    let t = iv.start;
    while (t < iv.end) {
      const local = t + offset(t) * 60_000;
      const hour = Math.floor(local / HOUR) % 24;
      const next = Math.min(iv.end, t + HOUR - (((local % HOUR) + HOUR) % HOUR));
      hours[(hour + 24) % 24] = (hours[(hour + 24) % 24] ?? 0) + (next - t) / 60_000;
      t = next > t ? next : t + 60_000;
    }
  }
  return hours;
}

/** Work minutes per local hour, with minutes outside working hours down-weighted. */
export function weightedHourMinutes(
  work: Interval[],
  zone: string,
  workingHours: WorkingHours | undefined,
  afterHoursWeight: number,
): number[] {
  const mask = workingHourMask(workingHours);
  return localHourMinutes(work, zone).map((m, h) => (mask[h] ? m : afterHoursWeight * m));
}

/** The posterior peak hours from per-hour work minutes (the serving core, shared with training). */
export function peakFromMinutes(minutes: number[], personal: boolean, model: PeakHoursModel): PeakHours {
  const total = personal ? minutes.reduce((a, b) => a + b, 0) : 0;
  const prior = model.priorMinutes;
  const curve = model.populationCurve
    .map((p, h) => (personal ? (minutes[h] ?? 0) : 0) + prior * p)
    .map((v) => v / (total + prior));
  let bestHour = 0;
  curve.forEach((v, h) => {
    if (v > (curve[bestHour] ?? 0)) bestHour = h;
  });
  const dataWeight = total / (total + prior);
  const confidence = personal ? round(Math.min(0.95, 0.1 + 0.85 * dataWeight)) : 0.1;
  return {
    bestHour,
    hours: ranges(curve),
    confidence,
    curve: curve.map((v) => round(v, 4)),
    workMinutes: Math.round(total),
  };
}

export function peakHours(
  work: Interval[],
  zone: string,
  personal: boolean,
  options: { workingHours?: WorkingHours; model?: PeakHoursModel } = {},
): PeakHours {
  const model = options.model ?? trainedModels().peakHours;
  return peakFromMinutes(
    weightedHourMinutes(work, zone, options.workingHours, model.afterHoursWeight),
    personal,
    model,
  );
}
