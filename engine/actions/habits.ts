/**
 * Habits: flexible routines the planner defends in the calendar ("lunch 12:00-14:00, 30-60 min, Mon-Fri";
 * "exercise 3× a week, 45 min, 07:00-09:00"). Each person manages their own. A change replans shortly after.
 */

import { z } from "zod";
import {
  deleteHabit as deleteHabitRow,
  getHabit,
  type HabitFields,
  type Habit as HabitRecord,
  insertHabit,
  listHabits as listHabitRows,
  updateHabit as updateHabitRow,
} from "../db/repositories/habits.ts";
import { Iso, WEEKDAYS, Weekday } from "../domain.ts";
import { type FieldIssue, invalidInput, notFound } from "../errors.ts";
import { enqueueReplan } from "../scheduling/service/replan.ts";
import { keepAnswerInTransaction } from "./answer-in-transaction.ts";
import { type ActionContext, defineAction } from "./define.ts";

const WallClock = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a local time "HH:MM" (00:00-24:00)');
const HabitId = z.uuid().describe("The habit's id (a UUID, as returned by create_habit or list_habits)");

const fields = {
  title: z.string().trim().min(1).max(200).describe('What the routine is, e.g. "Lunch" or "Exercise"'),
  days: z
    .array(Weekday)
    .min(1)
    .max(7)
    .describe('Weekdays it may happen on, e.g. ["mon","tue","wed","thu","fri"]'),
  window: z
    .object({ start: WallClock, end: WallClock })
    .describe('Local time window it must sit in, e.g. {"start":"12:00","end":"14:00"}'),
  minMinutes: z.number().int().min(5).max(720).describe("Shortest acceptable length in minutes"),
  maxMinutes: z
    .number()
    .int()
    .min(5)
    .max(720)
    .describe(
      "Preferred (longest) length in minutes; Cairn shrinks toward minMinutes only when time is short",
    ),
  timesPerWeek: z
    .number()
    .int()
    .min(1)
    .max(7)
    .nullable()
    .describe(
      "At most this many of the listed days per week (e.g. exercise 3× a week); null means every listed day",
    ),
  priority: z
    .number()
    .int()
    .min(1)
    .max(4)
    .describe(
      "1 (highest) to 4; default 3. An occurrence gives way only to a task of this priority or higher that would otherwise miss its deadline",
    ),
  outsideWorkingHours: z
    .boolean()
    .describe("Allow the habit outside working hours (e.g. an early run); default false"),
};

export const Habit = z.object({
  id: z.uuid(),
  title: z.string(),
  days: z.array(Weekday),
  window: z.object({ start: z.string(), end: z.string() }),
  minMinutes: z.number().int(),
  maxMinutes: z.number().int(),
  timesPerWeek: z.number().int().nullable(),
  priority: z.number().int(),
  outsideWorkingHours: z.boolean(),
  /** e.g. "Lunch: Mon–Fri 12:00–14:00, 30–60 min" */
  label: z.string(),
  createdAt: Iso,
  updatedAt: Iso,
});
export type Habit = z.infer<typeof Habit>;

const DAY_NAMES: Record<Weekday, string> = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
};

function daysLabel(days: readonly Weekday[]): string {
  const idx = days.map((d) => WEEKDAYS.indexOf(d));
  const contiguous = idx.length > 2 && idx.every((v, i) => i === 0 || v === (idx[i - 1] ?? 0) + 1);
  if (contiguous) return `${DAY_NAMES[days[0] ?? "mon"]}–${DAY_NAMES[days[days.length - 1] ?? "sun"]}`;
  return days.map((d) => DAY_NAMES[d]).join(", ");
}

