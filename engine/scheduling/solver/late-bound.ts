import type { PlanModel } from "../input/plan-model.ts";

/** Start (epoch minutes) of each usable slot in order, after meetings and the daily focus cap. */
export interface WorkCurve {
  slots: readonly number[];
  granularity: number;
}

/** The work curve of a plan model: usable grid slots, each day's taken earliest-first up to the daily cap. */
export function workCurve(model: PlanModel): WorkCurve {
  const perDay = new Map<number, number>();
  const slots: number[] = [];
  for (const slot of model.grid.slots) {
    const used = perDay.get(slot.day) ?? 0;
    if (used + model.grid.granularity > model.dailyCap) continue;
    perDay.set(slot.day, used + model.grid.granularity);
    slots.push(slot.start);
  }
  return { slots, granularity: model.grid.granularity };
}

/** Epoch minute the `work`-th minute of focus time ends on the curve (horizon end + overflow past its end). */
function finishAfter(curve: WorkCurve, work: number, horizonEnd: number): number {
  const g = curve.granularity;
  if (work <= 0) return Number.NEGATIVE_INFINITY;
  const i = Math.ceil(work / g) - 1;
  const start = curve.slots[i];
  return start === undefined ? horizonEnd + (work - curve.slots.length * g) : start + (work - i * g);
}

export interface MooreHodgsonResult {
  /** Tasks that can all be on time, in due order. */
  onTime: number[];
  /** The tasks given up, in the order they were dropped. */
  dropped: number[];
}

/**
 * Moore–Hodgson on the work curve: take tasks in due order; whenever the one just added finishes late, drop the
 * task in the set with the largest estimate / weight (the largest estimate when `weighted` is false). With
 * `weighted` false this is the optimum number of late tasks for the relaxation (one machine that works every
 * usable slot, preemptive, releases and prerequisites ignored), so it is a lower bound on any real plan's.
 */
export function mooreHodgson(model: PlanModel, curve: WorkCurve, weighted: boolean): MooreHodgsonResult {
  const byDue = model.tasks
    .filter((t) => t.due !== null)
    .sort((a, b) => (a.due ?? 0) - (b.due ?? 0) || a.priority - b.priority || a.index - b.index);
  const onTime: number[] = [];
  const dropped: number[] = [];
  let work = 0;
  const ratio = (j: number): number => {
    const t = model.tasks[j];
    return t ? t.estimate / (weighted ? t.weight : 1) : 0;
  };
  for (const task of byDue) {
    onTime.push(task.index);
    work += task.estimate;
    if (finishAfter(curve, work, model.horizonEnd) <= (task.due ?? 0) + 1e-9) continue;
    let worst = 0;
    for (let i = 1; i < onTime.length; i++) {
      if (ratio(onTime[i] ?? 0) > ratio(onTime[worst] ?? 0)) worst = i;
    }
    const [gone] = onTime.splice(worst, 1);
    if (gone === undefined) continue;
    dropped.push(gone);
    work -= model.tasks[gone]?.estimate ?? 0;
  }
  return { onTime, dropped };
}

/** A lower bound on the number of late tasks of any plan (see mooreHodgson). */
export function lateTaskLowerBound(model: PlanModel): number {
  return mooreHodgson(model, workCurve(model), false).dropped.length;
}
