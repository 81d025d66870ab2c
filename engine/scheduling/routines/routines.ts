/**
 * The whole plan for one person: habits (a pre-pass), tasks (the solver), then the weekly focus goal (a
 * post-pass). This is what `cairn plan` prints and what the planning service stores.
 *
 * Habits are defended like tasks: their occurrences are placed first, so ordinary work goes around them.
 * An occurrence gives way only to an urgent deadline, defined precisely: when keeping the habits as placed
 * makes a task with a due date inside the horizon late that is not late without any habits, and that task's
 * priority is the habit's priority or higher (number ≤ the habit's), the occurrences before that deadline are
 * first shrunk to minMinutes, then dropped latest first, until no task is late because of them. A dropped
 * occurrence is reported in `unscheduled` naming the task it gave way to.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import { formatInstant } from "../explanation/plan-output.ts";
import { type PlanOptions, planSchedule } from "../index.ts";
import {
  type PlanHabit,
  type PlanInput,
  type PlanInputRaw,
  PlanMetrics,
  PlannedBlock,
  type PlanOutput,
  type PlanTask,
  parsePlanInput,
  UnscheduledWork,
} from "../input/plan-input.ts";
import { buildPlanModel } from "../input/plan-model.ts";
import { type FocusGoalResult, reserveFocusGoal } from "./focus-goal.ts";
import { type HabitOccurrence, habitLabel, type MissedHabit, placeHabits } from "./habit-placement.ts";

const Instant = z.iso.datetime({ offset: true });
const MINUTE_MS = 60_000;
/** Probes spent on making habits give way to deadlines (one shrink round, then drop rounds). */
const MAX_YIELD_ROUNDS = 4;

export const TaskBlock = PlannedBlock.extend({ kind: z.literal("task") });
export type TaskBlock = z.infer<typeof TaskBlock>;
export const HabitBlock = z.object({
  kind: z.literal("habit"),
  habitId: z.string(),
  start: Instant,
  end: Instant,
  reason: z.string(),
});
export type HabitBlock = z.infer<typeof HabitBlock>;
/** Unassigned focus time reserved toward the weekly goal (no taskId). */
export const FocusBlock = z.object({
  kind: z.literal("focus"),
  start: Instant,
  end: Instant,
  reason: z.string(),
});
export type FocusBlock = z.infer<typeof FocusBlock>;
export const ScheduleBlock = z.discriminatedUnion("kind", [TaskBlock, HabitBlock, FocusBlock]);
export type ScheduleBlock = z.infer<typeof ScheduleBlock>;

/** A habit occurrence that could not be placed: its local date, the minutes it needed, and why. */
export const UnscheduledHabit = z.object({
  habitId: z.string(),
  date: z.string(),
  remainingMinutes: z.number().int().positive(),
  reason: z.string(),
});
export type UnscheduledHabit = z.infer<typeof UnscheduledHabit>;

export const ScheduleOutput = z.object({
  blocks: z.array(ScheduleBlock),
  unscheduled: z.array(z.union([UnscheduledWork, UnscheduledHabit])),
  metrics: PlanMetrics.extend({
    /** Minutes of habit blocks (not focus: they do not count toward the daily cap). */
    habitMinutes: z.number().int().optional(),
    /** Only when preferences set focusGoalMinutesPerWeek: the (prorated) target and the focus minutes planned. */
    focusGoal: z.object({ targetMinutes: z.number().int(), plannedMinutes: z.number().int() }).optional(),
  }),
});
export type ScheduleOutput = z.infer<typeof ScheduleOutput>;

interface Occurrence extends HabitOccurrence {
  /** Shrunk to minMinutes for this task. */
  shrunkFor?: PlanTask;
}

function lateTaskIds(input: PlanInput, output: PlanOutput): Set<string> {
  const horizonEnd = Date.parse(input.horizon.end);
  const done = new Map<string, { minutes: number; end: number }>();
  for (const b of output.blocks) {
    const entry = done.get(b.taskId) ?? { minutes: 0, end: 0 };
    entry.minutes += (Date.parse(b.end) - Date.parse(b.start)) / MINUTE_MS;
    entry.end = Math.max(entry.end, Date.parse(b.end));
    done.set(b.taskId, entry);
  }
  const late = new Set<string>();
  for (const task of input.tasks) {
    if (task.due === null || Date.parse(task.due) > horizonEnd) continue;
    const entry = done.get(task.id);
    const finished = entry !== undefined && entry.minutes >= task.estimateMinutes - 1e-6;
    if (!finished || (entry?.end ?? 0) > Date.parse(task.due)) late.add(task.id);
  }
  return late;
}

function dueLabel(task: PlanTask, zone: string): string {
  return DateTime.fromISO(task.due ?? "", { zone })
    .setLocale("en-GB")
    .toFormat("ccc d LLL HH:mm");
}

function taskLabel(task: PlanTask): string {
  return task.title ? `“${task.title}”` : `task ${task.id}`;
}

/** The most urgent newly late task an occurrence may give way to, if any. */
function threatTo(
  occurrence: Occurrence,
  habit: PlanHabit,
  threats: readonly PlanTask[],
): PlanTask | undefined {
  return threats
    .filter((t) => t.priority <= habit.priority && occurrence.start < Date.parse(t.due ?? "") / MINUTE_MS)
    .sort((a, b) => Date.parse(a.due ?? "") - Date.parse(b.due ?? ""))[0];
}

/**
 * Plans habits, tasks and the focus goal. Throws PlanInputError for invalid input. Without habits and without
 * a focus goal it is exactly the task planner's output, each block marked kind "task".
 */
