import type { PlanModel } from "../input/plan-model.ts";
import type { DecodedPlan } from "./decoder.ts";
import { decode } from "./decoder.ts";

/** Earliest due date first (no due date last), ties by priority then input order. */
export function edfSequence(model: PlanModel): number[] {
  const far = Number.POSITIVE_INFINITY;
  return [...model.tasks]
    .sort((a, b) => (a.due ?? far) - (b.due ?? far) || a.priority - b.priority || a.index - b.index)
    .map((t) => t.index);
}

/**
 * Baseline: EDF order, each task placed at its earliest feasible slots by the same decoder (so it obeys the
 * same hard rules), no energy preference, no look-ahead, no previous-plan stability.
 */
export function planEdfBaseline(model: PlanModel): DecodedPlan {
  return decode(model, edfSequence(model), new Uint8Array(model.tasks.length));
}
