/**
 * Seeded scenario generator for the planner bench and the property test. Same seed, same scenarios.
 * Covers mixed time zones (DST-change weeks, +05:45, +12:45, −03:30, Sun–Thu weeks), 10–80 tasks, 1–2 week
 * horizons, overloaded weeks, dependencies, unsplittable tasks, earliest starts, meetings and previous blocks.
 */

import { DateTime } from "luxon";
import type { Weekday } from "../../../engine/domain.ts";
import type { PlanInputRaw } from "../../../engine/scheduling/input/plan-input.ts";
import { createRandom } from "../../../models/random.ts";

export interface Scenario {
  name: string;
  input: PlanInputRaw;
}

interface ZoneCase {
  zone: string;
  week: "mon-fri" | "sun-thu";
  /** Local dates (YYYY-MM-DD) on which the zone changes offset; scenarios often start near one. */
  dstDates: string[];
}

const ZONES: ZoneCase[] = [
  { zone: "Europe/Berlin", week: "mon-fri", dstDates: ["2026-03-29", "2026-10-25"] },
  { zone: "America/New_York", week: "mon-fri", dstDates: ["2026-03-08", "2026-11-01"] },
  { zone: "Asia/Kathmandu", week: "mon-fri", dstDates: [] },
  { zone: "Pacific/Chatham", week: "mon-fri", dstDates: ["2026-04-05", "2026-09-27"] },
  { zone: "Asia/Jerusalem", week: "sun-thu", dstDates: ["2026-03-27", "2026-10-25"] },
  { zone: "Asia/Riyadh", week: "sun-thu", dstDates: [] },
  { zone: "Australia/Adelaide", week: "mon-fri", dstDates: ["2026-04-05", "2026-10-04"] },
  { zone: "America/St_Johns", week: "mon-fri", dstDates: ["2026-03-08", "2026-11-01"] },
  { zone: "Asia/Kolkata", week: "mon-fri", dstDates: [] },
  { zone: "America/Los_Angeles", week: "mon-fri", dstDates: ["2026-03-08", "2026-11-01"] },
];

const HOUR_PATTERNS = [
  [
    { start: "09:00", end: "12:30" },
    { start: "13:30", end: "17:30" },
  ],
  [{ start: "08:00", end: "16:00" }],
  [
    { start: "07:30", end: "11:45" },
    { start: "12:15", end: "15:50" },
  ],
  [
    { start: "10:00", end: "13:00" },
    { start: "14:00", end: "19:00" },
  ],
];

/** Night shift that crosses the 02:00–03:00 DST hour on change days. */
const NIGHT_HOURS = [{ start: "00:30", end: "04:30" }];

