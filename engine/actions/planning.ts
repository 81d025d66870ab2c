import { DateTime } from "luxon";
import { z } from "zod";
import { appendEvent } from "../db/repositories/event-log.ts";
import {
  getBlock,
  insertBlock,
  latestPlanVersion,
  listBlocks,
  listBusyEvents,
  listPlanHistory,
  listScheduleEvents,
  type StoredBlock,
  setBlockStatus,
  upsertPin,
} from "../db/repositories/plans.ts";
import { getTaskById, listOpenTaskSummaries } from "../db/repositories/tasks.ts";
import { Iso, IsoDateInput, IsoInput, Weekday } from "../domain.ts";
import { conflict, invalidInput, notFound } from "../errors.ts";
import { AtRiskTask } from "../scheduling/input/behavior-signals.ts";
import { readBehaviorSignals } from "../scheduling/input/gather-input.ts";
import { localDayHorizon, localDaysHorizon, localWeekHorizon } from "../scheduling/input/horizon.ts";
import { PlanInputError, PlanMetrics, type TimeRange } from "../scheduling/input/plan-input.ts";
import {
  loadPlanningProfile,
  PeakWindow,
  type PlanningProfile,
  PlanningProfile as PlanningProfileSchema,
  savePlanningProfile,
  WorkingIntervalInput,
} from "../scheduling/input/profile.ts";
import { labelWindow, parseWindow } from "../scheduling/input/window-phrase.ts";
import { recordBlockReactions } from "../scheduling/learning/feedback.ts";
import { afterPlanStored, planAndStore, type StoredPlan } from "../scheduling/service/planning-service.ts";
import { enqueueReplan, REPLAN_DAYS } from "../scheduling/service/replan.ts";
import { type ActionContext, defineAction } from "./define.ts";

const DAY_MS = 24 * 3_600_000;

export const ScheduledBlock = z.object({
  id: z.uuid(),
  taskId: z.uuid().nullable(),
  taskTitle: z.string().nullable(),
  kind: z
    .enum(["task", "focus", "habit"])
    .describe("task: work on a task; focus: unassigned focus time; habit: a routine such as lunch"),
  habitId: z.uuid().nullable().describe('The habit a kind "habit" block belongs to'),
  habitTitle: z.string().nullable(),
  status: z.enum(["planned", "accepted", "superseded", "deleted", "done"]),
  start: Iso,
  end: Iso,
  /** Local wall-clock label, e.g. "Thu 5 Mar 09:00–10:30". */
  when: z.string(),
  minutes: z.number().int(),
  planVersion: z.number().int(),
  reason: z.string().describe("Why the block sits where it does, in a sentence"),
});
export type ScheduledBlock = z.infer<typeof ScheduledBlock>;

const Unscheduled = z.object({
  taskId: z.string(),
  taskTitle: z.string(),
  remainingMinutes: z.number().int(),
  reason: z.string(),
});

const UnscheduledHabit = z.object({
  habitId: z.string(),
  habitTitle: z.string(),
  date: z.string().describe("Local date of the occurrence that could not be kept"),
  remainingMinutes: z.number().int(),
  reason: z.string(),
});

/** The plan's quality figures, without the preferences and search details the planner also records. */
const Metrics = PlanMetrics.omit({ preferences: true, search: true });

export const PlanResult = z.object({
  planVersion: z.number().int(),
  timezone: z.string(),
  horizon: z.object({ start: Iso, end: Iso }),
  blocks: z.array(ScheduledBlock),
  unscheduled: z.array(Unscheduled),
  unscheduledHabits: z
    .array(UnscheduledHabit)
    .describe("Habit occurrences that could not be placed, and why"),
  metrics: Metrics,
  unchangedBlocks: z.number().int().describe("Blocks carried over unchanged from the previous plan"),
  atRisk: z
    .array(AtRiskTask)
    .describe("Open tasks with less than a 50 % chance of being done by their due time (behaviour models)"),
  summary: z.string(),
});

function toScheduled(block: StoredBlock, zone: string): ScheduledBlock {
  const start = Date.parse(block.start);
  const end = Date.parse(block.end);
  return {
    id: block.id,
    taskId: block.taskId,
    taskTitle: block.taskTitle,
    kind: block.kind,
    habitId: block.habitId,
    habitTitle: block.habitTitle,
    status: block.status,
    start: block.start,
    end: block.end,
    when: labelWindow(zone, start, end),
    minutes: Math.round((end - start) / 60_000),
    planVersion: block.planVersion,
    reason:
      block.explanation.reason ||
      (block.kind === "focus" && block.status === "accepted"
        ? "Focus time you started."
        : "Planned by Cairn."),
  };
}