function toHabit(record: HabitRecord): Habit {
  const length =
    record.minMinutes === record.maxMinutes
      ? `${record.minMinutes} min`
      : `${record.minMinutes}–${record.maxMinutes} min`;
  const often =
    record.timesPerWeek === null
      ? daysLabel(record.days)
      : `${record.timesPerWeek}× a week on ${daysLabel(record.days)}`;
  const { personId: _personId, ...rest } = record;
  return {
    ...rest,
    label: `${record.title}: ${often} ${record.window.start}–${record.window.end}, ${length}${record.outsideWorkingHours ? ", outside working hours allowed" : ""}`,
  };
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Checks the rules across fields; throws invalid_input naming each bad field and the fix. */
function checkHabit(habit: HabitFields): void {
  const issues: FieldIssue[] = [];
  const span = minutesOf(habit.window.end) - minutesOf(habit.window.start);
  if (span <= 0) {
    issues.push({
      path: "window.end",
      message: `${habit.window.end} is not after window.start ${habit.window.start}`,
    });
  }
  if (habit.maxMinutes < habit.minMinutes) {
    issues.push({
      path: "maxMinutes",
      message: `${habit.maxMinutes} is smaller than minMinutes ${habit.minMinutes}; raise maxMinutes or lower minMinutes`,
    });
  }
  if (span > 0 && habit.minMinutes > span) {
    issues.push({
      path: "minMinutes",
      message: `${habit.minMinutes} minutes do not fit in the ${span}-minute window ${habit.window.start}–${habit.window.end}`,
    });
  }
  const days = new Set(habit.days);
  if (habit.timesPerWeek !== null && habit.timesPerWeek > days.size) {
    issues.push({
      path: "timesPerWeek",
      message: `${habit.timesPerWeek} is more than the ${days.size} listed days; list more days or lower it`,
    });
  }
  if (issues.length > 0) {
    throw invalidInput(`Invalid habit: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
}

async function replanSoon(ctx: ActionContext, reason: string): Promise<void> {
  await enqueueReplan(ctx.services, { workspaceId: ctx.workspace.id, personId: ctx.person.id, reason });
}

export const createHabit = defineAction({
  name: "create_habit",
  title: "Create a habit",
  description:
    'Adds a flexible routine that Cairn defends in your calendar like a task: a title, the weekdays, a local time window, a length range (minMinutes to maxMinutes), optionally "at most N times a week", and a priority. Example: lunch 12:00–14:00, 30–60 min, Mon–Fri. Cairn places one block per day inside the window around meetings (inside working hours unless outsideWorkingHours), above ordinary work; it gives way only to a deadline of the same or higher priority that would otherwise be missed, and says so. Habit time does not count toward the daily focus cap. Returns the habit; your plan refreshes shortly.',
  input: z.object({
    ...fields,
    maxMinutes: fields.maxMinutes.optional().describe("Preferred (longest) length; default minMinutes"),
    timesPerWeek: fields.timesPerWeek.optional(),
    priority: fields.priority.default(3),
    outsideWorkingHours: fields.outsideWorkingHours.default(false),
  }),
  output: z.object({ habit: Habit, message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  examples: ["lunch every weekday 12 to 2, 30 to 60 minutes", "exercise 3 times a week 7-9 for 45 minutes"],
  async run(ctx, input) {
    const values: HabitFields = {
      ...input,
      maxMinutes: input.maxMinutes ?? input.minMinutes,
      timesPerWeek: input.timesPerWeek ?? null,
      days: [...new Set(input.days)],
    };
    checkHabit(values);
    const output = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const habit = toHabit(await insertHabit(tx, ctx.workspace.id, ctx.person.id, values));
      const created = { habit, message: `Added ${habit.label}. Your plan will include it shortly.` };
      await keepAnswerInTransaction("create_habit", tx, created);
      return created;
    });
    await replanSoon(ctx, "habit created");
    return output;
  },
});

export const listHabits = defineAction({
  name: "list_habits",
  title: "List my habits",
  description:
    "Lists your habits (flexible routines such as lunch or exercise that Cairn keeps time for), oldest first, each with its days, window, length range, times per week and priority.",
  input: z.object({}),
  output: z.object({ habits: z.array(Habit) }),
  annotations: { readOnlyHint: true },
  examples: ["list my habits", "what routines do I have"],
  async run(ctx) {
    const rows = await ctx.services.db.scoped(ctx.workspace.id, (tx) => listHabitRows(tx, ctx.person.id), {
      snapshot: true,
    });
    return { habits: rows.map(toHabit) };
  },
});

export const updateHabit = defineAction({
  name: "update_habit",
  title: "Change a habit",
  description:
    "Changes one of your habits: give its id and only the fields to change (title, days, window, minMinutes, maxMinutes, timesPerWeek (null for every listed day), priority, outsideWorkingHours). Returns the updated habit; your plan refreshes shortly.",
  input: z.object({
    habitId: HabitId,
    title: fields.title.optional(),
    days: fields.days.optional(),
    window: fields.window.optional(),
    minMinutes: fields.minMinutes.optional(),
    maxMinutes: fields.maxMinutes.optional(),
    timesPerWeek: fields.timesPerWeek.optional(),
    priority: fields.priority.optional(),
    outsideWorkingHours: fields.outsideWorkingHours.optional(),
  }),
  output: z.object({ habit: Habit, message: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  examples: ["make lunch 45 minutes", "move exercise to the evening"],
  async run(ctx, input) {
    const { habitId, ...changes } = input;
    const record = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const current = await getHabit(tx, habitId, ctx.person.id);
      if (!current) throw notFound(`No habit ${habitId} of yours. See list_habits for ids.`);
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const next: HabitFields = {
        title: current.title,
        days: current.days,
        window: current.window,
        minMinutes: current.minMinutes,
        maxMinutes: current.maxMinutes,
        timesPerWeek: current.timesPerWeek,
        priority: current.priority,
        outsideWorkingHours: current.outsideWorkingHours,
        ...defined,
      };
      next.days = [...new Set(next.days)];
      checkHabit(next);
      return updateHabitRow(tx, habitId, next);
    });
    await replanSoon(ctx, "habit changed");
    const habit = toHabit(record);
    return { habit, message: `Updated ${habit.label}. Your plan will follow shortly.` };
  },
});

export const deleteHabit = defineAction({
  name: "delete_habit",
  title: "Delete a habit",
  description:
    "Deletes one of your habits. Its upcoming blocks are removed from your plan and from your calendar (past ones stay in history). Returns how many upcoming blocks were removed.",
  input: z.object({ habitId: HabitId }),
  output: z.object({
    habitId: z.uuid(),
    removedBlocks: z.number().int().describe("Upcoming blocks of this habit taken out of the plan"),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  examples: ["delete my lunch habit", "stop planning exercise"],
  async run(ctx, input) {
    const { title, removed } = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const current = await getHabit(tx, input.habitId, ctx.person.id);
      if (!current) throw notFound(`No habit ${input.habitId} of yours. See list_habits for ids.`);
      return { title: current.title, removed: await deleteHabitRow(tx, input.habitId, ctx.services.now()) };
    });
    ctx.services.changes.notify({ kind: "plan", workspaceId: ctx.workspace.id, personId: ctx.person.id });
    await replanSoon(ctx, "habit deleted");
    return {
      habitId: input.habitId,
      removedBlocks: removed,
      message: `Deleted “${title}”${removed > 0 ? `; ${removed} upcoming block${removed === 1 ? "" : "s"} will leave your calendar` : ""}.`,
    };
  },
});

export const habitActions = [createHabit, listHabits, updateHabit, deleteHabit];
