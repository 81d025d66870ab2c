/**
 * Habit occurrences, placed before the task solver runs (a pre-pass). For every local day a habit lists, one
 * block inside its window: as long as possible up to maxMinutes, shrunk toward minMinutes when meetings or
 * working hours leave less, never over meetings (with buffers) or another habit, inside working hours unless
 * the habit is flagged outsideWorkingHours. A habit with timesPerWeek takes at most that many of its days per
 * week, spread over the week. Habits of higher priority (lower number) are placed first.
 * Habit time does not count toward the daily focus cap: a routine such as lunch is not focus work.
 */
import { DateTime } from "luxon";
import { wallClockMinutes, weekdayKey, widenedBusy } from "../input/free-time.ts";
import type { PlanHabit, PlanInput } from "../input/plan-input.ts";

const MINUTE_MS = 60_000;

type Span = [number, number];

export interface HabitOccurrence {
  habit: number;
  /** Local ISO date of the occurrence. */
  date: string;
  start: number;
  end: number;
  reason: string;
}

export interface MissedHabit {
  habit: number;
  date: string;
  minutes: number;
  reason: string;
}

export interface HabitPlacement {
  occurrences: HabitOccurrence[];
  missed: MissedHabit[];
}

interface Candidate {
  habit: number;
  date: DateTime;
  /** The habit's window on that date, clipped to now and the horizon (epoch minutes). */
  window: Span;
  /** Where the window starts on the wall clock, before clipping. */
  windowStart: number;
}

function subtract(spans: Span[], cut: readonly Span[]): Span[] {
  let out = spans;
  for (const [cs, ce] of cut) {
    const next: Span[] = [];
    for (const [s, e] of out) {
      if (ce <= s || cs >= e) next.push([s, e]);
      else {
        if (cs > s) next.push([s, cs]);
        if (ce < e) next.push([ce, e]);
      }
    }
    out = next;
  }
  return out;
}

function intersect(spans: readonly Span[], with_: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const [s, e] of spans)
    for (const [ws, we] of with_) {
      const a = Math.max(s, ws);
      const b = Math.min(e, we);
      if (b > a) out.push([a, b]);
    }
  return out.sort((x, y) => x[0] - y[0]);
}

/** Usable length of a span when blocks start on the slot grid. */
function usable([s, e]: Span, g: number): Span {
  return [Math.ceil(s / g) * g, e];
}

function longest(spans: readonly Span[], g: number): number {
  return spans.reduce((best, span) => {
    const [s, e] = usable(span, g);
    return Math.max(best, e - s);
  }, 0);
}

function localSpan(date: DateTime, startHhmm: string, endHhmm: string): Span {
  const s = wallClockMinutes(startHhmm);
  const e = wallClockMinutes(endHhmm);
  const at = (m: number) =>
    m >= 1440
      ? date.plus({ days: 1 }).startOf("day").toMillis() / MINUTE_MS
      : date.set({ hour: Math.floor(m / 60), minute: m % 60 }).toMillis() / MINUTE_MS;
  return [at(s), at(e)];
}

/**
 * Busy id of a habit block that stays where it is (accepted, in progress): the planner counts it as that day's
 * occurrence of the habit (and toward timesPerWeek) instead of placing another one.
 */
export const habitBusyId = (habitId: string, blockId: string): string => `habit:${habitId}:${blockId}`;

export function habitLabel(habit: PlanHabit): string {
  return habit.title ? `“${habit.title}”` : `habit ${habit.id}`;
}

function dayLabel(date: DateTime): string {
  return date.setLocale("en-GB").toFormat("ccc d LLL");
}

function hhmm(epochMinutes: number, zone: string): string {
  return DateTime.fromMillis(epochMinutes * MINUTE_MS, { zone }).toFormat("HH:mm");
}

/** Order to try a habit's candidate days in one week: evenly spread first, then the rest in date order. */
function spreadOrder(count: number, wanted: number): number[] {
  const first: number[] = [];
  for (let i = 0; i < Math.min(wanted, count); i++) {
    const k = Math.floor(((i + 0.5) * count) / Math.min(wanted, count));
    if (!first.includes(k)) first.push(k);
  }
  const rest = Array.from({ length: count }, (_, k) => k).filter((k) => !first.includes(k));
  return [...first, ...rest];
}

/** Candidate days per habit, grouped by local week (Monday-based), in date order. */
function candidatesByWeek(input: PlanInput, habitIndex: number, from: number, to: number): Candidate[][] {
  const habit = input.habits[habitIndex] as PlanHabit;
  const zone = input.person.timezone;
  const days = new Set(habit.days);
  const weeks = new Map<string, Candidate[]>();
  // Start a day early: a window that ends at or after midnight still belongs to its own date.
  let date = DateTime.fromMillis(from * MINUTE_MS, { zone })
    .startOf("day")
    .minus({ days: 1 });
  const last = DateTime.fromMillis(to * MINUTE_MS, { zone }).startOf("day");
  while (date <= last) {
    if (days.has(weekdayKey(date))) {
      const [ws, we] = localSpan(date, habit.window.start, habit.window.end);
      const window: Span = [Math.max(ws, from), Math.min(we, to)];
      // A window already over, mostly over, or beyond the horizon is not an occurrence of this plan.
      if (window[1] - window[0] >= habit.minMinutes) {
        const week = date.startOf("week").toISODate() as string;
        weeks.set(week, [...(weeks.get(week) ?? []), { habit: habitIndex, date, window, windowStart: ws }]);
      }
    }
    date = date.plus({ days: 1 }).startOf("day");
  }
  return [...weeks.values()];
}

/**
 * Places every habit occurrence in the horizon; occurrences sorted by start, misses by date.
 */