function planResult(plan: StoredPlan, label: string): z.input<typeof PlanResult> {
  const blocks = plan.blocks.map((b) => toScheduled(b, plan.timezone));
  const focusBlocks = blocks.filter((b) => b.kind !== "habit");
  const habitCount = blocks.length - focusBlocks.length;
  const hours = Math.round((focusBlocks.reduce((sum, b) => sum + b.minutes, 0) / 60) * 10) / 10;
  const left = plan.unscheduled.length;
  const missedHabits = plan.unscheduledHabits.length;
  const summary =
    blocks.length === 0 && left === 0 && missedHabits === 0
      ? `Nothing to plan for ${label}: no open tasks with time left.`
      : `${focusBlocks.length} focus block${focusBlocks.length === 1 ? "" : "s"} (${hours} h)` +
        (habitCount > 0 ? ` and ${habitCount} habit block${habitCount === 1 ? "" : "s"}` : "") +
        ` for ${label}` +
        (left > 0 ? `; ${left} task${left === 1 ? "" : "s"} did not fit.` : ".") +
        (missedHabits > 0
          ? ` ${missedHabits} habit occurrence${missedHabits === 1 ? "" : "s"} could not be kept.`
          : "") +
        (plan.metrics.lateTasks > 0 ? ` ${plan.metrics.lateTasks} will finish after their deadline.` : "") +
        (plan.atRisk.length > 0
          ? ` ${plan.atRisk.length} deadline${plan.atRisk.length === 1 ? " is" : "s are"} at risk.`
          : "");
  return {
    planVersion: plan.version,
    timezone: plan.timezone,
    horizon: plan.horizon,
    blocks,
    unscheduled: plan.unscheduled,
    unscheduledHabits: plan.unscheduledHabits,
    metrics: plan.metrics,
    unchangedBlocks: plan.unchangedBlocks,
    atRisk: plan.atRisk,
    summary,
  };
}

async function profileOf(ctx: ActionContext): Promise<PlanningProfile> {
  return ctx.services.db.scoped(ctx.workspace.id, (tx) => loadPlanningProfile(tx, ctx.person.id));
}

function todayIn(ctx: ActionContext, zone: string): string {
  return DateTime.fromJSDate(ctx.services.now(), { zone }).toISODate() as string;
}

function horizonOrError(fn: () => TimeRange): TimeRange {
  try {
    return fn();
  } catch (error) {
    if (error instanceof PlanInputError)
      throw invalidInput(error.message, [{ path: "date", message: error.message }]);
    throw error;
  }
}

export const planDay = defineAction({
  name: "plan_day",
  title: "Plan a day",
  description:
    "Plans focus blocks for one local day (today by default) around the person's meetings, working hours and deadlines, stores them as a new plan version, and returns each block with the reason it sits there plus any work that did not fit.",
  input: z.object({
    date: IsoDateInput.optional().describe("Local date YYYY-MM-DD in the person's time zone; default today"),
  }),
  output: PlanResult,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["plan my day", "plan tomorrow"],
  async run(ctx, input) {
    const profile = await profileOf(ctx);
    const date = input.date ?? todayIn(ctx, profile.timezone);
    const horizon = horizonOrError(() => localDayHorizon(profile.timezone, date));
    const plan = await planAndStore(ctx.services, {
      workspaceId: ctx.workspace.id,
      personId: ctx.person.id,
      horizon,
      trigger: "plan_day",
    });
    return planResult(plan, DateTime.fromISO(date).setLocale("en-GB").toFormat("cccc d LLLL"));
  },
});

