import { z } from "zod";
import type { Energy, Task, TaskStatus } from "../../domain.ts";
import { invalidInput } from "../../errors.ts";
import type { Queryable } from "../port.ts";

export interface TaskRow {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: number;
  estimate_minutes: number | null;
  due: Date | string | null;
  earliest_start: Date | string | null;
  depends_on: string[];
  parent_id: string | null;
  tags: string[];
  splittable: boolean;
  energy: Energy;
  person_id: string | null;
  source: string;
  external_id: string | null;
  url: string | null;
  completed_at: Date | string | null;
  source_deleted_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const TASK_COLUMNS = `id, title, description, status, priority, estimate_minutes, due, earliest_start, depends_on,
  parent_id, tags, splittable, energy, person_id, source, external_id, url, completed_at, source_deleted_at, created_at, updated_at`;

const iso = (value: Date | string | null): string | null =>
  value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();

export function taskFromRow(row: TaskRow): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    estimateMinutes: row.estimate_minutes,
    due: iso(row.due),
    earliestStart: iso(row.earliest_start),
    dependsOn: row.depends_on ?? [],
    parentId: row.parent_id ?? null,
    tags: row.tags ?? [],
    splittable: row.splittable,
    energy: row.energy,
    personId: row.person_id,
    source: row.source,
    externalId: row.external_id,
    url: row.url,
    completedAt: iso(row.completed_at),
    sourceDeletedAt: iso(row.source_deleted_at),
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}

export interface TaskFields {
  title: string;
  description: string;
  status: TaskStatus;
  priority: number;
  estimateMinutes: number | null;
  due: string | null;
  earliestStart: string | null;
  dependsOn: string[];
  parentId: string | null;
  tags: string[];
  splittable: boolean;
  energy: Energy;
  personId: string | null;
  source: string;
  externalId: string | null;
  connectionId: string | null;
  url: string | null;
  /** pgvector text literal, or null when the text has no features. */
  embedding: string | null;
}

const fieldColumns: [keyof TaskFields, string, string?][] = [
  ["title", "title"],
  ["description", "description"],
  ["status", "status"],
  ["priority", "priority"],
  ["estimateMinutes", "estimate_minutes"],
  ["due", "due"],
  ["earliestStart", "earliest_start"],
  ["dependsOn", "depends_on", "uuid[]"],
  ["parentId", "parent_id", "uuid"],
  ["tags", "tags", "text[]"],
  ["splittable", "splittable"],
  ["energy", "energy"],
  ["personId", "person_id"],
  ["source", "source"],
  ["externalId", "external_id"],
  ["connectionId", "connection_id"],
  ["url", "url"],
  ["embedding", "embedding", "vector"],
];

export async function insertTask(tx: Queryable, workspaceId: string, fields: TaskFields): Promise<Task> {
  const columns = ["workspace_id", ...fieldColumns.map(([, column]) => column)];
  const values = [workspaceId, ...fieldColumns.map(([key]) => fields[key])];
  const placeholders = columns.map((_, i) => {
    const cast = i === 0 ? undefined : fieldColumns[i - 1]?.[2];
    return cast ? `$${i + 1}::${cast}` : `$${i + 1}`;
  });
  const result = await tx.query<TaskRow>(
    `INSERT INTO tasks (${columns.join(", ")}) VALUES (${placeholders.join(", ")}) RETURNING ${TASK_COLUMNS}`,
    values,
  );
  return taskFromRow(result.rows[0] as TaskRow);
}

