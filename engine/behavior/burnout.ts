/**
 * Burnout risk (0..1): a weighted sum of workload signals over the last 14 days, each mapped to 0..1; the
 * weights are fitted (non-negative) to the hidden exhaustion of simulated people (models/trained/burnout.json).
 * It describes a workload pattern worth a look, nothing more.
 * - after-hours work: share of work minutes outside working hours;
 * - load: focus plus busy minutes against working minutes;
 * - missed deadlines: share of tasks due in the window not done by their due time;
 * - weekend work: share of work minutes on days without working hours;
 * - trend: work minutes in the last 7 days against the 7 before.
 */
import { WEEKDAYS } from "../domain.ts";
import {
  busyIntervals,
  clamp,
  clip,
  DAY,
  type Interval,
  localDayNumber,
  overlapMinutes,
  round,
  sumMinutes,
  weekdayOfDayNumber,
  workingIntervals,
  zoneOffset,
} from "./history.ts";
import type { InsightsInput } from "./insights-input.ts";
import type { Factor } from "./procrastination.ts";
import { type BurnoutModel, trainedModels } from "./trained-models.ts";

export interface Burnout {
  risk: number;
  level: "low" | "moderate" | "high";
  factors: Factor[];
}

const POPULATION = { afterHours: 0.1, load: 0.7, missed: 0.15, weekend: 0.05, trend: 0 };

export const burnoutLevel = (risk: number): Burnout["level"] =>
  risk < 0.33 ? "low" : risk < 0.66 ? "moderate" : "high";

export type BurnoutSignals = typeof POPULATION;

/** The factors' 0..1 scales, in BurnoutModel weight order; the model's weights multiply these. */
export function burnoutScales(v: BurnoutSignals): BurnoutSignals {
  return {
    afterHours: clamp(v.afterHours / 0.3, 0, 1),
    load: clamp((v.load - 0.5) / 0.5, 0, 1),
    missed: clamp(v.missed / 0.5, 0, 1),
    weekend: clamp(v.weekend / 0.2, 0, 1),
    trend: clamp(v.trend, 0, 1),
  };
}

/** The raw workload signals of the last 14 days (the population's when not personal). */
export function burnoutSignals(input: InsightsInput, work: Interval[], personal: boolean): BurnoutSignals {
  const now = Date.parse(input.now);
  const from = now - 14 * DAY;
  const recent = clip(work, from, now);
  const workMinutes = sumMinutes(recent);
  const working = workingIntervals(input, from, now);
  const workingMinutes = sumMinutes(working);
  const busy = clip(busyIntervals(input), from, now);
  const v = { ...POPULATION };
  if (personal) {
    v.afterHours = workMinutes > 0 ? 1 - overlapMinutes(recent, working) / workMinutes : 0;
    v.load = workingMinutes > 0 ? (workMinutes + sumMinutes(busy)) / workingMinutes : 0;
    const due = input.tasks.filter((t) => t.due && Date.parse(t.due) >= from && Date.parse(t.due) <= now);
    const missed = due.filter(
      (t) => !t.completedAt || Date.parse(t.completedAt) > Date.parse(t.due ?? ""),
    ).length;
    v.missed = (missed + 1 * POPULATION.missed) / (due.length + 1);
    const offset = zoneOffset(input.person.timezone);
    let weekend = 0;
    for (const w of recent) {
      const day = WEEKDAYS[weekdayOfDayNumber(localDayNumber(w.start, offset)) - 1];
      if (day && input.person.workingHours[day].length === 0) weekend += (w.end - w.start) / 60_000;
    }
    v.weekend = workMinutes > 0 ? weekend / workMinutes : 0;
    const last7 = sumMinutes(clip(work, now - 7 * DAY, now));
    const prev7 = sumMinutes(clip(work, from, now - 7 * DAY));
    v.trend = prev7 + last7 > 0 ? (last7 - prev7) / Math.max(prev7, 60) : 0;
  }
  return v;
}

export function burnout(
  input: InsightsInput,
  work: Interval[],
  personal: boolean,
  model: BurnoutModel = trainedModels().burnout,
): Burnout {
  const v = burnoutSignals(input, work, personal);
  const s = burnoutScales(v);
  const WEIGHTS = model.weights;
  const factors: Factor[] = [
    {
      name: "after-hours work",
      value: round(v.afterHours),
      effect: round(WEIGHTS.afterHours * s.afterHours),
      description: "share of work minutes in the last 14 days outside working hours",
    },
    {
      name: "load",
      value: round(v.load),
      effect: round(WEIGHTS.load * s.load),
      description: "focus and meeting minutes against working minutes in the last 14 days",
    },
    {
      name: "missed deadlines",
      value: round(v.missed),
      effect: round(WEIGHTS.missed * s.missed),
      description: "share of tasks due in the last 14 days that were not done by their due time",
    },
    {
      name: "weekend work",
      value: round(v.weekend),
      effect: round(WEIGHTS.weekend * s.weekend),
      description: "share of work minutes on days without working hours",
    },
    {
      name: "trend",
      value: round(v.trend),
      effect: round(WEIGHTS.trend * s.trend),
      description: "change in work minutes, last 7 days against the 7 before",
    },
  ];
  const risk = round(
    clamp(
      factors.reduce((s, f) => s + f.effect, 0),
      0,
      1,
    ),
  );
  return { risk, level: burnoutLevel(risk), factors };
}
