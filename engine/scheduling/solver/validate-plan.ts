import { DateTime } from "luxon";
import { WEEKDAYS, type Weekday } from "../../domain.ts";
import type { PlanInputRaw } from "../input/plan-input.ts";
import { parsePlanInput } from "../input/plan-input.ts";

export interface Violation {
  rule:
    | "block-time"
    | "unknown-task"
    | "before-now"
    | "outside-horizon"
    | "outside-working-hours"
    | "busy-overlap"
    | "block-overlap"
    | "block-too-short"
    | "block-too-long"
    | "unsplittable"
    | "over-estimate"
    | "before-earliest-start"
    | "dependency"
    | "daily-cap"
    | "unscheduled-report"
    | "unknown-habit"
    | "habit-window"
    | "habit-length"
    | "habit-count"
    | "focus-without-goal";
  taskId?: string;
  message: string;
}

/** A published block: a task block (kind absent or "task"), a habit block or an unassigned focus block. */
export interface BlockToCheck {
  /** "task" (or absent), "habit" or "focus". */
  kind?: string;
  taskId?: string;
  habitId?: string;
  start: string;
  end: string;
}

export interface PlanToCheck {
  blocks: ReadonlyArray<BlockToCheck>;
  unscheduled?: ReadonlyArray<{ taskId?: string; remainingMinutes: number }>;
}

const MIN = 60_000;
const EPS = 1e-6;

interface Wall {
  date: string;
  weekday: Weekday;
  minute: number;
}

function wallAt(ms: number, zone: string): Wall {
  const t = DateTime.fromMillis(ms, { zone });
  return {
    date: t.toISODate() ?? "",
    weekday: WEEKDAYS[t.weekday - 1] ?? "mon",
    minute: t.hour * 60 + t.minute + t.second / 60 + t.millisecond / MIN,
  };
}

