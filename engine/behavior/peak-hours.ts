/**
 * Peak hours: a histogram of work minutes by local hour, shrunk toward a population curve (main peak ~10h,
 * secondary ~15h). The prior weighs as PRIOR_MINUTES of work, so a few sessions barely move it and two weeks
 * of steady work outweigh it.
 */
import { type Interval, minutesByLocalHour, round } from "./history.ts";

export interface PeakHours {
  bestHour: number;
  hours: [number, number][];
  confidence: number;
  /** The posterior share of work per local hour, 0..23. */
  curve: number[];
  workMinutes: number;
}

/** Pseudo-minutes the population curve counts as. */
export const PRIOR_MINUTES = 600;
/** Hours whose posterior is at least this share of the best hour's belong to the peak ranges. */
const THRESHOLD = 0.7;

const gauss = (h: number, mu: number, sd: number) => Math.exp(-((h + 0.5 - mu) ** 2) / (2 * sd * sd));

/** The population curve: most people's best work is mid-morning, with a smaller mid-afternoon bump. */
export const POPULATION_CURVE: number[] = (() => {
  const raw = Array.from({ length: 24 }, (_, h) => 0.01 + gauss(h, 10.5, 1.5) + 0.6 * gauss(h, 15.5, 1.3));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / total);
})();

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

export function peakHours(work: Interval[], zone: string, personal: boolean): PeakHours {
  const minutes = minutesByLocalHour(work, zone);
  const total = personal ? minutes.reduce((a, b) => a + b, 0) : 0;
  const curve = POPULATION_CURVE.map((p, h) => (personal ? (minutes[h] ?? 0) : 0) + PRIOR_MINUTES * p).map(
    (v) => v / (total + PRIOR_MINUTES),
  );
  let bestHour = 0;
  curve.forEach((v, h) => {
    if (v > (curve[bestHour] ?? 0)) bestHour = h;
  });
  // Confidence: the data's share of the posterior weight, lowered when the work is spread evenly.
  const dataWeight = total / (total + PRIOR_MINUTES);
  const confidence = personal ? round(Math.min(0.95, 0.1 + 0.85 * dataWeight)) : 0.1;
  return {
    bestHour,
    hours: ranges(curve),
    confidence,
    curve: curve.map((v) => round(v, 4)),
    workMinutes: Math.round(total),
  };
}
