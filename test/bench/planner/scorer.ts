import {
  buildPlanModel,
  checkHardRules,
  evaluatePlan,
  type PlanQuality,
  parsePlanInput,
  planEdfBaseline,
  toPlanOutput,
} from "../../../engine/scheduling/index.ts";
import type { PlanInput, PlanInputRaw, PlanOutput } from "../../../engine/scheduling/input/plan-input.ts";
import { generateScenarios, type Scenario } from "./generator.ts";
import { generateIndependentScenarios } from "./independent-generator.ts";

/** A suite of scenarios by name ("independent", otherwise the generated one); each generator has its defaults. */
export function scenarioSuite(suite: string | undefined, count?: number, seed?: number): Scenario[] {
  return suite === "independent" ? generateIndependentScenarios(count, seed) : generateScenarios(count, seed);
}

/** The quality of the EDF baseline's plan: what the planner benches compare the planner with. */
export function edfQuality(parsed: PlanInput): PlanQuality {
  const model = buildPlanModel(parsed);
  return evaluatePlan(parsed, toPlanOutput(model, planEdfBaseline(model), 0).blocks);
}

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
