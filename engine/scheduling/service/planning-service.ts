/**
 * Plans a person's time from the database and stores the result as a new plan version: the glue between the
 * pure planner and the product. Used by the planning actions and by the replan job.
 */
import type { Queryable } from "../../db/port.ts";
import { appendEvent } from "../../db/repositories/event-log.ts";
import {
  type BlockExplanation,
  carryBlock,
  insertBlock,
  insertPlan,
  latestPlanVersion,
  listBlocks,
  lockPerson,
  type StoredBlock,
  setBlockStatus,
} from "../../db/repositories/plans.ts";
import { invalidInput } from "../../errors.ts";
import type { EngineServices } from "../../services.ts";
import type { AtRiskTask } from "../input/behavior-signals.ts";
import { type GatheredInput, gatherPlanInput } from "../input/gather-input.ts";
import { PlanInputError, type PlanMetrics, type TimeRange } from "../input/plan-input.ts";
import { type LearnerState, loadLearnerState, servePreference } from "../learning/slot-preference.ts";
import { planWithRoutines } from "../routines/routines.ts";
import { writeBlocksToCalendar } from "./calendar-writer.ts";

export interface UnscheduledTask {
  taskId: string;
  taskTitle: string;
  remainingMinutes: number;
  reason: string;
}

/** A habit occurrence the plan could not keep (its local date and why). */
export interface UnscheduledHabitOccurrence {
  habitId: string;
  habitTitle: string;
  date: string;
  remainingMinutes: number;
  reason: string;
}

export interface StoredPlan {
  version: number;
  horizon: TimeRange;
  timezone: string;
  blocks: StoredBlock[];
  unscheduled: UnscheduledTask[];
  unscheduledHabits: UnscheduledHabitOccurrence[];
  metrics: PlanMetrics;
  /** Blocks carried over unchanged from the previous version. */
  unchangedBlocks: number;
  learnedWeight: number;
  /** Open tasks whose chance of finishing by their due time is below 50 % (the behaviour models). */
  atRisk: AtRiskTask[];
}

export interface PlanRequest {
  workspaceId: string;
  personId: string;
  horizon: TimeRange;
  /** Why this version exists: plan_day, plan_week, replan, reschedule_task, ... */
  trigger: string;
}

function withNotes(reason: string, notes: readonly string[] | undefined): string {
  return notes && notes.length > 0 ? `${reason} ${notes.join(" ")}` : reason;
}

/**
 * Runs the planner on gathered input with the learned slot preference the version would be served (seeded by
 * the version and the minute, so the same state gives the same plan). Pure: nothing is stored.
 */
export function planGathered(
  gathered: GatheredInput,
  learner: LearnerState,
  version: number,
  now: Date,
): { output: ReturnType<typeof planWithRoutines>; learnedWeight: number } {
  const served = servePreference(
    learner,
    gathered.profile,
    gathered.busy,
    version * 7919 + now.getTime() / 60_000,
  );
  try {
    const output = planWithRoutines(gathered.input, {
      ...(served.slotPreference && {
        slotPreference: served.slotPreference,
        preferencePass: { weight: served.weight },
      }),
    });
    return { output, learnedWeight: served.weight };
  } catch (error) {
    if (error instanceof PlanInputError) {
      throw invalidInput(`Cannot plan: ${error.message}`, [
        { path: error.path ?? "input", message: error.message },
      ]);
    }
    throw error;
  }
}

