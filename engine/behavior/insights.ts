/**
 * A person's numbers from their tasks: what is open, late and due soon, the work left, what got done this
 * week and how much of it on time. Every face shows the same answer (MCP's cairn://insights, chat, HTTP);
 * behaviour-model fields join this object later, so the schema stays open to new keys.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import type { Db, Queryable } from "../db/port.ts";
import { type DoneTaskCounts, doneTaskCounts } from "../db/repositories/insight-counts.ts";
import { listTasksPage, type TaskFilter } from "../db/repositories/tasks.ts";
import type { Person, Task } from "../domain.ts";
import { currentCalibration, learnCompletions } from "./calibration.ts";
import { insightsFromHistory } from "./insights-from-history.ts";
import { HISTORY_DONE_TASKS, storedHistory } from "./stored-history.ts";

/** At most this many tasks are read per group (the answer says when it stopped early). */
const MAX_TASKS = 5_000;

const Count = z.number().int().min(0);

export const Insights = z.object({
  asOf: z.string().describe("When the numbers were taken, ISO 8601 in UTC"),
  timezone: z.string().describe("The person's time zone, which sets 'today' and 'this week'"),
  open: Count.describe("Open tasks (to do or in progress)"),
  inProgress: Count,
  overdue: Count.describe("Open tasks whose due time has passed"),
  dueToday: Count.describe("Open tasks due between now and the end of today"),
  dueNext7Days: Count.describe("Open tasks due between now and 7 days from now"),
  unestimatedOpen: Count.describe("Open tasks without an estimate"),
  openEstimatedMinutes: Count.describe("The estimates of the open tasks, added up"),
  openByPriority: z.record(z.string(), Count).describe("Open tasks by priority: p1 … p4"),
  openBySource: z
    .record(z.string(), Count)
    .describe("Open tasks by source: cairn, or the kind of the connector they came from"),
  completedThisWeek: Count.describe("Tasks completed since the start of this week (Monday)"),
  completedLast7Days: Count,
  createdLast7Days: Count,
  onTimeRateLast7Days: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe(
      "Share of the tasks completed in the last 7 days with a due date that were done by it (null when none)",
    ),
  complete: z
    .boolean()
    .describe(
      "False when there were more tasks than Cairn reads for a summary; the counts are then lower bounds",
    ),
});
export type Insights = z.infer<typeof Insights>;

const Factor = z.looseObject({ name: z.string(), value: z.number(), effect: z.number() });

/** The behaviour models' answer (the `cairn insights` contract), computed from the stored history. */
export const BehaviorInsights = z.object({
  basis: z
    .enum(["personal", "population"])
    .describe("population: too little history yet, so the numbers are the population prior"),
  history: z.looseObject({ days: z.number(), events: z.number().int(), completedTasks: z.number().int() }),
  peakHours: z
    .looseObject({
      bestHour: z.number().int(),
      hours: z.array(z.tuple([z.number().int(), z.number().int()])).describe("Local [start, end) hours"),
      confidence: z.number(),
    })
    .describe("When the person does their best work, from the focus time they kept"),
  effort: z
    .looseObject({
      multiplier: z.number().describe("How far actual work runs over estimates (1.4: 40 % longer)"),
      tasks: z.array(
        z.looseObject({
          taskId: z.string(),
          predictedMinutes: z.number(),
          low: z.number(),
          high: z.number(),
        }),
      ),
    })
    .describe("Calibrated estimates for the open tasks, with an 80 % range"),
  completion: z
    .array(z.looseObject({ taskId: z.string(), probability: z.number() }))
    .describe("For open tasks with a due time: the probability they are done by it"),
  procrastination: z.looseObject({ index: z.number(), factors: z.array(Factor) }),
  burnout: z
    .looseObject({ risk: z.number(), level: z.enum(["low", "moderate", "high"]), factors: z.array(Factor) })
    .describe(
      "Load heading toward overwork, from after-hours work, load and missed deadlines; not a clinical measure",
    ),
  score: z.looseObject({ value: z.number(), streakDays: z.number().int(), explanation: z.string() }),
});

/** What get_insights answers: the task numbers and the behaviour models' insights. */
export const InsightsWithBehavior = Insights.extend(BehaviorInsights.shape);
export type InsightsWithBehavior = z.infer<typeof InsightsWithBehavior>;

interface TaskSet {
  tasks: Task[];
  complete: boolean;
}

/** One keyset query per group (the first MAX_TASKS in the group's order), not page after page. */
async function readAll(tx: Queryable, filter: TaskFilter, order: "due" | "created"): Promise<TaskSet> {
  const result = await listTasksPage(tx, filter, { order, limit: MAX_TASKS });
  return { tasks: result.tasks, complete: result.nextCursor === null };
}

const countBy = (tasks: readonly Task[], key: (task: Task) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const task of tasks) counts[key(task)] = (counts[key(task)] ?? 0) + 1;
  return counts;
};

