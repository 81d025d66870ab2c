/**
 * A person's planning profile: time zone, working hours and planning preferences, as stored in `people`
 * (timezone, working_hours, preferences.planning). Defaults when nothing is set (documented here, once):
 *   - time zone: the person's `timezone` column (UTC unless set)
 *   - working hours: Monday to Friday, 09:00-17:00 local time
 *   - minBlockMinutes 30, maxBlockMinutes 120, bufferMinutes 10, maxFocusMinutesPerDay 300
 *   - peak hours [[9, 12]] (high-energy work goes there), no no-meeting days, weeks start on Monday
 *   - no weekly focus goal (focusGoalMinutesPerWeek null)
 *   - calibrated estimates on (useCalibratedEstimates true): once the person's own history is long enough,
 *     tasks are planned at the behaviour models' predicted minutes, not the raw estimate
 */

import { IANAZone } from "luxon";
import { z } from "zod";
import type { Queryable } from "../../db/port.ts";
import {
  getPlanningProfileRow,
  type PlanningProfileRow,
  updatePlanningProfileRow,
} from "../../db/repositories/workspaces.ts";
import { WEEKDAYS, Weekday } from "../../domain.ts";
import { invalidInput } from "../../errors.ts";
import type { WorkingInterval } from "./plan-input.ts";

export const DEFAULT_WORKING_INTERVAL: WorkingInterval = { start: "09:00", end: "17:00" };
export const DEFAULT_PREFERENCES = {
  minBlockMinutes: 30,
  maxBlockMinutes: 120,
  bufferMinutes: 10,
  maxFocusMinutesPerDay: 300,
  peakHours: [[9, 12]] as Array<[number, number]>,
  noMeetingDays: [] as Weekday[],
  weekStartsOn: "mon" as Weekday,
  focusGoalMinutesPerWeek: null as number | null,
  useCalibratedEstimates: true as boolean,
};

/** Estimate used for tasks that have none (said so in each such block's reason). */
export const DEFAULT_ESTIMATE_MINUTES = 60;

const WallClock = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected "HH:MM" (00:00-24:00)');
export const WorkingIntervalInput = z.object({ start: WallClock, end: WallClock });
export const WorkingHoursInput = z.object(
  Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(WorkingIntervalInput).max(6).optional()])) as Record<
    Weekday,
    z.ZodOptional<z.ZodArray<typeof WorkingIntervalInput>>
  >,
);
export const PeakWindow = z.tuple([z.number().min(0).max(24), z.number().min(0).max(24)]);

/** What is stored under people.preferences.planning (every field optional). */
export const StoredPlanningPreferences = z.object({
  minBlockMinutes: z.number().int().positive().optional(),
  maxBlockMinutes: z.number().int().positive().optional(),
  bufferMinutes: z.number().int().min(0).optional(),
  maxFocusMinutesPerDay: z.number().int().positive().optional(),
  peakHours: z.array(PeakWindow).optional(),
  noMeetingDays: z.array(Weekday).optional(),
  weekStartsOn: Weekday.optional(),
  /** null clears the goal. */
  focusGoalMinutesPerWeek: z.number().int().min(0).nullable().optional(),
  useCalibratedEstimates: z.boolean().optional(),
});
export type StoredPlanningPreferences = z.infer<typeof StoredPlanningPreferences>;

export const PlanningProfile = z.object({
  timezone: z.string(),
  workingHours: z.record(Weekday, z.array(WorkingIntervalInput)),
  minBlockMinutes: z.number().int(),
  maxBlockMinutes: z.number().int(),
  bufferMinutes: z.number().int(),
  maxFocusMinutesPerDay: z.number().int(),
  peakHours: z.array(PeakWindow),
  noMeetingDays: z.array(Weekday),
  weekStartsOn: Weekday,
  /** Weekly focus target in minutes; null: none. */
  focusGoalMinutesPerWeek: z.number().int().nullable(),
  /** Plan tasks at the calibrated (predicted) minutes when the person's own history supports it. */
  useCalibratedEstimates: z.boolean(),
  /** Fields still at their default. */
  defaults: z.array(z.string()),
});
export type PlanningProfile = z.infer<typeof PlanningProfile>;

function defaultHours(): Record<Weekday, WorkingInterval[]> {
  const hours = {} as Record<Weekday, WorkingInterval[]>;
  for (const day of WEEKDAYS) hours[day] = ["sat", "sun"].includes(day) ? [] : [DEFAULT_WORKING_INTERVAL];
  return hours;
}

function parseJson(value: unknown): unknown {
  if (typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      return null;
    }
  }
  return value;
}

