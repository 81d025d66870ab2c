/**
 * The nudges repository: nudge rows and their status transitions, the pooled send-time counts, the person's
 * nudge preferences (people.preferences.nudges) and what the evaluator reads beyond the plan repository.
 * Every function runs inside a workspace-scoped transaction unless its name says system.
 */
import type { Queryable } from "../port.ts";

export type NudgeRowStatus =
  | "scheduled"
  | "sending"
  | "sent"
  | "acted"
  | "dismissed"
  | "cancelled"
  | "failed";

export interface StoredNudge {
  id: string;
  personId: string;
  kind: string;
  text: string;
  message: unknown;
  status: NudgeRowStatus;
  dedupeKey: string;
  taskId: string | null;
  blockId: string | null;
  localDate: string | null;
  sendHour: number | null;
  scheduledFor: string;
  expiresAt: string | null;
  sentAt: string | null;
  actedAt: string | null;
  attempts: number;
  lastError: string | null;
  channel: string | null;
  answer: string | null;
  snoozeCount: number;
  createdAt: string;
}

interface NudgeRow {
  id: string;
  person_id: string;
  kind: string;
  message: string;
  payload: unknown;
  status: NudgeRowStatus;
  dedupe_key: string;
  task_id: string | null;
  block_id: string | null;
  local_date: Date | string | null;
  send_hour: number | null;
  scheduled_for: Date | string;
  expires_at: Date | string | null;
  sent_at: Date | string | null;
  acted_at: Date | string | null;
  attempts: number;
  last_error: string | null;
  channel: string | null;
  answer: string | null;
  snooze_count: number;
  created_at: Date | string;
}

const COLUMNS = `id, person_id, kind, message, payload, status, dedupe_key, task_id, block_id, local_date, send_hour,
  scheduled_for, expires_at, sent_at, acted_at, attempts, last_error, channel, answer, snooze_count, created_at`;

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();
const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : iso(value));

function dateOnly(value: Date | string | null): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value.slice(0, 10);
  // A DATE column arrives as local midnight from pg; its calendar fields are the date.
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

function fromRow(row: NudgeRow): StoredNudge {
  const payload = parseJson(row.payload) as { message?: unknown } | null;
  return {
    id: row.id,
    personId: row.person_id,
    kind: row.kind,
    text: row.message,
    message: payload?.message ?? null,
    status: row.status,
    dedupeKey: row.dedupe_key,
    taskId: row.task_id,
    blockId: row.block_id,
    localDate: dateOnly(row.local_date),
    sendHour: row.send_hour,
    scheduledFor: iso(row.scheduled_for),
    expiresAt: isoOrNull(row.expires_at),
    sentAt: isoOrNull(row.sent_at),
    actedAt: isoOrNull(row.acted_at),
    attempts: row.attempts,
    lastError: row.last_error,
    channel: row.channel,
    answer: row.answer,
    snoozeCount: row.snooze_count,
    createdAt: iso(row.created_at),
  };
}

export interface NewNudge {
  id: string;
  workspaceId: string;
  personId: string;
  kind: string;
  text: string;
  message: unknown;
  dedupeKey: string;
  taskId: string | null;
  blockId: string | null;
  localDate: string;
  sendHour: number;
  scheduledFor: string;
  expiresAt: string;
}

/** Inserts a nudge unless one with its id (or dedupe key) exists; true when this call created it. */
export async function insertNudge(tx: Queryable, nudge: NewNudge): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO nudges (id, workspace_id, person_id, kind, message, payload, dedupe_key, task_id, block_id,
       local_date, send_hour, scheduled_for, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT DO NOTHING`,
    [
      nudge.id,
      nudge.workspaceId,
      nudge.personId,
      nudge.kind,
      nudge.text,
      JSON.stringify({ message: nudge.message }),
      nudge.dedupeKey,
      nudge.taskId,
      nudge.blockId,
      nudge.localDate,
      nudge.sendHour,
      nudge.scheduledFor,
      nudge.expiresAt,
    ],
  );
  return result.rowCount > 0;
}

/** Which of these nudge ids already exist. */
export async function existingNudgeIds(tx: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await tx.query<{ id: string }>("SELECT id FROM nudges WHERE id = ANY($1::uuid[])", [ids]);
  return new Set(result.rows.map((row) => row.id));
}

/** Nudges of the person's local day that count toward the daily cap (not cancelled or failed). */
export async function countNudgesOn(tx: Queryable, personId: string, localDate: string): Promise<number> {
  const result = await tx.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM nudges WHERE person_id = $1 AND local_date = $2
       AND status NOT IN ('cancelled', 'failed')`,
    [personId, localDate],
  );
  return Number(result.rows[0]?.n ?? 0);
}

