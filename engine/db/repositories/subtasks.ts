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
 *
 * Three single-table lookups and the matching done here, not one self-join of task_sources: right after a
 * first sync the planner's statistics have not seen the connection's rows (estimate: 1), and the join became
 * a nested loop over every pair of them (27 s for 5,000 Notion pages). Each step below stays linear whatever
 * the estimates.
 */
export async function resolveSourceParents(tx: Queryable, connectionId: string): Promise<string[]> {
  // Only tasks that name a parent at the source or have one now can change.
  const candidates = await tx.query<{
    task_id: string;
    parent_external: string | null;
    parent_id: string | null;
  }>(
    `SELECT s.task_id, s.parent_external, t.parent_id FROM task_sources s JOIN tasks t ON t.id = s.task_id
     WHERE s.connection_id = $1 AND s.deleted_at IS NULL AND (s.parent_external IS NOT NULL OR t.parent_id IS NOT NULL)`,
    [connectionId],
  );
  if (candidates.rows.length === 0) return [];
  const externals = [
    ...new Set(candidates.rows.flatMap((row) => (row.parent_external ? [row.parent_external] : []))),
  ];
  const parentsByExternal = new Map<string, string[]>();
  if (externals.length > 0) {
    const found = await tx.query<{ external_id: string; task_id: string }>(
      `SELECT external_id, task_id FROM task_sources
       WHERE connection_id = $1 AND external_id = ANY($2::text[]) AND deleted_at IS NULL`,
      [connectionId, externals],
    );
    for (const row of found.rows) {
      const list = parentsByExternal.get(row.external_id) ?? [];
      list.push(row.task_id);
      parentsByExternal.set(row.external_id, list);
    }
  }
  // Per task: the lowest parent id any of its source rows names (as ORDER BY uuid would pick), else none.
  const wanted = new Map<string, { current: string | null; parent: string | null }>();
  for (const row of candidates.rows) {
    const entry = wanted.get(row.task_id) ?? { current: row.parent_id, parent: null };
    for (const parent of parentsByExternal.get(row.parent_external ?? "") ?? []) {
      if (parent !== row.task_id && (entry.parent === null || parent < entry.parent)) entry.parent = parent;
    }
    wanted.set(row.task_id, entry);
  }
  const differing = [...wanted].filter(([, entry]) => entry.current !== entry.parent);
  // A parent set in Cairn on a synced task is kept unless the source names one (or it was the source's own).
  const clearable = [
    ...new Set(
      differing.flatMap(([, entry]) => (entry.parent === null && entry.current ? [entry.current] : [])),
    ),
  ];
  const sourceParents = new Set<string>();
  if (clearable.length > 0) {
    const own = await tx.query<{ task_id: string }>(
      "SELECT DISTINCT task_id FROM task_sources WHERE task_id = ANY($1::uuid[]) AND connection_id = $2",
      [clearable, connectionId],
    );
    for (const row of own.rows) sourceParents.add(row.task_id);
  }
  const changes = differing.filter(
    ([, entry]) => entry.parent !== null || (entry.current !== null && sourceParents.has(entry.current)),
  );
  if (changes.length === 0) return [];
  const updated = await tx.query<{ id: string }>(
    `UPDATE tasks t SET parent_id = r.parent_id, updated_at = now()
     FROM unnest($1::uuid[], $2::uuid[]) AS r(id, parent_id) WHERE t.id = r.id
     RETURNING t.id`,
    [changes.map(([id]) => id), changes.map(([, entry]) => entry.parent)],
  );
  const done = new Set(updated.rows.map((row) => row.id));
  const ids = changes.flatMap(([id, entry]) => (done.has(id) ? [entry.current, entry.parent] : []));
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
