/** Shared reading of a history: work intervals, working time in the person's zone, simple statistics. */
import { DateTime, IANAZone } from "luxon";
import { WEEKDAYS } from "../domain.ts";
import type { HistoryEvent, InsightsInput } from "./insights-input.ts";

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface Interval {
  start: number;
  end: number;
  taskId?: string;
}

const HOUR_MS = 3_600_000;
const offsetLookups = new Map<string, (t: number) => number>();

/**
 * The zone's UTC offset in minutes at an instant (what luxon's DateTime gives), looked up once per UTC hour:
 * when the offset is the same at both ends of the hour it holds for the whole hour (no zone changes its
 * offset twice within one hour); an hour with a change in it is looked up per instant.
 */
export function zoneOffset(zone: string): (t: number) => number {
  const known = offsetLookups.get(zone);
  if (known) return known;
  const tz = IANAZone.create(zone);
  const hours = new Map<number, number>();
  const lookup = (t: number): number => {
    const hour = Math.floor(t / HOUR_MS);
    let offset = hours.get(hour);
    if (offset === undefined) {
      const start = tz.offset(hour * HOUR_MS);
      offset = start === tz.offset(hour * HOUR_MS + HOUR_MS - 1) ? start : Number.NaN;
      if (hours.size > 200_000) hours.clear();
      hours.set(hour, offset);
    }
    return Number.isNaN(offset) ? tz.offset(t) : offset;
  };
  if (offsetLookups.size > 64) offsetLookups.clear();
  offsetLookups.set(zone, lookup);
  return lookup;
}

/** Days since 1970-01-01 in the zone for an instant (what the local calendar date is). */
export const localDayNumber = (t: number, offset: (t: number) => number): number =>
  Math.floor((t + offset(t) * MINUTE) / DAY);

/** Luxon's weekday (1 = Monday … 7 = Sunday) of a local day number (day 0, 1970-01-01, was a Thursday). */
export const weekdayOfDayNumber = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;

const sortedCache = new WeakMap<
  readonly HistoryEvent[],
  { length: number; sorted: (HistoryEvent & { t: number })[] }
>();

/**
 * Events sorted by time (stable). Several models read the same history; the sort is done once per events
 * array (and redone if the array's length changed). Callers treat the result as read-only.
 */
export function sortedEvents(input: InsightsInput): (HistoryEvent & { t: number })[] {
  const cached = sortedCache.get(input.events);
  if (cached && cached.length === input.events.length) return cached.sorted;
  const sorted = sortEvents(input);
  sortedCache.set(input.events, { length: input.events.length, sorted });
  return sorted;
}

function sortEvents(input: InsightsInput): (HistoryEvent & { t: number })[] {
  return input.events
    .map((e, i) => ({ ...e, t: Date.parse(e.at), i }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ i: _i, ...e }) => e);
}

/** A task_started → task_completed span longer than this is not one sitting; it counts this much at most. */
const MAX_TASK_SPAN = 3 * 60 * MINUTE;
/** A focus_started without its focus_ended counts this long at most. */
const MAX_OPEN_FOCUS = 2 * 60 * MINUTE;

/**
 * Work intervals: focus_started → focus_ended pairs (matched by task, else the latest open one), and
 * task_started → task_completed spans on tasks that had no focus session (capped, since a task can sit
 * started for days).
 */
export function workIntervals(input: InsightsInput): Interval[] {
  const events = sortedEvents(input);
  const now = Date.parse(input.now);
  const out: Interval[] = [];
  const open: { t: number; taskId?: string }[] = [];
  const focusedTasks = new Set<string>();
  for (const e of events) {
    if (e.t > now) continue;
    if (e.type === "focus_started") open.push({ t: e.t, taskId: e.taskId ?? undefined });
    else if (e.type === "focus_ended" && open.length > 0) {
      let k = open.length - 1;
      if (e.taskId) {
        const match = open.findIndex((o) => o.taskId === e.taskId);
        if (match >= 0) k = match;
      }
      const [start] = open.splice(k, 1);
      if (start && e.t > start.t) {
        const taskId = start.taskId ?? e.taskId ?? undefined;
        out.push({ start: start.t, end: e.t, taskId });
        if (taskId) focusedTasks.add(taskId);
      }
    }
  }
  for (const o of open) out.push({ start: o.t, end: Math.min(now, o.t + MAX_OPEN_FOCUS), taskId: o.taskId });
  const started = new Map<string, number>();
  for (const e of events) {
    if (!e.taskId || e.t > now || focusedTasks.has(e.taskId)) continue;
    if (e.type === "task_started" && !started.has(e.taskId)) started.set(e.taskId, e.t);
    else if (e.type === "task_completed") {
      const s = started.get(e.taskId);
      if (s !== undefined && e.t > s)
        out.push({ start: Math.max(s, e.t - MAX_TASK_SPAN), end: e.t, taskId: e.taskId });
      started.delete(e.taskId);
    }
  }
  return out.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
}

