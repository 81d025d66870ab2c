/**
 * The planning repository: plan versions, blocks (with their explanation and version) and pinned windows.
 * Every function runs inside a workspace-scoped transaction (row-level security applies).
 */
import type { Queryable } from "../port.ts";

export type BlockStatus = "planned" | "accepted" | "superseded" | "deleted" | "done";
export type BlockKind = "task" | "focus" | "habit";

export interface BlockExplanation {
  reason: string;
  notes?: string[];
  preferred?: boolean;
  [key: string]: unknown;
}

export interface StoredBlock {
  id: string;
  taskId: string | null;
  taskTitle: string | null;
  taskEnergy: "low" | "medium" | "high" | null;
  taskDue: string | null;
  /** Set on kind "habit" blocks. */
  habitId: string | null;
  habitTitle: string | null;
  kind: BlockKind;
  status: BlockStatus;
  start: string;
  end: string;
  planVersion: number;
  explanation: BlockExplanation;
  calendarEventId: string | null;
}

interface BlockRow {
  id: string;
  task_id: string | null;
  title: string | null;
  energy: "low" | "medium" | "high" | null;
  due: Date | string | null;
  habit_id: string | null;
  habit_title: string | null;
  kind: BlockKind;
  status: BlockStatus;
  start_at: Date | string;
  end_at: Date | string;
  plan_version: number;
  explanation: unknown;
  calendar_event_id: string | null;
}

export const iso = (value: Date | string): string =>
  (value instanceof Date ? value : new Date(value)).toISOString();

function explanationOf(value: unknown): BlockExplanation {
  const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (parsed && typeof parsed === "object" && typeof (parsed as BlockExplanation).reason === "string") {
    return parsed as BlockExplanation;
  }
  return { reason: "" };
}

function blockFromRow(row: BlockRow): StoredBlock {
  return {
    id: row.id,
    taskId: row.task_id,
    taskTitle: row.title,
    taskEnergy: row.energy,
    taskDue: row.due === null ? null : iso(row.due),
    habitId: row.habit_id,
    habitTitle: row.habit_title,
    kind: row.kind,
    status: row.status,
    start: iso(row.start_at),
    end: iso(row.end_at),
    planVersion: row.plan_version,
    explanation: explanationOf(row.explanation),
    calendarEventId: row.calendar_event_id,
  };
}

const BLOCK_SELECT = `SELECT b.id, b.task_id, t.title, t.energy, t.due, b.habit_id, h.title AS habit_title, b.kind,
  b.status, b.start_at, b.end_at, b.plan_version, b.explanation, b.calendar_event_id
  FROM blocks b LEFT JOIN tasks t ON t.id = b.task_id LEFT JOIN habits h ON h.id = b.habit_id`;

/** Serializes planning for one person (two replans never race for the same version). */
export async function lockPerson(tx: Queryable, personId: string): Promise<void> {
  await tx.query("SELECT id FROM people WHERE id = $1 FOR UPDATE", [personId]);
}

export async function latestPlanVersion(tx: Queryable, personId: string): Promise<number> {
  const result = await tx.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM plans WHERE person_id = $1",
    [personId],
  );
  return Number(result.rows[0]?.version ?? 0);
}

export interface NewPlan {
  workspaceId: string;
  personId: string;
  version: number;
  trigger: string;
  horizon: { start: string; end: string };
  metrics: Record<string, unknown>;
  unscheduled: unknown[];
}