export const planWeek = defineAction({
  name: "plan_week",
  title: "Plan a week",
  description:
    "Plans focus blocks for the coming 7 days (today and the 6 days after it) or, given a date, for the local week containing it (weeks start on the person's weekStartsOn, Monday unless set); stores them as a new plan version and returns the blocks with reasons and what did not fit.",
  input: z.object({
    date: IsoDateInput.optional().describe(
      "Any local date in the week to plan; default: the coming 7 days starting today",
    ),
    weekStartsOn: Weekday.optional().describe("Override the first day of the week"),
  }),
  output: PlanResult,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["plan my week", "plan next week"],
  async run(ctx, input) {
    const profile = await profileOf(ctx);
    const date = input.date;
    const horizon = horizonOrError(() =>
      date === undefined
        ? localDaysHorizon(profile.timezone, todayIn(ctx, profile.timezone), 7)
        : localWeekHorizon(profile.timezone, date, input.weekStartsOn ?? profile.weekStartsOn),
    );
    const plan = await planAndStore(ctx.services, {
      workspaceId: ctx.workspace.id,
      personId: ctx.person.id,
      horizon,
      trigger: "plan_week",
    });
    const start = DateTime.fromISO(horizon.start, { zone: profile.timezone }).setLocale("en-GB");
    return planResult(
      plan,
      date === undefined
        ? `the 7 days from ${start.toFormat("cccc d LLLL")}`
        : `the week of ${start.toFormat("d LLLL")}`,
    );
  },
});

const HistoryEntry = z.object({
  version: z.number().int(),
  trigger: z.string(),
  createdAt: Iso,
  horizon: z.object({ start: Iso, end: Iso }),
  blockCount: z.number().int(),
  unscheduledCount: z.number().int(),
  metrics: z.record(z.string(), z.unknown()),
});

const ScheduleEvent = z.object({
  id: z.string(),
  title: z.string(),
  start: Iso,
  end: Iso,
  allDay: z.boolean(),
  source: z.string().describe("The kind of the connector the event came from"),
  busy: z.boolean().describe("false for events marked free (they do not block planning)"),
});

const FocusGoalProgress = z.object({
  weekStart: Iso.describe("Start of the local week measured (the week containing `from`)"),
  targetMinutes: z.number().int(),
  plannedMinutes: z.number().int().describe("Task and focus blocks in the week: planned, accepted or done"),
  completedMinutes: z.number().int().describe("Of those: done, or accepted and already over"),
  remainingMinutes: z.number().int().describe("Target minus planned, never below 0"),
});

/** Progress toward the weekly focus goal in the local week containing `from`; null without a goal. */
async function focusGoalProgress(
  tx: Parameters<typeof listBlocks>[0],
  personId: string,
  profile: PlanningProfile,
  from: string,
  now: Date,
): Promise<z.input<typeof FocusGoalProgress> | null> {
  const target = profile.focusGoalMinutesPerWeek;
  if (target === null) return null;
  const date = DateTime.fromISO(from, { zone: profile.timezone }).toISODate() as string;
  const week = localWeekHorizon(profile.timezone, date, profile.weekStartsOn);
  const blocks = await listBlocks(tx, personId, {
    from: week.start,
    to: week.end,
    statuses: ["planned", "accepted", "done"],
  });
  let planned = 0;
  let completed = 0;
  for (const block of blocks) {
    if (block.kind === "habit") continue;
    const start = Math.max(Date.parse(block.start), Date.parse(week.start));
    const end = Math.min(Date.parse(block.end), Date.parse(week.end));
    const minutes = Math.max(0, Math.round((end - start) / 60_000));
    planned += minutes;
    if (block.status === "done" || (block.status === "accepted" && Date.parse(block.end) <= now.getTime())) {
      completed += minutes;
    }
  }
  return {
    weekStart: week.start,
    targetMinutes: target,
    plannedMinutes: planned,
    completedMinutes: completed,
    remainingMinutes: Math.max(0, target - planned),
  };
}