export function planWithRoutines(raw: PlanInputRaw, options: PlanOptions = {}): ScheduleOutput {
  const startedAt = performance.now();
  const input = parsePlanInput(raw);
  const zone = input.person.timezone;
  const goal = input.person.preferences.focusGoalMinutesPerWeek;
  const spans = (list: readonly Occurrence[]) => list.map((o): [number, number] => [o.start, o.end]);
  const solve = (list: readonly Occurrence[]) => planSchedule(raw, { ...options, reserved: spans(list) });

  const placement = placeHabits(input, options.granularityMinutes ?? 5);
  let occurrences: Occurrence[] = placement.occurrences;
  const missed: MissedHabit[] = [...placement.missed];
  let output = solve(occurrences);

  if (occurrences.length > 0 && lateTaskIds(input, output).size > 0) {
    // Which tasks the habits make late is judged on quick probes (the solver's dispatching seeds only, no
    // local search: cheap and independent of machine load), compared with and without habits.
    const probe = (list: readonly Occurrence[]) =>
      lateTaskIds(input, planSchedule(raw, { ...options, maxEvaluations: 0, reserved: spans(list) }));
    const baseline = probe([]);
    const tasks = new Map(input.tasks.map((t) => [t.id, t]));
    const placed = occurrences;
    let shrinkDone = false;
    let late = probe(occurrences);
    for (let round = 0; round < MAX_YIELD_ROUNDS; round++) {
      const threats = [...late]
        .filter((id) => !baseline.has(id))
        .map((id) => tasks.get(id))
        .filter((t): t is PlanTask => t !== undefined);
      if (threats.length === 0) break;
      const eligible = occurrences.filter((o) => threatTo(o, input.habits[o.habit] as PlanHabit, threats));
      if (eligible.length === 0) break;
      const shrinkable = eligible.filter(
        (o) => o.end - o.start > (input.habits[o.habit] as PlanHabit).minMinutes,
      );
      if (!shrinkDone && shrinkable.length > 0) {
        shrinkDone = true;
        occurrences = occurrences.map((o) => {
          if (!shrinkable.includes(o)) return o;
          const habit = input.habits[o.habit] as PlanHabit;
          return { ...o, end: o.start + habit.minMinutes, shrunkFor: threatTo(o, habit, threats) };
        });
      } else {
        const lastRound = round === MAX_YIELD_ROUNDS - 1;
        const batch = lastRound ? eligible.length : Math.max(1, Math.ceil(eligible.length / 3));
        const dropped = [...eligible].sort((a, b) => b.start - a.start).slice(0, batch);
        for (const o of dropped) {
          const habit = input.habits[o.habit] as PlanHabit;
          const task = threatTo(o, habit, threats) as PlanTask;
          missed.push({
            habit: o.habit,
            date: o.date,
            minutes: habit.minMinutes,
            reason: `${habitLabel(habit)} on ${o.date}: gave way to ${taskLabel(task)} (priority ${task.priority}, due ${dueLabel(task, zone)}), which would otherwise be late.`,
          });
        }
        occurrences = occurrences.filter((o) => !dropped.includes(o));
      }
      late = probe(occurrences);
    }
    if (occurrences !== placed) output = solve(occurrences);
  }

  const taskBlocks: ScheduleBlock[] = output.blocks.map((b) => ({ kind: "task", ...b }));
  const habitBlocks: ScheduleBlock[] = occurrences.map((o) => {
    const habit = input.habits[o.habit] as PlanHabit;
    const reason = o.shrunkFor
      ? `${habitLabel(habit)} on ${o.date}: shortened to ${habit.minMinutes} minutes so ${taskLabel(o.shrunkFor)} (due ${dueLabel(o.shrunkFor, zone)}) finishes on time.`
      : o.reason;
    return {
      kind: "habit",
      habitId: habit.id,
      start: formatInstant(o.start),
      end: formatInstant(o.end),
      reason,
    };
  });
  let focus: FocusGoalResult | null = null;
  if (goal !== null) {
    const model = buildPlanModel(input, { ...options, reserved: spans(occurrences) });
    focus = reserveFocusGoal(
      model,
      output.blocks.map((b) => ({
        start: Date.parse(b.start) / MINUTE_MS,
        end: Date.parse(b.end) / MINUTE_MS,
      })),
      goal,
    );
  }
  const focusBlocks: ScheduleBlock[] = (focus?.blocks ?? []).map((f) => ({
    kind: "focus",
    start: formatInstant(f.start),
    end: formatInstant(f.end),
    reason: f.reason,
  }));
  const blocks = [...taskBlocks, ...habitBlocks, ...focusBlocks].sort(
    (a, b) => Date.parse(a.start) - Date.parse(b.start),
  );
  missed.sort((a, b) => a.date.localeCompare(b.date) || a.habit - b.habit);
  const unscheduled = [
    ...output.unscheduled,
    ...missed.map((m) => ({
      habitId: (input.habits[m.habit] as PlanHabit).id,
      date: m.date,
      remainingMinutes: m.minutes,
      reason: m.reason,
    })),
  ];
  const habitMinutes = occurrences.reduce((sum, o) => sum + (o.end - o.start), 0);
  return {
    blocks,
    unscheduled,
    metrics: {
      ...output.metrics,
      ...(input.habits.length > 0 && { habitMinutes }),
      ...(focus && {
        focusGoal: {
          targetMinutes: focus.weeks.reduce((s, w) => s + w.targetMinutes, 0),
          plannedMinutes: focus.weeks.reduce((s, w) => s + w.taskMinutes + w.reservedMinutes, 0),
        },
      }),
      runtimeMs: Math.round((performance.now() - startedAt) * 100) / 100,
    },
  };
}
