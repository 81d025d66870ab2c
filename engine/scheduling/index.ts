import type { DecodedPlan } from "./decoder.ts";
import { type HeuristicOptions, solveHeuristic } from "./heuristic.ts";
import { localDayHorizon, localWeekHorizon, narrowHorizon } from "./horizon.ts";
import type { PlanInputRaw, PlanOutput, WeekdayKey } from "./plan-input.ts";
import { parsePlanInput } from "./plan-input.ts";
import { buildPlanModel, type ModelOptions } from "./plan-model.ts";
import { toPlanOutput } from "./plan-output.ts";
import { improveWithPreference, type PreferencePassOptions, type SlotPreference } from "./preference-pass.ts";
import { keepablePreviousBlocks } from "./stability.ts";

export { planEdfBaseline } from "./edf.ts";
export { type ExactOptions, type ExactResult, solveExact } from "./exact.ts";
export { localDayHorizon, localWeekHorizon, narrowHorizon } from "./horizon.ts";
export * from "./plan-input.ts";
export { evaluatePlan, type PlanQuality } from "./plan-metrics.ts";
export { buildPlanModel } from "./plan-model.ts";
export { toPlanOutput } from "./plan-output.ts";
export type { PreferencePassOptions, SlotPreference } from "./preference-pass.ts";
export { checkHardRules, type Violation } from "./validate-plan.ts";

export interface PlanOptions extends HeuristicOptions, ModelOptions {
  /** Keep still-valid previous blocks starting within 24 h of now unless that makes work late (default true). */
  keepPreviousBlocks?: boolean;
  /**
   * Learned score of a candidate block (higher = likelier kept). Applied after the solver as a secondary term:
   * blocks move to better-scored feasible slots only when no task gets later and every hard rule holds.
   */
  slotPreference?: SlotPreference;
  preferencePass?: PreferencePassOptions;
}

/**
 * Plans focus blocks for one person. Throws PlanInputError for invalid input. Deterministic for a given input
 * and seed unless the local-search time limit cuts the search short.
 */
export function planSchedule(input: PlanInputRaw, options: PlanOptions = {}): PlanOutput {
  const startedAt = performance.now();
  const model = buildPlanModel(parsePlanInput(input), options);
  const fixed = options.keepPreviousBlocks === false ? [] : keepablePreviousBlocks(model);
  const finish = (plan: DecodedPlan) =>
    toPlanOutput(
      model,
      options.slotPreference
        ? improveWithPreference(model, plan, options.slotPreference, options.preferencePass)
        : plan,
      startedAt,
    );
  if (fixed.length === 0) return finish(solveHeuristic(model, [], options).plan);

  const half: HeuristicOptions = {
    ...options,
    maxEvaluations: Math.ceil((options.maxEvaluations ?? 500) / 2),
    timeLimitMs: (options.timeLimitMs ?? 120) / 2,
  };
  const free = solveHeuristic(model, [], half).plan;
  const stable = solveHeuristic(model, fixed, half).plan;
  const keep =
    stable.cost.weightedTardiness <= free.cost.weightedTardiness + 1e-6 &&
    stable.cost.lateTasks <= free.cost.lateTasks;
  return finish(keep ? stable : free);
}

/** plan_day: the same planner restricted to one local calendar day (YYYY-MM-DD) in the person's zone. */
export function planDay(input: PlanInputRaw, isoDate: string, options: PlanOptions = {}): PlanOutput {
  const parsed = parsePlanInput(input);
  return planSchedule(narrowHorizon(parsed, localDayHorizon(parsed.person.timezone, isoDate)), options);
}

/** plan_week: restricted to the local week containing `isoDate`, starting on `weekStartsOn` (default Monday). */
export function planWeek(
  input: PlanInputRaw,
  isoDate: string,
  options: PlanOptions & { weekStartsOn?: WeekdayKey } = {},
): PlanOutput {
  const parsed = parsePlanInput(input);
  const week = localWeekHorizon(parsed.person.timezone, isoDate, options.weekStartsOn);
  return planSchedule(narrowHorizon(parsed, week), options);
}