export const getSchedule = defineAction({
  name: "get_schedule",
  title: "Get my schedule",
  description:
    "Lists the person's day in a time range (default: today and the next 6 days): Cairn's blocks (task focus blocks, unassigned focus time and habit blocks such as lunch) with titles, the reason for each and the plan version that placed it, beside the person's calendar events (declined and cancelled ones left out), plus progress toward the weekly focus goal when one is set. Ask for history to see earlier plan versions, or a version to see exactly what that version planned.",
  input: z.object({
    from: IsoInput.optional(),
    to: IsoInput.optional(),
    includeHistory: z.boolean().default(false).describe("Also list previous plan versions"),
    version: z.number().int().min(1).optional().describe("Show the blocks of this plan version (any status)"),
  }),
  output: z.object({
    timezone: z.string(),
    from: Iso,
    to: Iso,
    currentVersion: z.number().int(),
    blocks: z.array(ScheduledBlock),
    events: z.array(ScheduleEvent).describe("Calendar events in the range, beside the blocks"),
    focusGoal: FocusGoalProgress.nullable().describe("Weekly focus goal progress; null when no goal is set"),
    atRisk: z
      .array(AtRiskTask)
      .describe("Open tasks with less than a 50 % chance of being done by their due time (behaviour models)"),
    history: z.array(HistoryEntry).optional(),
  }),
  annotations: { readOnlyHint: true },
  examples: ["what's my schedule", "show my focus blocks this week"],
  async run(ctx, input) {
    return ctx.services.db.scoped(
      ctx.workspace.id,
      async (tx) => {
        const profile = await loadPlanningProfile(tx, ctx.person.id);
        const today = DateTime.fromJSDate(ctx.services.now(), { zone: profile.timezone }).startOf("day");
        const from = input.from ?? (today.toUTC().toISO() as string);
        const to = input.to ?? (DateTime.fromISO(from).plus({ days: 7 }).toUTC().toISO() as string);
        if (Date.parse(to) <= Date.parse(from)) {
          throw invalidInput("to must be after from", [{ path: "to", message: "must be after from" }]);
        }
        const blocks = await listBlocks(
          tx,
          ctx.person.id,
          input.version !== undefined
            ? { version: input.version }
            : { from, to, statuses: ["planned", "accepted", "done"] },
        );
        const currentVersion = await latestPlanVersion(tx, ctx.person.id);
        const fromIso = new Date(from).toISOString();
        const toIso = new Date(to).toISOString();
        return {
          timezone: profile.timezone,
          from: fromIso,
          to: toIso,
          currentVersion,
          blocks: blocks.map((b) => toScheduled(b, profile.timezone)),
          events: await listScheduleEvents(tx, ctx.person.id, fromIso, toIso),
          focusGoal: await focusGoalProgress(tx, ctx.person.id, profile, fromIso, ctx.services.now()),
          atRisk: (await readBehaviorSignals(tx, ctx.workspace.id, ctx.person.id, ctx.services.now())).atRisk,
          ...(input.includeHistory && { history: await listPlanHistory(tx, ctx.person.id) }),
        };
      },
      { snapshot: true },
    );
  },
});

const Suggestion = z.object({
  taskId: z.uuid(),
  title: z.string(),
  priority: z.number().int(),
  due: Iso.nullable(),
  estimateMinutes: z.number().int().nullable(),
});

export const nextTask = defineAction({
  name: "next_task",
  title: "What should I do now?",
  description:
    "Says what to work on right now and why: the focus block in progress, else the best open task (by priority, deadline and whether now is a good time for its energy level), plus the next block coming up.",
  input: z.object({}),
  output: z.object({
    now: Iso,
    current: ScheduledBlock.nullable(),
    next: ScheduledBlock.nullable(),
    suggestion: Suggestion.nullable(),
    reason: z.string(),
  }),
  annotations: { readOnlyHint: true },
  examples: ["what should I do now", "what's next"],
  async run(ctx) {
    const now = ctx.services.now();
    return ctx.services.db.scoped(
      ctx.workspace.id,
      async (tx) => {
        const profile = await loadPlanningProfile(tx, ctx.person.id);
        const zone = profile.timezone;
        const blocks = await listBlocks(tx, ctx.person.id, {
          from: now.toISOString(),
          to: new Date(now.getTime() + 7 * DAY_MS).toISOString(),
          statuses: ["planned", "accepted"],
        });
        const current = blocks.find((b) => Date.parse(b.start) <= now.getTime()) ?? null;
        const next = blocks.find((b) => Date.parse(b.start) > now.getTime()) ?? null;
        const openTasks = await listOpenTaskSummaries(tx, ctx.person.id);
        const local = DateTime.fromJSDate(now, { zone });
        const hour = local.hour + local.minute / 60;
        const peak = profile.peakHours.some(([a, b]) => hour >= a && hour < b);
        const scored = openTasks.map((t) => {
          const due = t.due;
          const hoursLeft = due ? (due.getTime() - now.getTime()) / 3_600_000 : null;
          const urgency = hoursLeft === null ? 0 : hoursLeft <= 0 ? 3 : 3 / (1 + hoursLeft / 24);
          const energyFit =
            t.energy === "high" ? (peak ? 0.5 : -0.5) : t.energy === "low" ? (peak ? -0.3 : 0.3) : 0;
          return { t, due, hoursLeft, score: 5 - t.priority + urgency + energyFit, energyFit };
        });
        scored.sort((a, b) => b.score - a.score);
        const best = scored[0];
        const currentOut = current ? toScheduled(current, zone) : null;
        const nextOut = next ? toScheduled(next, zone) : null;
        let reason: string;
        let suggestion: z.input<typeof Suggestion> | null = null;
        if (current) {
          const until = DateTime.fromISO(current.end, { zone }).toFormat("HH:mm");
          reason =
            current.kind === "habit"
              ? `You're on “${current.habitTitle ?? "a habit"}” until ${until}. ${current.explanation.reason}`
              : `You're in a focus block${current.taskTitle ? ` for “${current.taskTitle}”` : ""} until ${until}. ${current.explanation.reason}`;
          if (current.taskId) {
            const t = openTasks.find((task) => task.id === current.taskId);
            if (t)
              suggestion = {
                taskId: t.id,
                title: t.title,
                priority: t.priority,
                due: t.due === null ? null : t.due.toISOString(),
                estimateMinutes: t.estimateMinutes,
              };
          }
        } else if (best) {
          const parts = [`priority ${best.t.priority}`];
          if (best.hoursLeft !== null) {
            parts.push(
              best.hoursLeft <= 0
                ? "it is overdue"
                : `due ${DateTime.fromJSDate(best.due as Date, { zone })
                    .setLocale("en-GB")
                    .toFormat("ccc d LLL HH:mm")}`,
            );
          }
          if (best.energyFit > 0)
            parts.push(
              peak ? "now is your peak time, good for demanding work" : "light work suits this time of day",
            );
          reason = `No focus block right now; the best open task is “${best.t.title}” (${parts.join(", ")}).`;
          if (next) reason += ` Your next block starts ${nextOut?.when ?? ""}.`;
          suggestion = {
            taskId: best.t.id,
            title: best.t.title,
            priority: best.t.priority,
            due: best.due ? best.due.toISOString() : null,
            estimateMinutes: best.t.estimateMinutes,
          };
        } else {
          reason = "Nothing open on your list. Add a task with create_task, or enjoy the free time.";
        }
        return { now: now.toISOString(), current: currentOut, next: nextOut, suggestion, reason };
      },
      { snapshot: true },
    );
  },
});

