import { IANAZone } from "luxon";
import { z } from "zod";
import { WEEKDAYS, Weekday } from "../../domain.ts";
import { formatPath } from "../../field-path.ts";
import { findUnknownField } from "../../unknown-fields.ts";
import { findDependencyCycle } from "./dependency-graph.ts";

/** Thrown for input the planner cannot work with; the message names the offending item. */
export class PlanInputError extends Error {
  readonly code = "PLAN_INPUT_INVALID";
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = "PlanInputError";
  }
}

const Instant = z.iso.datetime({ offset: true });
const WallClock = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a local time "HH:MM" (00:00-24:00)');

/** A local wall-clock interval on one day, e.g. 09:00-12:30. "24:00" ends at midnight. */
export const WorkingInterval = z.object({ start: WallClock, end: WallClock });
export type WorkingInterval = z.infer<typeof WorkingInterval>;

const DayHours = z.array(WorkingInterval).nullish();
const NINE_TO_FIVE = [{ start: "09:00", end: "17:00" }];

/**
 * Working hours per weekday in the person's time zone. A missing (or null) key means no work that day.
 * Default when the whole object is absent: Monday to Friday, 09:00-17:00.
 */
export const WorkingHours = z
  .object({
    mon: DayHours,
    tue: DayHours,
    wed: DayHours,
    thu: DayHours,
    fri: DayHours,
    sat: DayHours,
    sun: DayHours,
  })
  .nullish()
  .transform((hours) => {
    const source = hours ?? {
      mon: NINE_TO_FIVE,
      tue: NINE_TO_FIVE,
      wed: NINE_TO_FIVE,
      thu: NINE_TO_FIVE,
      fri: NINE_TO_FIVE,
    };
    const normalized = {} as Record<Weekday, WorkingInterval[]>;
    for (const key of WEEKDAYS) normalized[key] = source[key] ?? [];
    return normalized;
  });
export type WorkingHours = z.infer<typeof WorkingHours>;

/** Planning preferences; every field is optional and falls back to the default noted beside it. */
export const Preferences = z
  .object({
    /** Shortest focus block worth having (default 30). A task shorter than this gets one block of its length. */
    minBlockMinutes: z
      .number()
      .int()
      .positive()
      .nullish()
      .transform((v) => v ?? 30),
    /** Longest focus block before a break (default 120). */
    maxBlockMinutes: z
      .number()
      .int()
      .positive()
      .nullish()
      .transform((v) => v ?? 120),
    /** Gap kept free before and after every busy calendar event (default 10). */
    bufferMinutes: z
      .number()
      .int()
      .min(0)
      .nullish()
      .transform((v) => v ?? 10),
    /** Cap on planned focus minutes per local day (default 300). */
    maxFocusMinutesPerDay: z
      .number()
      .int()
      .positive()
      .nullish()
      .transform((v) => v ?? 300),
    /** Weekly focus target in minutes; when set, unassigned focus blocks are reserved toward it (default none). */
    focusGoalMinutesPerWeek: z
      .number()
      .int()
      .min(0)
      .nullish()
      .transform((v) => v ?? null),
  })
  .nullish()
  .transform(
    (p) =>
      p ?? {
        minBlockMinutes: 30,
        maxBlockMinutes: 120,
        bufferMinutes: 10,
        maxFocusMinutesPerDay: 300,
        focusGoalMinutesPerWeek: null,
      },
  );
export type Preferences = z.infer<typeof Preferences>;

const PeakWindow = z.tuple([z.number().min(0).max(24), z.number().min(0).max(24)]);

/** When the person is sharpest: local [startHour, endHour) windows. Default [[9, 12]]. */
export const EnergyProfile = z
  .object({
    peakHours: z
      .array(PeakWindow)
      .nullish()
      .transform((v) => v ?? [[9, 12] as [number, number]]),
  })
  .nullish()
  .transform((e) => e ?? { peakHours: [[9, 12] as [number, number]] });
export type EnergyProfile = z.infer<typeof EnergyProfile>;

export const Person = z.object({
  /** IANA zone name, e.g. "Europe/Berlin". */
  timezone: z.string().min(1),
  workingHours: WorkingHours,
  preferences: Preferences,
  energy: EnergyProfile,
});
export type Person = z.infer<typeof Person>;

