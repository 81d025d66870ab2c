/**
 * Per-person effort calibration (migration 0024): running totals of log(actual/estimate) per tag ('' for all
 * the person's tasks) and what each finished task contributed. The arithmetic lives in
 * engine/behavior/calibration.ts; this module only reads and writes the rows.
 */
import type { Queryable } from "../port.ts";

/** The totals row for all of a person's tasks (tags have their own rows). */
export const ALL_TASKS_TAG = "";

export interface CalibrationTotals {
  tag: string;
  samples: number;
  sumLog: number;
  sumSqLog: number;
}

/** What one finished task contributed (logRatio null: no estimate or no tracked time). */
export interface CalibrationSample {
  taskId: string;
  completedAt: string;
  logRatio: number | null;
  tags: string[];
}

/** A finished task whose contribution is not recorded yet (or was recorded for an earlier completion). */
export interface UnrecordedCompletion {
  taskId: string;
  estimateMinutes: number | null;
  tags: string[];
  completedAt: string;
}

export interface WorkEvidence {
  events: { type: "task_started" | "task_completed" | "focus_started"; taskId: string; occurredAt: string }[];
  /** Kept (done) task blocks. */
  blocks: { taskId: string; start: string; end: string }[];
}

const iso = (value: Date | string) => new Date(value).toISOString();

/** Serializes calibration updates for one person (two completions never add the same sample twice). */
export async function lockPersonCalibration(tx: Queryable, personId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('person_calibration'), hashtext($1))", [personId]);
}

export async function readCalibrationTotals(tx: Queryable, personId: string): Promise<CalibrationTotals[]> {
  const { rows } = await tx.query<{ tag: string; samples: number; sum_log: number; sum_sq_log: number }>(
    "SELECT tag, samples, sum_log, sum_sq_log FROM person_calibration WHERE person_id = $1 ORDER BY tag",
    [personId],
  );
  return rows.map((row) => ({
    tag: row.tag,
    samples: Number(row.samples),
    sumLog: Number(row.sum_log),
    sumSqLog: Number(row.sum_sq_log),
  }));
}

/**
 * The person's finished tasks (not source-deleted) with no sample recorded for their current completion.
 * At most `limit`, oldest completion first, so a long backlog is worked through in bounded steps.
 */
export async function unrecordedCompletions(
  tx: Queryable,
  personId: string,
  limit: number,
): Promise<UnrecordedCompletion[]> {
  const { rows } = await tx.query<{
    id: string;
    estimate_minutes: number | null;
    tags: string[];
    completed_at: Date | string;
  }>(
    // A left join on the sample's primary key, not NOT EXISTS: under row-level security and before the new
    // table has statistics, Postgres planned the anti-join as a scan of all the person's samples per task.
    `SELECT t.id, t.estimate_minutes, t.tags, t.completed_at FROM tasks t
       LEFT JOIN person_calibration_samples s ON s.workspace_id = t.workspace_id AND s.task_id = t.id
      WHERE t.person_id = $1 AND t.status = 'done' AND t.completed_at IS NOT NULL AND t.source_deleted_at IS NULL
        AND (s.task_id IS NULL OR s.person_id IS DISTINCT FROM t.person_id
             OR s.completed_at IS DISTINCT FROM t.completed_at)
      ORDER BY t.completed_at, t.id LIMIT $2`,
    [personId, limit],
  );
  return rows.map((row) => ({
    taskId: row.id,
    estimateMinutes: row.estimate_minutes,
    tags: row.tags,
    completedAt: iso(row.completed_at),
  }));
}

/**
 * Recorded samples that no longer stand: their task was reopened, finished again (another completed_at),
 * reassigned, source-deleted or deleted.
 */
export async function staleSamples(tx: Queryable, personId: string): Promise<CalibrationSample[]> {
  const { rows } = await tx.query<{
    task_id: string;
    completed_at: Date | string;
    log_ratio: number | null;
    tags: string[];
  }>(
    // A left join on the task's primary key, checked row by row (see unrecordedCompletions).
    `SELECT s.task_id, s.completed_at, s.log_ratio, s.tags FROM person_calibration_samples s
       LEFT JOIN tasks t ON t.id = s.task_id
      WHERE s.person_id = $1
        AND (t.id IS NULL OR t.person_id IS DISTINCT FROM $1 OR t.status <> 'done'
             OR t.completed_at IS DISTINCT FROM s.completed_at OR t.source_deleted_at IS NOT NULL)
      ORDER BY s.task_id`,
    [personId],
  );
  return rows.map((row) => ({
    taskId: row.task_id,
    completedAt: iso(row.completed_at),
    logRatio: row.log_ratio === null ? null : Number(row.log_ratio),
    tags: row.tags,
  }));
}

/** The person's logged start, completion and focus events and kept task blocks for these tasks. */
export async function workEvidence(
  tx: Queryable,
  personId: string,
  taskIds: readonly string[],
): Promise<WorkEvidence> {
  if (taskIds.length === 0) return { events: [], blocks: [] };
  const events = await tx.query<{
    type: WorkEvidence["events"][number]["type"];
    task_id: string;
    occurred_at: Date | string;
  }>(
    `SELECT type, task_id, occurred_at FROM events
      WHERE person_id = $1 AND task_id = ANY($2::uuid[])
        AND type IN ('task_started', 'task_completed', 'focus_started')
      ORDER BY occurred_at, id`,
    [personId, taskIds],
  );
  const blocks = await tx.query<{ task_id: string; start_at: Date | string; end_at: Date | string }>(
    `SELECT task_id, start_at, end_at FROM blocks
      WHERE person_id = $1 AND task_id = ANY($2::uuid[]) AND status = 'done' AND kind <> 'habit'
      ORDER BY start_at, id`,
    [personId, taskIds],
  );
  return {
    events: events.rows.map((row) => ({
      type: row.type,
      taskId: row.task_id,
      occurredAt: iso(row.occurred_at),
    })),
    blocks: blocks.rows.map((row) => ({
      taskId: row.task_id,
      start: iso(row.start_at),
      end: iso(row.end_at),
    })),
  };
}