export const startFocus = defineAction({
  name: "start_focus",
  title: "Start focus time",
  description:
    "Starts a focus block from now for N minutes, on a task or as generic focus. It ends before the next meeting if one comes first (and refuses if you are in a meeting now). Planned blocks it overlaps are replanned.",
  input: z.object({
    minutes: z.number().int().min(5).max(240).default(50),
    taskId: z.uuid().optional().describe("The task to focus on; omit for generic focus"),
  }),
  output: z.object({ block: ScheduledBlock, shortened: z.boolean(), message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["start focus for 45 minutes", "focus on the Q3 report"],
  async run(ctx, input) {
    const now = ctx.services.now();
    const result = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const profile = await loadPlanningProfile(tx, ctx.person.id);
      let title: string | null = null;
      if (input.taskId) {
        const task = await getTaskById(tx, input.taskId);
        if (!task) throw notFound(`No task ${input.taskId} in this workspace.`);
        title = task.title;
      }
      const wanted = now.getTime() + input.minutes * 60_000;
      const busy = await listBusyEvents(tx, ctx.person.id, now.toISOString(), new Date(wanted).toISOString());
      const ongoing = busy.find((e) => Date.parse(e.start) <= now.getTime());
      if (ongoing) {
        const until = DateTime.fromISO(ongoing.end, { zone: profile.timezone }).toFormat("HH:mm");
        throw conflict(
          `You're in “${ongoing.title || "a busy event"}” until ${until}; start focus after it.`,
        );
      }
      const nextEvent = busy[0];
      const end = nextEvent ? Math.min(wanted, Date.parse(nextEvent.start)) : wanted;
      const minutes = Math.floor((end - now.getTime()) / 60_000);
      if (minutes < 5) {
        throw conflict(
          `“${nextEvent?.title || "A busy event"}” starts in ${minutes} minutes; too short for focus.`,
        );
      }
      const overlapping = (
        await listBlocks(tx, ctx.person.id, {
          from: now.toISOString(),
          to: new Date(end).toISOString(),
          statuses: ["planned"],
        })
      ).map((b) => b.id);
      await setBlockStatus(tx, overlapping, "superseded");
      const endIso = new Date(now.getTime() + minutes * 60_000).toISOString();
      const shortened = minutes < input.minutes;
      const reason = shortened
        ? `Focus you started; it ends at ${DateTime.fromISO(endIso, { zone: profile.timezone }).toFormat("HH:mm")}, before “${nextEvent?.title || "your next event"}”.`
        : `Focus you started for ${minutes} minutes.`;
      const version = await latestPlanVersion(tx, ctx.person.id);
      const id = await insertBlock(tx, ctx.workspace.id, ctx.person.id, version, {
        taskId: input.taskId ?? null,
        start: now.toISOString(),
        end: endIso,
        kind: "focus",
        status: "accepted",
        explanation: { reason },
      });
      await appendEvent(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        taskId: input.taskId ?? null,
        blockId: id,
        type: "focus_started",
        payload: { via: ctx.via, minutes, requestedMinutes: input.minutes },
        occurredAt: now,
      });
      const block = (await getBlock(tx, id)) as StoredBlock;
      return {
        block: toScheduled(block, profile.timezone),
        shortened,
        message: `Focus${title ? ` on “${title}”` : ""} until ${DateTime.fromISO(endIso, { zone: profile.timezone }).toFormat("HH:mm")}.${shortened ? ` Shortened from ${input.minutes} minutes for “${nextEvent?.title || "your next event"}”.` : ""}`,
        replan: overlapping.length > 0,
        version,
      };
    });
    if (result.replan) {
      await enqueueReplan(ctx.services, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        reason: "focus started",
      });
    }
    await afterPlanStored(ctx.services, ctx.workspace.id, ctx.person.id, result.version);
    return { block: result.block, shortened: result.shortened, message: result.message };
  },
});