export function profileFromRow(row: PlanningProfileRow): PlanningProfile {
  const defaults: string[] = [];
  const storedHours = WorkingHoursInput.safeParse(parseJson(row.working_hours));
  let workingHours = defaultHours();
  if (storedHours.success && row.working_hours !== null) {
    workingHours = {} as Record<Weekday, WorkingInterval[]>;
    for (const day of WEEKDAYS) workingHours[day] = storedHours.data[day] ?? [];
  } else {
    defaults.push("workingHours");
  }
  const prefsRoot = parseJson(row.preferences);
  const planning =
    prefsRoot && typeof prefsRoot === "object" ? (prefsRoot as Record<string, unknown>).planning : undefined;
  const parsed = StoredPlanningPreferences.safeParse(planning ?? {});
  const stored: StoredPlanningPreferences = parsed.success ? parsed.data : {};
  const pick = <K extends keyof typeof DEFAULT_PREFERENCES>(key: K): (typeof DEFAULT_PREFERENCES)[K] => {
    const value = stored[key as keyof StoredPlanningPreferences];
    if (value === undefined || value === null) {
      defaults.push(key);
      return DEFAULT_PREFERENCES[key];
    }
    return value as (typeof DEFAULT_PREFERENCES)[K];
  };
  return {
    timezone: IANAZone.isValidZone(row.timezone) ? row.timezone : "UTC",
    workingHours,
    minBlockMinutes: pick("minBlockMinutes"),
    maxBlockMinutes: pick("maxBlockMinutes"),
    bufferMinutes: pick("bufferMinutes"),
    maxFocusMinutesPerDay: pick("maxFocusMinutesPerDay"),
    peakHours: pick("peakHours"),
    noMeetingDays: pick("noMeetingDays"),
    weekStartsOn: pick("weekStartsOn"),
    focusGoalMinutesPerWeek: pick("focusGoalMinutesPerWeek"),
    useCalibratedEstimates: pick("useCalibratedEstimates"),
    defaults,
  };
}

export async function loadPlanningProfile(tx: Queryable, personId: string): Promise<PlanningProfile> {
  const row = await getPlanningProfileRow(tx, personId);
  if (!row) throw invalidInput(`No person ${personId} in this workspace.`);
  return profileFromRow(row);
}

export interface ProfileChanges {
  timezone?: string;
  workingHours?: Partial<Record<Weekday, WorkingInterval[] | null>>;
  preferences?: StoredPlanningPreferences;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Checks a would-be profile; throws invalid_input naming each bad field. */
export function validateProfileChanges(current: PlanningProfile, changes: ProfileChanges): void {
  const issues: Array<{ path: string; message: string }> = [];
  if (changes.timezone !== undefined && !IANAZone.isValidZone(changes.timezone)) {
    issues.push({
      path: "timezone",
      message: `unknown time zone "${changes.timezone}"; use an IANA name such as Europe/Berlin`,
    });
  }
  for (const day of WEEKDAYS) {
    const intervals = changes.workingHours?.[day];
    if (!intervals) continue;
    const spans = intervals.map((iv, i) => ({ i, s: minutesOf(iv.start), e: minutesOf(iv.end) }));
    for (const span of spans) {
      if (span.e <= span.s) {
        issues.push({ path: `workingHours.${day}[${span.i}]`, message: "end is not after start" });
      }
    }
    const sorted = [...spans].sort((a, b) => a.s - b.s);
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1];
      const cur = sorted[k];
      if (prev && cur && cur.s < prev.e) {
        issues.push({ path: `workingHours.${day}[${cur.i}]`, message: `overlaps ${day}[${prev.i}]` });
      }
    }
  }
  const prefs = changes.preferences ?? {};
  const min = prefs.minBlockMinutes ?? current.minBlockMinutes;
  const max = prefs.maxBlockMinutes ?? current.maxBlockMinutes;
  if (min > max) {
    issues.push({
      path: prefs.minBlockMinutes !== undefined ? "minBlockMinutes" : "maxBlockMinutes",
      message: `minBlockMinutes (${min}) is larger than maxBlockMinutes (${max})`,
    });
  }
  (prefs.peakHours ?? []).forEach(([from, to], i) => {
    if (to <= from)
      issues.push({ path: `peakHours[${i}]`, message: `end hour ${to} is not after start ${from}` });
  });
  if (issues.length > 0) {
    throw invalidInput(
      `Invalid preferences: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`,
      issues,
    );
  }
}

/** Writes the changes (merged with what is stored) and returns the new profile. */
export async function savePlanningProfile(
  tx: Queryable,
  personId: string,
  changes: ProfileChanges,
): Promise<PlanningProfile> {
  const current = await loadPlanningProfile(tx, personId);
  validateProfileChanges(current, changes);
  const row = await getPlanningProfileRow(tx, personId);
  const prefsRoot = (parseJson(row?.preferences) ?? {}) as Record<string, unknown>;
  const storedPlanning = StoredPlanningPreferences.safeParse(prefsRoot.planning ?? {});
  const planning = { ...(storedPlanning.success ? storedPlanning.data : {}), ...(changes.preferences ?? {}) };
  let hours: Record<Weekday, WorkingInterval[]> | null = null;
  if (changes.workingHours) {
    hours = { ...current.workingHours } as Record<Weekday, WorkingInterval[]>;
    for (const day of WEEKDAYS) {
      const value = changes.workingHours[day];
      if (value !== undefined) hours[day] = value ?? [];
    }
  }
  await updatePlanningProfileRow(tx, personId, {
    timezone: changes.timezone ?? null,
    workingHoursJson: hours ? JSON.stringify(hours) : null,
    planningJson: JSON.stringify(planning),
  });
  return loadPlanningProfile(tx, personId);
}