/** In one transaction: gathers input, plans, stores the version, supersedes the replaced planned blocks. */
export async function planInTransaction(
  tx: Queryable,
  services: EngineServices,
  request: PlanRequest,
): Promise<StoredPlan & { gathered: GatheredInput }> {
  await lockPerson(tx, request.personId);
  const now = services.now();
  const gathered = await gatherPlanInput(tx, request.personId, now, request.horizon, {
    workspaceId: request.workspaceId,
  });
  const version = (await latestPlanVersion(tx, request.personId)) + 1;
  const learner = await loadLearnerState(tx, request.personId);
  const { output, learnedWeight } = planGathered(gathered, learner, version, now);

  // Unchanged blocks keep their row (and calendar event); the rest of the previous plan is superseded.
  const previousByKey = new Map<string, StoredBlock>();
  const keyOf = (kind: string, owner: string | null, start: string, end: string) =>
    `${kind}|${owner ?? ""}|${new Date(start).toISOString()}|${new Date(end).toISOString()}`;
  for (const block of gathered.previous)
    previousByKey.set(keyOf(block.kind, block.taskId ?? block.habitId, block.start, block.end), block);
  const carried = new Set<string>();
  let unchanged = 0;
  for (const block of output.blocks) {
    const taskId = block.kind === "task" ? block.taskId : null;
    const habitId = block.kind === "habit" ? block.habitId : null;
    const notes = taskId ? gathered.notes.get(taskId) : undefined;
    const explanation: BlockExplanation = {
      reason: withNotes(block.reason, notes),
      ...(notes && { notes }),
      ...(block.reason.includes("at a time you tend to keep") && { preferred: true }),
    };
    const previous = previousByKey.get(keyOf(block.kind, taskId ?? habitId, block.start, block.end));
    if (previous && !carried.has(previous.id)) {
      carried.add(previous.id);
      unchanged++;
      await carryBlock(tx, previous.id, version, explanation);
      continue;
    }
    const id = await insertBlock(tx, request.workspaceId, request.personId, version, {
      taskId,
      habitId,
      start: block.start,
      end: block.end,
      kind: block.kind,
      status: "planned",
      explanation,
    });
    await appendEvent(tx, {
      workspaceId: request.workspaceId,
      personId: request.personId,
      taskId,
      blockId: id,
      type: "block_planned",
      payload: {
        version,
        start: block.start,
        end: block.end,
        trigger: request.trigger,
        ...(block.kind !== "task" && { kind: block.kind }),
        ...(habitId && { habitId }),
      },
      occurredAt: now,
    });
  }
  await setBlockStatus(
    tx,
    gathered.previous.filter((b) => !carried.has(b.id)).map((b) => b.id),
    "superseded",
  );
  const unscheduled: UnscheduledTask[] = [];
  const unscheduledHabits: UnscheduledHabitOccurrence[] = [];
  for (const u of output.unscheduled) {
    if ("taskId" in u) {
      unscheduled.push({
        taskId: u.taskId,
        taskTitle: gathered.tasks.get(u.taskId)?.title ?? "",
        remainingMinutes: u.remainingMinutes,
        reason: withNotes(u.reason, gathered.notes.get(u.taskId)),
      });
    } else {
      unscheduledHabits.push({
        habitId: u.habitId,
        habitTitle: gathered.habits.get(u.habitId)?.title ?? "",
        date: u.date,
        remainingMinutes: u.remainingMinutes,
        reason: u.reason,
      });
    }
  }
  await insertPlan(tx, {
    workspaceId: request.workspaceId,
    personId: request.personId,
    version,
    trigger: request.trigger,
    horizon: request.horizon,
    metrics: { ...output.metrics, learnedWeight, unchangedBlocks: unchanged },
    unscheduled: [...unscheduled, ...unscheduledHabits],
  });
  const blocks = await listBlocks(tx, request.personId, { version, statuses: ["planned"] });
  return {
    version,
    horizon: request.horizon,
    timezone: gathered.profile.timezone,
    blocks,
    unscheduled,
    unscheduledHabits,
    metrics: output.metrics,
    unchangedBlocks: unchanged,
    learnedWeight,
    atRisk: gathered.atRisk,
    gathered,
  };
}

/** Plans and stores, then tells listeners ("plan") and the calendar writer, when one is registered. */
export async function planAndStore(services: EngineServices, request: PlanRequest): Promise<StoredPlan> {
  const { gathered: _gathered, ...plan } = await services.db.scoped(request.workspaceId, (tx) =>
    planInTransaction(tx, services, request),
  );
  await afterPlanStored(services, request.workspaceId, request.personId, plan.version);
  return plan;
}

export async function afterPlanStored(
  services: EngineServices,
  workspaceId: string,
  personId: string,
  version: number,
): Promise<void> {
  services.changes.notify({ kind: "plan", workspaceId, personId });
  await writeBlocksToCalendar(services.calendarWriter, services.log, {
    workspaceId,
    personId,
    planVersion: version,
  });
}
