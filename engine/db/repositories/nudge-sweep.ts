/**
 * What the nudge evaluator reads and writes for a whole batch of people at once: a few set-based queries per
 * batch (people, today's blocks and meetings, open tasks due soon, today's activity, the latest plans' unfitted
 * work, nudges already counted today, a data version per person) instead of several queries per person, and one
 * insert for every nudge the batch decided. Every function runs inside a workspace-scoped transaction.
 */
import type { Queryable } from "../port.ts";
import type { NewNudge } from "./nudges.ts";

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

export interface SweepPersonRow {
  id: string;
  email: string;
  name: string;
  timezone: string;
  isAdmin: boolean;
  /** The raw columns a planning profile is read from. */
  workingHours: unknown;
  preferences: unknown;
}

/** Everyone in the workspace, by id: the sweep's batches walk this list. */
export async function listPersonIds(tx: Queryable): Promise<string[]> {
  const result = await tx.query<{ id: string }>("SELECT id FROM people ORDER BY id");
  return result.rows.map((row) => row.id);
}

export async function peopleByIds(tx: Queryable, ids: readonly string[]): Promise<SweepPersonRow[]> {
  const result = await tx.query<{
    id: string;
    email: string;
    name: string;
    timezone: string;
    is_admin: boolean;
    working_hours: unknown;
    preferences: unknown;
  }>(
    `SELECT id, email, name, timezone, is_admin, working_hours, preferences FROM people
     WHERE id = ANY($1::uuid[]) ORDER BY id`,
    [ids],
  );
  return result.rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    timezone: row.timezone,
    isAdmin: row.is_admin,
    workingHours: row.working_hours,
    preferences: parseJson(row.preferences),
  }));
}

export interface SweepBlockRow {
  personId: string;
  id: string;
  taskId: string | null;
  title: string | null;
  kind: "task" | "focus" | "habit";
  status: "planned" | "accepted" | "done" | "superseded" | "deleted";
  start: string;
  end: string;
}

/** The people's blocks overlapping [from, to), any status, in start order. */
export async function blocksOfPeople(
  tx: Queryable,
  workspaceId: string,
  ids: readonly string[],
  from: string,
  to: string,
): Promise<SweepBlockRow[]> {
  const result = await tx.query<{
    person_id: string;
    id: string;
    task_id: string | null;
    task_title: string | null;
    habit_title: string | null;
    kind: SweepBlockRow["kind"];
    status: SweepBlockRow["status"];
    start_at: Date | string;
    end_at: Date | string;
  }>(
    `SELECT b.person_id, b.id, b.task_id, t.title AS task_title, h.title AS habit_title, b.kind, b.status,
       b.start_at, b.end_at
     FROM blocks b LEFT JOIN tasks t ON t.id = b.task_id LEFT JOIN habits h ON h.id = b.habit_id
     WHERE b.workspace_id = $4 AND b.person_id = ANY($1::uuid[]) AND b.end_at > $2 AND b.start_at < $3
     ORDER BY b.start_at, b.id`,
    [ids, from, to, workspaceId],
  );
  return result.rows.map((row) => ({
    personId: row.person_id,
    id: row.id,
    taskId: row.task_id,
    title: row.task_title ?? row.habit_title,
    kind: row.kind,
    status: row.status,
    start: iso(row.start_at),
    end: iso(row.end_at),
  }));
}

/**
 * Calendar events that block the people's time in [from, to): busy, not declined, not cancelled, not Cairn's
 * own block events; an event without a person belongs to whoever owns its connection (as listBusyEvents reads).
 */
export async function busyEventsOfPeople(
  tx: Queryable,
  workspaceId: string,
  ids: readonly string[],
  from: string,
  to: string,
): Promise<{ personId: string; start: string; end: string }[]> {
  const result = await tx.query<{ person_id: string; start_at: Date | string; end_at: Date | string }>(
    `SELECT coalesce(e.person_id, c.person_id) AS person_id, e.start_at, e.end_at
     FROM calendar_events e LEFT JOIN connections c ON e.person_id IS NULL AND c.id = e.connection_id
     WHERE e.workspace_id = $4
       AND (e.person_id = ANY($1::uuid[]) OR (e.person_id IS NULL AND c.person_id = ANY($1::uuid[])))
       AND e.busy AND NOT e.declined AND e.status <> 'cancelled' AND e.cairn_block_id IS NULL
       AND e.end_at > $2 AND e.start_at < $3
     ORDER BY e.start_at`,
    [ids, from, to, workspaceId],
  );
  return result.rows.map((row) => ({
    personId: row.person_id,
    start: iso(row.start_at),
    end: iso(row.end_at),
  }));
}

