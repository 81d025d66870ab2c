/**
 * A second, independent scenario generator with a different distribution from generator.ts, so the planner is
 * not tuned to one suite: part-time and four-day weeks, meeting-heavy days, deadlines clustered at the end of
 * days and weeks, skewed priorities (few urgent, many routine), dependency chains, bursts of short tasks beside
 * a few long unsplittable ones, and horizons of 3 to 14 days. Same seed, same scenarios.
 */

import { DateTime } from "luxon";
import type { Weekday } from "../../../engine/domain.ts";
import type { PlanInputRaw } from "../../../engine/scheduling/input/plan-input.ts";
import { createRandom } from "../../../models/random.ts";
import type { Scenario } from "./generator.ts";

const ZONES = [
  "Europe/London",
  "America/Chicago",
  "Asia/Tokyo",
  "Australia/Sydney",
  "America/Sao_Paulo",
  "Europe/Helsinki",
  "Asia/Singapore",
  "America/Denver",
  "Africa/Nairobi",
];

const WEEK_SHAPES: Array<{ name: string; days: Weekday[]; hours: Array<{ start: string; end: string }> }> = [
  { name: "full", days: ["mon", "tue", "wed", "thu", "fri"], hours: [{ start: "08:30", end: "17:30" }] },
  { name: "part", days: ["mon", "wed", "fri"], hours: [{ start: "09:00", end: "15:00" }] },
  {
    name: "four",
    days: ["mon", "tue", "wed", "thu"],
    hours: [
      { start: "07:00", end: "11:00" },
      { start: "12:00", end: "18:00" },
    ],
  },
  {
    name: "split",
    days: ["mon", "tue", "wed", "thu", "fri", "sat"],
    hours: [
      { start: "06:00", end: "09:00" },
      { start: "16:00", end: "21:00" },
    ],
  },
];

export function generateIndependentScenario(seed: number, index: number): Scenario {
  const random = createRandom(seed * 65_537 + index * 2_654_435 + 7);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;

  const zone = ZONES[index % ZONES.length] as string;
  const shape = WEEK_SHAPES[Math.floor(index / ZONES.length) % WEEK_SHAPES.length] ?? WEEK_SHAPES[0];
  if (!shape) throw new Error("no week shape");
  const days = pick([3, 5, 7, 10, 14]);
  const start = DateTime.fromObject({ year: 2027, month: int(1, 12), day: int(1, 28) }, { zone }).startOf(
    "day",
  );
  const now = start.set({ hour: int(5, 13), minute: pick([0, 10, 25, 40, 55]) });
  const end = start.plus({ days }).startOf("day");
  const workingHours: Partial<Record<Weekday, Array<{ start: string; end: string }>>> = {};
  for (const d of shape.days) workingHours[d] = shape.hours;

  const preferences = {
    minBlockMinutes: pick([20, 30, 40]),
    maxBlockMinutes: pick([75, 100, 180]),
    bufferMinutes: pick([0, 10, 20]),
    maxFocusMinutesPerDay: pick([180, 270, 300, 480]),
  };

  // Meeting-heavy days: some days almost full, others empty.
  const busy: Array<{ id: string; title: string; start: string; end: string }> = [];
  for (let d = 0; d < days; d++) {
    const date = start.plus({ days: d });
    const heavy = chance(0.3);
    const meetings = heavy ? int(4, 8) : int(0, 2);
    for (let m = 0; m < meetings; m++) {
      const at = date.set({ hour: int(7, 19), minute: pick([0, 30, 5, 35]) });
      const length = heavy ? pick([30, 60, 60, 120]) : pick([15, 30]);
      busy.push({
        id: `m${busy.length + 1}`,
        title: pick(["Review", "Planning", "Client", "Standup", "Workshop"]),
        start: at.toUTC().toISO() as string,
        end: at.plus({ minutes: length }).toUTC().toISO() as string,
      });
    }
  }

  const weeklyCapacity = shape.days.length * Math.min(preferences.maxFocusMinutesPerDay, 330) * 0.8;
  const capacity = (weeklyCapacity * days) / 7;
  const load = pick([0.5, 0.8, 1.0, 1.3, 1.8]);
  const shortBurst = chance(0.5);
  const taskCount = shortBurst ? int(30, 80) : int(8, 40);
  const mean = Math.max(15, Math.min(300, (capacity * load) / taskCount));
  const dayEnds = Array.from({ length: days }, (_, d) =>
    start.plus({ days: d }).set({ hour: 17, minute: 0 }),
  ).filter((t) => t > now);
  const tasks = Array.from({ length: taskCount }, (_, i) => {
    const long = !shortBurst && chance(0.2);
    const estimate = long
      ? pick([120, 150, 180, 240])
      : Math.max(5, Math.round((mean * (0.2 + random() * 1.2)) / 5) * 5);
    const roll = random();
    // Deadlines cluster at the end of working days, some already past, some none.
    const due =
      roll < 0.15
        ? null
        : roll < 0.2
          ? now.minus({ hours: int(1, 30) })
          : (pick(dayEnds.length > 0 ? dayEnds : [end]) ?? end);
    const priority = roll < 0.1 ? 1 : chance(0.25) ? 2 : chance(0.6) ? 3 : 4;
    const dependsOn = i > 0 && chance(0.25) ? [`x${i - 1}`] : [];
    const earliestStart = chance(0.1) ? now.plus({ hours: int(2, days * 12) }) : null;
    return {
      id: `x${i}`,
      title: `Item ${i}`,
      estimateMinutes: estimate,
      due: due ? (due.toUTC().toISO() as string) : null,
      priority,
      earliestStart: earliestStart ? (earliestStart.toUTC().toISO() as string) : null,
      dependsOn,
      splittable: long ? chance(0.3) : !chance(0.1),
      energy: pick(["low", "medium", "high", "high"] as const),
    };
  });

  const input: PlanInputRaw = {
    person: {
      timezone: zone,
      workingHours,
      preferences,
      energy: {
        peakHours: pick([
          [[8, 11]],
          [[14, 17]],
          [
            [6, 8],
            [19, 21],
          ],
        ]) as Array<[number, number]>,
      },
    },
    now: now.toISO() as string,
    horizon: { start: start.toISO() as string, end: end.toISO() as string },
    busy,
    tasks,
    previousBlocks: [],
  };
  return {
    name: `i${String(index).padStart(2, "0")}-${zone.replace("/", "_")}-${shape.name}-${taskCount}t-${days}d-load${load}`,
    input,
  };
}

export function generateIndependentScenarios(count = 36, seed = 77): Scenario[] {
  return Array.from({ length: count }, (_, i) => generateIndependentScenario(seed, i));
}
