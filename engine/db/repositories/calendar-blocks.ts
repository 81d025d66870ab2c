/**
 * Blocks as written to a calendar: which connection takes a person's blocks, the blocks to write, and the
 * event id and times last written for each (blocks.calendar_*).
 */
import type { Queryable } from "../port.ts";
import { type ConnectionRecord, getConnectionRecord } from "./connections.ts";

/**
 * The active connection of one of these kinds that takes the person's blocks: their own, else a shared one
 * (the oldest first).
 */
export async function findBlockCalendarConnection(
  tx: Queryable,
  personId: string,
  kinds: readonly string[],
): Promise<ConnectionRecord | undefined> {
  const row = await tx.query<{ id: string }>(
    `SELECT id FROM connections
     WHERE kind = ANY($2::text[]) AND status = 'active' AND (person_id = $1 OR person_id IS NULL)
     ORDER BY (person_id IS NOT DISTINCT FROM $1::uuid) DESC, created_at LIMIT 1`,
    [personId, kinds],
  );
  const id = row.rows[0]?.id;
  return id ? getConnectionRecord(tx, id) : undefined;
}

export interface CalendarBlockRow {
  id: string;
  start_at: Date | string;
  end_at: Date | string;
  status: string;
  kind: string;
  title: string | null;
  habit_title: string | null;
  reason: string | null;
  calendar_event_id: string | null;
  calendar_connection_id: string | null;
  calendar_written_start: Date | string | null;
  calendar_written_end: Date | string | null;
}

/**
 * The person's live blocks in [from, to), and the blocks whose written event must go (superseded, deleted,
 * or done ahead of time), by start.
 */
export async function listBlocksToWrite(
  tx: Queryable,
  personId: string,
  from: string,
  to: string,
): Promise<CalendarBlockRow[]> {
  const result = await tx.query<CalendarBlockRow>(
    `SELECT b.id, b.start_at, b.end_at, b.status, b.kind, t.title, h.title AS habit_title,
            b.explanation->>'reason' AS reason,
            b.calendar_event_id, b.calendar_connection_id, b.calendar_written_start, b.calendar_written_end
     FROM blocks b LEFT JOIN tasks t ON t.id = b.task_id LEFT JOIN habits h ON h.id = b.habit_id
     WHERE b.person_id = $1 AND (
       (b.status IN ('planned', 'accepted') AND b.end_at > $2 AND b.start_at < $3)
       OR (b.calendar_event_id IS NOT NULL AND (b.status IN ('superseded', 'deleted') OR (b.status = 'done' AND b.start_at > $2)))
     )
     ORDER BY b.start_at`,
    [personId, from, to],
  );
  return result.rows;
}

export async function forgetWrittenEvent(tx: Queryable, blockId: string): Promise<void> {
  await tx.query(
    "UPDATE blocks SET calendar_event_id = NULL, calendar_written_start = NULL, calendar_written_end = NULL WHERE id = $1",
    [blockId],
  );
}

export interface WrittenEvent {
  eventId: string;
  connectionId: string;
  start: string;
  end: string;
}

export async function recordWrittenEvent(
  tx: Queryable,
  blockId: string,
  written: WrittenEvent,
): Promise<void> {
  await tx.query(
    `UPDATE blocks SET calendar_event_id = $2, calendar_connection_id = $3,
       calendar_written_start = $4, calendar_written_end = $5 WHERE id = $1`,
    [blockId, written.eventId, written.connectionId, written.start, written.end],
  );
}