/** Open tasks (not deleted at their source) due in (after, until]. */
export async function openTasksDueBetween(
  tx: Queryable,
  ids: readonly string[],
  after: string,
  until: string,
): Promise<{ personId: string; id: string; title: string; due: string }[]> {
  const result = await tx.query<{ person_id: string; id: string; title: string; due: Date | string }>(
    `SELECT person_id, id, title, due FROM tasks
     WHERE person_id = ANY($1::uuid[]) AND status IN ('todo', 'in_progress') AND source_deleted_at IS NULL
       AND due > $2 AND due <= $3
     ORDER BY person_id, due, id`,
    [ids, after, until],
  );
  return result.rows.map((row) => ({
    personId: row.person_id,
    id: row.id,
    title: row.title,
    due: iso(row.due),
  }));
}

/** Task starts (task_started, focus_started) and completions in [from, to]. */
export async function activityOfPeople(
  tx: Queryable,
  workspaceId: string,
  ids: readonly string[],
  from: string,
  to: string,
  types: readonly string[],
): Promise<{ personId: string; type: string; taskId: string | null; at: string }[]> {
  const result = await tx.query<{
    person_id: string;
    type: string;
    task_id: string | null;
    occurred_at: Date | string;
  }>(
    `SELECT person_id, type, task_id, occurred_at FROM events
     WHERE workspace_id = $1 AND person_id = ANY($2::uuid[]) AND occurred_at >= $3 AND occurred_at <= $4
       AND type = ANY($5::text[])
     ORDER BY occurred_at, id`,
    [workspaceId, ids, from, to, types],
  );
  return result.rows.map((row) => ({
    personId: row.person_id,
    type: row.type,
    taskId: row.task_id,
    at: iso(row.occurred_at),
  }));
}

/** Each person's latest plan: the open tasks it could not fit (ids and titles). */
export async function latestUnscheduledOfPeople(
  tx: Queryable,
  ids: readonly string[],
): Promise<{ personId: string; taskId: string; title: string }[]> {
  const result = await tx.query<{ person_id: string; unscheduled: unknown }>(
    `SELECT DISTINCT ON (person_id) person_id, unscheduled FROM plans
     WHERE person_id = ANY($1::uuid[]) ORDER BY person_id, version DESC`,
    [ids],
  );
  const listed = result.rows.flatMap((row) => {
    const list = parseJson(row.unscheduled);
    if (!Array.isArray(list)) return [];
    return list.flatMap((item: unknown) => {
      const entry = item as { taskId?: unknown; taskTitle?: unknown };
      return typeof entry.taskId === "string"
        ? [
            {
              personId: row.person_id,
              taskId: entry.taskId,
              title: typeof entry.taskTitle === "string" ? entry.taskTitle : "a task",
            },
          ]
        : [];
    });
  });
  if (listed.length === 0) return [];
  const open = await tx.query<{ id: string }>(
    `SELECT id FROM tasks WHERE id = ANY($1::uuid[]) AND status IN ('todo', 'in_progress')
       AND source_deleted_at IS NULL`,
    [[...new Set(listed.map((u) => u.taskId))]],
  );
  const openIds = new Set(open.rows.map((row) => row.id));
  return listed.filter((u) => openIds.has(u.taskId));
}

/** Per person and local date: the nudges counting toward the daily cap (not cancelled or failed). */
export async function nudgeCountsOn(
  tx: Queryable,
  ids: readonly string[],
  localDates: readonly string[],
): Promise<{ personId: string; localDate: string; count: number }[]> {
  const result = await tx.query<{ person_id: string; day: string; n: number | string }>(
    `SELECT person_id, local_date::text AS day, count(*) AS n FROM nudges
     WHERE person_id = ANY($1::uuid[]) AND local_date = ANY($2::date[]) AND status NOT IN ('cancelled', 'failed')
     GROUP BY person_id, local_date`,
    [ids, [...new Set(localDates)]],
  );
  return result.rows.map((row) => ({ personId: row.person_id, localDate: row.day, count: Number(row.n) }));
}