export async function getNudge(
  tx: Queryable,
  id: string,
  personId?: string,
): Promise<StoredNudge | undefined> {
  const result = await tx.query<NudgeRow>(
    `SELECT ${COLUMNS} FROM nudges WHERE id = $1${personId ? " AND person_id = $2" : ""}`,
    personId ? [id, personId] : [id],
  );
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

/**
 * Claims a due nudge for sending: scheduled → sending, or a sending one whose claim is older than the lease
 * (its worker died mid-send). Undefined when another worker has it, it is not due yet, or it is finished.
 */
/**
 * Claims a nudge for sending: a scheduled one, one whose claim is older than the lease, or one claimed by this
 * same job (`claimant`, the delivery job's id: a job runs again under its id only after its run died).
 */
export async function claimNudge(
  tx: Queryable,
  id: string,
  now: Date,
  leaseMs: number,
  claimant: string | null = null,
): Promise<StoredNudge | undefined> {
  const result = await tx.query<NudgeRow>(
    `UPDATE nudges SET status = 'sending', claimed_at = $2, claimed_by = $4, attempts = attempts + 1, updated_at = $2
     WHERE id = $1 AND scheduled_for <= $2::timestamptz + interval '5 seconds'
       AND (status = 'scheduled' OR (status = 'sending' AND (claimed_at < $3 OR claimed_by = $4)))
     RETURNING ${COLUMNS}`,
    [id, now.toISOString(), new Date(now.getTime() - leaseMs).toISOString(), claimant],
  );
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

export async function markNudgeSent(
  tx: Queryable,
  id: string,
  at: Date,
  channel: string | null,
): Promise<boolean> {
  const result = await tx.query<{ id: string }>(
    `UPDATE nudges SET status = 'sent', sent_at = $2, channel = $3, last_error = NULL, updated_at = $2
     WHERE id = $1 AND status = 'sending' RETURNING id`,
    [id, at.toISOString(), channel],
  );
  return result.rows.length > 0;
}

/** A failed try: back to scheduled for the job's next attempt, or failed for good (kept for the console). */
export async function markNudgeFailed(
  tx: Queryable,
  id: string,
  at: Date,
  error: string,
  final: boolean,
): Promise<void> {
  await tx.query(
    `UPDATE nudges SET status = $3, last_error = $4, claimed_at = NULL, updated_at = $2
     WHERE id = $1 AND status = 'sending'`,
    [id, at.toISOString(), final ? "failed" : "scheduled", error.slice(0, 500)],
  );
}

export async function cancelNudge(tx: Queryable, id: string, at: Date, reason: string): Promise<void> {
  await tx.query(
    `UPDATE nudges SET status = 'cancelled', last_error = $3, updated_at = $2
     WHERE id = $1 AND status IN ('scheduled', 'sending')`,
    [id, at.toISOString(), reason],
  );
}

/** Schedules the nudge again for `until` (a snooze); false when it was already answered or cancelled. */
export async function rescheduleNudge(
  tx: Queryable,
  id: string,
  at: Date,
  until: Date,
): Promise<StoredNudge | undefined> {
  const result = await tx.query<NudgeRow>(
    `UPDATE nudges SET status = 'scheduled', scheduled_for = $3, snooze_count = snooze_count + 1,
       expires_at = greatest(coalesce(expires_at, $3), $3::timestamptz + interval '1 hour'),
       claimed_at = NULL, answer = 'snooze', updated_at = $2
     WHERE id = $1 AND status IN ('scheduled', 'sent', 'failed')
     RETURNING ${COLUMNS}`,
    [id, at.toISOString(), until.toISOString()],
  );
  const row = result.rows[0];
  return row ? fromRow(row) : undefined;
}

/** Records an answer: acted (done, reschedule) or dismissed (skip). */
export async function answerNudgeRow(
  tx: Queryable,
  id: string,
  at: Date,
  status: "acted" | "dismissed",
  answer: string,
): Promise<void> {
  await tx.query(
    `UPDATE nudges SET status = $3, answer = $4, acted_at = $2, claimed_at = NULL, updated_at = $2 WHERE id = $1`,
    [id, at.toISOString(), status, answer],
  );
}

export interface NudgeListQuery {
  statuses?: readonly NudgeRowStatus[];
  since?: string;
  /** Keyset: strictly older than this (scheduled_for, id). */
  before?: { scheduledFor: string; id: string };
  limit: number;
}

/** The person's nudges, newest first. */
export async function listNudgeRows(
  tx: Queryable,
  personId: string,
  query: NudgeListQuery,
): Promise<StoredNudge[]> {
  const where = ["person_id = $1"];
  const params: unknown[] = [personId];
  const add = (sql: string, ...values: unknown[]) => {
    let text = sql;
    for (const value of values) {
      params.push(value);
      text = text.replace("?", `$${params.length}`);
    }
    where.push(text);
  };
  if (query.statuses && query.statuses.length > 0) add("status = ANY(?::text[])", query.statuses);
  if (query.since) add("scheduled_for >= ?", query.since);
  if (query.before)
    add("(scheduled_for, id) < (?::timestamptz, ?::uuid)", query.before.scheduledFor, query.before.id);
  params.push(query.limit);
  const result = await tx.query<NudgeRow>(
    `SELECT ${COLUMNS} FROM nudges WHERE ${where.join(" AND ")}
     ORDER BY scheduled_for DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return result.rows.map(fromRow);
}

/** The person's nudges still waiting to be sent (their jobs are re-enqueued after a restart). */
export async function scheduledNudges(tx: Queryable, personId: string): Promise<StoredNudge[]> {
  const result = await tx.query<NudgeRow>(
    `SELECT ${COLUMNS} FROM nudges WHERE person_id = $1 AND status IN ('scheduled', 'sending')`,
    [personId],
  );
  return result.rows.map(fromRow);
}

/** Pooled over the workspace: per local send hour, how many nudges went out and how many were acted on. */
export async function sendHourStats(tx: Queryable): Promise<{ hour: number; sent: number; acted: number }[]> {
  const result = await tx.query<{ send_hour: number; sent: number | string; acted: number | string }>(
    `SELECT send_hour, count(*) AS sent, count(*) FILTER (WHERE status = 'acted') AS acted
     FROM nudges WHERE sent_at IS NOT NULL AND send_hour IS NOT NULL GROUP BY send_hour`,
  );
  return result.rows.map((row) => ({
    hour: row.send_hour,
    sent: Number(row.sent),
    acted: Number(row.acted),
  }));
}

/** The latest plan's unscheduled tasks (task ids and titles). */
export async function latestUnscheduled(
  tx: Queryable,
  personId: string,
): Promise<{ taskId: string; title: string }[]> {
  const result = await tx.query<{ unscheduled: unknown }>(
    "SELECT unscheduled FROM plans WHERE person_id = $1 ORDER BY version DESC LIMIT 1",
    [personId],
  );
  const list = parseJson(result.rows[0]?.unscheduled ?? []);
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const entry = item as { taskId?: unknown; taskTitle?: unknown };
    return typeof entry.taskId === "string"
      ? [{ taskId: entry.taskId, title: typeof entry.taskTitle === "string" ? entry.taskTitle : "a task" }]
      : [];
  });
}

/** The raw people.preferences.nudges of a person (validated by the caller). */
export async function getNudgePreferencesJson(tx: Queryable, personId: string): Promise<unknown> {
  const result = await tx.query<{ nudges: unknown }>(
    "SELECT preferences -> 'nudges' AS nudges FROM people WHERE id = $1",
    [personId],
  );
  return parseJson(result.rows[0]?.nudges ?? null);
}

export async function saveNudgePreferencesJson(tx: Queryable, personId: string, json: string): Promise<void> {
  await tx.query(
    `UPDATE people SET preferences = jsonb_set(coalesce(preferences, '{}'::jsonb), '{nudges}', $2::jsonb, true)
     WHERE id = $1`,
    [personId, json],
  );
}

/** System: every person of every workspace, for the evaluator's sweep. */
export async function systemListPeopleForNudges(
  tx: Queryable,
): Promise<{ workspaceId: string; personId: string }[]> {
  const result = await tx.query<{ workspace_id: string; id: string }>(
    "SELECT workspace_id, id FROM people ORDER BY workspace_id, id",
  );
  return result.rows.map((row) => ({ workspaceId: row.workspace_id, personId: row.id }));
}