export async function updateTaskFields(
  tx: Queryable,
  id: string,
  patch: Partial<TaskFields> & { completedAt?: string | null; sourceDeletedAt?: string | null },
): Promise<Task | undefined> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  const all: [string, string, string?][] = [
    ...fieldColumns,
    ["completedAt", "completed_at"],
    ["sourceDeletedAt", "source_deleted_at"],
  ];
  for (const [key, column, cast] of all) {
    const value = (patch as Record<string, unknown>)[key];
    if (value === undefined) continue;
    values.push(value);
    sets.push(`${column} = $${values.length}${cast ? `::${cast}` : ""}`);
  }
  sets.push("updated_at = now()");
  const result = await tx.query<TaskRow>(
    `UPDATE tasks SET ${sets.join(", ")} WHERE id = $1 RETURNING ${TASK_COLUMNS}`,
    values,
  );
  const row = result.rows[0];
  return row ? taskFromRow(row) : undefined;
}

export async function getTaskById(tx: Queryable, id: string): Promise<Task | undefined> {
  const result = await tx.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id]);
  const row = result.rows[0];
  return row ? taskFromRow(row) : undefined;
}

export async function getTasksByIds(tx: Queryable, ids: readonly string[]): Promise<Task[]> {
  if (ids.length === 0) return [];
  const result = await tx.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])`, [
    ids,
  ]);
  return result.rows.map(taskFromRow);
}

export async function deleteTaskById(tx: Queryable, id: string): Promise<boolean> {
  await tx.query(
    "UPDATE tasks SET depends_on = array_remove(depends_on, $1::uuid) WHERE $1::uuid = ANY(depends_on)",
    [id],
  );
  const result = await tx.query("DELETE FROM tasks WHERE id = $1", [id]);
  return result.rowCount > 0;
}

/** All dependency edges of the workspace's open tasks, for cycle checks. */
export async function dependencyEdges(tx: Queryable): Promise<Map<string, string[]>> {
  const result = await tx.query<{ id: string; depends_on: string[] }>(
    "SELECT id, depends_on FROM tasks WHERE cardinality(depends_on) > 0",
  );
  return new Map(result.rows.map((row) => [row.id, row.depends_on]));
}

export interface TaskFilter {
  status?: TaskStatus[];
  dueBefore?: string;
  dueAfter?: string;
  source?: string;
  tag?: string;
  personId?: string;
  /** A parent's direct subtasks (an id), top-level tasks only (null), or any (undefined). */
  parent?: string | null;
  includeSourceDeleted?: boolean;
}

export type TaskOrder = "due" | "created" | "priority";

const orderKey: Record<TaskOrder, { expr: string; cast: string; direction: "ASC" | "DESC" }> = {
  due: { expr: "coalesce(due, 'infinity'::timestamptz)", cast: "timestamptz", direction: "ASC" },
  created: { expr: "created_at", cast: "timestamptz", direction: "DESC" },
  priority: { expr: "priority", cast: "smallint", direction: "ASC" },
};

/** Where the last page ended: the row's sort key as PostgreSQL prints it, its id, and the order it belongs to. */
const Keyset = z.object({
  key: z.string().max(64),
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
  order: z.enum(["due", "created", "priority"]).optional(),
});
type Keyset = z.infer<typeof Keyset>;

/** `timestamptz::text`: "2026-04-10 09:00:00+00", with optional fraction and a minutes (or seconds) offset. */
const pgTimestamp =
  /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)[+-](?:0\d|1[0-5])(?::[0-5]\d){0,2}$/;
const localDateTime = z.iso.datetime({ local: true });

function validKey(order: TaskOrder, key: string): boolean {
  if (order === "priority") return /^-?\d{1,5}$/.test(key) && Math.abs(Number(key)) <= 32_767;
  if (order === "due" && key === "infinity") return true;
  const match = pgTimestamp.exec(key);
  return match !== null && localDateTime.safeParse(`${match[1]}T${match[2]}`).success;
}

export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify(keyset)).toString("base64url");
}

/** The keyset of a cursor this order handed out, or undefined when the cursor is not one (crafted, tampered). */
export function decodeCursor(cursor: string, order: TaskOrder): Keyset | undefined {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const parsed = Keyset.safeParse(json);
  if (!parsed.success) return undefined;
  if (parsed.data.order !== undefined && parsed.data.order !== order) return undefined;
  return validKey(order, parsed.data.key) ? parsed.data : undefined;
}

function whereClause(filter: TaskFilter, values: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    values.push(value);
    where.push(sql(values.length));
  };
  if (filter.status?.length) add((n) => `status = ANY($${n}::text[])`, filter.status);
  if (filter.dueBefore) add((n) => `due < $${n}::timestamptz`, filter.dueBefore);
  if (filter.dueAfter) add((n) => `due >= $${n}::timestamptz`, filter.dueAfter);
  if (filter.source) add((n) => `source = $${n}`, filter.source);
  if (filter.tag) add((n) => `$${n} = ANY(tags)`, filter.tag);
  if (filter.personId) add((n) => `person_id = $${n}::uuid`, filter.personId);
  if (filter.parent) add((n) => `parent_id = $${n}::uuid`, filter.parent);
  if (filter.parent === null) where.push("parent_id IS NULL");
  if (!filter.includeSourceDeleted) where.push("source_deleted_at IS NULL");
  return where;
}

/** Keyset pagination: stable under inserts, one index range scan per page. */
export async function listTasksPage(
  tx: Queryable,
  filter: TaskFilter,
  options: { order: TaskOrder; limit: number; cursor?: string },
): Promise<{ tasks: Task[]; nextCursor: string | null }> {
  const values: unknown[] = [];
  const where = whereClause(filter, values);
  const { expr, cast, direction } = orderKey[options.order];
  if (options.cursor) {
    const keyset = decodeCursor(options.cursor, options.order);
    if (!keyset) {
      throw invalidInput("cursor: not a nextCursor that list_tasks handed out for this order", [
        {
          path: "cursor",
          message: `pass back nextCursor unchanged, with the same order ("${options.order}")`,
        },
      ]);
    }
    values.push(keyset.key, keyset.id);
    const cmp = direction === "ASC" ? ">" : "<";
    where.push(`(${expr}, id) ${cmp} ($${values.length - 1}::${cast}, $${values.length}::uuid)`);
  }
  values.push(options.limit + 1);
  const result = await tx.query<TaskRow & { sort_key: unknown }>(
    `SELECT ${TASK_COLUMNS}, ${expr}::text AS sort_key FROM tasks
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY ${expr} ${direction}, id ${direction} LIMIT $${values.length}`,
    values,
  );
  const rows = result.rows.slice(0, options.limit);
  const last = rows[rows.length - 1];
  const nextCursor =
    result.rows.length > options.limit && last
      ? encodeCursor({ key: String(last.sort_key), id: last.id, order: options.order })
      : null;
  return { tasks: rows.map(taskFromRow), nextCursor };
}

export interface RankedId {
  id: string;
  rank: number;
}

/**
 * How the full-text side finds the `pool` matches with the lowest ids it ranks: "buckets" (migration 0029)
 * narrows the matches to an id range inside the GIN index and reads about 1 to 1.3 × pool rows; "walk"
 * (migration 0028, before) ANDs the GIN bitmap with a primary-key range and reads about 1.5 to 2.5 × pool
 * rows; "all-matches" (migration 0023) reads every match.
 */
export type TextCandidateScan = "buckets" | "walk" | "all-matches";

const textCandidateFunction: Record<TextCandidateScan, string> = {
  buckets: "cairn_task_text_buckets",
  walk: "cairn_task_text_walk",
  "all-matches": "cairn_task_text_candidates",
};

/** The one-round-trip functions of both sides, by the full-text scan they run (0029, 0028). */
const searchCandidateFunction: Record<Exclude<TextCandidateScan, "all-matches">, string> = {
  buckets: "cairn_task_search_buckets",
  walk: "cairn_task_search_candidates",
};

/**
 * Full-text candidates, best first (ties by id). Index-backed under RLS through a security-definer function
 * that ranks only the `pool` matches with the lowest ids: common words cost bounded ranking work.
 */
export async function textCandidates(
  tx: Queryable,
  query: string,
  filter: Pick<TaskFilter, "status" | "personId" | "includeSourceDeleted">,
  limit: number,
  pool: number,
  scan: TextCandidateScan = "buckets",
): Promise<RankedId[]> {
  const result = await tx.query<{ id: string }>(
    `SELECT id FROM ${textCandidateFunction[scan]}($1, $2::text[], $3::uuid, $4, $5, $6)`,
    [
      query,
      filter.status?.length ? filter.status : null,
      filter.personId ?? null,
      filter.includeSourceDeleted ?? false,
      pool,
      limit,
    ],
  );
  return result.rows.map((row, index) => ({ id: row.id, rank: index + 1 }));
}

/** The filters the full-text walk applies itself; search with any other filter gathers its sides apart. */
export type SearchCandidateFilter = Pick<TaskFilter, "status" | "personId" | "includeSourceDeleted">;

/**
 * Both sides of search_tasks in one round trip (cairn_task_search_buckets, migration 0029; or 0028's
 * cairn_task_search_candidates with the walk): the full-text candidates and the HNSW neighbours, each best
 * first, neighbours with ties by id as in vectorCandidates. A null vector (a query with no words) skips the
 * vector side.
 */
export async function searchCandidates(
  tx: Queryable,
  query: string,
  vectorLiteral: string | null,
  filter: SearchCandidateFilter,
  options: { depth: number; pool: number; efSearch: number; scan?: "buckets" | "walk" },
): Promise<{ text: RankedId[]; nearest: (RankedId & { distance: number })[] }> {
  const fn = searchCandidateFunction[options.scan ?? "buckets"];
  const result = await tx.query<{ side: "text" | "vector"; id: string; distance: number | null }>(
    `SELECT side, id, distance FROM ${fn}($1, $2::vector, $3::text[], $4::uuid, $5, $6, $7, $8)`,
    [
      query,
      vectorLiteral,
      filter.status?.length ? filter.status : null,
      filter.personId ?? null,
      filter.includeSourceDeleted ?? false,
      options.pool,
      options.depth,
      options.efSearch,
    ],
  );
  const text = result.rows
    .filter((row) => row.side === "text")
    .map((row, index) => ({ id: row.id, rank: index + 1 }));
  const nearest = rankNeighbours(
    result.rows
      .filter((row) => row.side === "vector")
      .map((row) => ({ id: row.id, distance: Number(row.distance) })),
  );
  return { text, nearest };
}

/** Neighbours best first, equal distances ordered by id (ORDER BY distance alone keeps HNSW usable). */
function rankNeighbours(rows: { id: string; distance: number }[]): (RankedId & { distance: number })[] {
  return rows
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((row, index) => ({ ...row, rank: index + 1 }));
}

/**
 * The vector side alone in one round trip (cairn_task_vector_candidates, migration 0029: ef_search and the
 * HNSW probe in one statement), for search that runs its two sides on two connections at once.
 */
export async function nearestCandidates(
  tx: Queryable,
  vectorLiteral: string,
  filter: SearchCandidateFilter,
  options: { depth: number; efSearch: number },
): Promise<(RankedId & { distance: number })[]> {
  const result = await tx.query<{ id: string; distance: number }>(
    "SELECT id, distance FROM cairn_task_vector_candidates($1::vector, $2::text[], $3::uuid, $4, $5, $6)",
    [
      vectorLiteral,
      filter.status?.length ? filter.status : null,
      filter.personId ?? null,
      filter.includeSourceDeleted ?? false,
      options.depth,
      options.efSearch,
    ],
  );
  return rankNeighbours(result.rows.map((row) => ({ id: row.id, distance: Number(row.distance) })));
}

/** The exact full-text ranking (every match ranked, through the tenant policy): the bench's reference. */
export async function textCandidatesExact(
  tx: Queryable,
  query: string,
  filter: TaskFilter,
  limit: number,
): Promise<RankedId[]> {
  const values: unknown[] = [query];
  const where = ["search @@ websearch_to_tsquery('english', $1)", ...whereClause(filter, values)];
  values.push(limit);
  const result = await tx.query<{ id: string }>(
    `SELECT id FROM tasks WHERE ${where.join(" AND ")}
     ORDER BY ts_rank_cd(search, websearch_to_tsquery('english', $1)) DESC, id LIMIT $${values.length}`,
    values,
  );
  return result.rows.map((row, index) => ({ id: row.id, rank: index + 1 }));
}

/**
 * Nearest neighbours by cosine distance, best first (ties by id). `efSearch` sets HNSW's candidate list;
 * `exact` turns index scans off so every distance is computed (the bench's reference ranking).
 */
export async function vectorCandidates(
  tx: Queryable,
  vectorLiteral: string,
  filter: TaskFilter,
  limit: number,
  options: { efSearch: number; exact?: boolean },
): Promise<(RankedId & { distance: number })[]> {
  await tx.query("SELECT set_config('hnsw.ef_search', $1, true)", [
    String(Math.max(options.efSearch, limit)),
  ]);
  if (options.exact) await tx.query("SELECT set_config('enable_indexscan', 'off', true)");
  const values: unknown[] = [vectorLiteral];
  const where = ["embedding IS NOT NULL", ...whereClause(filter, values)];
  values.push(limit);
  const result = await tx.query<{ id: string; distance: number }>(
    `SELECT id, embedding <=> $1::vector AS distance FROM tasks WHERE ${where.join(" AND ")}
     ORDER BY embedding <=> $1::vector LIMIT $${values.length}`,
    values,
  );
  if (options.exact) await tx.query("SELECT set_config('enable_indexscan', 'on', true)");
  // ORDER BY distance alone keeps the HNSW index usable; equal distances are ordered by id here.
  return result.rows
    .map((row) => ({ id: row.id, distance: Number(row.distance) }))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((row, index) => ({ ...row, rank: index + 1 }));
}

/** The person's open tasks for the planner, most important first (at most 2000). */
export async function listOpenTasksToPlan(tx: Queryable, personId: string): Promise<Task[]> {
  const result = await tx.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks WHERE person_id = $1 AND status IN ('todo', 'in_progress')
       AND source_deleted_at IS NULL ORDER BY priority, due NULLS LAST, created_at LIMIT 2000`,
    [personId],
  );
  return result.rows.map(taskFromRow);
}

export interface OpenTaskSummary {
  id: string;
  title: string;
  priority: number;
  due: Date | null;
  estimateMinutes: number | null;
  energy: Energy;
}

/** What "what should I do now" weighs: the person's open tasks, unordered. */
export async function listOpenTaskSummaries(tx: Queryable, personId: string): Promise<OpenTaskSummary[]> {
  const result = await tx.query<{
    id: string;
    title: string;
    priority: number;
    due: Date | string | null;
    estimate_minutes: number | null;
    energy: Energy;
  }>(
    `SELECT id, title, priority, due, estimate_minutes, energy FROM tasks
     WHERE person_id = $1 AND status IN ('todo','in_progress') AND source_deleted_at IS NULL`,
    [personId],
  );
  return result.rows.map((row) => ({
    id: row.id,
    title: row.title,
    priority: row.priority,
    due: row.due === null ? null : new Date(row.due),
    estimateMinutes: row.estimate_minutes,
    energy: row.energy,
  }));
}

export async function getTaskStatus(tx: Queryable, id: string): Promise<TaskStatus | undefined> {
  const result = await tx.query<{ status: TaskStatus }>("SELECT status FROM tasks WHERE id = $1", [id]);
  return result.rows[0]?.status;
}
