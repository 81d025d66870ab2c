import type {
  EffectivePreferences,
  PlannedBlock,
  PlanOutput,
  SearchMetrics,
  UnscheduledWork,
} from "../input/plan-input.ts";
import type { PlanModel } from "../input/plan-model.ts";
import type { DecodedPlan } from "../solver/decoder.ts";
import { explainBlock, explainUnscheduled } from "./explain.ts";
import { evaluatePlan } from "./plan-metrics.ts";

/** Output instants are UTC ISO 8601 ("2026-03-06T09:00:00Z"), always. */
export function formatInstant(epochMinutes: number): string {
  // Same text as luxon's toISO({ suppressMilliseconds: true }) in UTC, without its per-call zone machinery.
  const iso = new Date(Math.round(epochMinutes * 60_000)).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

/** Turns a decoded plan into the published contract: sorted blocks with reasons, leftovers, metrics. */
/** The preferences a plan runs with, defaults filled in (printed in metrics so nobody has to guess them). */
export function effectivePreferences(model: PlanModel): EffectivePreferences {
  const { preferences, workingHours, energy } = model.input.person;
  return {
    minBlockMinutes: preferences.minBlockMinutes,
    maxBlockMinutes: preferences.maxBlockMinutes,
    bufferMinutes: preferences.bufferMinutes,
    maxFocusMinutesPerDay: preferences.maxFocusMinutesPerDay,
    workingHours,
    peakHours: energy.peakHours,
  };
}

export function toPlanOutput(
  model: PlanModel,
  plan: DecodedPlan,
  startedAt: number,
  search?: SearchMetrics,
): PlanOutput {
  const ordered = [...plan.placements].sort((a, b) => a.start - b.start);
  const partsOf = new Map<number, number>();
  for (const p of ordered) partsOf.set(p.task, (partsOf.get(p.task) ?? 0) + 1);
  const seen = new Map<number, number>();
  const blocks: PlannedBlock[] = ordered.map((p) => {
    const part = (seen.get(p.task) ?? 0) + 1;
    seen.set(p.task, part);
    return {
      taskId: model.tasks[p.task]?.id ?? "",
      start: formatInstant(p.start),
      end: formatInstant(p.start + p.minutes),
      reason: explainBlock(model, plan, p, [part, partsOf.get(p.task) ?? 1]),
    };
  });
  const unscheduled: UnscheduledWork[] = model.tasks
    .filter((t) => (plan.remaining[t.index] ?? 0) > 0)
    .map((t) => ({
      taskId: t.id,
      remainingMinutes: plan.remaining[t.index] ?? 0,
      reason: explainUnscheduled(model, plan, t),
    }));
  const quality = evaluatePlan(model.input, blocks);
  return {
    blocks,
    unscheduled,
    metrics: {
      ...quality,
      keptPreviousBlocks: plan.placements.filter((p) => p.kept).length,
      runtimeMs: Math.round((performance.now() - startedAt) * 100) / 100,
      preferences: effectivePreferences(model),
      ...(search && { search }),
    },
  };
}
