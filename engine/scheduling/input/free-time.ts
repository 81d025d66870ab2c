import { DateTime } from "luxon";
import { WEEKDAYS, type Weekday } from "../../domain.ts";
import { offsetAt } from "../explanation/plan-metrics.ts";
import type { BusyEvent, Person } from "./plan-input.ts";

const MINUTE_MS = 60_000;

/** A planning slot: `granularity` minutes of free working time starting at `start` (epoch minutes). */
export interface FreeSlot {
  start: number;
  /** Local wall-clock minute of day at `start`. */
  wallMinute: number;
  /** Index into SlotGrid.days: the local date the working interval belongs to. */
  day: number;
  /** Consecutive slots with the same run id form one gap-free stretch inside one working interval. */
  run: number;
  peak: boolean;
}

export interface SlotGrid {
  granularity: number;
  slots: FreeSlot[];
  /** Local ISO dates, index = FreeSlot.day. */
  days: string[];
}

export interface GridOptions {
  person: Person;
  busy: readonly BusyEvent[];
  /** Epoch ms; no slot starts before. */
  from: number;
  /** Epoch ms; no slot ends after. */
  to: number;
  granularity: number;
}

export function toEpochMinutes(iso: string): number {
  return Date.parse(iso) / MINUTE_MS;
}

export function wallClockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function weekdayKey(date: DateTime): Weekday {
  return WEEKDAYS[date.weekday - 1] ?? "mon";
}

/** Busy events widened by the buffer on both sides, merged, in epoch minutes. */
export function widenedBusy(busy: readonly BusyEvent[], bufferMinutes: number): Array<[number, number]> {
  const spans = busy
    .map((b): [number, number] => [
      toEpochMinutes(b.start) - bufferMinutes,
      toEpochMinutes(b.end) + bufferMinutes,
    ])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

function isPeak(
  wallMinute: number,
  granularity: number,
  peakWindows: ReadonlyArray<readonly [number, number]>,
) {
  return peakWindows.some(([from, to]) => wallMinute >= from * 60 && wallMinute + granularity <= to * 60);
}

/**
 * Free working time as a grid of equal slots. Working hours are local wall-clock times; luxon turns them into
 * instants. On a day whose UTC offset changes (DST), every slot is checked against the wall clock, so an
 * interval spanning the skipped or repeated hour holds exactly the instants whose local time lies inside it.
 */
export function buildSlotGrid(options: GridOptions): SlotGrid {
  const { person, granularity: g } = options;
  const zone = person.timezone;
  const busy = widenedBusy(options.busy, person.preferences.bufferMinutes);
  const fromMin = Math.ceil(options.from / MINUTE_MS / g) * g;
  const toMin = options.to / MINUTE_MS;
  const slots: FreeSlot[] = [];
  const days: string[] = [];
  let busyCursor = 0;
  let run = -1;
  let lastSlotEnd = Number.NaN;
  let lastInterval = -1;
  let intervalId = 0;

  const overlapsBusy = (t: number): boolean => {
    while (busyCursor < busy.length && (busy[busyCursor]?.[1] ?? 0) <= t) busyCursor++;
    for (let k = busyCursor; k < busy.length; k++) {
      const span = busy[k];
      if (!span || span[0] >= t + g) break;
      if (span[1] > t) return true;
    }
    return false;
  };

  const pushSlot = (t: number, wallMinute: number, dayIndex: number, interval: number) => {
    if (t < fromMin || t + g > toMin || overlapsBusy(t)) return;
    if (t !== lastSlotEnd || interval !== lastInterval) run++;
    slots.push({
      start: t,
      wallMinute,
      day: dayIndex,
      run,
      peak: isPeak(wallMinute, g, person.energy.peakHours),
    });
    lastSlotEnd = t + g;
    lastInterval = interval;
  };

  let date = DateTime.fromMillis(options.from, { zone }).startOf("day");
  const last = DateTime.fromMillis(options.to, { zone }).startOf("day");
  while (date <= last) {
    const next = date.plus({ days: 1 }).startOf("day");
    const intervals = person.workingHours[weekdayKey(date)]
      .map((iv) => [wallClockMinutes(iv.start), wallClockMinutes(iv.end)] as const)
      .sort((a, b) => a[0] - b[0]);
    if (intervals.length > 0) {
      const dayIndex = days.length;
      days.push(date.toISODate() ?? "");
      const offsetChanges = date.offset !== next.offset || date.offset !== date.set({ hour: 12 }).offset;
      if (!offsetChanges) {
        for (const [s, e] of intervals) {
          const startMin = date.set({ hour: Math.floor(s / 60), minute: s % 60 }).toMillis() / MINUTE_MS;
          const endMin = e === 1440 ? next.toMillis() / MINUTE_MS : startMin + (e - s);
          for (let t = Math.ceil(startMin / g) * g; t + g <= endMin; t += g) {
            pushSlot(t, s + (t - startMin), dayIndex, intervalId);
          }
          intervalId++;
        }
      } else {
        const dayStart = date.toMillis() / MINUTE_MS;
        const dayEnd = next.toMillis() / MINUTE_MS;
        const firstId = intervalId;
        intervalId += intervals.length;
        for (let t = Math.ceil(dayStart / g) * g; t + g <= dayEnd; t += g) {
          const local = t + offsetAt(zone, t * MINUTE_MS);
          const wall = ((Math.floor(local) % 1440) + 1440) % 1440;
          const k = intervals.findIndex(([s, e]) => wall >= s && wall + g <= e);
          if (k >= 0) pushSlot(t, wall, dayIndex, firstId + k);
        }
      }
    }
    date = next;
  }
  return { granularity: g, slots, days };
}
