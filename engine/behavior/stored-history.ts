/**
 * The behaviour models' history (the `cairn insights` contract) read from what Cairn stores: the person's
 * working hours and zone, their tasks, the event log, the focus blocks they kept (as focus_started/focus_ended),
 * and the calendar's busy time. `get_insights` runs the same computation as `cairn insights` on it.
 */
import type { Queryable } from "../db/port.ts";
import { listPersonEvents } from "../db/repositories/event-log.ts";
import { listBlocks, listScheduleEvents } from "../db/repositories/plans.ts";
import type { EventType as LoggedType, Task } from "../domain.ts";
import { loadPlanningProfile } from "../scheduling/input/profile.ts";
import type { EventType, HistoryEvent, InsightsInput } from "./insights-input.ts";

/** How far back the models look. */
export const HISTORY_DAYS = 90;
/**
 * Finished tasks read into the history, newest first (get_insights, estimate_task and the planner): the
 * similar-words neighbours for effort and the completion counts. The person's overall calibration does not
 * depend on it (it is stored, engine/behavior/calibration.ts), so long histories cost a bounded read.
 */
export const HISTORY_DONE_TASKS = 500;
const DAY_MS = 86_400_000;

/** Logged event types as the history contract names them; the rest (created, edited, planned) carry no signal. */
const AS_HISTORY: Partial<Record<LoggedType, EventType>> = {
  task_started: "task_started",
  task_completed: "task_completed",
  task_deferred: "task_deferred",
  focus_started: "focus_started",
  block_accepted: "block_kept",
  block_completed: "block_kept",
  block_moved: "block_moved",
  block_deleted: "block_deleted",
  nudge_sent: "nudge_sent",
  nudge_acted: "nudge_acted",
  nudge_dismissed: "nudge_dismissed",
};

export async function storedHistory(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  tasks: readonly Task[],
  now: Date,
): Promise<InsightsInput> {
  const from = new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
  const profile = await loadPlanningProfile(tx, personId);
  const logged = await listPersonEvents(tx, workspaceId, personId, from, now);
  const events: HistoryEvent[] = logged.flatMap((event) => {
    const type = AS_HISTORY[event.type];
    return type ? [{ type, at: event.occurredAt, taskId: event.taskId }] : [];
  });
  // A kept focus block is time worked on its task: the models read it as a focus session.
  const kept = await listBlocks(tx, personId, {
    from: from.toISOString(),
    to: now.toISOString(),
    statuses: ["done"],
  });
  for (const block of kept) {
    if (block.kind === "habit") continue;
    events.push({ type: "focus_started", at: block.start, taskId: block.taskId });
    events.push({ type: "focus_ended", at: block.end, taskId: block.taskId });
  }
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const latestDue = tasks.reduce(
    (latest, task) => Math.max(latest, task.due ? Date.parse(task.due) : 0),
    now.getTime(),
  );
  const busyUntil = new Date(Math.min(latestDue, now.getTime() + 60 * DAY_MS));
  const calendar = await listScheduleEvents(tx, personId, from.toISOString(), busyUntil.toISOString());
  return {
    person: { timezone: profile.timezone, workingHours: profile.workingHours },
    now: now.toISOString(),
    tasks: tasks
      .filter((task) => !task.completedAt || Date.parse(task.completedAt) >= from.getTime())
      .map((task) => ({
        id: task.id,
        title: task.title,
        estimateMinutes: task.estimateMinutes,
        due: task.due,
        priority: task.priority,
        tags: task.tags,
        createdAt: task.createdAt,
        completedAt: task.completedAt,
        actualMinutes: null,
      })),
    events,
    busy: calendar.filter((e) => e.busy && !e.allDay).map((e) => ({ start: e.start, end: e.end })),
  };
}