export const rescheduleTask = defineAction({
  name: "reschedule_task",
  title: "Reschedule a task",
  description:
    'Moves a task\'s focus time to a window given in words ("tomorrow afternoon", "next Monday 9-11", "friday 14:00-15:30") or by explicit start and end, then replans. Returns the window, the task\'s new blocks and a warning when it could not all fit inside the window.',
  input: z.object({
    taskId: z.uuid(),
    when: z.string().trim().min(1).max(200).optional().describe("A time window in words"),
    start: IsoInput.optional(),
    end: IsoInput.optional(),
  }),
  output: z.object({
    taskId: z.uuid(),
    taskTitle: z.string(),
    window: z.object({ start: Iso, end: Iso, label: z.string() }),
    planVersion: z.number().int(),
    blocks: z.array(ScheduledBlock),
    message: z.string(),
    warnings: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["move the Q3 report to tomorrow afternoon", "reschedule budget review to next Monday 9-11"],
  async run(ctx, input) {
    const now = ctx.services.now();
    if (!input.when && !(input.start && input.end)) {
      throw invalidInput("Say when: give `when` in words, or both `start` and `end`", [
        { path: "when", message: "required unless start and end are given" },
      ]);
    }
    const prepared = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const task = await getTaskById(tx, input.taskId);
      if (!task) throw notFound(`No task ${input.taskId} in this workspace. Find ids with list_tasks.`);
      if (task.status === "done" || task.status === "cancelled") {
        throw conflict(`“${task.title}” is ${task.status}; there is nothing to schedule.`);
      }
      if (task.personId !== ctx.person.id) {
        throw conflict(`“${task.title}” is not assigned to you; only its assignee's plan can move it.`);
      }
      const profile = await loadPlanningProfile(tx, ctx.person.id);
      const minutes = task.estimateMinutes ?? 60;
      let window: { start: string; end: string; label: string };
      if (input.start && input.end) {
        const s = Date.parse(input.start);
        const e = Date.parse(input.end);
        if (e <= s)
          throw invalidInput("end must be after start", [{ path: "end", message: "must be after start" }]);
        if (e <= now.getTime())
          throw invalidInput("That window is over", [{ path: "end", message: "is in the past" }]);
        const from = Math.max(s, now.getTime());
        window = {
          start: new Date(from).toISOString(),
          end: new Date(e).toISOString(),
          label: labelWindow(profile.timezone, from, e),
        };
      } else {
        window = parseWindow(input.when as string, now, profile, minutes);
      }
      await upsertPin(tx, ctx.workspace.id, ctx.person.id, {
        taskId: task.id,
        windowStart: window.start,
        windowEnd: window.end,
        phrase: input.when ?? null,
      });
      const moved = await listBlocks(tx, ctx.person.id, {
        from: now.toISOString(),
        taskId: task.id,
        statuses: ["planned", "accepted"],
      });
      for (const block of moved) {
        await appendEvent(tx, {
          workspaceId: ctx.workspace.id,
          personId: ctx.person.id,
          taskId: task.id,
          blockId: block.id,
          type: "block_moved",
          payload: {
            via: ctx.via,
            from: { start: block.start, end: block.end },
            to: window,
            phrase: input.when ?? null,
          },
          occurredAt: now,
        });
      }
      if (moved.length === 0) {
        await appendEvent(tx, {
          workspaceId: ctx.workspace.id,
          personId: ctx.person.id,
          taskId: task.id,
          type: "block_moved",
          payload: { via: ctx.via, from: null, to: window, phrase: input.when ?? null },
          occurredAt: now,
        });
      }
      // The person said where they want this work: the old slots were wrong, the new window is right.
      const windowMinutes = Math.min(minutes, (Date.parse(window.end) - Date.parse(window.start)) / 60_000);
      await recordBlockReactions(
        tx,
        ctx.workspace.id,
        ctx.person.id,
        moved.map((block, i) => ({
          block,
          outcome: "moved" as const,
          ...(i === 0 && {
            movedTo: {
              start: window.start,
              end: new Date(Date.parse(window.start) + windowMinutes * 60_000).toISOString(),
            },
          }),
        })),
      );
      // Accepted blocks of this task give way to the new window.
      await setBlockStatus(
        tx,
        moved.filter((b) => b.status === "accepted").map((b) => b.id),
        "superseded",
      );
      return { task, window, profile };
    });
    const horizonEnd = Math.max(
      now.getTime() + REPLAN_DAYS * DAY_MS,
      Date.parse(prepared.window.end) + DAY_MS,
    );
    const plan = await planAndStore(ctx.services, {
      workspaceId: ctx.workspace.id,
      personId: ctx.person.id,
      horizon: { start: now.toISOString(), end: new Date(horizonEnd).toISOString() },
      trigger: "reschedule_task",
    });
    const blocks = plan.blocks
      .filter((b) => b.taskId === prepared.task.id)
      .map((b) => toScheduled(b, plan.timezone));
    const windowStart = Date.parse(prepared.window.start);
    const windowEnd = Date.parse(prepared.window.end);
    const inside = blocks.filter((b) => Date.parse(b.start) >= windowStart && Date.parse(b.end) <= windowEnd);
    const warnings: string[] = [];
    if (blocks.length === 0) {
      warnings.push(
        `No time for “${prepared.task.title}” could be found from ${prepared.window.label} on (meetings, working hours or your daily cap).`,
      );
    } else if (inside.length < blocks.length) {
      warnings.push(
        `Not all of “${prepared.task.title}” fits inside ${prepared.window.label} (meetings, working hours or your daily cap); the rest goes at the earliest time after.`,
      );
    }
    return {
      taskId: prepared.task.id,
      taskTitle: prepared.task.title,
      window: prepared.window,
      planVersion: plan.version,
      blocks,
      message:
        blocks.length > 0
          ? `Moved “${prepared.task.title}” to ${blocks.map((b) => b.when).join(", ")}.`
          : `Pinned “${prepared.task.title}” to ${prepared.window.label}, but nothing fits there yet.`,
      warnings,
    };
  },
});

