/**
 * Reads what the triggers need about one person from the database: today's blocks and meetings, open tasks
 * with their completion probability (only computed when a due date is close), what they started and finished,
 * the latest plan's unscheduled work, their streak and their nudge preferences.
 */
import { DateTime } from "luxon";
import { insightsFor } from "../behavior/insights.ts";
import type { Db } from "../db/port.ts";
import { listPersonEvents } from "../db/repositories/event-log.ts";
import { getNudgePreferencesJson, latestUnscheduled } from "../db/repositories/nudges.ts";
import { listBlocks, listBusyEvents } from "../db/repositories/plans.ts";
import { listOpenTaskSummaries } from "../db/repositories/tasks.ts";
import { findPersonById } from "../db/repositories/workspaces.ts";
import { loadPlanningProfile } from "../scheduling/input/profile.ts";
import { type NudgePreferences, nudgePreferencesFrom } from "./kinds.ts";
import { DEFAULT_TRIGGER_SETTINGS, type PersonSnapshot } from "./triggers.ts";

const DAY = 86_400_000;
const STREAK_LOOKBACK_DAYS = 40;

export interface LoadedPerson {
  snapshot: PersonSnapshot;
  preferences: NudgePreferences;
  /** Focus blocks (with ids) and meetings: nudges wait until they are over. */
  busy: { start: string; end: string; blockId?: string | null }[];
}

/** Consecutive local days up to today (or up to yesterday, when nothing is done yet today) with a completion. */
export function streakFrom(completions: readonly string[], zone: string, now: Date): number {
  const days = new Set(completions.map((at) => DateTime.fromISO(at, { zone }).toISODate()));
  let day = DateTime.fromJSDate(now, { zone }).startOf("day");
  if (!days.has(day.toISODate())) day = day.minus({ days: 1 });
  let streak = 0;
  while (days.has(day.toISODate())) {
    streak += 1;
    day = day.minus({ days: 1 });
  }
  return streak;
}

export async function loadPerson(
  db: Db,
  workspaceId: string,
  personId: string,
  now: Date,
): Promise<LoadedPerson | undefined> {
  const read = await db.scoped(
    workspaceId,
    async (tx) => {
      const person = await findPersonById(tx, workspaceId, personId);
      if (!person) return undefined;
      const profile = await loadPlanningProfile(tx, personId);
      const local = DateTime.fromJSDate(now, { zone: profile.timezone });
      const dayStart = local.startOf("day").toUTC().toISO() as string;
      const dayEnd = local.endOf("day").toUTC().toISO() as string;
      const blocks = await listBlocks(tx, personId, { from: dayStart, to: dayEnd });
      const meetings = await listBusyEvents(tx, personId, dayStart, dayEnd);
      const open = await listOpenTaskSummaries(tx, personId);
      const events = await listPersonEvents(
        tx,
        workspaceId,
        personId,
        new Date(now.getTime() - STREAK_LOOKBACK_DAYS * DAY),
        now,
      );
      const unscheduled = await latestUnscheduled(tx, personId);
      const preferences = nudgePreferencesFrom(await getNudgePreferencesJson(tx, personId));
      return { person, profile, dayStart, blocks, meetings, open, events, unscheduled, preferences };
    },
    { snapshot: true },
  );
  if (!read) return undefined;
  const { person, profile, dayStart, blocks, meetings, open, events, unscheduled, preferences } = read;
  const horizon = now.getTime() + DEFAULT_TRIGGER_SETTINGS.riskHorizonDays * DAY;
  const dueSoon = open.filter((t) => t.due && t.due.getTime() > now.getTime() && t.due.getTime() <= horizon);
  // The behaviour models read 90 days of history: only worth it when a deadline is close.
  let probability = new Map<string, number>();
  if (dueSoon.length > 0 && preferences.enabledKinds.includes("deadline_at_risk")) {
    const insights = await insightsFor(db, workspaceId, person, now);
    probability = new Map(insights.completion.map((c) => [c.taskId, c.probability]));
  }
  const today = events.filter((e) => e.occurredAt >= dayStart);
  const openIds = new Set(open.map((t) => t.id));
  const snapshot: PersonSnapshot = {
    workspaceId,
    personId,
    timezone: profile.timezone,
    workingHours: profile.workingHours,
    now: now.toISOString(),
    blocks: blocks.map((b) => ({
      id: b.id,
      taskId: b.taskId,
      title: b.taskTitle ?? b.habitTitle ?? "Focus time",
      kind: b.kind,
      status: b.status,
      start: b.start,
      end: b.end,
    })),
    meetings: meetings.map((m) => ({ start: m.start, end: m.end })),
    tasks: dueSoon.map((t) => ({
      id: t.id,
      title: t.title,
      due: t.due?.toISOString() ?? null,
      probability: probability.get(t.id) ?? null,
    })),
    startedTaskIds: today
      .filter((e) => (e.type === "task_started" || e.type === "focus_started") && e.taskId)
      .map((e) => e.taskId as string),
    unscheduled: unscheduled.filter((u) => openIds.has(u.taskId)),
    completedToday: today.filter((e) => e.type === "task_completed").length,
    streakDays: streakFrom(
      events.filter((e) => e.type === "task_completed").map((e) => e.occurredAt),
      profile.timezone,
      now,
    ),
  };
  const busy = [
    ...snapshot.meetings,
    ...snapshot.blocks
      .filter((b) => (b.status === "planned" || b.status === "accepted") && b.kind !== "habit")
      .map((b) => ({ start: b.start, end: b.end, blockId: b.id })),
  ];
  return { snapshot, preferences, busy };
}