export const TimeRange = z.object({ start: Instant, end: Instant });
export type TimeRange = z.infer<typeof TimeRange>;

export const BusyEvent = z.object({
  id: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  title: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  start: Instant,
  end: Instant,
});
export type BusyEvent = z.infer<typeof BusyEvent>;

export const TaskEnergy = z.enum(["low", "medium", "high"]);
export type TaskEnergy = z.infer<typeof TaskEnergy>;

export const PlanTask = z.object({
  id: z.string().min(1),
  title: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  /** Minutes of focused work still needed. */
  estimateMinutes: z.number().int().positive(),
  /** Deadline; null or absent means none (never tardy). */
  due: Instant.nullish().transform((v) => v ?? null),
  /** 1 (highest) to 4; default 3. Tardiness weights: 1 → 8, 2 → 4, 3 → 2, 4 → 1. */
  priority: z
    .number()
    .int()
    .min(1)
    .max(4)
    .nullish()
    .transform((v) => v ?? 3),
  /** No block starts before this instant; default none. */
  earliestStart: Instant.nullish().transform((v) => v ?? null),
  /** Ids of tasks that must be fully scheduled and finished before this one starts; default []. */
  dependsOn: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  /** false: exactly one block of the full estimate, or none; default true. */
  splittable: z
    .boolean()
    .nullish()
    .transform((v) => v ?? true),
  /** Mental energy the task needs; "high" belongs in peak hours, "low" outside them; default "medium". */
  energy: TaskEnergy.nullish().transform((v) => v ?? "medium"),
});
export type PlanTask = z.infer<typeof PlanTask>;

/** A block from the previous plan; kept when still valid and starting within 24 h of `now`. */
export const PreviousBlock = z.object({ taskId: z.string(), start: Instant, end: Instant });
export type PreviousBlock = z.infer<typeof PreviousBlock>;

/**
 * A flexible routine ("lunch 12:00-14:00, 30-60 min, Mon-Fri"): on each listed day (or on at most
 * `timesPerWeek` of them) one block of minMinutes..maxMinutes inside the local window.
 */
export const PlanHabit = z.object({
  id: z.string().min(1),
  title: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  days: z.array(Weekday).min(1, 'list at least one day, e.g. ["mon"]'),
  window: WorkingInterval,
  minMinutes: z.number().int().positive(),
  /** Default: minMinutes. */
  maxMinutes: z.number().int().positive().nullish(),
  /** At most this many of the listed days per week; default every listed day. */
  timesPerWeek: z
    .number()
    .int()
    .min(1)
    .max(7)
    .nullish()
    .transform((v) => v ?? null),
  /** 1 (highest) to 4, default 3: an occurrence gives way only to tasks of this priority or higher. */
  priority: z
    .number()
    .int()
    .min(1)
    .max(4)
    .nullish()
    .transform((v) => v ?? 3),
  /** true: the window may fall outside working hours (default false). */
  outsideWorkingHours: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
});
export type PlanHabit = z.infer<typeof PlanHabit>;

export const PlanInput = z.object({
  person: Person,
  /** The planner never places anything before this instant. */
  now: Instant,
  horizon: TimeRange,
  busy: z
    .array(BusyEvent)
    .nullish()
    .transform((v) => v ?? []),
  tasks: z.array(PlanTask),
  previousBlocks: z
    .array(PreviousBlock)
    .nullish()
    .transform((v) => v ?? []),
  habits: z
    .array(PlanHabit)
    .nullish()
    .transform((v) => v ?? []),
});
/** Normalized input: defaults filled in. */
export type PlanInput = z.infer<typeof PlanInput>;
/** What callers may pass: optional fields absent or null. */
export type PlanInputRaw = z.input<typeof PlanInput>;

export const PlannedBlock = z.object({
  taskId: z.string(),
  start: Instant,
  end: Instant,
  reason: z.string(),
});
export type PlannedBlock = z.infer<typeof PlannedBlock>;

export const UnscheduledWork = z.object({
  taskId: z.string(),
  remainingMinutes: z.number().int().positive(),
  reason: z.string(),
});
export type UnscheduledWork = z.infer<typeof UnscheduledWork>;