export const setPreferences = defineAction({
  name: "set_preferences",
  title: "Set planning preferences",
  description:
    "Changes how Cairn plans your time: time zone (IANA name), working hours per weekday (local HH:MM intervals; an empty list means no work that day), shortest and longest focus block, buffer around meetings, daily focus cap, no-meeting days, peak hours, the first day of the week, a weekly focus-time goal, and whether tasks are planned at calibrated estimates. Fields you leave out stay as they are. Returns the effective preferences, with defaults marked.",
  input: z.object({
    timezone: z.string().min(1).max(100).optional().describe("IANA zone, e.g. Europe/Berlin"),
    workingHours: z
      .partialRecord(Weekday, z.array(WorkingIntervalInput).max(6).nullable())
      .optional()
      .describe(
        'Per weekday, e.g. {"mon":[{"start":"09:00","end":"12:30"},{"start":"13:30","end":"17:30"}],"sat":[]}',
      ),
    minBlockMinutes: z.number().int().min(5).max(480).optional(),
    maxBlockMinutes: z.number().int().min(5).max(720).optional(),
    bufferMinutes: z.number().int().min(0).max(120).optional(),
    maxFocusMinutesPerDay: z.number().int().min(15).max(1440).optional(),
    noMeetingDays: z.array(Weekday).max(7).optional(),
    peakHours: z
      .array(PeakWindow)
      .max(6)
      .optional()
      .describe("Local [startHour, endHour) windows, e.g. [[9,12]]"),
    weekStartsOn: Weekday.optional(),
    focusGoalMinutesPerWeek: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .nullable()
      .optional()
      .describe(
        "Weekly focus target in minutes (e.g. 900 for 15 h); Cairn reserves unassigned focus time toward it when tasks do not fill it. null removes the goal",
      ),
    useCalibratedEstimates: z
      .boolean()
      .optional()
      .describe(
        "true (default): once your own history is long enough, plan tasks at how long they really take you (see estimate_task); false: plan at your raw estimates",
      ),
  }),
  output: z.object({ preferences: PlanningProfileSchema, message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  examples: ["I work 8 to 4", "no meetings on wednesdays", "set my time zone to Europe/Berlin"],
  async run(ctx, input) {
    const { timezone, workingHours, ...rest } = input;
    const preferences = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    const profile = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const saved = await savePlanningProfile(tx, ctx.person.id, {
        ...(timezone !== undefined && { timezone }),
        ...(workingHours !== undefined && { workingHours }),
        preferences,
      });
      return saved;
    });
    ctx.services.changes.notify({
      kind: "preferences",
      workspaceId: ctx.workspace.id,
      personId: ctx.person.id,
    });
    const changed = Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined);
    return {
      preferences: profile,
      message: changed.length
        ? `Updated ${changed.join(", ")}. Your plan will be refreshed shortly.`
        : "Nothing changed; these are your current preferences.",
    };
  },
});