export function generateScenario(seed: number, index: number): Scenario {
  const random = createRandom(seed * 7919 + index * 104729 + 13);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;

  const zoneCase = ZONES[index % ZONES.length] as ZoneCase;
  const zone = zoneCase.zone;
  const days = chance(0.5) ? 14 : 7;
  const nearDst = zoneCase.dstDates.length > 0 && chance(0.6);
  const anchor = nearDst
    ? DateTime.fromISO(pick(zoneCase.dstDates), { zone }).minus({ days: int(1, 4) })
    : DateTime.fromObject({ year: 2026, month: int(1, 12), day: int(1, 28) }, { zone });
  const start = anchor.startOf("day");
  const now = start.set({ hour: int(6, 11), minute: int(0, 59) });
  const end = start.plus({ days }).startOf("day");

  const dayPattern = pick(HOUR_PATTERNS);
  const workDays: Weekday[] =
    zoneCase.week === "sun-thu" ? ["sun", "mon", "tue", "wed", "thu"] : ["mon", "tue", "wed", "thu", "fri"];
  const workingHours: Partial<Record<Weekday, Array<{ start: string; end: string }>>> = {};
  for (const d of workDays) workingHours[d] = dayPattern;
  if (nearDst && chance(0.5)) {
    const nightDay: Weekday = zoneCase.zone === "Asia/Jerusalem" ? "fri" : "sun";
    workingHours[nightDay] = NIGHT_HOURS;
  }

  const preferences = {
    minBlockMinutes: pick([15, 25, 30, 45]),
    maxBlockMinutes: pick([60, 90, 120, 150]),
    bufferMinutes: pick([0, 5, 10, 15]),
    maxFocusMinutesPerDay: pick([240, 300, 360, 420]),
  };
  const peakHours = pick([
    [[9, 12]],
    [[8, 11]],
    [
      [10, 12.5],
      [15, 17],
    ],
    [[9.5, 11.5]],
  ]);

  const busy: Array<{ id: string; title: string; start: string; end: string }> = [];
  for (let d = 0; d < days; d++) {
    const date = start.plus({ days: d });
    const meetings = int(0, 5);
    for (let m = 0; m < meetings; m++) {
      const at = date.set({ hour: int(8, 17), minute: pick([0, 0, 15, 30, 45, 7, 50]) });
      const length = pick([15, 25, 30, 45, 60, 90]);
      busy.push({
        id: `e${busy.length + 1}`,
        title: pick(["Standup", "1:1", "Design review", "Customer call", "All hands", "Interview"]),
        start: at.toUTC().toISO() as string,
        end: at.plus({ minutes: length }).toUTC().toISO() as string,
      });
    }
  }

  const taskCount = int(10, 80);
  const capacityMinutes = days * (5 / 7) * Math.min(preferences.maxFocusMinutesPerDay, 360) * 0.85;
  const load = chance(0.35) ? 1.1 + random() * 0.6 : 0.45 + random() * 0.5;
  const mean = Math.max(20, Math.min(240, (capacityMinutes * load) / taskCount));
  const horizonMinutes = end.diff(now, "minutes").minutes;
  const tasks = Array.from({ length: taskCount }, (_, i) => {
    const raw = mean * (0.3 + random() * 1.4);
    const estimate = chance(0.05) ? 37 : Math.max(10, Math.round(raw / 5) * 5);
    const dueRoll = random();
    const due =
      dueRoll < 0.2
        ? null
        : now.plus({
            minutes: Math.round(horizonMinutes * (dueRoll < 0.23 ? -0.05 : 0.08 + random() * 1.1)),
          });
    // Earliest starts fall before the due date, as they do in real task lists.
    const window = due ? Math.max(0, due.diff(now, "minutes").minutes - estimate * 3) : horizonMinutes * 0.5;
    const earliestStart =
      chance(0.12) && window > 0 ? now.plus({ minutes: Math.round(window * random()) }) : null;
    const dependsOn: string[] = [];
    if (i > 2 && chance(0.18)) {
      dependsOn.push(`t${int(0, i - 1)}`);
      if (chance(0.3)) dependsOn.push(`t${int(0, i - 1)}`);
    }
    return {
      id: `t${i}`,
      title: `Task ${i}`,
      estimateMinutes: estimate,
      due: due ? (due.toUTC().toISO() as string) : null,
      priority: int(1, 4),
      earliestStart: earliestStart ? (earliestStart.toISO() as string) : null,
      dependsOn: [...new Set(dependsOn)],
      splittable: !chance(0.15),
      energy: pick(["low", "medium", "medium", "high"] as const),
    };
  });

  const previousBlocks: Array<{ taskId: string; start: string; end: string }> = [];
  if (chance(0.35)) {
    let cursor = now.plus({ hours: 1 }).startOf("hour");
    for (const task of tasks.slice(0, int(2, 6))) {
      const length = Math.min(task.estimateMinutes, preferences.maxBlockMinutes, 60);
      previousBlocks.push({
        taskId: task.id,
        start: cursor.toUTC().toISO() as string,
        end: cursor.plus({ minutes: length }).toUTC().toISO() as string,
      });
      cursor = cursor.plus({ minutes: length + 30 });
    }
  }

  return {
    name: `s${String(index).padStart(2, "0")}-${zone.replace("/", "_")}-${taskCount}t-${days}d${nearDst ? "-dst" : ""}${load > 1 ? "-overload" : ""}`,
    input: {
      person: {
        timezone: zone,
        workingHours,
        preferences,
        energy: { peakHours: peakHours as Array<[number, number]> },
      },
      now: now.toISO() as string,
      horizon: { start: start.toISO() as string, end: end.toISO() as string },
      busy,
      tasks,
      previousBlocks,
    },
  };
}

export function generateScenarios(count = 32, seed = 2026): Scenario[] {
  return Array.from({ length: count }, (_, i) => generateScenario(seed, i));
}