export function placeHabits(input: PlanInput, granularity = 5): HabitPlacement {
  const zone = input.person.timezone;
  const prefs = input.person.preferences;
  const from = Math.max(Date.parse(input.now), Date.parse(input.horizon.start)) / MINUTE_MS;
  const to = Date.parse(input.horizon.end) / MINUTE_MS;
  const busy = widenedBusy(input.busy, prefs.bufferMinutes) as Span[];
  const order = input.habits
    .map((h, i) => ({ h, i }))
    .sort((a, b) => a.h.priority - b.h.priority || a.i - b.i)
    .map(({ i }) => i);
  const placed: HabitOccurrence[] = [];
  const missed: MissedHabit[] = [];

  const workingSpans = (date: DateTime): Span[] =>
    input.person.workingHours[weekdayKey(date)].map((iv) => localSpan(date, iv.start, iv.end));

  const tryDay = (c: Candidate): HabitOccurrence | MissedHabit => {
    const habit = input.habits[c.habit] as PlanHabit;
    const max = habit.maxMinutes ?? habit.minMinutes;
    const windowText = `${habit.window.start}–${habit.window.end}`;
    const label = `${habitLabel(habit)} on ${dayLabel(c.date)}`;
    const inHours = habit.outsideWorkingHours ? [c.window] : intersect([c.window], workingSpans(c.date));
    const free = subtract(inHours, busy);
    const open = subtract(
      free,
      placed.map((o): Span => [o.start, o.end]),
    );
    const miss = (reason: string): MissedHabit => ({
      habit: c.habit,
      date: c.date.toISODate() as string,
      minutes: habit.minMinutes,
      reason: `${label}: ${reason}.`,
    });
    if (longest(open, granularity) < habit.minMinutes) {
      if (inHours.length === 0) {
        return miss(
          `no working hours fall in its ${windowText} window that day (mark the habit outsideWorkingHours to allow it)`,
        );
      }
      if (longest(inHours, granularity) < habit.minMinutes) {
        return miss(
          `only ${longest(inHours, granularity)} minutes of its ${windowText} window are within working hours, less than its ${habit.minMinutes} minutes`,
        );
      }
      if (longest(free, granularity) < habit.minMinutes) {
        return miss(
          `meetings (with ${prefs.bufferMinutes}-minute buffers) leave no ${habit.minMinutes}-minute gap in its ${windowText} window`,
        );
      }
      const others = placed
        .filter((o) => o.start < c.window[1] && o.end > c.window[0])
        .map((o) => habitLabel(input.habits[o.habit] as PlanHabit));
      return miss(`${[...new Set(others)].join(" and ")} already take its ${windowText} window`);
    }
    // Earliest gap that holds the full length; else the longest gap (shrunk toward minMinutes).
    const gaps = open.map((span) => usable(span, granularity)).filter(([s, e]) => e - s >= habit.minMinutes);
    const full = gaps.find(([s, e]) => e - s >= max);
    const [s, e] = full ?? gaps.reduce((best, gap) => (gap[1] - gap[0] > best[1] - best[0] ? gap : best));
    const minutes = Math.min(max, e - s);
    const range = `${hhmm(s, zone)}–${hhmm(s + minutes, zone)}`;
    const why =
      minutes < max
        ? `shortened to ${minutes} of ${max} minutes: meetings, working hours or other habits take the rest of its ${windowText} window`
        : s > c.window[0]
          ? `the first free ${minutes} minutes of its ${windowText} window, clear of meetings`
          : s > c.windowStart
            ? `the first ${minutes} minutes of its ${windowText} window still ahead`
            : `at the start of its ${windowText} window`;
    return {
      habit: c.habit,
      date: c.date.toISODate() as string,
      start: s,
      end: s + minutes,
      reason: `${habitLabel(habit)} ${range} on ${dayLabel(c.date)}: ${why}.`,
    };
  };

  for (const index of order) {
    const habit = input.habits[index] as PlanHabit;
    const keptDays = new Set(
      input.busy
        .filter((b) => b.id.startsWith(`habit:${habit.id}:`))
        .map((b) => DateTime.fromISO(b.start, { zone }).toISODate() as string),
    );
    const keptInWeek = (week: Candidate[]) => {
      const monday = week[0]?.date.startOf("week");
      if (!monday) return 0;
      return [...keptDays].filter((d) => DateTime.fromISO(d, { zone }).startOf("week").equals(monday)).length;
    };
    for (const allDays of candidatesByWeek(input, index, from, to)) {
      const week = allDays.filter((c) => !keptDays.has(c.date.toISODate() as string));
      if (week.length === 0) continue;
      const wanted =
        habit.timesPerWeek === null ? week.length : Math.max(0, habit.timesPerWeek - keptInWeek(allDays));
      const tried: MissedHabit[] = [];
      let count = 0;
      for (const k of spreadOrder(week.length, wanted)) {
        if (count >= wanted) break;
        const candidate = week[k] as Candidate;
        const result = tryDay(candidate);
        if ("start" in result) {
          placed.push(result);
          count++;
        } else tried.push(result);
      }
      if (habit.timesPerWeek === null) missed.push(...tried);
      else {
        const short = Math.min(wanted, week.length) - count;
        const first = week[0]?.date.startOf("week");
        for (const miss of tried.slice(0, short)) {
          missed.push({
            ...miss,
            reason: `${habitLabel(habit)}: only ${count} of ${wanted} times fit in the week of ${first ? dayLabel(first) : miss.date}; on ${miss.reason.slice(miss.reason.indexOf(" on ") + 4)}`,
          });
        }
      }
    }
  }
  placed.sort((a, b) => a.start - b.start || a.habit - b.habit);
  missed.sort((a, b) => a.date.localeCompare(b.date) || a.habit - b.habit);
  return { occurrences: placed, missed };
}
