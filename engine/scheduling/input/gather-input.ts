/**
 * Builds the pure planner's input for one person from the database: their profile (defaults when unset),
 * open tasks assigned to them, calendar events that block time, and their current blocks (kept ones become
 * busy time, planned ones in the re-planned window are the previous plan the planner stays close to).
 */
import { currentCalibration } from "../../behavior/calibration.ts";
import { HISTORY_DONE_TASKS, storedHistory } from "../../behavior/stored-history.ts";
import type { Queryable } from "../../db/port.ts";
import { listHabits } from "../../db/repositories/habits.ts";
import {
  activePins,
  listBlocks,
  listBusyEvents,
  type Pin,
  type StoredBlock,
} from "../../db/repositories/plans.ts";
import { listOpenTasksToPlan, listTasksPage } from "../../db/repositories/tasks.ts";
import type { Task } from "../../domain.ts";
import { habitBusyId } from "../routines/habit-placement.ts";
import {
  type AtRiskTask,
  atRiskNote,
  type BehaviorSignals,
  behaviorSignals,
  calibrationNote,
  peakHoursNote,
} from "./behavior-signals.ts";
import {
  applyToHistory,
  applyToTasks,
  checkChanges,
  type HypotheticalChange,
  hypotheticalBusy,
} from "./hypothesis.ts";
import type { BusyEvent, PlanInputRaw, PlanTask, PreviousBlock, TimeRange } from "./plan-input.ts";
import { DEFAULT_ESTIMATE_MINUTES, loadPlanningProfile, type PlanningProfile } from "./profile.ts";
import { withSubtasksPlanned } from "./subtasks.ts";

export interface GatheredInput {
  input: PlanInputRaw;
  profile: PlanningProfile;
  /** The window whose planned blocks the new plan replaces: [max(now, horizon.start), horizon.end). */
  region: TimeRange;
  tasks: Map<string, Task>;
  /** The person's habits by id (titles for reasons). */
  habits: Map<string, { title: string }>;
  /** Planned blocks inside the region (the previous plan there). */
  previous: StoredBlock[];
  /** Per task: sentences appended to each of its blocks' reasons. */
  notes: Map<string, string[]>;
  pins: Map<string, Pin>;
  busy: BusyEvent[];
  /** Open tasks whose chance of finishing by their due time is below the threshold (behaviour models). */
  atRisk: AtRiskTask[];
  /** What the behaviour models said; null when the caller did not ask for them. */
  behavior: BehaviorSignals | null;
}

export interface GatherOptions {
  /** Use the behaviour models (calibrated estimates, learned peak hours, at-risk flags) from this workspace's history. */
  workspaceId?: string;
  /** Hypothetical changes applied to copies of what is read (what_if); nothing is written. */
  changes?: readonly HypotheticalChange[];
}

async function readBehavior(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  open: readonly Task[],
  now: Date,
  extraBusy: readonly BusyEvent[],
  profile: PlanningProfile,
): Promise<BehaviorSignals> {
  const done = await listTasksPage(
    tx,
    { personId, status: ["done"], includeSourceDeleted: false },
    { order: "created", limit: HISTORY_DONE_TASKS },
  );
  const history = await storedHistory(tx, workspaceId, personId, [...open, ...done.tasks], now);
  const calibration = await currentCalibration(tx, personId, now);
  return behaviorSignals(applyToHistory(history, extraBusy), profile, undefined, calibration);
}

const MINUTE = 60_000;
/**
 * The planner is built for a person's working set (its bench goes to 80 tasks; p95 under 300 ms). Beyond
 * this many, the most urgent open tasks are planned and the rest wait for a later replan.
 */
export const MAX_PLANNED_TASKS = 150;