/** Minutes of each interval that fall in each local hour of day (0..23). */
export function minutesByLocalHour(intervals: Interval[], zone: string): number[] {
  const hours = new Array<number>(24).fill(0);
  const HOUR = 60 * MINUTE;
  const offsetAt = zoneOffset(zone);
  for (const iv of intervals) {
    // Fast path: with one UTC offset across the interval (no DST change inside), local hours are arithmetic.
    const offset = offsetAt(iv.start) * MINUTE;
    if (offsetAt(iv.end) * MINUTE === offset) {
      let t = iv.start;
      while (t < iv.end) {
        const localHour = Math.floor((t + offset) / HOUR);
        const next = Math.min(iv.end, (localHour + 1) * HOUR - offset);
        const hour = ((localHour % 24) + 24) % 24;
        hours[hour] = (hours[hour] ?? 0) + (next - t) / MINUTE;
        t = next;
      }
      continue;
    }
    let t = iv.start;
    while (t < iv.end) {
      const local = DateTime.fromMillis(t, { zone });
      const next = Math.min(iv.end, local.startOf("hour").plus({ hours: 1 }).toMillis());
      hours[local.hour] = (hours[local.hour] ?? 0) + (next - t) / MINUTE;
      t = next > t ? next : t + MINUTE;
    }
  }
  return hours;
}

/**
 * Working intervals computed once per input and start, for a stretch at least this long: the completion model
 * asks for [now, due) once per open task, and clipping one list is exact and far cheaper than redoing the days.
 */
const WORKING_CACHE_SPAN = 62 * DAY;
const workingCache = new WeakMap<InsightsInput, { from: number; to: number; intervals: Interval[] }>();

/** The working-hours intervals (UTC millis) that overlap [from, to), in the person's zone. */
export function workingIntervals(input: InsightsInput, from: number, to: number): Interval[] {
  if (to <= from) return [];
  let cached = workingCache.get(input);
  if (!cached || cached.from !== from || cached.to < to) {
    const until = Math.max(to, from + WORKING_CACHE_SPAN);
    cached = { from, to: until, intervals: computeWorkingIntervals(input, from, until) };
    workingCache.set(input, cached);
  }
  const out: Interval[] = [];
  for (const w of cached.intervals) {
    if (w.start >= to) continue;
    out.push({ start: w.start, end: Math.min(w.end, to) });
  }
  return out;
}

function computeWorkingIntervals(input: InsightsInput, from: number, to: number): Interval[] {
  const zone = input.person.timezone;
  const out: Interval[] = [];
  if (to <= from) return out;
  let day = DateTime.fromMillis(from, { zone }).startOf("day").minus({ days: 1 });
  const last = DateTime.fromMillis(to, { zone }).startOf("day");
  while (day <= last) {
    const key = WEEKDAYS[day.weekday - 1];
    for (const w of key ? input.person.workingHours[key] : []) {
      const [sh, sm] = w.start.split(":").map(Number);
      const [eh, em] = w.end.split(":").map(Number);
      const start = day.set({ hour: sh ?? 0, minute: sm ?? 0 }).toMillis();
      const end =
        eh === 24 ? day.plus({ days: 1 }).toMillis() : day.set({ hour: eh ?? 0, minute: em ?? 0 }).toMillis();
      const s = Math.max(start, from);
      const e = Math.min(end, to);
      if (e > s) out.push({ start: s, end: e });
    }
    day = day.plus({ days: 1 });
  }
  return out;
}

/** Merged busy intervals, sorted. */
export function busyIntervals(input: InsightsInput): Interval[] {
  const all = input.busy
    .map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end) }))
    .sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const b of all) {
    const lastOne = merged[merged.length - 1];
    if (lastOne && b.start <= lastOne.end) lastOne.end = Math.max(lastOne.end, b.end);
    else merged.push({ ...b });
  }
  return merged;
}

export function overlapMinutes(a: Interval[], b: Interval[]): number {
  let total = 0;
  for (const x of a)
    for (const y of b) {
      const s = Math.max(x.start, y.start);
      const e = Math.min(x.end, y.end);
      if (e > s) total += (e - s) / MINUTE;
    }
  return total;
}

export const sumMinutes = (ivs: Interval[]) => ivs.reduce((s, i) => s + (i.end - i.start) / MINUTE, 0);

/** Working minutes in [from, to) that no busy event takes. */
export function freeWorkingMinutes(
  input: InsightsInput,
  from: number,
  to: number,
  busy = busyIntervals(input),
) {
  const working = workingIntervals(input, from, to);
  const overlap = isSortedDisjoint(busy)
    ? overlapMinutesSorted(working, busy)
    : overlapMinutes(working, busy);
  return Math.max(0, sumMinutes(working) - overlap);
}

const isSortedDisjoint = (ivs: Interval[]) =>
  ivs.every((iv, i) => i === 0 || iv.start >= (ivs[i - 1] as Interval).end);

/**
 * overlapMinutes when `b` is sorted and disjoint (as busyIntervals makes it): per interval of `a` only the
 * `b` intervals that can overlap it are visited, found by binary search, in the same order, so the sum is
 * the same to the last bit.
 */
function overlapMinutesSorted(a: Interval[], b: Interval[]): number {
  let total = 0;
  for (const x of a) {
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((b[mid] as Interval).end <= x.start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < b.length; k++) {
      const y = b[k] as Interval;
      if (y.start >= x.end) break;
      const s = Math.max(x.start, y.start);
      const e = Math.min(x.end, y.end);
      if (e > s) total += (e - s) / MINUTE;
    }
  }
  return total;
}

export function clip(iv: Interval[], from: number, to: number): Interval[] {
  return iv
    .map((i) => ({ ...i, start: Math.max(i.start, from), end: Math.min(i.end, to) }))
    .filter((i) => i.end > i.start);
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (pos - lo);
}

export const median = (values: number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
export const round = (x: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
export const logistic = (x: number) => 1 / (1 + Math.exp(-x));
