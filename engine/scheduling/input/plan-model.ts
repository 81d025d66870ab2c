import type { SlotGrid } from "./free-time.ts";
import { buildSlotGrid, toEpochMinutes } from "./free-time.ts";
import type { PlanInput, TaskEnergy } from "./plan-input.ts";
import { priorityWeight } from "./plan-input.ts";
import { type ReservedSpan, withoutReserved } from "./reserved-time.ts";

/** A task as the solvers see it: times in epoch minutes, links as indices. */
export interface TaskModel {
  index: number;
  id: string;
  title: string;
  estimate: number;
  due: number | null;
  weight: number;
  priority: number;
  /** Earliest instant any block may start: max(now, horizon start, earliestStart). */
  release: number;
  preds: number[];
  succs: number[];
  splittable: boolean;
  energy: TaskEnergy;
  /** Shortest allowed block: minBlockMinutes, or the whole estimate when that is shorter. */
  minChunk: number;
}

export interface PlanModel {
  input: PlanInput;
  grid: SlotGrid;
  tasks: TaskModel[];
  now: number;
  horizonStart: number;
  horizonEnd: number;
  minBlock: number;
  maxBlock: number;
  dailyCap: number;
}

export interface ModelOptions {
  /** Slot size in minutes; block starts are multiples of it (default 5). */
  granularityMinutes?: number;
  /** Time taken before the solver runs (habit occurrences), epoch minutes; no task block overlaps it. */
  reserved?: readonly ReservedSpan[];
}

export function buildPlanModel(input: PlanInput, options: ModelOptions = {}): PlanModel {
  const g = options.granularityMinutes ?? 5;
  const prefs = input.person.preferences;
  const now = toEpochMinutes(input.now);
  const horizonStart = toEpochMinutes(input.horizon.start);
  const horizonEnd = toEpochMinutes(input.horizon.end);
  const from = Math.max(now, horizonStart);
  const grid = withoutReserved(
    buildSlotGrid({
      person: input.person,
      busy: input.busy,
      from: from * 60_000,
      to: horizonEnd * 60_000,
      granularity: g,
    }),
    options.reserved ?? [],
  );
  const indexById = new Map(input.tasks.map((t, i) => [t.id, i]));
  const tasks: TaskModel[] = input.tasks.map((t, i) => ({
    index: i,
    id: t.id,
    title: t.title,
    estimate: t.estimateMinutes,
    due: t.due === null ? null : toEpochMinutes(t.due),
    weight: priorityWeight(t.priority),
    priority: t.priority,
    release: Math.max(from, t.earliestStart === null ? from : toEpochMinutes(t.earliestStart)),
    preds: t.dependsOn.map((id) => indexById.get(id) ?? -1).filter((k) => k >= 0),
    succs: [],
    splittable: t.splittable,
    energy: t.energy,
    minChunk: Math.min(prefs.minBlockMinutes, t.estimateMinutes),
  }));
  for (const task of tasks) for (const p of task.preds) tasks[p]?.succs.push(task.index);
  return {
    input,
    grid,
    tasks,
    now,
    horizonStart,
    horizonEnd,
    minBlock: prefs.minBlockMinutes,
    maxBlock: prefs.maxBlockMinutes,
    dailyCap: prefs.maxFocusMinutesPerDay,
  };
}