export const EffectivePreferences = z.object({
  minBlockMinutes: z.number().int(),
  maxBlockMinutes: z.number().int(),
  bufferMinutes: z.number().int(),
  maxFocusMinutesPerDay: z.number().int(),
  workingHours: z.record(Weekday, z.array(WorkingInterval)),
  peakHours: z.array(PeakWindow),
});
export type EffectivePreferences = z.infer<typeof EffectivePreferences>;

/** Work a bounded search did; timeLimitHit only when its wall-clock safety net stopped it early. */
const SearchBudget = z.object({
  /** Plans (or, for the preference pass, candidate slots) evaluated. */
  evaluations: z.number().int(),
  /** The evaluation budget (it grows with the number of tasks). */
  evaluationBudget: z.number().int(),
  /** Present and true only when the wall-clock safety net stopped the search early (the plan may then vary). */
  timeLimitHit: z.boolean().optional(),
});

export const SearchMetrics = SearchBudget.extend({
  /** Seed of the search's random moves, derived from the input. */
  seed: z.number().int(),
  /** The learned slot-preference pass, when one ran. */
  preferencePass: SearchBudget.optional(),
});
export type SearchMetrics = z.infer<typeof SearchMetrics>;

/**
 * Plan quality. Tardiness of a task = max(0, C − due) in minutes, where C is the end of its last block when
 * fully scheduled, and horizon.end + remainingMinutes when work is left over (the rest is assumed done right
 * after the horizon). Tasks without a due date are never tardy.
 */
export const PlanMetrics = z.object({
  /** Σ weight × tardiness minutes, weight 8/4/2/1 for priority 1/2/3/4. */
  weightedTardiness: z.number(),
  /** Tasks with positive tardiness. */
  lateTasks: z.number().int(),
  scheduledMinutes: z.number().int(),
  unscheduledMinutes: z.number().int(),
  /** Number of blocks. */
  fragments: z.number().int(),
  /** Share of high-energy minutes in peak hours and low-energy minutes outside them (1 when none). */
  energyFit: z.number(),
  /** Consecutive blocks on the same local day that belong to different tasks. */
  contextSwitches: z.number().int(),
  /** Previous blocks carried over unchanged. */
  keptPreviousBlocks: z.number().int(),
  runtimeMs: z.number(),
  /** The preferences this plan used, documented defaults filled in for anything absent. */
  preferences: EffectivePreferences.optional(),
  /** How the search ran: bounded by evaluations, seeded from the input; timeLimitHit only when the safety net fired. */
  search: SearchMetrics.optional(),
});
export type PlanMetrics = z.infer<typeof PlanMetrics>;

export const PlanOutput = z.object({
  blocks: z.array(PlannedBlock),
  unscheduled: z.array(UnscheduledWork),
  metrics: PlanMetrics,
});
export type PlanOutput = z.infer<typeof PlanOutput>;

export const PRIORITY_WEIGHT: Record<number, number> = { 1: 8, 2: 4, 3: 2, 4: 1 };

export function priorityWeight(priority: number): number {
  return PRIORITY_WEIGHT[priority] ?? 1;
}

/** Parses and checks planner input; throws PlanInputError naming the first offending item. */
export function parsePlanInput(raw: unknown): PlanInput {
  const parsed = PlanInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? formatPath(issue.path) : "";
    throw new PlanInputError(`${path || "input"}: ${issue?.message ?? "invalid input"}`, path);
  }
  checkSemantics(parsed.data);
  return parsed.data;
}

function wallMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function fail(path: string, message: string): never {
  throw new PlanInputError(`${path}: ${message}`, path);
}

function checkRange(path: string, start: string, end: string): void {
  if (Date.parse(end) <= Date.parse(start)) fail(path, `end ${end} is not after start ${start}`);
}

