import type { EventType } from "../../domain.ts";
import type { Queryable } from "../port.ts";

export interface LoggedEvent {
  workspaceId: string;
  personId?: string | null;
  taskId?: string | null;
  blockId?: string | null;
  type: EventType;
  payload?: Record<string, unknown>;
  occurredAt?: Date;
}

/** Appends to the event log (append-only: the table refuses UPDATE and DELETE). */
export async function appendEvent(tx: Queryable, event: LoggedEvent): Promise<void> {
  await tx.query(
    `INSERT INTO events (workspace_id, person_id, task_id, block_id, type, payload, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      event.workspaceId,
      event.personId ?? null,
      event.taskId ?? null,
      event.blockId ?? null,
      event.type,
      JSON.stringify(event.payload ?? {}),
      (event.occurredAt ?? new Date()).toISOString(),
    ],
  );
}

export async function recordAudit(
  tx: Queryable,
  entry: {
    workspaceId: string;
    actorPersonId?: string | null;
    actor: string;
    action: string;
    target?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await tx.query(
    "INSERT INTO audit_log (workspace_id, actor_person_id, actor, action, target, details) VALUES ($1, $2, $3, $4, $5, $6)",
    [
      entry.workspaceId,
      entry.actorPersonId ?? null,
      entry.actor,
      entry.action,
      entry.target ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}

/** System: monthly partitions for the months ahead, so rows never pile into the default partition. */
export async function ensureEventPartitions(tx: Queryable, now: Date, monthsAhead = 2): Promise<void> {
  for (let offset = 0; offset <= monthsAhead; offset++) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    await tx.query("SELECT cairn_ensure_event_partition($1)", [month.toISOString()]);
  }
}

export interface PersonEvent {
  type: EventType;
  taskId: string | null;
  occurredAt: string;
}

/** One person's logged events since `from`, oldest first (the behaviour models' history). */
export async function listPersonEvents(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  from: Date,
  to: Date,
): Promise<PersonEvent[]> {
  const { rows } = await tx.query<{ type: EventType; task_id: string | null; occurred_at: Date | string }>(
    `SELECT type, task_id, occurred_at FROM events
      WHERE workspace_id = $1 AND person_id = $2 AND occurred_at >= $3 AND occurred_at <= $4
      ORDER BY occurred_at, id`,
    [workspaceId, personId, from.toISOString(), to.toISOString()],
  );
  return rows.map((row) => ({
    type: row.type,
    taskId: row.task_id,
    occurredAt: new Date(row.occurred_at).toISOString(),
  }));
}
