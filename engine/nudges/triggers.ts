/**
 * The triggers: from a person's day (plan, meetings, open tasks with their completion probability, what they
 * did) to the nudges worth sending, each with the window it is useful in. Pure: the evaluator reads the
 * snapshot from the database, timing.ts picks the moment inside the window.
 */
import { DateTime, type Zone } from "luxon";
import type { Weekday } from "../domain.ts";
import type { Message } from "../messaging/message.ts";
import { nudgeIdFor } from "./ids.ts";
import type { NudgeKind } from "./kinds.ts";
import { nudgeMessage } from "./message.ts";
import { zoneAround } from "./zone.ts";

const MINUTE = 60_000;

export interface SnapshotBlock {
  id: string;
  taskId: string | null;
  title: string;
  kind: "task" | "focus" | "habit";
  status: "planned" | "accepted" | "done" | "superseded" | "deleted";
  start: string;
  end: string;
}

export interface SnapshotTask {
  id: string;
  title: string;
  due: string | null;
  /** Probability it is done by its due time (behaviour insights); null when unknown. */
  probability: number | null;
}

export interface PersonSnapshot {
  workspaceId: string;
  personId: string;
  timezone: string;
  workingHours: Partial<Record<Weekday, { start: string; end: string }[]>>;
  now: string;
  /** The person's blocks of today (local day), any status. */
  blocks: SnapshotBlock[];
  /** Busy calendar events of today. */
  meetings: { start: string; end: string }[];
  /** Open tasks with a due time. */
  tasks: SnapshotTask[];
  /** Tasks started (task_started, focus_started) today. */
  startedTaskIds: string[];
  /** Open tasks the latest plan could not fit before their due time. */
  unscheduled: { taskId: string; title: string }[];
  completedToday: number;
  /** Consecutive local days, up to today, with at least one completed task. */
  streakDays: number;
}

export interface NudgeCandidate {
  id: string;
  kind: NudgeKind;
  dedupeKey: string;
  taskId: string | null;
  blockId: string | null;
  /** Useful from… */
  earliest: string;
  /** …until (after this it is stale and is not sent). */
  latest: string;
  /** Its moment may be learned (the send-time bandit); otherwise as early as the window allows. */
  flexible: boolean;
  /** A block the nudge is about: being inside it does not hold the nudge back. */
  ownBlockId: string | null;
  message: Message;
}

export interface TriggerSettings {
  /** Deadline at risk below this completion probability. */
  riskThreshold: number;
  /** Looks this far ahead for due dates at risk. */
  riskHorizonDays: number;
  /** "Starting soon" goes this long before a block. */
  leadMinutes: number;
  /** A block is missed when not started this long after its start. */
  missedAfterMinutes: number;
}

export const DEFAULT_TRIGGER_SETTINGS: TriggerSettings = {
  riskThreshold: 0.5,
  riskHorizonDays: 3,
  leadMinutes: 10,
  missedAfterMinutes: 15,
};

const WEEKDAY_OF: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const STREAK_MILESTONES = new Set([3, 5, 7, 10, 14, 21, 30]);

export interface LocalDay {
  date: string;
  weekday: Weekday;
  /** Working intervals of the day as instants (ms). */
  intervals: { start: number; end: number }[];
}

/**
 * Local days already worked out, per working-hours object (people with the same stored hours share one) and
 * zone and local day: the evaluator asks for the same few days thousands of times in one sweep.
 */
const days = new WeakMap<PersonSnapshot["workingHours"], Map<string, LocalDay>>();

export function localDay(zone: Zone | string, at: number, hours: PersonSnapshot["workingHours"]): LocalDay {
  const resolved = typeof zone === "string" ? zoneAround(zone, at) : zone;
  // The local day number: its start and end are the same instants for every `at` inside it.
  const key = `${resolved.name}|${Math.floor((at + resolved.offset(at) * MINUTE) / 86_400_000)}`;
  let known = days.get(hours);
  const hit = known?.get(key);
  if (hit) return hit;
  const day = computeLocalDay(resolved, at, hours);
  if (!known) {
    known = new Map();
    days.set(hours, known);
  }
  if (known.size > 1_000) known.clear();
  known.set(key, day);
  return day;
}

function computeLocalDay(zone: Zone, at: number, hours: PersonSnapshot["workingHours"]): LocalDay {
  const local = DateTime.fromMillis(at, { zone });
  const weekday = WEEKDAY_OF[local.weekday - 1] as Weekday;
  const date = local.toISODate() as string;
  const intervals = (hours[weekday] ?? []).flatMap(({ start, end }) => {
    const from = atClock(zone, date, start);
    const to = atClock(zone, date, end);
    return to > from ? [{ start: from, end: to }] : [];
  });
  intervals.sort((a, b) => a.start - b.start);
  return { date, weekday, intervals };
}