export async function insertPlan(tx: Queryable, plan: NewPlan): Promise<void> {
  await tx.query(
    `INSERT INTO plans (workspace_id, person_id, version, trigger, horizon_start, horizon_end, metrics, unscheduled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      plan.workspaceId,
      plan.personId,
      plan.version,
      plan.trigger,
      plan.horizon.start,
      plan.horizon.end,
      JSON.stringify(plan.metrics),
      JSON.stringify(plan.unscheduled),
    ],
  );
}

export interface PlanVersionSummary {
  version: number;
  trigger: string;
  createdAt: string;
  horizon: { start: string; end: string };
  metrics: Record<string, unknown>;
  unscheduledCount: number;
  blockCount: number;
}

export async function listPlanHistory(
  tx: Queryable,
  personId: string,
  limit = 20,
): Promise<PlanVersionSummary[]> {
  const result = await tx.query<{
    version: number;
    trigger: string;
    created_at: Date | string;
    horizon_start: Date | string;
    horizon_end: Date | string;
    metrics: unknown;
    unscheduled: unknown;
    block_count: number | string;
  }>(
    `SELECT p.version, p.trigger, p.created_at, p.horizon_start, p.horizon_end, p.metrics, p.unscheduled,
       (SELECT count(*) FROM blocks b WHERE b.person_id = p.person_id AND b.plan_version = p.version) AS block_count
     FROM plans p WHERE p.person_id = $1 ORDER BY p.version DESC LIMIT $2`,
    [personId, limit],
  );
  return result.rows.map((row) => {
    const unscheduled = typeof row.unscheduled === "string" ? JSON.parse(row.unscheduled) : row.unscheduled;
    const metrics = typeof row.metrics === "string" ? JSON.parse(row.metrics) : row.metrics;
    return {
      version: row.version,
      trigger: row.trigger,
      createdAt: iso(row.created_at),
      horizon: { start: iso(row.horizon_start), end: iso(row.horizon_end) },
      metrics: (metrics ?? {}) as Record<string, unknown>,
      unscheduledCount: Array.isArray(unscheduled) ? unscheduled.length : 0,
      blockCount: Number(row.block_count),
    };
  });
}

export interface BlockQuery {
  from?: string;
  to?: string;
  statuses?: BlockStatus[];
  version?: number;
  taskId?: string;
}

/** Blocks of a person overlapping [from, to), ordered by start. */
export async function listBlocks(
  tx: Queryable,
  personId: string,
  query: BlockQuery = {},
): Promise<StoredBlock[]> {
  const where = ["b.person_id = $1"];
  const params: unknown[] = [personId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (query.from) add("b.end_at > ?", query.from);
  if (query.to) add("b.start_at < ?", query.to);
  if (query.statuses) add("b.status = ANY(?::text[])", query.statuses);
  if (query.version !== undefined) add("b.plan_version = ?", query.version);
  if (query.taskId) add("b.task_id = ?", query.taskId);
  const result = await tx.query<BlockRow>(
    `${BLOCK_SELECT} WHERE ${where.join(" AND ")} ORDER BY b.start_at, b.id`,
    params,
  );
  return result.rows.map(blockFromRow);
}

export async function getBlock(
  tx: Queryable,
  blockId: string,
  personId?: string,
): Promise<StoredBlock | undefined> {
  const result = await tx.query<BlockRow>(
    `${BLOCK_SELECT} WHERE b.id = $1${personId ? " AND b.person_id = $2" : ""}`,
    personId ? [blockId, personId] : [blockId],
  );
  const row = result.rows[0];
  return row ? blockFromRow(row) : undefined;
}

export interface NewBlock {
  taskId: string | null;
  habitId?: string | null;
  start: string;
  end: string;
  kind: BlockKind;
  status: BlockStatus;
  explanation: BlockExplanation;
}

export async function insertBlock(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  version: number,
  block: NewBlock,
): Promise<string> {
  const result = await tx.query<{ id: string }>(
    `INSERT INTO blocks (workspace_id, person_id, task_id, plan_version, start_at, end_at, status, kind, explanation,
       habit_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      workspaceId,
      personId,
      block.taskId,
      version,
      block.start,
      block.end,
      block.status,
      block.kind,
      JSON.stringify(block.explanation),
      block.habitId ?? null,
    ],
  );
  return (result.rows[0] as { id: string }).id;
}

/** Carries an unchanged block into a new version (its calendar event stays linked). */
export async function carryBlock(
  tx: Queryable,
  blockId: string,
  version: number,
  explanation: BlockExplanation,
): Promise<void> {
  await tx.query("UPDATE blocks SET plan_version = $2, explanation = $3, updated_at = now() WHERE id = $1", [
    blockId,
    version,
    JSON.stringify(explanation),
  ]);
}

export async function setBlockStatus(
  tx: Queryable,
  blockIds: readonly string[],
  status: BlockStatus,
): Promise<void> {
  if (blockIds.length === 0) return;
  await tx.query("UPDATE blocks SET status = $2, updated_at = now() WHERE id = ANY($1::uuid[])", [
    blockIds,
    status,
  ]);
}

export interface Pin {
  taskId: string;
  windowStart: string;
  windowEnd: string;
  phrase: string | null;
}

