/** task_sources beyond a sync's page writes: completion write-back and cross-connection checks. */
import type { Queryable } from "../port.ts";

export interface SourceAwaitingCompletion {
  id: string;
  connectionId: string;
  externalId: string;
  source: string;
}

/** The task's live sources not yet told it is done, oldest link first. */
export async function listSourcesAwaitingCompletion(
  tx: Queryable,
  taskId: string,
): Promise<SourceAwaitingCompletion[]> {
  const result = await tx.query<{ id: string; connection_id: string; external_id: string; source: string }>(
    `SELECT id, connection_id, external_id, source FROM task_sources
     WHERE task_id = $1 AND deleted_at IS NULL AND completion_written_at IS NULL ORDER BY created_at`,
    [taskId],
  );
  return result.rows.map((row) => ({
    id: row.id,
    connectionId: row.connection_id,
    externalId: row.external_id,
    source: row.source,
  }));
}

export async function markCompletionWritten(tx: Queryable, sourceId: string): Promise<void> {
  await tx.query("UPDATE task_sources SET completion_written_at = now() WHERE id = $1", [sourceId]);
}

/** Whether other connections have live tasks in the workspace (a sync skips text dedupe otherwise). */
export async function hasLiveSourcesOutside(tx: Queryable, connectionId: string): Promise<boolean> {
  const result = await tx.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM task_sources WHERE connection_id <> $1 AND deleted_at IS NULL) AS found",
    [connectionId],
  );
  return result.rows[0]?.found === true;
}