export const respondToBlock = defineAction({
  name: "respond_to_block",
  title: "Respond to a focus block",
  description:
    "Tells Cairn what you did with a planned block: accept it (keep it where it is), delete it, or mark it done (on time or late). Cairn learns from these which times suit you, and replans when a block is deleted.",
  input: z.object({
    blockId: z.uuid(),
    response: z.enum(["accept", "delete", "done", "done_late"]),
  }),
  output: z.object({ block: ScheduledBlock, message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  examples: ["keep this block", "delete that block"],
  async run(ctx, input) {
    const now = ctx.services.now();
    const result = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const block = await getBlock(tx, input.blockId, ctx.person.id);
      if (!block) throw notFound(`No block ${input.blockId} in your plan. See get_schedule for ids.`);
      const profile = await loadPlanningProfile(tx, ctx.person.id);
      const map = {
        accept: { status: "accepted", event: "block_accepted", outcome: "kept" },
        delete: { status: "deleted", event: "block_deleted", outcome: "deleted" },
        done: { status: "done", event: "block_completed", outcome: "completed" },
        done_late: { status: "done", event: "block_completed", outcome: "completed_late" },
      } as const;
      const step = map[input.response];
      if (block.status === step.status) return { block, profile, changed: false };
      if (block.status === "superseded" || block.status === "deleted") {
        throw conflict(`That block is ${block.status}; see get_schedule for the current plan.`);
      }
      await setBlockStatus(tx, [block.id], step.status);
      await appendEvent(tx, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        taskId: block.taskId,
        blockId: block.id,
        type: step.event,
        payload: { via: ctx.via, start: block.start, end: block.end, late: input.response === "done_late" },
        occurredAt: now,
      });
      if (block.kind === "task") {
        await recordBlockReactions(tx, ctx.workspace.id, ctx.person.id, [{ block, outcome: step.outcome }]);
      }
      return { block: { ...block, status: step.status }, profile, changed: true };
    });
    if (result.changed && input.response === "delete") {
      await enqueueReplan(ctx.services, {
        workspaceId: ctx.workspace.id,
        personId: ctx.person.id,
        reason: "block deleted",
      });
    }
    if (result.changed)
      ctx.services.changes.notify({ kind: "plan", workspaceId: ctx.workspace.id, personId: ctx.person.id });
    const words = {
      accept: "Kept",
      delete: "Deleted",
      done: "Marked done",
      done_late: "Marked done (late)",
    } as const;
    return {
      block: toScheduled(result.block as StoredBlock, result.profile.timezone),
      message: `${words[input.response]}: ${result.block.taskTitle ?? "focus"} ${labelWindow(result.profile.timezone, Date.parse(result.block.start), Date.parse(result.block.end))}.`,
    };
  },
});

export const planningActions = [
  planDay,
  planWeek,
  getSchedule,
  nextTask,
  startFocus,
  rescheduleTask,
  setPreferences,
  respondToBlock,
];