export async function upsertPin(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  pin: Pin,
): Promise<void> {
  await tx.query(
    `INSERT INTO planning_pins (workspace_id, person_id, task_id, window_start, window_end, phrase)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (workspace_id, task_id) DO UPDATE SET person_id = EXCLUDED.person_id,
       window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end, phrase = EXCLUDED.phrase,
       created_at = now()`,
    [workspaceId, personId, pin.taskId, pin.windowStart, pin.windowEnd, pin.phrase],
  );
}

/** Pins whose window has not passed yet. */
export async function activePins(tx: Queryable, personId: string, now: Date): Promise<Pin[]> {
  const result = await tx.query<{
    task_id: string;
    window_start: Date | string;
    window_end: Date | string;
    phrase: string | null;
  }>(
    "SELECT task_id, window_start, window_end, phrase FROM planning_pins WHERE person_id = $1 AND window_end > $2",
    [personId, now.toISOString()],
  );
  return result.rows.map((row) => ({
    taskId: row.task_id,
    windowStart: iso(row.window_start),
    windowEnd: iso(row.window_end),
    phrase: row.phrase,
  }));
}

export interface BusyRow {
  id: string;
  title: string;
  start: string;
  end: string;
}

/**
 * Events of person $1 (their own, or from their connections) overlapping [$2, $3): not declined, not cancelled,
 * and not Cairn's own block events (those are the plan itself).
 */
const PERSON_EVENTS_IN_RANGE = `(e.person_id = $1 OR (e.person_id IS NULL AND e.connection_id IN
         (SELECT pc.id FROM connections pc WHERE pc.person_id = $1)))
       AND NOT e.declined AND e.status <> 'cancelled' AND e.cairn_block_id IS NULL
       AND e.end_at > $2 AND e.start_at < $3`;

/**
 * Calendar events that block a person's time in [from, to): busy, not declined, not cancelled, and not
 * Cairn's own block events (those are the plan itself).
 */
export async function listBusyEvents(
  tx: Queryable,
  personId: string,
  from: string,
  to: string,
): Promise<BusyRow[]> {
  const result = await tx.query<{
    id: string;
    title: string;
    start_at: Date | string;
    end_at: Date | string;
  }>(
    `SELECT e.id, e.title, e.start_at, e.end_at FROM calendar_events e
     WHERE ${PERSON_EVENTS_IN_RANGE} AND e.busy
     ORDER BY e.start_at`,
    [personId, from, to],
  );
  return result.rows.map((row) => ({
    id: row.id,
    title: row.title,
    start: iso(row.start_at),
    end: iso(row.end_at),
  }));
}

export interface ScheduleEvent {
  id: string;
  title: string;
  start: string;
  end: string;
  allDay: boolean;
  /** The connection kind it came from ("google", "caldav", "ics"), or "cairn" when none. */
  source: string;
  busy: boolean;
}

/**
 * The person's calendar events overlapping [from, to) for drawing the day: busy and free ones, without declined
 * or cancelled events and without Cairn's own block events (those are the blocks themselves).
 */
export async function listScheduleEvents(
  tx: Queryable,
  personId: string,
  from: string,
  to: string,
): Promise<ScheduleEvent[]> {
  const result = await tx.query<{
    id: string;
    title: string;
    start_at: Date | string;
    end_at: Date | string;
    all_day: boolean;
    source: string | null;
    busy: boolean;
  }>(
    `SELECT e.id, e.title, e.start_at, e.end_at, e.all_day, c.kind AS source, e.busy FROM calendar_events e
     LEFT JOIN connections c ON c.id = e.connection_id
     WHERE ${PERSON_EVENTS_IN_RANGE}
     ORDER BY e.start_at, e.id`,
    [personId, from, to],
  );
  return result.rows.map((row) => ({
    id: row.id,
    title: row.title,
    start: iso(row.start_at),
    end: iso(row.end_at),
    allDay: row.all_day,
    source: row.source ?? "cairn",
    busy: row.busy,
  }));
}

/** When a task is completed, its live blocks that have already begun count as done. */
export async function markStartedBlocksDone(tx: Queryable, taskId: string): Promise<void> {
  await tx.query(
    "UPDATE blocks SET status = 'done', updated_at = now() WHERE task_id = $1 AND status IN ('planned','accepted') AND start_at <= now()",
    [taskId],
  );
}

/** Workspace-scoped: everyone who has a stored plan. */
export async function peopleWithPlans(tx: Queryable): Promise<string[]> {
  const result = await tx.query<{ person_id: string }>("SELECT DISTINCT person_id FROM plans");
  return result.rows.map((row) => row.person_id);
}
