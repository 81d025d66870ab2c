/**
 * Behaviour insights from a history (the `cairn insights` contract): peak hours, effort calibration,
 * completion likelihood, procrastination, burnout risk and score. Pure and deterministic: the only clock is
 * `input.now`. With too little history the answer is the population prior, marked `basis: "population"`.
 */
import { type Burnout, burnout } from "./burnout.ts";
import type { PersonCalibration } from "./calibration-totals.ts";
import { type Completion, completion } from "./completion.ts";
import { type Effort, effort } from "./effort.ts";
import { DAY, round, workIntervals } from "./history.ts";
import { type InsightsInput, parseInsightsInput } from "./insights-input.ts";
import { type PeakHours, peakHours } from "./peak-hours.ts";
import { type Procrastination, procrastination } from "./procrastination.ts";
import { type Score, score } from "./score.ts";

/** Below either, the history is too short for personal figures. */
export const MIN_HISTORY_DAYS = 7;
export const MIN_COMPLETED_TASKS = 5;

export interface InsightsReport {
  basis: "personal" | "population";
  now: string;
  history: { days: number; events: number; completedTasks: number; openTasks: number };
  peakHours: PeakHours;
  effort: Effort;
  completion: Completion[];
  procrastination: Procrastination;
  burnout: Burnout;
  score: Score;
}

export interface InsightsOptions {
  /**
   * The person's stored effort calibration (engine/behavior/calibration.ts): the effort multiplier, per-tag
   * multipliers and interval then come from it instead of the finished tasks in `input` (get_insights and the
   * planner, whose history is bounded). `cairn insights --input` passes none.
   */
  calibration?: PersonCalibration;
}

export function insightsFromHistory(input: InsightsInput, options: InsightsOptions = {}): InsightsReport {
  const now = Date.parse(input.now);
  const times = input.events.map((e) => Date.parse(e.at)).filter((t) => t <= now);
  const first = times.reduce((a, b) => Math.min(a, b), now);
  const days = (now - first) / DAY;
  const completedTasks = input.tasks.filter((t) => t.completedAt && Date.parse(t.completedAt) <= now).length;
  const personal = days >= MIN_HISTORY_DAYS && completedTasks >= MIN_COMPLETED_TASKS;
  const work = workIntervals(input);
  const eff = effort(input.tasks, work, personal, undefined, options.calibration);
  const procrastinationNow = procrastination(input, personal);
  return {
    basis: personal ? "personal" : "population",
    now: input.now,
    history: {
      days: round(days, 1),
      events: input.events.length,
      completedTasks,
      openTasks: input.tasks.length - completedTasks,
    },
    peakHours: peakHours(work, input.person.timezone, personal, { workingHours: input.person.workingHours }),
    effort: eff,
    completion: completion(input, eff.tasks, personal, { procrastinationIndex: procrastinationNow.index }),
    procrastination: procrastinationNow,
    burnout: burnout(input, work, personal),
    score: score(input, work),
  };
}

/** Validates raw input (throws InsightsInputError naming the item) and computes the insights. */
export function insightsFromRaw(raw: unknown): InsightsReport {
  return insightsFromHistory(parseInsightsInput(raw));
}
