import { checkHardRules, evaluatePlan, parsePlanInput } from "../../../engine/scheduling/index.ts";
import type { PlanInputRaw, PlanOutput } from "../../../engine/scheduling/input/plan-input.ts";

export interface PlanScore {
  violations: number;
  violationRules: string[];
  weightedTardiness: number;
  lateTasks: number;
  scheduledMinutes: number;
  unscheduledMinutes: number;
  fragments: number;
  energyFit: number;
  contextSwitches: number;
  runtimeMs: number;
}

/** Scores a published plan: hard-rule violations from the independent checker, quality from the blocks. */
export function scorePlan(input: PlanInputRaw, output: PlanOutput, runtimeMs: number): PlanScore {
  const violations = checkHardRules(input, output);
  const quality = evaluatePlan(parsePlanInput(input), output.blocks);
  return {
    violations: violations.length,
    violationRules: [...new Set(violations.map((v) => v.rule))],
    ...quality,
    runtimeMs,
  };
}
