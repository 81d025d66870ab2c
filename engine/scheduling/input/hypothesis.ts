/**
 * Hypothetical changes to a person's state (what_if): a day off, a new meeting, a new task, an estimate
 * change. They are applied to copies of what was read (open tasks, busy time, the behaviour history), never
 * to the database.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import type { InsightsInput } from "../../behavior/insights-input.ts";
import { IsoDateInput, IsoInput, type Task } from "../../domain.ts";
import { invalidInput } from "../../errors.ts";
import type { BusyEvent } from "./plan-input.ts";

export const DayOff = z.object({
  type: z.literal("day_off"),
  date: IsoDateInput.describe("Local date YYYY-MM-DD in your time zone: no work is planned that day"),
});
export const NewMeeting = z.object({
  type: z.literal("meeting"),
  start: IsoInput,
  end: IsoInput,
  title: z.string().min(1).max(200).default("Meeting"),
});
export const NewTask = z.object({
  type: z.literal("task"),
  title: z.string().min(1).max(500),
  estimateMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  due: IsoInput.optional(),
  priority: z.number().int().min(1).max(4).optional().describe("1 (highest) to 4; default 3"),
});
export const EstimateChange = z.object({
  type: z.literal("estimate"),
  taskId: z.uuid(),
  estimateMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});
export const HypotheticalChange = z.discriminatedUnion("type", [DayOff, NewMeeting, NewTask, EstimateChange]);
export type HypotheticalChange = z.infer<typeof HypotheticalChange>;

/** The id a hypothetical new task goes by in the answer (it is never stored). */
export const newTaskId = (index: number) => `new-task-${index + 1}`;

/** Checks what cannot be told from one change alone; throws invalid_input naming `changes[i].field`. */
export function checkChanges(changes: readonly HypotheticalChange[], open: readonly Task[]): void {
  const openIds = new Set(open.map((t) => t.id));
  const issues: Array<{ path: string; message: string }> = [];
  changes.forEach((change, i) => {
    if (change.type === "meeting" && Date.parse(change.end) <= Date.parse(change.start)) {
      issues.push({ path: `changes[${i}].end`, message: "must be after start" });
    }
    if (change.type === "estimate" && !openIds.has(change.taskId)) {
      issues.push({
        path: `changes[${i}].taskId`,
        message: "is not one of your open tasks; find ids with list_tasks",
      });
    }
  });
  if (issues.length > 0) {
    throw invalidInput(`Cannot apply: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, issues);
  }
}

/** The open tasks with the changes applied: estimates replaced, new tasks appended. */
export function applyToTasks(
  open: readonly Task[],
  changes: readonly HypotheticalChange[],
  now: Date,
): Task[] {
  const estimates = new Map<string, number>();
  for (const change of changes)
    if (change.type === "estimate") estimates.set(change.taskId, change.estimateMinutes);
  const tasks = open.map((task) =>
    estimates.has(task.id) ? { ...task, estimateMinutes: estimates.get(task.id) ?? null } : task,
  );
  const at = now.toISOString();
  changes.forEach((change, i) => {
    if (change.type !== "task") return;
    tasks.push({
      id: newTaskId(i),
      parentId: null,
      title: change.title,
      description: "",
      status: "todo",
      priority: change.priority ?? 3,
      estimateMinutes: change.estimateMinutes,
      due: change.due ? new Date(change.due).toISOString() : null,
      earliestStart: null,
      dependsOn: [],
      tags: [],
      splittable: true,
      energy: "medium",
      personId: null,
      source: "cairn",
      externalId: null,
      url: null,
      completedAt: null,
      sourceDeletedAt: null,
      createdAt: at,
      updatedAt: at,
    });
  });
  return tasks;
}

/** Busy time the changes add: each day off as the whole local day, each meeting as itself. */
export function hypotheticalBusy(changes: readonly HypotheticalChange[], timezone: string): BusyEvent[] {
  const busy: BusyEvent[] = [];
  changes.forEach((change, i) => {
    if (change.type === "day_off") {
      const day = DateTime.fromISO(change.date, { zone: timezone }).startOf("day");
      busy.push({
        id: `what-if:${i}`,
        title: "Day off",
        start: day.toUTC().toISO() as string,
        end: day.plus({ days: 1 }).startOf("day").toUTC().toISO() as string,
      });
    } else if (change.type === "meeting") {
      busy.push({
        id: `what-if:${i}`,
        title: change.title,
        start: new Date(change.start).toISOString(),
        end: new Date(change.end).toISOString(),
      });
    }
  });
  return busy;
}

/** The behaviour history with the added busy time (the tasks are already the changed copies). */
export function applyToHistory(history: InsightsInput, busy: readonly BusyEvent[]): InsightsInput {
  return { ...history, busy: [...history.busy, ...busy.map((b) => ({ start: b.start, end: b.end }))] };
}

/** The latest instant a change touches, so the what-if horizon can reach it. */
export function latestChangeInstant(changes: readonly HypotheticalChange[], timezone: string): number {
  let latest = 0;
  for (const change of changes) {
    if (change.type === "day_off") {
      const end = DateTime.fromISO(change.date, { zone: timezone }).plus({ days: 1 }).startOf("day");
      latest = Math.max(latest, end.toMillis());
    } else if (change.type === "meeting") latest = Math.max(latest, Date.parse(change.end));
    else if (change.type === "task" && change.due) latest = Math.max(latest, Date.parse(change.due));
  }
  return latest;
}

/** A short phrase per change, for the summary: "a day off on Fri 4 Dec". */
export function describeChange(
  change: HypotheticalChange,
  timezone: string,
  titleOf: (id: string) => string,
): string {
  const local = (iso: string, format: string) =>
    DateTime.fromISO(iso, { zone: timezone }).setLocale("en-GB").toFormat(format);
  switch (change.type) {
    case "day_off":
      return `a day off on ${local(change.date, "ccc d LLL")}`;
    case "meeting":
      return `“${change.title}” ${local(change.start, "ccc d LLL HH:mm")}–${local(change.end, "HH:mm")}`;
    case "task":
      return `a new task “${change.title}” (${change.estimateMinutes} min${change.due ? `, due ${local(change.due, "ccc d LLL HH:mm")}` : ""})`;
    case "estimate":
      return `“${titleOf(change.taskId)}” at ${change.estimateMinutes} min`;
  }
}
