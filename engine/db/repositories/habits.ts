/** The habits repository. Every function runs inside a workspace-scoped transaction (row-level security applies). */
import { WEEKDAYS, type Weekday } from "../../domain.ts";
import type { Queryable } from "../port.ts";

export interface Habit {
  id: string;
  personId: string;
  title: string;
  days: Weekday[];
  window: { start: string; end: string };
  minMinutes: number;
  maxMinutes: number;
  timesPerWeek: number | null;
  priority: number;
  outsideWorkingHours: boolean;
  createdAt: string;
  updatedAt: string;
}

export type HabitFields = Omit<Habit, "id" | "personId" | "createdAt" | "updatedAt">;

interface HabitRow {
  id: string;
  person_id: string;
  title: string;
  days: string[] | string;
  window_start: string;
  window_end: string;
  min_minutes: number;
  max_minutes: number;
  times_per_week: number | null;
  priority: number;
  outside_working_hours: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `id, person_id, title, days, window_start, window_end, min_minutes, max_minutes, times_per_week,
  priority, outside_working_hours, created_at, updated_at`;

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

/** text[] arrives as an array from pg and PGlite; a literal "{mon,tue}" is parsed just in case. */
function daysOf(value: string[] | string): Weekday[] {
  const list = Array.isArray(value) ? value : value.replace(/^\{|\}$/g, "").split(",");
  const order = (d: string) => WEEKDAYS.indexOf(d as Weekday);
  return list.filter((d): d is Weekday => order(d) >= 0).sort((a, b) => order(a) - order(b));
}

function habitFromRow(row: HabitRow): Habit {
  return {
    id: row.id,
    personId: row.person_id,
    title: row.title,
    days: daysOf(row.days),
    window: { start: row.window_start, end: row.window_end },
    minMinutes: row.min_minutes,
    maxMinutes: row.max_minutes,
    timesPerWeek: row.times_per_week,
    priority: row.priority,
    outsideWorkingHours: row.outside_working_hours,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export async function listHabits(tx: Queryable, personId: string): Promise<Habit[]> {
  const result = await tx.query<HabitRow>(
    `SELECT ${COLUMNS} FROM habits WHERE person_id = $1 ORDER BY created_at, id`,
    [personId],
  );
  return result.rows.map(habitFromRow);
}

/** One of the person's habits; undefined when it does not exist or belongs to someone else. */
export async function getHabit(tx: Queryable, id: string, personId: string): Promise<Habit | undefined> {
  const result = await tx.query<HabitRow>(`SELECT ${COLUMNS} FROM habits WHERE id = $1 AND person_id = $2`, [
    id,
    personId,
  ]);
  const row = result.rows[0];
  return row ? habitFromRow(row) : undefined;
}

const values = (fields: HabitFields) => [
  fields.title,
  fields.days,
  fields.window.start,
  fields.window.end,
  fields.minMinutes,
  fields.maxMinutes,
  fields.timesPerWeek,
  fields.priority,
  fields.outsideWorkingHours,
];

export async function insertHabit(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  fields: HabitFields,
): Promise<Habit> {
  const result = await tx.query<HabitRow>(
    `INSERT INTO habits (workspace_id, person_id, title, days, window_start, window_end, min_minutes, max_minutes,
       times_per_week, priority, outside_working_hours)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [workspaceId, personId, ...values(fields)],
  );
  return habitFromRow(result.rows[0] as HabitRow);
}

export async function updateHabit(tx: Queryable, id: string, fields: HabitFields): Promise<Habit> {
  const result = await tx.query<HabitRow>(
    `UPDATE habits SET title = $2, days = $3::text[], window_start = $4, window_end = $5, min_minutes = $6,
       max_minutes = $7, times_per_week = $8, priority = $9, outside_working_hours = $10, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, ...values(fields)],
  );
  return habitFromRow(result.rows[0] as HabitRow);
}

/**
 * Deletes a habit. Its planned and accepted blocks still ahead become 'deleted' first, so the calendar
 * write-back removes their events; past ones keep their history (habit_id becomes NULL).
 */
export async function deleteHabit(tx: Queryable, id: string, now: Date): Promise<number> {
  const blocks = await tx.query(
    `UPDATE blocks SET status = 'deleted', updated_at = now()
     WHERE habit_id = $1 AND status IN ('planned', 'accepted') AND end_at > $2`,
    [id, now.toISOString()],
  );
  await tx.query("DELETE FROM habits WHERE id = $1", [id]);
  return blocks.rowCount;
}
