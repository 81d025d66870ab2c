import { buildSlotGrid, type SlotGrid } from "../input/free-time.ts";
import type { PlanModel, TaskModel } from "../input/plan-model.ts";
import type { DecodedPlan } from "../solver/decoder.ts";

/** What kept work out of a window: the constraint the explanation names. */
export type Binding =
  /** `partly`: the window has working hours, but the task itself already fills them. */
  | { kind: "noWorkingHours"; partly?: boolean }
  | { kind: "meetings"; minutes: number }
  | { kind: "dailyCap"; cap: number }
  | { kind: "otherWork"; tasks: number[]; minutes: number }
  | { kind: "shortStretches"; longest: number };

const workingGrids = new WeakMap<PlanModel, SlotGrid>();

/** The slot grid of working hours alone (no meetings), to tell "no working hours" from "meetings". */
function workingHoursGrid(model: PlanModel): SlotGrid {
  let grid = workingGrids.get(model);
  if (!grid) {
    grid = buildSlotGrid({
      person: model.input.person,
      busy: [],
      from: Math.max(model.now, model.horizonStart) * 60_000,
      to: model.horizonEnd * 60_000,
      granularity: model.grid.granularity,
    });
    workingGrids.set(model, grid);
  }
  return grid;
}

/** Earliest instant the task could start in this plan: its earliest start and its prerequisites' ends. */
export function earliestFeasibleStart(plan: DecodedPlan, task: TaskModel): number {
  let from = task.release;
  for (const p of plan.placements) {
    if (task.preds.includes(p.task)) from = Math.max(from, p.start + p.minutes);
  }
  return from;
}

/**
 * Why `task` could not get `needed` more minutes in [from, until): measured on the finished plan, by what
 * covers the working time there. No working hours at all, meetings covering them, the daily cap reached on
 * every day with free time, other tasks' blocks, or free stretches too short for a block.
 */
export function bindingConstraint(
  model: PlanModel,
  plan: DecodedPlan,
  task: TaskModel,
  from: number,
  until: number,
  needed: number,
): Binding {
  const g = model.grid.granularity;
  const inWindow = (start: number) => start >= from && start + g <= until;
  const working = workingHoursGrid(model).slots.filter((s) => inWindow(s.start)).length * g;
  if (working === 0) return { kind: "noWorkingHours" };

  const owner = new Map<number, number>();
  const dayUsed = new Map<number, number>();
  for (const p of plan.placements) {
    const day = model.grid.slots[p.slot]?.day ?? -1;
    dayUsed.set(day, (dayUsed.get(day) ?? 0) + p.minutes);
    for (let k = p.slot; k < p.slot + Math.ceil(p.minutes / g); k++) owner.set(k, p.task);
  }
  const need = task.splittable ? Math.min(task.minChunk, needed) : needed;
  let free = 0;
  let capped = 0;
  let open = 0;
  let longest = 0;
  let stretch = 0;
  let lastRun = -1;
  const byOther = new Map<number, number>();
  model.grid.slots.forEach((slot, k) => {
    if (!inWindow(slot.start)) return;
    free += g;
    const taken = owner.get(k);
    if (taken !== undefined && taken !== task.index) {
      byOther.set(taken, (byOther.get(taken) ?? 0) + g);
      stretch = 0;
      return;
    }
    if (taken === task.index) {
      stretch = 0;
      return;
    }
    if (model.dailyCap - (dayUsed.get(slot.day) ?? 0) < need) {
      capped += g;
      stretch = 0;
      return;
    }
    open += g;
    stretch = slot.run === lastRun ? stretch + g : g;
    lastRun = slot.run;
    longest = Math.max(longest, stretch);
  });
  const meetings = working - free;
  const other = [...byOther.values()].reduce((s, m) => s + m, 0);
  if (free === 0) return { kind: "meetings", minutes: meetings };
  if (open >= needed && longest < need) return { kind: "shortStretches", longest };
  if (capped + other + meetings === 0) return { kind: "noWorkingHours", partly: true };
  const top = [...byOther.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([j]) => j);
  const ranked: Binding[] = [
    { kind: "dailyCap", cap: model.dailyCap },
    { kind: "otherWork", tasks: top, minutes: other },
    { kind: "meetings", minutes: meetings },
  ];
  const size = [capped, other, meetings];
  let best = 0;
  for (let i = 1; i < size.length; i++) if ((size[i] ?? 0) > (size[best] ?? 0)) best = i;
  return ranked[best] ?? { kind: "meetings", minutes: meetings };
}
