/**
 * What the resources and prompts show, gathered through the same actions the tools call, as the person
 * (their scope, their workspace). Planning actions are optional: when `get_schedule` is absent or fails,
 * today's plan is derived from the task list instead. The numbers come from the engine (`get_insights`).
 */
import { DateTime } from "luxon";
import type { Actor } from "../engine/actions/define.ts";
import { InsightsWithBehavior } from "../engine/behavior/insights.ts";
import type { Task } from "../engine/domain.ts";
import type { Engine } from "../engine/engine.ts";
import { asCairnError, ErrorCode } from "../engine/errors.ts";

const PAGE = 200;
/** At most this many pages of done tasks are read for the weekly review. */
const MAX_PAGES = 25;

interface TaskPage {
  tasks: Task[];
  nextCursor: string | null;
}

export interface Gatherer {
  call(name: string, input: unknown): Promise<unknown>;
  has(name: string): boolean;
  now(): DateTime;
}

export function gatherer(engine: Engine, actor: Actor): Gatherer {
  return {
    call: (name, input) => engine.registry.invoke(engine.context(actor, "mcp"), name, input),
    has: (name) => engine.registry.get(name) !== undefined,
    now: () => DateTime.fromJSDate(engine.services.now()).setZone(actor.person.timezone || "UTC"),
  };
}

async function listAll(
  g: Gatherer,
  filter: Record<string, unknown>,
): Promise<{ tasks: Task[]; complete: boolean }> {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    // Boundary: list_tasks' output schema is {tasks, nextCursor}.
    const result = (await g.call("list_tasks", {
      ...filter,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    })) as TaskPage;
    tasks.push(...result.tasks);
    if (!result.nextCursor) return { tasks, complete: true };
    cursor = result.nextCursor;
  }
  return { tasks, complete: false };
}

export async function recentTasks(g: Gatherer, limit = 50): Promise<Task[]> {
  const page = (await g.call("list_tasks", { mine: true, order: "created", limit })) as TaskPage;
  return page.tasks;
}

const isoOf = (time: DateTime): string => time.toUTC().toISO() as string;

/** Open tasks that matter today: in progress, overdue, due today, then the next few by due date. */
async function todaysTasks(g: Gatherer) {
  const now = g.now();
  const endOfDay = now.endOf("day");
  const open = (await g.call("list_tasks", {
    mine: true,
    status: ["todo", "in_progress"],
    order: "due",
    limit: 100,
  })) as TaskPage;
  const due = (task: Task) => (task.due ? DateTime.fromISO(task.due) : undefined);
  return {
    inProgress: open.tasks.filter((task) => task.status === "in_progress"),
    overdue: open.tasks.filter(
      (task) => (due(task)?.toMillis() ?? Number.POSITIVE_INFINITY) < now.toMillis(),
    ),
    dueToday: open.tasks.filter((task) => {
      const at = due(task)?.toMillis();
      return at !== undefined && at >= now.toMillis() && at <= endOfDay.toMillis();
    }),
    next: open.tasks
      .filter((task) => task.status === "todo" && (!task.due || due(task)!.toMillis() > endOfDay.toMillis()))
      .slice(0, 10),
  };
}

export interface TodayPlan {
  date: string;
  timezone: string;
  /** `get_schedule` when the planning actions are installed and answered; `tasks` when derived from the list. */
  source: "get_schedule" | "tasks";
  schedule?: unknown;
  scheduleError?: string;
  tasks: Awaited<ReturnType<typeof todaysTasks>>;
}

/**
 * Today's blocks from the planner. The input names today in the common shapes (`from`/`to` range, `date`);
 * zod objects drop keys they do not declare, and `{}` (the action's own default) is the fallback.
 */
async function schedule(g: Gatherer, now: DateTime): Promise<{ schedule?: unknown; error?: string }> {
  if (!g.has("get_schedule")) return {};
  const today = { from: isoOf(now.startOf("day")), to: isoOf(now.endOf("day")), date: now.toISODate() };
  let lastError = "";
  for (const input of [today, {}]) {
    try {
      return { schedule: await g.call("get_schedule", input) };
    } catch (error) {
      const coded = asCairnError(error);
      lastError = `${coded.code}: ${coded.message}`;
      if (coded.code !== ErrorCode.InvalidInput) break;
    }
  }
  return { error: lastError };
}

export async function todayPlan(g: Gatherer): Promise<TodayPlan> {
  const now = g.now();
  const date = now.toISODate() as string;
  const [planned, tasks] = await Promise.all([schedule(g, now), todaysTasks(g)]);
  return {
    date,
    timezone: now.zoneName ?? "UTC",
    source: planned.schedule !== undefined ? "get_schedule" : "tasks",
    ...(planned.schedule !== undefined ? { schedule: planned.schedule } : {}),
    ...(planned.error ? { scheduleError: planned.error } : {}),
    tasks,
  };
}

/** The person's numbers, from the engine's `get_insights` action (the data behind cairn://insights). */
export async function insights(g: Gatherer): Promise<InsightsWithBehavior> {
  return InsightsWithBehavior.parse(await g.call("get_insights", {}));
}

/** Tasks completed since the start of this week (for the weekly review), most recent first. */
export async function completedThisWeek(g: Gatherer): Promise<Task[]> {
  const weekStart = g.now().startOf("week").toMillis();
  const done = await listAll(g, { mine: true, status: "done", order: "created" });
  return done.tasks
    .filter((task) => task.completedAt && Date.parse(task.completedAt) >= weekStart)
    .sort((a, b) => Date.parse(b.completedAt ?? "") - Date.parse(a.completedAt ?? ""));
}

/** Open tasks due before the end of next week (for the weekly review). */
export async function dueSoon(g: Gatherer): Promise<Task[]> {
  const horizon = g.now().plus({ weeks: 1 }).endOf("week");
  const page = (await g.call("list_tasks", {
    mine: true,
    status: ["todo", "in_progress"],
    dueBefore: isoOf(horizon),
    order: "due",
    limit: 100,
  })) as TaskPage;
  return page.tasks;
}