export function atClock(zone: Zone | string, date: string, clock: string): number {
  if (clock === "24:00") return DateTime.fromISO(date, { zone }).plus({ days: 1 }).toMillis();
  return DateTime.fromISO(`${date}T${clock}`, { zone }).toMillis();
}

const clockOf = (zone: Zone | string, at: number) => DateTime.fromMillis(at, { zone }).toFormat("HH:mm");
const iso = (ms: number) => new Date(ms).toISOString();

function dueLabel(zone: Zone | string, due: string, now: number): string {
  const local = DateTime.fromMillis(Date.parse(due), { zone });
  const today = DateTime.fromMillis(now, { zone });
  if (local.hasSame(today, "day")) return `today ${local.toFormat("HH:mm")}`;
  if (local.hasSame(today.plus({ days: 1 }), "day")) return `tomorrow ${local.toFormat("HH:mm")}`;
  return local.toFormat("ccc d LLL HH:mm");
}

/** Is today the last working day of the person's week (no working hours on the days left)? */
function lastWorkdayOfWeek(day: LocalDay, hours: PersonSnapshot["workingHours"]): boolean {
  const index = WEEKDAY_OF.indexOf(day.weekday);
  return WEEKDAY_OF.slice(index + 1).every((d) => (hours[d] ?? []).length === 0);
}

