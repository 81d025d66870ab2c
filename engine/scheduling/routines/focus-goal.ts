/**
 * The weekly focus goal, as a post-pass after the task solver: when planned task blocks give a local week
 * (Monday to Sunday) fewer focus minutes than the goal, unassigned focus blocks are reserved in the time left,
 * peak hours first. They obey the same hard rules as task blocks: free working time only (meetings with
 * buffers and habits excluded), minBlockMinutes..maxBlockMinutes long, and the daily focus cap counts task and
 * focus minutes together. When the horizon covers only part of a week, the goal is prorated by the share of
 * that week's working time the horizon (from now) still holds.
 */
import { DateTime } from "luxon";
import { weekdayKey } from "../input/free-time.ts";
import type { PlanModel } from "../input/plan-model.ts";

const MINUTE_MS = 60_000;

export interface FocusReservation {
  start: number;
  end: number;
  reason: string;
}

export interface FocusWeek {
  /** Local ISO date of the week's Monday. */
  week: string;
  targetMinutes: number;
  taskMinutes: number;
  reservedMinutes: number;
}

export interface FocusGoalResult {
  blocks: FocusReservation[];
  weeks: FocusWeek[];
}

function hours(minutes: number): string {
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function workingMinutesOfDay(model: PlanModel, date: DateTime, from: number, to: number): number {
  let total = 0;
  for (const iv of model.input.person.workingHours[weekdayKey(date)]) {
    const [sh, sm] = iv.start.split(":").map(Number);
    const [eh, em] = iv.end.split(":").map(Number);
    const s = date.set({ hour: sh ?? 0, minute: sm ?? 0 }).toMillis() / MINUTE_MS;
    const e =
      iv.end === "24:00"
        ? date.plus({ days: 1 }).startOf("day").toMillis() / MINUTE_MS
        : date.set({ hour: eh ?? 0, minute: em ?? 0 }).toMillis() / MINUTE_MS;
    total += Math.max(0, Math.min(e, to) - Math.max(s, from));
  }
  return total;
}

/** Share of a local week's working time that lies inside [from, to). */
function weekShare(model: PlanModel, monday: DateTime, from: number, to: number): number {
  let all = 0;
  let inside = 0;
  for (let d = 0; d < 7; d++) {
    const date = monday.plus({ days: d }).startOf("day");
    all += workingMinutesOfDay(model, date, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    inside += workingMinutesOfDay(model, date, from, to);
  }
  return all === 0 ? 0 : inside / all;
}

/**
 * Reserves focus blocks toward `goalMinutes` per week around the task blocks already placed (epoch minutes).
 * `model` must be built with the same reserved (habit) time the task solver saw.
 */
export function reserveFocusGoal(
  model: PlanModel,
  taskBlocks: ReadonlyArray<{ start: number; end: number }>,
  goalMinutes: number,
): FocusGoalResult {
  const { grid } = model;
  const g = grid.granularity;
  const zone = model.input.person.timezone;
  const from = Math.max(model.now, model.horizonStart);
  const weekOfDay = grid.days.map((date) => DateTime.fromISO(date, { zone }).startOf("week"));
  const used = new Uint8Array(grid.slots.length);
  // Slots right next to a reserved focus block: a new focus block may not start or run there, so two focus
  // blocks never merge into one stretch longer than maxBlockMinutes.
  const nearFocus = new Uint8Array(grid.slots.length);
  const gapSlots = Math.max(1, Math.ceil(model.input.person.preferences.bufferMinutes / g));
  const dayUsed = new Float64Array(grid.days.length);
  const slotAt = new Map(grid.slots.map((slot, k) => [slot.start, k]));
  for (const block of taskBlocks) {
    for (let t = block.start; t < block.end; t += g) {
      const k = slotAt.get(t);
      if (k !== undefined) used[k] = 1;
    }
    const k = slotAt.get(block.start);
    const day = k === undefined ? undefined : grid.slots[k]?.day;
    if (day !== undefined) dayUsed[day] = (dayUsed[day] ?? 0) + (block.end - block.start);
  }

  const weeks = new Map<string, { monday: DateTime; days: number[] }>();
  weekOfDay.forEach((monday, day) => {
    const key = monday.toISODate() as string;
    const entry = weeks.get(key) ?? { monday, days: [] };
    entry.days.push(day);
    weeks.set(key, entry);
  });

  const blocks: FocusReservation[] = [];
  const summary: FocusWeek[] = [];
  for (const [week, { monday, days }] of weeks) {
    const inWeek = new Set(days);
    const share = weekShare(model, monday, from, model.horizonEnd);
    const target = Math.round((goalMinutes * share) / g) * g;
    const taskMinutes = days.reduce((sum, day) => sum + (dayUsed[day] ?? 0), 0);
    let need = target - taskMinutes;
    let reserved = 0;
    while (need >= model.minBlock) {
      // Every maximal free stretch in this week; pick the one with most peak time in its first block, earliest.
      let best: { k: number; minutes: number; peak: number } | null = null;
      for (let k = 0; k < grid.slots.length; k++) {
        const slot = grid.slots[k];
        if (!slot || used[k] || nearFocus[k] || !inWeek.has(slot.day)) continue;
        const prev = grid.slots[k - 1];
        if (prev && !used[k - 1] && !nearFocus[k - 1] && prev.run === slot.run) continue; // not a stretch start
        const capLeft = model.dailyCap - (dayUsed[slot.day] ?? 0);
        const length = Math.min(model.maxBlock, need, Math.floor(capLeft / g) * g);
        let end = k;
        let peak = 0;
        while (end < grid.slots.length && (end - k) * g < length) {
          const s = grid.slots[end];
          if (!s || used[end] || nearFocus[end] || s.run !== slot.run) break;
          if (s.peak) peak++;
          end++;
        }
        const minutes = (end - k) * g;
        if (minutes < model.minBlock) continue;
        if (!best || peak > best.peak) best = { k, minutes, peak };
      }
      if (!best) break;
      const first = grid.slots[best.k];
      if (!first) break;
      const last = best.k + best.minutes / g;
      for (let k = best.k; k < last; k++) used[k] = 1;
      for (let k = Math.max(0, best.k - gapSlots); k < Math.min(grid.slots.length, last + gapSlots); k++) {
        nearFocus[k] = 1;
      }
      dayUsed[first.day] = (dayUsed[first.day] ?? 0) + best.minutes;
      need -= best.minutes;
      reserved += best.minutes;
      const where = best.peak > 0 ? " in your peak hours" : "";
      blocks.push({
        start: first.start,
        end: first.start + best.minutes,
        reason: `Focus time toward your weekly goal of ${hours(goalMinutes)}${share < 1 ? ` (${hours(target)} for the part of the week planned)` : ""}: tasks fill ${hours(taskMinutes)}, so this ${hours(best.minutes)} is kept free${where}.`,
      });
    }
    summary.push({ week, targetMinutes: target, taskMinutes, reservedMinutes: reserved });
  }
  blocks.sort((a, b) => a.start - b.start);
  return { blocks, weeks: summary };
}
