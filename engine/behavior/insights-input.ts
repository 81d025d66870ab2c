/** The `cairn insights` input: a person, the moment "now", their tasks, their event log and busy time. */
import { IANAZone } from "luxon";
import { z } from "zod";
import { formatPath } from "../field-path.ts";
import { WorkingHours } from "../scheduling/input/plan-input.ts";
import { findUnknownField } from "../unknown-fields.ts";

export class InsightsInputError extends Error {
  readonly code = "INSIGHTS_INPUT_INVALID";
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = "InsightsInputError";
  }
}

const Instant = z.iso.datetime({ offset: true });

export const EVENT_TYPES = [
  "task_started",
  "task_completed",
  "task_deferred",
  "focus_started",
  "focus_ended",
  "block_kept",
  "block_moved",
  "block_deleted",
  "nudge_sent",
  "nudge_acted",
  "nudge_dismissed",
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export const HistoryTask = z.object({
  id: z.string().min(1),
  title: z.string().default(""),
  estimateMinutes: z.number().nonnegative().nullish(),
  due: Instant.nullish(),
  priority: z.number().nullish(),
  tags: z
    .array(z.string())
    .nullish()
    .transform((t) => t ?? []),
  createdAt: Instant,
  completedAt: Instant.nullish(),
  actualMinutes: z.number().nonnegative().nullish(),
});
export type HistoryTask = z.infer<typeof HistoryTask>;

export const HistoryEvent = z.object({
  type: EventType,
  at: Instant,
  taskId: z.string().min(1).nullish(),
});
export type HistoryEvent = z.infer<typeof HistoryEvent>;

export const InsightsInput = z.object({
  person: z.object({ timezone: z.string().min(1), workingHours: WorkingHours }),
  now: Instant,
  tasks: z.array(HistoryTask).default([]),
  events: z.array(HistoryEvent).default([]),
  busy: z.array(z.object({ start: Instant, end: Instant })).default([]),
});
export type InsightsInput = z.infer<typeof InsightsInput>;
export type InsightsInputRaw = z.input<typeof InsightsInput>;

function fail(path: string, message: string): never {
  throw new InsightsInputError(`${path}: ${message}`, path);
}

/** Parses and checks insights input; throws InsightsInputError naming the first offending item. */
export function parseInsightsInput(raw: unknown): InsightsInput {
  const parsed = InsightsInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? formatPath(issue.path) : "";
    throw new InsightsInputError(`${path || "input"}: ${issue?.message ?? "invalid input"}`, path);
  }
  const input = parsed.data;
  if (!IANAZone.isValidZone(input.person.timezone))
    fail("person.timezone", `unknown time zone "${input.person.timezone}"`);
  for (const [day, intervals] of Object.entries(input.person.workingHours))
    intervals.forEach((w, i) => {
      if (w.end <= w.start)
        fail(`person.workingHours.${day}[${i}].end`, `${w.end} is not after start ${w.start}`);
    });
  const ids = new Set<string>();
  input.tasks.forEach((t, i) => {
    if (ids.has(t.id)) fail(`tasks[${i}].id`, `duplicate task id "${t.id}"`);
    ids.add(t.id);
    if (t.due && Date.parse(t.due) < Date.parse(t.createdAt))
      fail(`tasks[${i}].due`, `${t.due} is before createdAt ${t.createdAt}`);
    if (t.completedAt && Date.parse(t.completedAt) < Date.parse(t.createdAt))
      fail(`tasks[${i}].completedAt`, `${t.completedAt} is before createdAt ${t.createdAt}`);
  });
  input.events.forEach((e, i) => {
    if (e.taskId && !ids.has(e.taskId)) fail(`events[${i}].taskId`, `task "${e.taskId}" does not exist`);
  });
  input.busy.forEach((b, i) => {
    if (Date.parse(b.end) <= Date.parse(b.start))
      fail(`busy[${i}].end`, `${b.end} is not after start ${b.start}`);
  });
  return input;
}

/** `cairn insights --input` is strict about field names: a misspelt `completed_at` would read as never completed. */
export function rejectUnknownInsightsFields(raw: unknown): void {
  const found = findUnknownField(InsightsInput, raw);
  if (found) throw new InsightsInputError(`${found.path}: ${found.message}`, found.path);
}