/**
 * Takes `removed` samples out and puts `added` ones in, with the matching changes (`deltas`, per tag) to the
 * running totals, in the caller's transaction.
 */
export async function applyCalibrationChange(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  change: {
    removed: readonly CalibrationSample[];
    added: readonly CalibrationSample[];
    deltas: CalibrationTotals[];
  },
): Promise<void> {
  if (change.removed.length > 0) {
    await tx.query(
      "DELETE FROM person_calibration_samples WHERE person_id = $1 AND task_id = ANY($2::uuid[])",
      [personId, change.removed.map((s) => s.taskId)],
    );
  }
  if (change.added.length > 0) {
    await tx.query(
      `INSERT INTO person_calibration_samples (workspace_id, person_id, task_id, completed_at, log_ratio, tags)
       SELECT $1, $2, x.task_id, x.completed_at, x.log_ratio, ARRAY(SELECT jsonb_array_elements_text(x.tags))
         FROM unnest($3::uuid[], $4::timestamptz[], $5::float8[], $6::jsonb[])
              AS x(task_id, completed_at, log_ratio, tags)`,
      [
        workspaceId,
        personId,
        change.added.map((s) => s.taskId),
        change.added.map((s) => s.completedAt),
        change.added.map((s) => s.logRatio),
        change.added.map((s) => JSON.stringify(s.tags)),
      ],
    );
  }
  if (change.deltas.length > 0) {
    await tx.query(
      `INSERT INTO person_calibration AS c (workspace_id, person_id, tag, samples, sum_log, sum_sq_log)
       SELECT $1, $2, x.tag, x.samples, x.sum_log, x.sum_sq_log
         FROM unnest($3::text[], $4::int[], $5::float8[], $6::float8[]) AS x(tag, samples, sum_log, sum_sq_log)
       ON CONFLICT (workspace_id, person_id, tag) DO UPDATE SET
         samples = c.samples + excluded.samples,
         sum_log = CASE WHEN c.samples + excluded.samples = 0 THEN 0 ELSE c.sum_log + excluded.sum_log END,
         sum_sq_log = CASE WHEN c.samples + excluded.samples = 0 THEN 0 ELSE c.sum_sq_log + excluded.sum_sq_log END,
         updated_at = now()`,
      [
        workspaceId,
        personId,
        change.deltas.map((d) => d.tag),
        change.deltas.map((d) => d.samples),
        change.deltas.map((d) => d.sumLog),
        change.deltas.map((d) => d.sumSqLog),
      ],
    );
  }
}

/** A fingerprint of the person's finished tasks: any completion, reopening, deletion or edit changes it. */
export interface DoneTasksSignature {
  doneTasks: number;
  lastCompletedAt: string | null;
  lastUpdatedAt: string | null;
}

const sameInstant = (a: string | null, b: string | null) =>
  a === b || (a !== null && b !== null && Date.parse(a) === Date.parse(b));

export const sameSignature = (a: DoneTasksSignature, b: DoneTasksSignature) =>
  a.doneTasks === b.doneTasks &&
  sameInstant(a.lastCompletedAt, b.lastCompletedAt) &&
  sameInstant(a.lastUpdatedAt, b.lastUpdatedAt);

/** One aggregate over the person's finished tasks (the partial index on finished tasks serves it). */
export async function doneTasksSignature(tx: Queryable, personId: string): Promise<DoneTasksSignature> {
  const { rows } = await tx.query<{
    done_tasks: number | string;
    last_completed_at: Date | string | null;
    last_updated_at: Date | string | null;
  }>(
    `SELECT count(*) AS done_tasks, max(completed_at) AS last_completed_at, max(updated_at) AS last_updated_at
       FROM tasks WHERE person_id = $1 AND status = 'done' AND source_deleted_at IS NULL`,
    [personId],
  );
  const row = rows[0];
  return {
    doneTasks: Number(row?.done_tasks ?? 0),
    lastCompletedAt: row?.last_completed_at ? iso(row.last_completed_at) : null,
    lastUpdatedAt: row?.last_updated_at ? iso(row.last_updated_at) : null,
  };
}

export async function readCalibrationSignature(
  tx: Queryable,
  personId: string,
): Promise<DoneTasksSignature | null> {
  const { rows } = await tx.query<{
    done_tasks: number;
    last_completed_at: Date | string | null;
    last_updated_at: Date | string | null;
  }>(
    "SELECT done_tasks, last_completed_at, last_updated_at FROM person_calibration_state WHERE person_id = $1",
    [personId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    doneTasks: Number(row.done_tasks),
    lastCompletedAt: row.last_completed_at ? iso(row.last_completed_at) : null,
    lastUpdatedAt: row.last_updated_at ? iso(row.last_updated_at) : null,
  };
}

export async function saveCalibrationSignature(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  signature: DoneTasksSignature,
): Promise<void> {
  await tx.query(
    `INSERT INTO person_calibration_state (workspace_id, person_id, done_tasks, last_completed_at, last_updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, person_id) DO UPDATE SET done_tasks = excluded.done_tasks,
       last_completed_at = excluded.last_completed_at, last_updated_at = excluded.last_updated_at, checked_at = now()`,
    [workspaceId, personId, signature.doneTasks, signature.lastCompletedAt, signature.lastUpdatedAt],
  );
}
