import { DateTime } from "luxon";
import type { PlanInput, PlanMetrics, PlannedBlock } from "../input/plan-input.ts";
import { priorityWeight } from "../input/plan-input.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 900_000;
const offsetCache = new Map<string, Map<number, number>>();

/**
 * UTC offset (minutes) of `zone` at `ms`. Zones change offset only on quarter-hour instants (every offset is a
 * multiple of 15 minutes), so it is looked up once per quarter hour: luxon's lookup dominated plan output time.
 */
export function offsetAt(zone: string, ms: number): number {
  let byQuarter = offsetCache.get(zone);
  if (!byQuarter || byQuarter.size > 100_000) {
    byQuarter = new Map();
    offsetCache.set(zone, byQuarter);
  }
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  let offset = byQuarter.get(quarter);
  if (offset === undefined) {
    offset = DateTime.fromMillis(quarter * QUARTER_HOUR_MS, { zone }).offset;
    byQuarter.set(quarter, offset);
  }
  return offset;
}

/** Days since the epoch of the local calendar date at `ms` in `zone` (equal numbers = same local date). */
export function localDayNumber(zone: string, ms: number): number {
  return Math.floor((ms + offsetAt(zone, ms) * MINUTE_MS) / DAY_MS);
}

/** Minutes of [startMs, endMs) whose local wall-clock time falls in one of the [fromHour, toHour) windows. */
export function minutesInLocalWindows(
  zone: string,
  startMs: number,
  endMs: number,
  windows: ReadonlyArray<readonly [number, number]>,
): number {
  const inWindow = (wall: number) => windows.some(([a, b]) => wall >= a * 60 && wall < b * 60);
  const startOffset = offsetAt(zone, startMs);
  const localStart = startMs + startOffset * MINUTE_MS;
  const localLast = endMs - 1 + offsetAt(zone, endMs - 1) * MINUTE_MS;
  if (
    startOffset === offsetAt(zone, endMs) &&
    Math.floor(localStart / DAY_MS) === Math.floor(localLast / DAY_MS)
  ) {
    const wallStart = Math.floor((localStart - Math.floor(localStart / DAY_MS) * DAY_MS) / 1000) / 60;
    const length = (endMs - startMs) / MINUTE_MS;
    let total = 0;
    for (const [a, b] of windows) {
      total += Math.max(0, Math.min(wallStart + length, b * 60) - Math.max(wallStart, a * 60));
    }
    return total;
  }
  let total = 0;
  for (let t = startMs; t < endMs; t += MINUTE_MS) {
    const local = DateTime.fromMillis(t, { zone });
    if (inWindow(local.hour * 60 + local.minute)) total += Math.min(1, (endMs - t) / MINUTE_MS);
  }
  return total;
}

export type PlanQuality = Omit<PlanMetrics, "keptPreviousBlocks" | "runtimeMs">;

/**
 * Scores a plan from its published blocks alone (not from solver state), using the definitions documented on
 * PlanMetrics: unscheduled work finishes at horizon.end + remaining minutes.
 */
export function evaluatePlan(
  input: PlanInput,
  blocks: readonly Pick<PlannedBlock, "taskId" | "start" | "end">[],
) {
  const zone = input.person.timezone;
  const horizonEnd = Date.parse(input.horizon.end);
  const byTask = new Map<string, { minutes: number; lastEnd: number }>();
  for (const b of blocks) {
    const s = Date.parse(b.start);
    const e = Date.parse(b.end);
    const entry = byTask.get(b.taskId) ?? { minutes: 0, lastEnd: Number.NEGATIVE_INFINITY };
    byTask.set(b.taskId, {
      minutes: entry.minutes + (e - s) / MINUTE_MS,
      lastEnd: Math.max(entry.lastEnd, e),
    });
  }
  let weightedTardiness = 0;
  let lateTasks = 0;
  let scheduledMinutes = 0;
  let unscheduledMinutes = 0;
  const energyOf = new Map(input.tasks.map((t) => [t.id, t.energy]));
  for (const task of input.tasks) {
    const entry = byTask.get(task.id);
    const done = entry?.minutes ?? 0;
    const left = Math.max(0, task.estimateMinutes - done);
    scheduledMinutes += done;
    unscheduledMinutes += left;
    const finish = left > 1e-9 ? horizonEnd + left * MINUTE_MS : (entry?.lastEnd ?? horizonEnd);
    if (task.due !== null) {
      const tardiness = (finish - Date.parse(task.due)) / MINUTE_MS;
      if (tardiness > 1e-9) {
        weightedTardiness += priorityWeight(task.priority) * tardiness;
        lateTasks++;
      }
    }
  }
  let fitting = 0;
  let considered = 0;
  for (const b of blocks) {
    const energy = energyOf.get(b.taskId);
    if (energy !== "high" && energy !== "low") continue;
    const s = Date.parse(b.start);
    const e = Date.parse(b.end);
    const length = (e - s) / MINUTE_MS;
    const peak = minutesInLocalWindows(zone, s, e, input.person.energy.peakHours);
    considered += length;
    fitting += energy === "high" ? peak : length - peak;
  }
  const ordered = [...blocks].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  let contextSwitches = 0;
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1];
    const b = ordered[i];
    if (!a || !b || a.taskId === b.taskId) continue;
    if (localDayNumber(zone, Date.parse(a.start)) === localDayNumber(zone, Date.parse(b.start)))
      contextSwitches++;
  }
  const quality: PlanQuality = {
    weightedTardiness: Math.round(weightedTardiness * 100) / 100,
    lateTasks,
    scheduledMinutes: Math.round(scheduledMinutes),
    unscheduledMinutes: Math.round(unscheduledMinutes),
    fragments: blocks.length,
    energyFit: considered === 0 ? 1 : Math.round((fitting / considered) * 1000) / 1000,
    contextSwitches,
  };
  return quality;
}