/** Keeps the first MAX_PLANNED_TASKS (already in priority, due order) and drops any whose prerequisite was dropped. */
export function keepWorkingSet(planTasks: PlanTask[]): void {
  if (planTasks.length <= MAX_PLANNED_TASKS) return;
  const kept = new Set(planTasks.slice(0, MAX_PLANNED_TASKS).map((task) => task.id));
  let changed = true;
  while (changed) {
    changed = false;
    for (const task of planTasks) {
      if (kept.has(task.id) && (task.dependsOn ?? []).some((id) => !kept.has(id))) {
        kept.delete(task.id);
        changed = true;
      }
    }
  }
  const working = planTasks.filter((task) => kept.has(task.id));
  planTasks.splice(0, planTasks.length, ...working);
}

/** The behaviour signals for a person's open tasks as they stand (get_schedule's at-risk list, estimate_task). */
export async function readBehaviorSignals(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  now: Date,
): Promise<BehaviorSignals> {
  const profile = await loadPlanningProfile(tx, personId);
  const open = await listOpenTasksToPlan(tx, personId);
  return readBehavior(tx, workspaceId, personId, open, now, [], profile);
}

export async function gatherPlanInput(
  tx: Queryable,
  personId: string,
  now: Date,
  horizon: TimeRange,
  options: GatherOptions = {},
): Promise<GatheredInput> {
  const profile = await loadPlanningProfile(tx, personId);
  const regionStart = new Date(Math.max(now.getTime(), Date.parse(horizon.start))).toISOString();
  const region = { start: regionStart, end: horizon.end };

  const stored = await withSubtasksPlanned(tx, await listOpenTasksToPlan(tx, personId));
  const changes = options.changes ?? [];
  if (changes.length > 0) checkChanges(changes, stored);
  const open = changes.length > 0 ? applyToTasks(stored, changes, now) : stored;
  const tasks = new Map(open.map((task) => [task.id, task]));

  const blocks = await listBlocks(tx, personId, { statuses: ["planned", "accepted", "done"] });
  const used = new Map<string, number>();
  const allocatedEnd = new Map<string, number>();
  const busy: BusyEvent[] = [];
  const previous: StoredBlock[] = [];
  const regionFrom = Date.parse(region.start);
  const regionTo = Date.parse(region.end);
  for (const block of blocks) {
    const start = Date.parse(block.start);
    const end = Date.parse(block.end);
    const minutes = Math.round((end - start) / MINUTE);
    // Planned task, habit and goal-focus blocks in the region are the previous plan there; the new plan replaces them.
    const inRegion = block.status === "planned" && start >= regionFrom && start < regionTo;
    if (inRegion) {
      previous.push(block);
      continue;
    }
    // Work already done, kept, in progress or planned elsewhere counts against the task's estimate.
    const pastPlanned = block.status === "planned" && end <= now.getTime();
    if (block.taskId && !pastPlanned) {
      used.set(block.taskId, (used.get(block.taskId) ?? 0) + minutes);
      allocatedEnd.set(block.taskId, Math.max(allocatedEnd.get(block.taskId) ?? 0, end));
    }
    // Blocks that stay where they are occupy time.
    if (block.status !== "done" && end > now.getTime() && start < regionTo) {
      busy.push({
        // A kept habit block counts as that day's occurrence of the habit (see habitBusyId).
        id: block.habitId ? habitBusyId(block.habitId, block.id) : `block:${block.id}`,
        title: block.habitTitle ?? block.taskTitle ?? "Focus",
        start: block.start,
        end: block.end,
      });
    }
  }

  const events = await listBusyEvents(tx, personId, region.start, region.end);
  busy.push(...events);
  const extraBusy = hypotheticalBusy(changes, profile.timezone);
  busy.push(...extraBusy);

  const pins = new Map((await activePins(tx, personId, now)).map((pin) => [pin.taskId, pin]));
  const notes = new Map<string, string[]>();
  const note = (taskId: string, text: string) => notes.set(taskId, [...(notes.get(taskId) ?? []), text]);
  const behavior = options.workspaceId
    ? await readBehavior(tx, options.workspaceId, personId, open, now, extraBusy, profile)
    : null;
  const peakHours = behavior?.peakHours ?? profile.peakHours;

  const planTasks: PlanTask[] = [];
  const remainingOf = new Map<string, number>();
  for (const task of open) {
    let estimate = task.estimateMinutes ?? DEFAULT_ESTIMATE_MINUTES;
    if (task.estimateMinutes === null) {
      note(task.id, `Assumed ${DEFAULT_ESTIMATE_MINUTES} minutes: the task has no estimate yet.`);
    }
    const calibrated = task.estimateMinutes === null ? undefined : behavior?.planned.get(task.id);
    if (calibrated && calibrated.predictedMinutes !== task.estimateMinutes) {
      estimate = calibrated.predictedMinutes;
      note(task.id, calibrationNote(calibrated));
    }
    if (behavior?.peakHours && task.energy !== "medium") note(task.id, peakHoursNote(behavior.peakHours));
    estimate -= used.get(task.id) ?? 0;
    remainingOf.set(task.id, estimate);
  }
  for (const task of open) {
    const remaining = remainingOf.get(task.id) ?? 0;
    if (remaining <= 0) continue;
    let earliest = task.earliestStart ? Date.parse(task.earliestStart) : null;
    let due = task.due;
    const dependsOn: string[] = [];
    for (const dep of task.dependsOn) {
      if (!tasks.has(dep)) continue; // done, cancelled or someone else's: not a constraint on this plan
      if ((remainingOf.get(dep) ?? 0) > 0) dependsOn.push(dep);
      else {
        const end = allocatedEnd.get(dep);
        if (end !== undefined) earliest = Math.max(earliest ?? 0, end);
      }
    }
    const pin = pins.get(task.id);
    if (pin) {
      earliest = Math.max(earliest ?? 0, Date.parse(pin.windowStart));
      due = pin.windowEnd;
      note(task.id, `Pinned to the window you asked for${pin.phrase ? ` (“${pin.phrase}”)` : ""}.`);
    }
    planTasks.push({
      id: task.id,
      title: task.title,
      estimateMinutes: remaining,
      due,
      priority: task.priority,
      earliestStart: earliest === null ? null : new Date(earliest).toISOString(),
      dependsOn,
      splittable: task.splittable,
      energy: task.energy,
    });
  }
  const atRisk = (behavior?.atRisk ?? []).filter((risk) => tasks.has(risk.taskId));
  for (const risk of atRisk) note(risk.taskId, atRiskNote(risk, profile.timezone));
  keepWorkingSet(planTasks);
  // A dependency on a task dropped above (nothing left to plan) is no constraint either.
  const planned = new Set(planTasks.map((t) => t.id));
  for (const t of planTasks) t.dependsOn = (t.dependsOn ?? []).filter((id) => planned.has(id));

  const previousBlocks: PreviousBlock[] = previous
    .filter((b) => b.taskId && planned.has(b.taskId))
    .map((b) => ({ taskId: b.taskId as string, start: b.start, end: b.end }));

  const habitRows = await listHabits(tx, personId);
  const input: PlanInputRaw = {
    person: {
      timezone: profile.timezone,
      workingHours: profile.workingHours,
      preferences: {
        minBlockMinutes: profile.minBlockMinutes,
        maxBlockMinutes: profile.maxBlockMinutes,
        bufferMinutes: profile.bufferMinutes,
        maxFocusMinutesPerDay: profile.maxFocusMinutesPerDay,
        focusGoalMinutesPerWeek: profile.focusGoalMinutesPerWeek,
      },
      energy: { peakHours },
    },
    now: now.toISOString(),
    horizon,
    busy,
    tasks: planTasks,
    previousBlocks,
    habits: habitRows.map((h) => ({
      id: h.id,
      title: h.title,
      days: h.days,
      window: h.window,
      minMinutes: h.minMinutes,
      maxMinutes: h.maxMinutes,
      timesPerWeek: h.timesPerWeek,
      priority: h.priority,
      outsideWorkingHours: h.outsideWorkingHours,
    })),
  };
  const habits = new Map(habitRows.map((h) => [h.id, { title: h.title }]));
  return { input, profile, region, tasks, habits, previous, notes, pins, busy, atRisk, behavior };
}