/** The nudges worth sending for this snapshot (not yet filtered by preferences, timing or cap). */
export function nudgeCandidates(
  snapshot: PersonSnapshot,
  settings: TriggerSettings = DEFAULT_TRIGGER_SETTINGS,
): NudgeCandidate[] {
  const now = Date.parse(snapshot.now);
  const zone = zoneAround(snapshot.timezone, now);
  const day = localDay(zone, now, snapshot.workingHours);
  const out: NudgeCandidate[] = [];
  const add = (
    kind: NudgeKind,
    subject: string,
    window: { earliest: number; latest: number },
    build: (id: string) => Message,
    extra: { taskId?: string | null; blockId?: string | null; flexible?: boolean } = {},
  ) => {
    if (window.latest <= now) return;
    const dedupeKey = `${kind}:${subject}`;
    const id = nudgeIdFor(snapshot.workspaceId, snapshot.personId, dedupeKey);
    out.push({
      id,
      kind,
      dedupeKey,
      taskId: extra.taskId ?? null,
      blockId: extra.blockId ?? null,
      earliest: iso(Math.max(now, window.earliest)),
      latest: iso(window.latest),
      flexible: extra.flexible ?? false,
      ownBlockId: extra.blockId ?? null,
      message: build(id),
    });
  };
  const first = day.intervals[0];
  const last = day.intervals[day.intervals.length - 1];
  const live = snapshot.blocks.filter(
    (b) => (b.status === "planned" || b.status === "accepted") && b.kind !== "habit",
  );

  if (first && last) {
    // Morning plan: at the start of the working day, what today holds.
    const today = live.filter((b) => Date.parse(b.end) > first.start);
    const minutes = today.reduce((sum, b) => sum + (Date.parse(b.end) - Date.parse(b.start)) / MINUTE, 0);
    const opening = today[0];
    add("morning_plan", day.date, { earliest: first.start, latest: first.start + 120 * MINUTE }, (id) =>
      nudgeMessage(
        id,
        "Your day",
        today.length === 0
          ? "Nothing is planned for today yet. Say “plan my day” and Cairn fits your tasks around your meetings."
          : `${today.length} focus block${today.length === 1 ? "" : "s"} today (${Math.round((minutes / 60) * 10) / 10} h), the first at ${clockOf(zone, Date.parse(opening?.start ?? snapshot.now))}: **${opening?.title ?? "focus"}**.`,
        { done: "Got it", snoozeMinutes: 30, skip: true },
      ),
    );

    // Wrap-up: half an hour before the working day ends.
    const left = live.filter((b) => Date.parse(b.start) >= now && Date.parse(b.start) < last.end).length;
    add("wrap_up", day.date, { earliest: last.end - 30 * MINUTE, latest: last.end }, (id) =>
      nudgeMessage(
        id,
        "Wrapping up",
        `${snapshot.completedToday} task${snapshot.completedToday === 1 ? "" : "s"} done today${left > 0 ? `; ${left} block${left === 1 ? "" : "s"} still planned before you stop` : ""}. Anything to note for tomorrow?`,
        { done: "Done for today", snoozeMinutes: 15, skip: true },
      ),
    );

    // Weekly review: on the last working day of the week, some time in its last three hours.
    if (lastWorkdayOfWeek(day, snapshot.workingHours)) {
      const week = DateTime.fromMillis(now, { zone }).toFormat("kkkk-'W'WW");
      add(
        "weekly_review",
        week,
        { earliest: last.end - 180 * MINUTE, latest: last.end },
        (id) =>
          nudgeMessage(
            id,
            "Weekly review",
            "Time for a short look back: what got done this week, what slipped, and what matters next week. Ask “how am I doing?” for your numbers.",
            { done: "Reviewed", snoozeMinutes: 60, skip: true },
          ),
        { flexible: true },
      );
    }

    // Overload: more planned today than free time, or due work the plan could not fit.
    const free = day.intervals.reduce(
      (sum, i) => sum + (i.end - i.start) - busyInside(snapshot.meetings, i),
      0,
    );
    const planned = live.reduce(
      (sum, b) =>
        sum + Math.max(0, Math.min(Date.parse(b.end), last.end) - Math.max(Date.parse(b.start), first.start)),
      0,
    );
    if (planned > free || snapshot.unscheduled.length > 0) {
      const names = snapshot.unscheduled.slice(0, 3).map((u) => `“${u.title}”`);
      add(
        "overload",
        day.date,
        { earliest: first.start, latest: last.end - 60 * MINUTE },
        (id) =>
          nudgeMessage(
            id,
            "Too much on your plate",
            snapshot.unscheduled.length > 0
              ? `${snapshot.unscheduled.length} task${snapshot.unscheduled.length === 1 ? "" : "s"} with a due date did not fit in your plan (${names.join(", ")}${snapshot.unscheduled.length > 3 ? ", …" : ""}). Move a deadline, drop something, or ask for help.`
              : `Today holds ${Math.round(planned / MINUTE)} min of planned work but only ${Math.round(free / MINUTE)} min free. Consider moving something.`,
            { done: "Got it", snoozeMinutes: 60, skip: true },
          ),
        { flexible: true },
      );
    }

    // Streaks: a milestone reached today.
    if (snapshot.completedToday > 0 && STREAK_MILESTONES.has(snapshot.streakDays)) {
      add(
        "streak",
        `${snapshot.streakDays}:${day.date}`,
        { earliest: now, latest: last.end },
        (id) =>
          nudgeMessage(
            id,
            "On a streak",
            `${snapshot.streakDays} days in a row with work finished. Keep it going!`,
            { done: "Thanks", skip: true },
          ),
        { flexible: true },
      );
    }
  }

  // Block starting soon and block missed: any day, working hours or not (the block is the person's plan).
  for (const block of live) {
    const start = Date.parse(block.start);
    const end = Date.parse(block.end);
    const minutes = Math.round((end - start) / MINUTE);
    const task = block.taskId !== null;
    if (start > now && start - now <= (settings.leadMinutes + 10) * MINUTE) {
      add(
        "block_starting",
        block.id,
        { earliest: start - settings.leadMinutes * MINUTE, latest: start + 5 * MINUTE },
        (id) =>
          nudgeMessage(
            id,
            "Starting soon",
            `**${block.title}** starts at ${clockOf(zone, start)} (${minutes} min).`,
            { ...(task ? { done: "Already done" } : {}), snoozeMinutes: 10, reschedule: task, skip: true },
          ),
        { taskId: block.taskId, blockId: block.id },
      );
    }
    const started = block.taskId !== null && snapshot.startedTaskIds.includes(block.taskId);
    if (
      block.status === "planned" &&
      task &&
      !started &&
      now - start >= settings.missedAfterMinutes * MINUTE &&
      now < end
    ) {
      add(
        "block_missed",
        block.id,
        { earliest: start + settings.missedAfterMinutes * MINUTE, latest: end },
        (id) =>
          nudgeMessage(
            id,
            "Missed a block?",
            `**${block.title}** was planned from ${clockOf(zone, start)}. Start now, move it, or tell Cairn it is done.`,
            { done: "It's done", reschedule: true, skip: true },
          ),
        { taskId: block.taskId, blockId: block.id },
      );
    }
  }

  // Deadlines at risk: due soon and unlikely to be done by then.
  if (first && last) {
    const horizon = now + settings.riskHorizonDays * 24 * 60 * MINUTE;
    for (const task of snapshot.tasks) {
      if (!task.due || task.probability === null) continue;
      const due = Date.parse(task.due);
      if (due <= now || due > horizon || task.probability >= settings.riskThreshold) continue;
      add(
        "deadline_at_risk",
        `${task.id}:${day.date}`,
        { earliest: first.start, latest: Math.min(due, last.end) },
        (id) =>
          nudgeMessage(
            id,
            "Deadline at risk",
            `**${task.title}** is due ${dueLabel(zone, task.due as string, now)} and looks at risk: about ${Math.round((task.probability as number) * 100)} % chance of finishing on time.`,
            { snoozeMinutes: 60, reschedule: true, skip: true },
            "Reschedule moves its focus time to the earliest free slot today.",
          ),
        { taskId: task.id, flexible: true },
      );
    }
  }
  return out;
}

function busyInside(meetings: PersonSnapshot["meetings"], interval: { start: number; end: number }): number {
  let busy = 0;
  for (const m of meetings) {
    const from = Math.max(Date.parse(m.start), interval.start);
    const to = Math.min(Date.parse(m.end), interval.end);
    if (to > from) busy += to - from;
  }
  return busy;
}
