import { seedFromValue } from "../../models/random.ts";
import type { Weekday } from "../domain.ts";
import { toPlanOutput } from "./explanation/plan-output.ts";
import { localDayHorizon, localWeekHorizon, narrowHorizon } from "./input/horizon.ts";
import type { PlanInputRaw, PlanOutput } from "./input/plan-input.ts";
import { parsePlanInput } from "./input/plan-input.ts";
import { buildPlanModel, type ModelOptions, type PlanModel } from "./input/plan-model.ts";
import { improveBySwaps } from "./solver/block-swap.ts";
import { compareCost, type DecodedPlan, decode, type Placement } from "./solver/decoder.ts";
import { planEdfBaseline } from "./solver/edf.ts";
import {
  evaluationBudget,
  type HeuristicOptions,
  type HeuristicResult,
  SEARCH_TIME_LIMIT_MS,
  solveHeuristic,
} from "./solver/heuristic.ts";
import {
  improveWithPreference,
  type PreferencePassOptions,
  type SlotPreference,
} from "./solver/preference-pass.ts";
import { keepablePreviousBlocks } from "./solver/stability.ts";

export { evaluatePlan, type PlanQuality } from "./explanation/plan-metrics.ts";
export { toPlanOutput } from "./explanation/plan-output.ts";
export { localDayHorizon, localWeekHorizon, narrowHorizon } from "./input/horizon.ts";
export * from "./input/plan-input.ts";
export { buildPlanModel } from "./input/plan-model.ts";
export { planEdfBaseline } from "./solver/edf.ts";
export { type ExactOptions, type ExactResult, solveExact } from "./solver/exact.ts";
export { lateTaskLowerBound } from "./solver/late-bound.ts";
export type { PreferencePassOptions, SlotPreference } from "./solver/preference-pass.ts";
export { checkHardRules, type Violation } from "./solver/validate-plan.ts";

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
 * Plans focus blocks for one person. Throws PlanInputError for invalid input. Deterministic: the search is
 * bounded by evaluations and seeded from the input, so the same input gives the same plan on any machine and
 * under any load (unless the wall-clock safety net fires, which metrics.search.timeLimitHit reports).
 */
export function planSchedule(input: PlanInputRaw, options: PlanOptions = {}): PlanOutput {
  const startedAt = performance.now();
  const parsed = parsePlanInput(input);
  const model = buildPlanModel(parsed, options);
  const budget = options.maxEvaluations ?? evaluationBudget(model.tasks.length);
  const search: HeuristicOptions = {
    maxEvaluations: budget,
    timeLimitMs: options.timeLimitMs ?? SEARCH_TIME_LIMIT_MS,
    seed: options.seed ?? seedFromValue(parsed),
  };
  const fixed = options.keepPreviousBlocks === false ? [] : keepablePreviousBlocks(model);
  const result =
    fixed.length === 0 ? solveHeuristic(model, [], search) : solveKeepingBlocks(model, fixed, search);
  const swapped = improveBySwaps(model, result.plan);
  const preferred = options.slotPreference
    ? improveWithPreference(model, swapped, options.slotPreference, options.preferencePass)
    : null;
  const solved = preferred?.plan ?? swapped;
  return toPlanOutput(model, neverWorseThanEdf(model, solved), startedAt, {
    evaluations: result.evaluations,
    evaluationBudget: budget,
    seed: search.seed ?? 0,
    ...(result.timeLimitHit && { timeLimitHit: true }),
    ...(preferred && {
      preferencePass: {
        evaluations: preferred.evaluations,
        evaluationBudget: preferred.evaluationBudget,
        ...(preferred.timeLimitHit && { timeLimitHit: true }),
      },
    }),
  });
}

/**
 * Plans around the still-valid previous blocks first: they stay put unless that plan is worse than plain
 * earliest-deadline-first on weighted tardiness, the bar every plan must clear. Only then is the plan made
 * afresh. Each solve gets half the budget, so the work is bounded either way.
 */
function solveKeepingBlocks(model: PlanModel, fixed: Placement[], search: HeuristicOptions): HeuristicResult {
  const half: HeuristicOptions = {
    ...search,
    maxEvaluations: Math.ceil((search.maxEvaluations ?? 0) / 2),
    timeLimitMs: (search.timeLimitMs ?? SEARCH_TIME_LIMIT_MS) / 2,
  };
  const stable = solveHeuristic(model, fixed, half);
  const edf = planEdfBaseline(model);
  if (stable.plan.cost.weightedTardiness <= edf.cost.weightedTardiness + 1e-6) return stable;
  const free = solveHeuristic(model, [], half);
  const total = {
    evaluations: free.evaluations + stable.evaluations,
    ...((free.timeLimitHit || stable.timeLimitHit) && { timeLimitHit: true }),
  };
  if (compareCost(stable.plan.cost, free.plan.cost) <= 0) return { ...stable, ...total };
  // Keep as many of the earliest previous blocks as still clear the EDF bar (a prefix by start keeps every
  // prerequisite's blocks before its dependents'), placing the rest in the free plan's order.
  const byStart = [...fixed].sort((a, b) => a.start - b.start);
  for (let keep = byStart.length - 1; keep > 0; keep--) {
    const plan = decode(model, free.sequence, free.modes, byStart.slice(0, keep));
    total.evaluations++;
    if (plan.cost.weightedTardiness <= edf.cost.weightedTardiness + 1e-6) {
      return { plan, sequence: free.sequence, modes: free.modes, ...total };
    }
  }
  return { ...free, ...total };
}

/**
 * The structural guarantee behind "never worse than earliest-deadline-first": the plain EDF plan is always a
 * candidate, and it replaces the solver's plan whenever it has less weighted tardiness (or as much, with fewer
 * late tasks).
 */
function neverWorseThanEdf(model: PlanModel, plan: DecodedPlan): DecodedPlan {
  const edf = planEdfBaseline(model);
  const eps = 1e-6;
  const better =
    edf.cost.weightedTardiness < plan.cost.weightedTardiness - eps ||
    (Math.abs(edf.cost.weightedTardiness - plan.cost.weightedTardiness) <= eps &&
      edf.cost.lateTasks < plan.cost.lateTasks);
  return better ? edf : plan;
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
  options: PlanOptions & { weekStartsOn?: Weekday } = {},
): PlanOutput {
  const parsed = parsePlanInput(input);
  const week = localWeekHorizon(parsed.person.timezone, isoDate, options.weekStartsOn);
  return planSchedule(narrowHorizon(parsed, week), options);
}