function checkSemantics(input: PlanInput): void {
  const { person } = input;
  if (!IANAZone.isValidZone(person.timezone)) {
    fail("person.timezone", `unknown time zone "${person.timezone}"`);
  }
  for (const day of WEEKDAYS) {
    const intervals = person.workingHours[day];
    const sorted = intervals.map((iv, i) => ({ i, s: wallMinutes(iv.start), e: wallMinutes(iv.end) }));
    for (const iv of sorted) {
      if (iv.e <= iv.s) {
        const raw = intervals[iv.i];
        fail(`person.workingHours.${day}[${iv.i}]`, `end ${raw?.end} is not after start ${raw?.start}`);
      }
    }
    sorted.sort((a, b) => a.s - b.s);
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1];
      const cur = sorted[k];
      if (prev && cur && cur.s < prev.e) {
        fail(`person.workingHours.${day}[${cur.i}]`, `overlaps ${day}[${prev.i}]`);
      }
    }
  }
  const prefs = person.preferences;
  if (prefs.minBlockMinutes > prefs.maxBlockMinutes) {
    fail(
      "person.preferences.minBlockMinutes",
      `${prefs.minBlockMinutes} is larger than maxBlockMinutes ${prefs.maxBlockMinutes}`,
    );
  }
  person.energy.peakHours.forEach(([from, to], i) => {
    if (to <= from) fail(`person.energy.peakHours[${i}]`, `end hour ${to} is not after start hour ${from}`);
  });
  checkRange("horizon", input.horizon.start, input.horizon.end);
  input.busy.forEach((event, i) => {
    if (Date.parse(event.end) < Date.parse(event.start)) {
      fail(
        `busy[${i}]`,
        `event "${event.id || event.title}" ends (${event.end}) before it starts (${event.start})`,
      );
    }
  });
  input.previousBlocks.forEach((block, i) => {
    checkRange(`previousBlocks[${i}]`, block.start, block.end);
  });

  const firstIndex = new Map<string, number>();
  input.tasks.forEach((task, i) => {
    const seen = firstIndex.get(task.id);
    if (seen !== undefined) fail(`tasks[${i}].id`, `duplicate task id "${task.id}" (also tasks[${seen}])`);
    firstIndex.set(task.id, i);
  });
  input.tasks.forEach((task, i) => {
    task.dependsOn.forEach((dep) => {
      if (!firstIndex.has(dep)) fail(`tasks[${i}].dependsOn`, `task "${dep}" does not exist`);
      if (dep === task.id) fail(`tasks[${i}].dependsOn`, `task "${dep}" depends on itself`);
    });
  });
  const cycle = findDependencyCycle(input.tasks);
  if (cycle) fail("tasks", `dependency cycle ${cycle.join(" → ")}`);
  checkHabits(input);
}

function checkHabits(input: PlanInput): void {
  const firstIndex = new Map<string, number>();
  input.habits.forEach((habit, i) => {
    const at = `habits[${i}]`;
    const seen = firstIndex.get(habit.id);
    if (seen !== undefined) fail(`${at}.id`, `duplicate habit id "${habit.id}" (also habits[${seen}])`);
    firstIndex.set(habit.id, i);
    const start = wallMinutes(habit.window.start);
    const end = wallMinutes(habit.window.end);
    if (end <= start)
      fail(`${at}.window.end`, `${habit.window.end} is not after start ${habit.window.start}`);
    const max = habit.maxMinutes ?? habit.minMinutes;
    if (max < habit.minMinutes) {
      fail(`${at}.maxMinutes`, `${max} is smaller than minMinutes ${habit.minMinutes}`);
    }
    if (habit.minMinutes > end - start) {
      fail(
        `${at}.minMinutes`,
        `${habit.minMinutes} minutes do not fit in the ${end - start}-minute window ${habit.window.start}-${habit.window.end}`,
      );
    }
    const days = new Set(habit.days);
    if (habit.timesPerWeek !== null && habit.timesPerWeek > days.size) {
      fail(`${at}.timesPerWeek`, `${habit.timesPerWeek} is more than the ${days.size} listed days`);
    }
  });
}

/**
 * `cairn plan --input` is strict about field names: a misplaced or misspelt field (`preferences` beside
 * `person`, `deadline` for `due`) would otherwise be dropped and the plan made on defaults without a word.
 */
export function rejectUnknownPlanFields(raw: unknown): void {
  const found = findUnknownField(PlanInput, raw);
  if (found) throw new PlanInputError(`${found.path}: ${found.message}`, found.path);
}
