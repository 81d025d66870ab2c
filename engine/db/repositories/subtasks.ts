/** Parent/subtask relations between tasks (tasks.parent_id) and their source-side parents (task_sources). */
import type { Task } from "../../domain.ts";
import type { Queryable } from "../port.ts";
import { TASK_COLUMNS, type TaskRow, taskFromRow } from "./tasks.ts";

const OPEN = "('todo', 'in_progress')";

/** The task's ancestors, nearest first (bounded: a corrupt cycle cannot loop forever). */
export async function ancestorIds(tx: Queryable, id: string): Promise<string[]> {
  const result = await tx.query<{ id: string }>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT parent_id, 1 FROM tasks WHERE id = $1 AND parent_id IS NOT NULL
       UNION ALL
       SELECT t.parent_id, up.depth + 1 FROM tasks t JOIN up ON t.id = up.id
       WHERE t.parent_id IS NOT NULL AND up.depth < 100
     ) SELECT id FROM up ORDER BY depth`,
    [id],
  );
  return result.rows.map((row) => row.id);
}

/** Every task below the given ones (children, grandchildren...), in breadth-first order. */
export async function listDescendants(tx: Queryable, rootIds: readonly string[]): Promise<Task[]> {
  if (rootIds.length === 0) return [];
  const result = await tx.query<TaskRow>(
    `WITH RECURSIVE down(id, depth) AS (
       SELECT id, 1 FROM tasks WHERE parent_id = ANY($1::uuid[])
       UNION
       SELECT t.id, down.depth + 1 FROM tasks t JOIN down ON t.parent_id = down.id WHERE down.depth < 100
     )
     SELECT ${TASK_COLUMNS} FROM tasks WHERE id IN (SELECT id FROM down)
     ORDER BY created_at, id`,
    [rootIds],
  );
  return result.rows.map(taskFromRow);
}

/**
 * Tasks inserted in one transaction share now() as created_at: spreads them by a microsecond each, in the
 * given order, so lists ordered by creation show them as given.
 */
export async function keepCreationOrder(tx: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length < 2) return;
  await tx.query(
    `UPDATE tasks t SET created_at = t.created_at + (u.i - 1) * interval '1 microsecond'
     FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, i) WHERE t.id = u.id`,
    [ids],
  );
}

/** How many open (todo, in progress) subtasks each of the given tasks has; absent when none. */
export async function openSubtaskCounts(tx: Queryable, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const result = await tx.query<{ parent_id: string; open: number | string }>(
    `SELECT parent_id, count(*) AS open FROM tasks
     WHERE parent_id = ANY($1::uuid[]) AND status IN ${OPEN} AND source_deleted_at IS NULL
     GROUP BY parent_id`,
    [ids],
  );
  return new Map(result.rows.map((row) => [row.parent_id, Number(row.open)]));
}

/** The open subtasks of the given parents (any person), for the planner. */
export async function listOpenChildren(tx: Queryable, parentIds: readonly string[]): Promise<Task[]> {
  if (parentIds.length === 0) return [];
  const result = await tx.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks
     WHERE parent_id = ANY($1::uuid[]) AND status IN ${OPEN} AND source_deleted_at IS NULL
     ORDER BY created_at, id`,
    [parentIds],
  );
  return result.rows.map(taskFromRow);
}

/**
 * Sets tasks.parent_id of the connection's tasks from their source's parent (the Jira sub-task's parent key,
 * the Notion page's "Parent item"): the parent found among the same connection's items, else none. Returns the
 * ids of the parents whose subtasks changed.
 */
export async function resolveSourceParents(tx: Queryable, connectionId: string): Promise<string[]> {
  // A parent set in Cairn on a synced task is kept unless the source names one (or it was the source's own).
  const result = await tx.query<{ old_parent: string | null; new_parent: string | null }>(
    `WITH wanted AS (
       SELECT DISTINCT ON (s.task_id) s.task_id, p.task_id AS parent_id
       FROM task_sources s
       LEFT JOIN task_sources p ON p.connection_id = s.connection_id AND p.external_id = s.parent_external
         AND p.task_id <> s.task_id AND p.deleted_at IS NULL
       WHERE s.connection_id = $1 AND s.deleted_at IS NULL
       ORDER BY s.task_id, p.task_id NULLS LAST
     ), changed AS (
       SELECT t.id, t.parent_id AS old_parent, w.parent_id AS new_parent
       FROM tasks t JOIN wanted w ON w.task_id = t.id
       WHERE t.parent_id IS DISTINCT FROM w.parent_id
         AND (w.parent_id IS NOT NULL OR EXISTS (
           SELECT 1 FROM task_sources o WHERE o.task_id = t.parent_id AND o.connection_id = $1))
     )
     UPDATE tasks t SET parent_id = c.new_parent, updated_at = now() FROM changed c WHERE t.id = c.id
     RETURNING c.old_parent, c.new_parent`,
    [connectionId],
  );
  const ids = result.rows.flatMap((row) => [row.old_parent, row.new_parent]);
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

/** The live source items of a task (where a new subtask of it could be written back). */
export async function liveSourcesOf(
  tx: Queryable,
  taskId: string,
): Promise<{ connectionId: string; externalId: string; source: string; scope: string }[]> {
  const result = await tx.query<{
    connection_id: string;
    external_id: string;
    source: string;
    scope: string;
  }>(
    `SELECT connection_id, external_id, source, scope FROM task_sources
     WHERE task_id = $1 AND deleted_at IS NULL ORDER BY created_at`,
    [taskId],
  );
  return result.rows.map((row) => ({
    connectionId: row.connection_id,
    externalId: row.external_id,
    source: row.source,
    scope: row.scope,
  }));
}

/** Links a task created in Cairn to the item that write-back created for it at the source. */
export async function linkCreatedSubtask(
  tx: Queryable,
  link: {
    workspaceId: string;
    taskId: string;
    connectionId: string;
    source: string;
    scope: string;
    externalId: string;
    url: string | null;
    parentExternal: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO task_sources (workspace_id, task_id, connection_id, source, scope, external_id, url, parent_external)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (workspace_id, connection_id, external_id) DO NOTHING`,
    [
      link.workspaceId,
      link.taskId,
      link.connectionId,
      link.source,
      link.scope,
      link.externalId,
      link.url,
      link.parentExternal,
    ],
  );
  await tx.query(
    `UPDATE tasks SET source = $2, external_id = $3, url = coalesce(url, $4), updated_at = now()
     WHERE id = $1 AND source = 'cairn'`,
    [link.taskId, link.source, link.externalId, link.url],
  );
}

/** Whether the task already has a source item (a retried write-back job must not create a second one). */
export async function hasSourceIn(tx: Queryable, taskId: string, connectionId: string): Promise<boolean> {
  const result = await tx.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM task_sources WHERE task_id = $1 AND connection_id = $2) AS found",
    [taskId, connectionId],
  );
  return result.rows[0]?.found === true;
}