function hhmm(value: string): number {
  const [h, m] = value.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * Independent check of a plan against the hard rules. It re-derives everything from the input and the
 * published blocks with luxon wall-clock conversions; it shares no code with the solver beyond input parsing.
 */
export function checkHardRules(rawInput: PlanInputRaw, plan: PlanToCheck): Violation[] {
  const input = parsePlanInput(rawInput);
  const zone = input.person.timezone;
  const prefs = input.person.preferences;
  const violations: Violation[] = [];
  const add = (rule: Violation["rule"], message: string, taskId?: string) =>
    violations.push(taskId === undefined ? { rule, message } : { rule, message, taskId });
  const tasks = new Map(input.tasks.map((t) => [t.id, t]));
  const now = Date.parse(input.now);
  const horizonStart = Date.parse(input.horizon.start);
  const horizonEnd = Date.parse(input.horizon.end);

  /** Index of the working interval holding every minute of [s, e), or -1. */
  const workingIntervalOf = (s: number, e: number): string | null => {
    const first = wallAt(s, zone);
    const last = wallAt(e - 1, zone);
    const sameOffset = DateTime.fromMillis(s, { zone }).offset === DateTime.fromMillis(e, { zone }).offset;
    const intervals = input.person.workingHours[first.weekday];
    if (sameOffset) {
      if (last.date !== first.date) return null;
      const length = (e - s) / MIN;
      const k = intervals.findIndex(
        (iv) => first.minute >= hhmm(iv.start) - EPS && first.minute + length <= hhmm(iv.end) + EPS,
      );
      return k < 0 ? null : `${first.date}#${k}`;
    }
    // The offset changes inside the block: every minute must map into the same interval of the same day.
    let found: string | null = null;
    for (let t = s; t < e; t += MIN) {
      const w = wallAt(t, zone);
      const step = Math.min(1, (e - t) / MIN);
      const k = input.person.workingHours[w.weekday].findIndex(
        (iv) => w.minute >= hhmm(iv.start) - EPS && w.minute + step <= hhmm(iv.end) + EPS,
      );
      const id = k < 0 ? null : `${w.date}#${k}`;
      if (id === null || (found !== null && id !== found)) return null;
      found = id;
    }
    return found;
  };

  const busy = input.busy.map((b) => ({
    id: b.id || b.title,
    start: Date.parse(b.start) - prefs.bufferMinutes * MIN,
    end: Date.parse(b.end) + prefs.bufferMinutes * MIN,
  }));
  const perTask = new Map<string, Array<{ start: number; end: number }>>();
  const perDay = new Map<string, number>();
  const valid: Array<{ taskId: string; start: number; end: number }> = [];
  const habits = new Map(input.habits.map((h) => [h.id, h]));
  const habitDays = new Map<string, number>();
  const habitWeeks = new Map<string, number>();

  plan.blocks.forEach((block, i) => {
    const s = Date.parse(block.start);
    const e = Date.parse(block.end);
    const owner = block.kind === "habit" ? `habit ${block.habitId}` : (block.taskId ?? block.kind ?? "");
    const where = `blocks[${i}] (${owner} ${block.start}–${block.end})`;
    if (!Number.isFinite(s) || !Number.isFinite(e) || e <= s) {
      add("block-time", `${where}: start/end unreadable or end not after start`, block.taskId);
      return;
    }
    if (block.kind === "habit" || block.kind === "focus") {
      valid.push({ taskId: owner, start: s, end: e });
      if (s < now) add("before-now", `${where}: starts before now ${input.now}`);
      if (s < horizonStart || e > horizonEnd) add("outside-horizon", `${where}: outside the horizon`);
      for (const b of busy) {
        if (s < b.end && e > b.start) add("busy-overlap", `${where}: overlaps busy "${b.id}" with buffer`);
      }
      const minutes = (e - s) / MIN;
      if (block.kind === "focus") {
        if (input.person.preferences.focusGoalMinutesPerWeek === null) {
          add("focus-without-goal", `${where}: unassigned focus block but no focusGoalMinutesPerWeek is set`);
        }
        if (workingIntervalOf(s, e) === null) {
          add("outside-working-hours", `${where}: not inside one working interval`);
        }
        if (minutes < prefs.minBlockMinutes - EPS) {
          add("block-too-short", `${where}: ${minutes} min is below the minimum block`);
        }
        if (minutes > prefs.maxBlockMinutes + EPS) {
          add("block-too-long", `${where}: ${minutes} min exceeds the maximum block`);
        }
        const day = wallAt(s, zone).date;
        perDay.set(day, (perDay.get(day) ?? 0) + minutes);
        return;
      }
      const habit = habits.get(block.habitId ?? "");
      if (!habit) {
        add("unknown-habit", `${where}: no habit with this id`);
        return;
      }
      const first = wallAt(s, zone);
      const last = wallAt(e - 1, zone);
      if (
        !habit.days.includes(first.weekday) ||
        last.date !== first.date ||
        first.minute < hhmm(habit.window.start) - EPS ||
        first.minute + minutes > hhmm(habit.window.end) + EPS
      ) {
        add(
          "habit-window",
          `${where}: not inside its ${habit.window.start}–${habit.window.end} window on a listed day`,
        );
      }
      if (!habit.outsideWorkingHours && workingIntervalOf(s, e) === null) {
        add("outside-working-hours", `${where}: not inside one working interval`);
      }
      const max = habit.maxMinutes ?? habit.minMinutes;
      if (minutes < habit.minMinutes - EPS || minutes > max + EPS) {
        add("habit-length", `${where}: ${minutes} min is outside ${habit.minMinutes}–${max}`);
      }
      const dayKey = `${habit.id}|${first.date}`;
      habitDays.set(dayKey, (habitDays.get(dayKey) ?? 0) + 1);
      if ((habitDays.get(dayKey) ?? 0) > 1) add("habit-count", `${where}: a second block the same day`);
      const weekKey = `${habit.id}|${DateTime.fromMillis(s, { zone }).startOf("week").toISODate()}`;
      habitWeeks.set(weekKey, (habitWeeks.get(weekKey) ?? 0) + 1);
      if (habit.timesPerWeek !== null && (habitWeeks.get(weekKey) ?? 0) > habit.timesPerWeek) {
        add("habit-count", `${where}: more than ${habit.timesPerWeek} times in one week`);
      }
      return;
    }
    if (block.taskId === undefined) {
      add("unknown-task", `${where}: a task block without a taskId`);
      return;
    }
    const task = tasks.get(block.taskId);
    if (!task) {
      add("unknown-task", `${where}: no task with this id`, block.taskId);
      return;
    }
    valid.push({ taskId: block.taskId, start: s, end: e });
    if (s < now) add("before-now", `${where}: starts before now ${input.now}`, task.id);
    if (s < horizonStart || e > horizonEnd) add("outside-horizon", `${where}: outside the horizon`, task.id);
    if (workingIntervalOf(s, e) === null) {
      add("outside-working-hours", `${where}: not inside one working interval`, task.id);
    }
    for (const b of busy) {
      if (s < b.end && e > b.start)
        add("busy-overlap", `${where}: overlaps busy "${b.id}" with buffer`, task.id);
    }
    const minutes = (e - s) / MIN;
    if (minutes < Math.min(prefs.minBlockMinutes, task.estimateMinutes) - EPS) {
      add("block-too-short", `${where}: ${minutes} min is below the minimum block`, task.id);
    }
    if (minutes > prefs.maxBlockMinutes + EPS) {
      add("block-too-long", `${where}: ${minutes} min exceeds the maximum block`, task.id);
    }
    if (task.earliestStart !== null && s < Date.parse(task.earliestStart)) {
      add("before-earliest-start", `${where}: starts before earliestStart ${task.earliestStart}`, task.id);
    }
    const list = perTask.get(task.id) ?? [];
    list.push({ start: s, end: e });
    perTask.set(task.id, list);
    const day = wallAt(s, zone).date;
    perDay.set(day, (perDay.get(day) ?? 0) + minutes);
  });

  const ordered = [...valid].sort((a, b) => a.start - b.start);
  let latest: { taskId: string; end: number } | null = null;
  for (const b of ordered) {
    if (latest && b.start < latest.end) {
      add(
        "block-overlap",
        `${b.taskId} at ${new Date(b.start).toISOString()} overlaps ${latest.taskId}`,
        b.taskId,
      );
    }
    if (!latest || b.end > latest.end) latest = { taskId: b.taskId, end: b.end };
  }

  const scheduled = (id: string) =>
    (perTask.get(id) ?? []).reduce((sum, b) => sum + (b.end - b.start) / MIN, 0);
  for (const task of input.tasks) {
    const blocks = perTask.get(task.id) ?? [];
    const total = scheduled(task.id);
    if (total > task.estimateMinutes + EPS) {
      add(
        "over-estimate",
        `${task.id}: ${total} min planned for a ${task.estimateMinutes} min estimate`,
        task.id,
      );
    }
    if (!task.splittable && blocks.length > 0) {
      const only = blocks[0];
      if (
        blocks.length !== 1 ||
        !only ||
        Math.abs((only.end - only.start) / MIN - task.estimateMinutes) > EPS
      ) {
        add("unsplittable", `${task.id}: must be one block of ${task.estimateMinutes} min`, task.id);
      }
    }
    if (blocks.length > 0) {
      const firstStart = Math.min(...blocks.map((b) => b.start));
      for (const dep of task.dependsOn) {
        const depTask = tasks.get(dep);
        const depBlocks = perTask.get(dep) ?? [];
        const depEnd = Math.max(...depBlocks.map((b) => b.end), Number.NEGATIVE_INFINITY);
        if (!depTask || scheduled(dep) < depTask.estimateMinutes - EPS || depEnd > firstStart) {
          add(
            "dependency",
            `${task.id}: starts before prerequisite "${dep}" is fully scheduled and done`,
            task.id,
          );
        }
      }
    }
    if (plan.unscheduled) {
      const left = Math.round(task.estimateMinutes - total);
      const reported = plan.unscheduled.filter((u) => u.taskId === task.id);
      const sum = reported.reduce((s, u) => s + u.remainingMinutes, 0);
      if ((left > 0 && sum !== left) || (left <= 0 && reported.length > 0)) {
        add(
          "unscheduled-report",
          `${task.id}: ${left} min left over but ${sum} min reported unscheduled`,
          task.id,
        );
      }
    }
  }
  for (const [day, minutes] of perDay) {
    if (minutes > prefs.maxFocusMinutesPerDay + EPS) {
      add(
        "daily-cap",
        `${day}: ${minutes} focus minutes exceed the daily cap of ${prefs.maxFocusMinutesPerDay}`,
      );
    }
  }
  return violations;
}
