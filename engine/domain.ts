/** Plain data shapes shared by every part of the engine. Types flow from these schemas. */
import { z } from "zod";

export const Iso = z.iso.datetime({ offset: true });

/**
 * Dates people and assistants send in: from year 1000 on. Years 0000-0999 are refused on every backend
 * (PostgreSQL has no year 0, and PGlite reads years 0001-0099 back as 19xx), never silently rewritten.
 */
export const MIN_INPUT_YEAR = 1000;
/** Only judges the year; a value that is no date at all gets the format's own issue, not a second one. */
const fromMinYear = (value: string) => !/^\d{4}-/.test(value) || Number(value.slice(0, 4)) >= MIN_INPUT_YEAR;
const yearMessage = `the year must be ${MIN_INPUT_YEAR} or later`;

/** An instant as input: ISO 8601 with offset, from year 1000. */
export const IsoInput = Iso.refine(fromMinYear, { message: yearMessage });
/** A calendar date as input: YYYY-MM-DD that exists (no Feb 30), from year 1000. */
export const IsoDateInput = z.iso
  .date({ message: "expected a date YYYY-MM-DD that exists" })
  .refine(fromMinYear, { message: yearMessage });

export const TaskStatus = z.enum(["todo", "in_progress", "done", "cancelled"]);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const Priority = z.number().int().min(1).max(4).describe("1 is highest (urgent), 4 is lowest");
export const Energy = z.enum(["low", "medium", "high"]);
export type Energy = z.infer<typeof Energy>;

export const Task = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  status: TaskStatus,
  priority: Priority,
  estimateMinutes: z.number().int().nullable(),
  due: Iso.nullable(),
  earliestStart: Iso.nullable(),
  dependsOn: z.array(z.uuid()),
  parentId: z.uuid().nullable().describe("The parent task when this is a subtask, else null"),
  tags: z.array(z.string()),
  splittable: z.boolean(),
  energy: Energy,
  personId: z.uuid().nullable(),
  source: z.string().describe("Where the task comes from: cairn, or the kind of the connector it came from"),
  externalId: z.string().nullable(),
  url: z.string().nullable(),
  completedAt: Iso.nullable(),
  sourceDeletedAt: Iso.nullable().describe("Set when the item was deleted in its source; history is kept"),
  createdAt: Iso,
  updatedAt: Iso,
});
export type Task = z.infer<typeof Task>;

export const Workspace = z.object({ id: z.uuid(), slug: z.string(), name: z.string() });
export type Workspace = z.infer<typeof Workspace>;

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "expected HH:MM (24-hour)");
export const WorkingInterval = z.object({ start: LocalTime, end: LocalTime });
export const WorkingHours = z.partialRecord(Weekday, z.array(WorkingInterval));
export type WorkingHours = z.infer<typeof WorkingHours>;

export const Person = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  timezone: z.string(),
  isAdmin: z.boolean(),
});
export type Person = z.infer<typeof Person>;

export const EventType = z.enum([
  "task_created",
  "task_edited",
  "task_deferred",
  "task_started",
  "task_completed",
  "task_deleted",
  "block_planned",
  "block_accepted",
  "block_moved",
  "block_deleted",
  "block_completed",
  "nudge_sent",
  "nudge_acted",
  "nudge_dismissed",
  "focus_started",
]);
export type EventType = z.infer<typeof EventType>;