/**
 * A per-person stamp of what the behaviour models read (tasks, the event log, blocks, calendar events): when
 * it is unchanged, so are the person's completion probabilities at a given moment.
 */
export async function dataVersions(
  tx: Queryable,
  workspaceId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const result = await tx.query<{ id: string; version: string | null }>(
    `SELECT p.id, concat_ws('|',
       (SELECT concat(count(*), '/', max(t.updated_at)) FROM tasks t WHERE t.person_id = p.id),
       (SELECT max(e.occurred_at)::text FROM events e WHERE e.workspace_id = $1 AND e.person_id = p.id),
       (SELECT concat(count(*), '/', max(b.updated_at)) FROM blocks b
          WHERE b.workspace_id = $1 AND b.person_id = p.id),
       (SELECT concat(count(*), '/', max(c.updated_at)) FROM calendar_events c
          WHERE c.workspace_id = $1 AND (c.person_id = p.id
            OR c.connection_id IN (SELECT pc.id FROM connections pc WHERE pc.person_id = p.id))),
       p.timezone, p.working_hours::text) AS version
     FROM people p WHERE p.id = ANY($2::uuid[])`,
    [workspaceId, ids],
  );
  return new Map(result.rows.map((row) => [row.id, row.version ?? ""]));
}

/**
 * The workspace's nudges still waiting to be sent (their delayed jobs are re-enqueued after a restart); with
 * `dueBefore`, only those that should have gone out by then.
 */
export async function waitingNudges(
  tx: Queryable,
  dueBefore?: string,
): Promise<{ id: string; scheduledFor: string; snoozeCount: number }[]> {
  const result = await tx.query<{ id: string; scheduled_for: Date | string; snooze_count: number }>(
    `SELECT id, scheduled_for, snooze_count FROM nudges WHERE status IN ('scheduled', 'sending')
     ${dueBefore ? "AND scheduled_for < $1" : ""}`,
    dueBefore ? [dueBefore] : [],
  );
  return result.rows.map((row) => ({
    id: row.id,
    scheduledFor: iso(row.scheduled_for),
    snoozeCount: row.snooze_count,
  }));
}

/** A nudge the sweep schedules: the same row `insertNudge` writes one at a time. */
export type BatchNudge = NewNudge;

/** Inserts the nudges that do not exist yet (by id or dedupe key), in one statement; returns the ids it created. */
export async function insertNudges(tx: Queryable, nudges: readonly BatchNudge[]): Promise<Set<string>> {
  if (nudges.length === 0) return new Set();
  const column = <T>(pick: (n: BatchNudge) => T) => nudges.map(pick);
  const result = await tx.query<{ id: string }>(
    `INSERT INTO nudges (id, workspace_id, person_id, kind, message, payload, dedupe_key, task_id, block_id,
       local_date, send_hour, scheduled_for, expires_at)
     SELECT id, workspace_id, person_id, kind, message, payload::jsonb, dedupe_key, task_id, block_id, local_date,
       send_hour, scheduled_for, expires_at
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
       $9::uuid[], $10::date[], $11::smallint[], $12::timestamptz[], $13::timestamptz[])
       AS n(id, workspace_id, person_id, kind, message, payload, dedupe_key, task_id, block_id, local_date, send_hour,
         scheduled_for, expires_at)
     ON CONFLICT DO NOTHING
     RETURNING id`,
    [
      column((n) => n.id),
      column((n) => n.workspaceId),
      column((n) => n.personId),
      column((n) => n.kind),
      column((n) => n.text),
      column((n) => JSON.stringify({ message: n.message })),
      column((n) => n.dedupeKey),
      column((n) => n.taskId),
      column((n) => n.blockId),
      column((n) => n.localDate),
      column((n) => n.sendHour),
      column((n) => n.scheduledFor),
      column((n) => n.expiresAt),
    ],
  );
  return new Set(result.rows.map((row) => row.id));
}