/** The week boundaries the numbers use, in the person's time zone. */
function weekOf(at: Date, timezone: string) {
  const now = DateTime.fromJSDate(at).setZone(timezone || "UTC");
  return { now, weekStart: now.startOf("week").toJSDate(), weekAgo: now.minus({ days: 7 }).toJSDate() };
}

/** The numbers from the person's open and done tasks, as of `at`, in the person's time zone. */
export function summarize(open: TaskSet, done: TaskSet, at: Date, timezone: string): Insights {
  const { weekStart, weekAgo } = weekOf(at, timezone);
  const ms = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);
  const recentDone = done.tasks.filter((task) => ms(task.completedAt) >= weekAgo.getTime());
  const withDue = recentDone.filter((task) => task.due);
  return summarizeCounts(
    open,
    {
      completedThisWeek: done.tasks.filter((task) => ms(task.completedAt) >= weekStart.getTime()).length,
      completedSince: recentDone.length,
      createdSince: done.tasks.filter((task) => ms(task.createdAt) >= weekAgo.getTime()).length,
      dueCompletedSince: withDue.length,
      onTimeSince: withDue.filter((task) => ms(task.completedAt) <= ms(task.due)).length,
    },
    done.complete,
    at,
    timezone,
  );
}

/** The numbers from the open tasks and the finished ones' counts (`doneTaskCounts` since a week ago). */
export function summarizeCounts(
  open: TaskSet,
  done: DoneTaskCounts,
  doneComplete: boolean,
  at: Date,
  timezone: string,
): Insights {
  const { now, weekAgo } = weekOf(at, timezone);
  const ms = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);
  const nowMs = now.toMillis();
  const endOfDay = now.endOf("day").toMillis();
  const inWeek = now.plus({ days: 7 }).toMillis();
  const createdRecently = open.tasks.filter((task) => ms(task.createdAt) >= weekAgo.getTime()).length;
  return {
    asOf: now.toUTC().toISO() as string,
    timezone: now.zoneName ?? "UTC",
    open: open.tasks.length,
    inProgress: open.tasks.filter((task) => task.status === "in_progress").length,
    overdue: open.tasks.filter((task) => ms(task.due) < nowMs).length,
    dueToday: open.tasks.filter((task) => ms(task.due) >= nowMs && ms(task.due) <= endOfDay).length,
    dueNext7Days: open.tasks.filter((task) => ms(task.due) >= nowMs && ms(task.due) <= inWeek).length,
    unestimatedOpen: open.tasks.filter((task) => task.estimateMinutes === null).length,
    openEstimatedMinutes: open.tasks.reduce((sum, task) => sum + (task.estimateMinutes ?? 0), 0),
    openByPriority: countBy(open.tasks, (task) => `p${task.priority}`),
    openBySource: countBy(open.tasks, (task) => task.source),
    completedThisWeek: done.completedThisWeek,
    completedLast7Days: done.completedSince,
    createdLast7Days: createdRecently + done.createdSince,
    onTimeRateLast7Days:
      done.dueCompletedSince === 0
        ? null
        : Math.round((done.onTimeSince / done.dueCompletedSince) * 100) / 100,
    complete: open.complete && doneComplete,
  };
}

/**
 * The person's insights from their tasks in the database (source-deleted tasks left out), read in one
 * snapshot so the open and done counts agree with each other. The read is bounded (README, get_insights):
 * every open task (up to MAX_TASKS), the finished tasks counted in SQL, the models' history of the last
 * HISTORY_DAYS days with the HISTORY_DONE_TASKS most recent finished tasks, and the person's stored effort
 * calibration, brought up to date first.
 */
export async function insightsFor(
  db: Db,
  workspaceId: string,
  person: Person,
  at: Date,
): Promise<InsightsWithBehavior> {
  await db.scoped(workspaceId, (tx) =>
    learnCompletions(tx, workspaceId, person.id, at, { whenChanged: true }),
  );
  const mine = { personId: person.id, includeSourceDeleted: false };
  const { weekStart, weekAgo } = weekOf(at, person.timezone);
  const { open, doneCounts, history, calibration } = await db.scoped(
    workspaceId,
    async (tx) => {
      const open = await readAll(tx, { ...mine, status: ["todo", "in_progress"] }, "due");
      const doneCounts = await doneTaskCounts(tx, person.id, weekStart, weekAgo);
      const recent = await listTasksPage(
        tx,
        { ...mine, status: ["done"] },
        { order: "created", limit: HISTORY_DONE_TASKS },
      );
      const history = await storedHistory(tx, workspaceId, person.id, [...open.tasks, ...recent.tasks], at);
      const calibration = await currentCalibration(tx, person.id, at);
      return { open, doneCounts, history, calibration };
    },
    { snapshot: true },
  );
  const { now: _now, ...behavior } = insightsFromHistory(history, { calibration });
  return InsightsWithBehavior.parse({
    ...summarizeCounts(open, doneCounts, true, at, person.timezone),
    ...behavior,
  });
}
