/**
 * What the sync runner writes, one page at a time inside one scoped transaction: tasks with their source
 * links (task_sources), calendar events, and the scope's cursor.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Embedder } from "../../search/embedder.ts";
import { isZero, toVectorLiteral } from "../../search/embedder.ts";
import type { SourceEvent, SourceTask, SyncScope } from "../../sync/connector.ts";
import { canonicalUrl, type LinkIdentity } from "../../sync/dedupe.ts";
import { createDuplicateProbe, type DuplicateProbe, NEAREST_CANDIDATES } from "../../sync/duplicate-index.ts";
import type { Queryable } from "../port.ts";
import type { TaskFields } from "./tasks.ts";

export interface PageCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  merged: number;
}

export interface PageWriteContext {
  workspaceId: string;
  connectionId: string;
  kind: string;
  scopeId: string;
  defaultPersonId: string | null;
  peopleByEmail: Map<string, string>;
  embedder: Embedder;
  /** Stamp for last_seen_at and deletions. */
  now: Date;
  dedupeThreshold: number;
  /** Whether other connections have tasks in this workspace (text dedupe is skipped otherwise). */
  otherSources: boolean;
  /** The registered connectors' link rules, so a link to the same item compares equal across sources. */
  linkIdentities: readonly LinkIdentity[];
  /** The run's in-memory nearest-neighbour index over the workspace's task vectors (one per sync run). */
  duplicateProbe?: DuplicateProbe;
  /**
   * Set when the page before is still being written on another connection: settles once it has committed.
   * A page that changes tasks already stored, or would merge an item into another source's task, waits for it
   * and reads its links (and duplicates) again; one of new and unchanged items goes ahead beside it.
   */
  settled?: () => Promise<void>;
}

export interface PageWriteResult extends PageCounts {
  /** People whose tasks or events changed (for replanning). */
  taskPeople: Set<string | null>;
  eventPeople: Set<string | null>;
  changedTaskIds: string[];
}

function emptyPageResult(): PageWriteResult {
  return {
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    merged: 0,
    taskPeople: new Set(),
    eventPeople: new Set(),
    changedTaskIds: [],
  };
}

export function contentHash(value: unknown): string {
  return createHash("sha1").update(JSON.stringify(value)).digest("base64url");
}

interface LinkRow {
  id: string;
  task_id: string;
  external_id: string;
  content_hash: string | null;
  deleted_at: Date | string | null;
  status: string;
  completed_at: Date | string | null;
  person_id: string | null;
}

const embeddingText = (task: SourceTask) => [task.title, task.description, task.tags.join(" ")].join("\n");

/** The page's vectors, for the items that are written (new or changed), computed in one pass. */
function vectorsFor(embedder: Embedder, tasks: readonly SourceTask[]): Map<string, Float32Array> {
  const texts = tasks.map(embeddingText);
  return new Map(tasks.map((task, index) => [task.externalId, embedder.embed(texts[index] as string)]));
}

/** The vector as stored (toVectorLiteral rounds to 6 decimals, pgvector keeps float4). */
function asStored(vector: Float32Array): Float32Array {
  return Float32Array.from(vector, (v) => Math.round(v * 1e6) / 1e6);
}

/**
 * Brings the run's index up to date with the tasks table: all vectors at the first call, then the rows
 * written since (by this run's earlier pages or by anything else), found by transaction id (xmin) so that
 * a transaction that was still open at the last read is read again once it has committed.
 */
export async function refreshDuplicateProbe(tx: Queryable, probe: DuplicateProbe): Promise<void> {
  const snapshot = await tx.query<{ xmin: string }>(
    "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text AS xmin",
  );
  const rows =
    probe.sinceXid === null
      ? await tx.query<{ id: string; embedding: string | null }>(
          "SELECT id, embedding::text AS embedding FROM tasks WHERE embedding IS NOT NULL",
        )
      : await tx.query<{ id: string; embedding: string | null }>(
          "SELECT id, embedding::text AS embedding FROM tasks WHERE age(xmin) <= age($1::text::xid)",
          [probe.sinceXid],
        );
  for (const row of rows.rows) {
    probe.index.upsert(row.id, row.embedding ? (JSON.parse(row.embedding) as number[]) : null);
  }
  probe.sinceXid = snapshot.rows[0]?.xmin ?? null;
}

function canonicalList(urls: readonly (string | null)[], identities: readonly LinkIdentity[]): string[] {
  return [
    ...new Set(
      urls
        .flatMap((url) => (url ? [canonicalUrl(url, identities)] : []))
        .filter((u): u is string => u !== null),
    ),
  ];
}

interface Duplicate {
  taskId: string;
  by: "url" | "text";
}

/**
 * Tasks of other connections that new items of a page duplicate: by URL link first (the item links the other
 * item's URL, or the other item links this one), then by text similarity at or above the threshold. Batched:
 * one URL lookup for the whole page, the text side against the run's in-memory index (refreshed once per
 * page), and one eligibility query.
 */
async function findDuplicates(
  tx: Queryable,
  ctx: PageWriteContext,
  items: { task: SourceTask; vector: Float32Array }[],
): Promise<Map<string, Duplicate>> {
  const found = new Map<string, Duplicate>();
  if (!ctx.otherSources || items.length === 0) return found;
  const own = items.map(({ task }) => (task.url ? canonicalUrl(task.url, ctx.linkIdentities) : null));
  const linked = items.map(({ task }) => canonicalList(task.linkedUrls, ctx.linkIdentities));
  const allOwn = own.filter((url): url is string => url !== null);
  const allLinked = [...new Set(linked.flat())];
  const candidates = new Map<number, string[]>();
  if (allOwn.length > 0 || allLinked.length > 0) {
    const rows = await tx.query<{ task_id: string; url: string | null; linked_urls: string[] }>(
      `SELECT task_id, url, linked_urls FROM task_sources
       WHERE connection_id <> $1 AND deleted_at IS NULL AND (url = ANY($2::text[]) OR linked_urls && $3::text[])`,
      [ctx.connectionId, allLinked, allOwn],
    );
    items.forEach((_, index) => {
      const mine = own[index];
      const links = linked[index] ?? [];
      const ids = rows.rows
        .filter(
          (row) =>
            (row.url !== null && links.includes(row.url)) ||
            (mine !== null && mine !== undefined && row.linked_urls.includes(mine)),
        )
        .map((row) => row.task_id);
      if (ids.length > 0) candidates.set(index, ids);
    });
  }
  const textIndexes = items
    .map((_, index) => index)
    .filter((index) => !candidates.has(index) && !isZero(items[index]?.vector as Float32Array));
  const near = new Map<number, { id: string; distance: number }[]>();
  if (textIndexes.length > 0) {
    const probe = ctx.duplicateProbe ?? createDuplicateProbe(ctx.embedder.dimensions);
    await refreshDuplicateProbe(tx, probe);
    for (const index of textIndexes) {
      const vector = asStored(items[index]?.vector as Float32Array);
      const list = probe.index.near(vector, 1 - ctx.dedupeThreshold, NEAREST_CANDIDATES);
      if (list.length > 0) near.set(index, list);
    }
  }
  const ids = [
    ...new Set([...[...candidates.values()].flat(), ...[...near.values()].flat().map((n) => n.id)]),
  ];
  if (ids.length === 0) return found;
  // Eligible: a live task with a source in another connection and none in this one. Each candidate's
  // sources are read by task id (an aggregate in a lateral subquery is never turned into a join), so the plan
  // stays a few index lookups per candidate even before the table has statistics.
  const eligible = await tx.query<{ id: string }>(
    `SELECT c.id FROM unnest($2::uuid[]) AS c(id)
     CROSS JOIN LATERAL (
       SELECT bool_or(s.connection_id <> $1 AND s.deleted_at IS NULL) AS other, bool_or(s.connection_id = $1) AS mine
       FROM task_sources s WHERE s.task_id = c.id
     ) s
     WHERE s.other AND NOT s.mine
       AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = c.id AND t.source_deleted_at IS NULL)`,
    [ctx.connectionId, ids],
  );
  const ok = new Set(eligible.rows.map((row) => row.id));
  const claimed = new Set<string>();
  items.forEach(({ task }, index) => {
    const byUrl = candidates.get(index)?.find((id) => ok.has(id) && !claimed.has(id));
    const byText = near
      .get(index)
      ?.sort((a, b) => a.distance - b.distance)
      .find((n) => ok.has(n.id) && !claimed.has(n.id))?.id;
    const taskId = byUrl ?? byText;
    if (taskId) {
      claimed.add(taskId);
      found.set(task.externalId, { taskId, by: byUrl ? "url" : "text" });
    }
  });
  return found;
}

function statusPatch(
  incoming: SourceTask,
  local: { status: string; completed_at: Date | string | null },
  now: Date,
): Pick<TaskFields, "status"> & { completedAt?: string | null } {
  // A task completed in Cairn after the source's last edit stays done (the write-back is on its way).
  if (local.status === "done" && incoming.status !== "done" && local.completed_at) {
    const completed = new Date(local.completed_at).getTime();
    if (completed >= Date.parse(incoming.updatedAt)) return { status: "done" };
  }
  if (incoming.status === "done" && local.status !== "done")
    return { status: "done", completedAt: now.toISOString() };
  if (incoming.status !== "done" && local.status === "done")
    return { status: incoming.status, completedAt: null };
  return { status: incoming.status };
}

async function markSourceDeleted(tx: Queryable, linkIds: string[], now: Date): Promise<string[]> {
  if (linkIds.length === 0) return [];
  const gone = await tx.query<{ task_id: string }>(
    "UPDATE task_sources SET deleted_at = $2, last_seen_at = $2 WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL RETURNING task_id",
    [linkIds, now.toISOString()],
  );
  const taskIds = [...new Set(gone.rows.map((row) => row.task_id))];
  if (taskIds.length === 0) return [];
  const marked = await tx.query<{ id: string }>(
    `UPDATE tasks t SET source_deleted_at = $2, updated_at = now()
     WHERE t.id = ANY($1::uuid[]) AND t.source_deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM task_sources s WHERE s.task_id = t.id AND s.deleted_at IS NULL)
     RETURNING t.id`,
    [taskIds, now.toISOString()],
  );
  return marked.rows.map((row) => row.id);
}

interface PendingCreate {
  task: SourceTask;
  personId: string | null;
  embedding: string | null;
  /** url, linked urls, dependency external ids, content hash, source updated at, last seen at, parent external id. */
  sourceColumns: unknown[];
}

/** The task_sources columns a page writes, from the positional `sourceColumns` of an item (JSON for the SQL). */
function sourceRow(sourceColumns: unknown[]) {
  const [url, linkedUrls, dependsOn, hash, sourceUpdatedAt, lastSeenAt, parentExternal] = sourceColumns;
  return {
    url,
    linked_urls: linkedUrls,
    depends_on_external: dependsOn,
    content_hash: hash,
    source_updated_at: sourceUpdatedAt,
    last_seen_at: lastSeenAt,
    parent_external: parentExternal,
  };
}

/**
 * New items of a page go in with one statement per table (tasks, the event log, task_sources) instead of
 * several per item: the first full sync of a large source is dominated by these inserts.
 */
async function insertNewTasks(
  tx: Queryable,
  ctx: PageWriteContext,
  creates: PendingCreate[],
  nowIso: string,
): Promise<Map<string, string>> {
  // Ids are chosen here so that a new task's dependencies on items of this page or of earlier pages are
  // written with it: resolveDependencies then updates only the forward references (an UPDATE of a task row
  // also costs a new entry in each of its indexes, the HNSW one above all).
  const ids = new Map(creates.map(({ task }) => [task.externalId, randomUUID()]));
  const wantedExternal = [
    ...new Set(creates.flatMap(({ task }) => task.dependsOnExternalIds.filter((id) => !ids.has(id)))),
  ];
  const known = new Map<string, string>();
  if (wantedExternal.length > 0) {
    // By the unique key, one external id at a time (see writeTasks).
    const found = await tx.query<{ external_id: string; task_id: string }>(
      `SELECT s.external_id, s.task_id FROM unnest($2::text[]) AS x(external_id)
       CROSS JOIN LATERAL (
         SELECT s.external_id, s.task_id FROM task_sources s
         WHERE s.connection_id = $1 AND s.external_id = x.external_id OFFSET 0
       ) s`,
      [ctx.connectionId, wantedExternal],
    );
    for (const row of found.rows) known.set(row.external_id, row.task_id);
  }
  const rows = creates.map(({ task, personId, embedding }) => ({
    id: ids.get(task.externalId),
    depends_on: [
      ...new Set(
        task.dependsOnExternalIds.flatMap((external) => {
          const id = ids.get(external) ?? known.get(external);
          return id && id !== ids.get(task.externalId) ? [id] : [];
        }),
      ),
    ],
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    estimate_minutes: task.estimateMinutes,
    due: task.due,
    earliest_start: task.earliestStart,
    tags: task.tags,
    person_id: personId,
    external_id: task.externalId,
    url: task.url,
    embedding,
    completed_at: task.status === "done" ? nowIso : null,
  }));
  const inserted = await tx.query<{ id: string; external_id: string; person_id: string | null }>(
    `INSERT INTO tasks (id, depends_on, workspace_id, title, description, status, priority, estimate_minutes, due,
       earliest_start, tags, person_id, source, external_id, connection_id, url, embedding, completed_at)
     SELECT r.id, ARRAY(SELECT jsonb_array_elements_text(r.depends_on))::uuid[], $1, r.title, r.description, r.status,
       r.priority, r.estimate_minutes, r.due, r.earliest_start,
       ARRAY(SELECT jsonb_array_elements_text(r.tags)), r.person_id, $2, r.external_id, $3, r.url, r.embedding::vector,
       r.completed_at
     FROM jsonb_to_recordset($4::jsonb) AS r(id uuid, depends_on jsonb, title text, description text, status text, priority smallint,
       estimate_minutes integer, due timestamptz, earliest_start timestamptz, tags jsonb, person_id uuid,
       external_id text, url text, embedding text, completed_at timestamptz)
     RETURNING id, external_id, person_id`,
    [ctx.workspaceId, ctx.kind, ctx.connectionId, JSON.stringify(rows)],
  );
  const events = inserted.rows.map((row) => {
    const task = creates.find((create) => create.task.externalId === row.external_id)?.task;
    return {
      person_id: row.person_id,
      task_id: row.id,
      payload: {
        via: "sync",
        source: ctx.kind,
        estimateMinutes: task?.estimateMinutes ?? null,
        due: task?.due ?? null,
      },
    };
  });
  await tx.query(
    `INSERT INTO events (workspace_id, person_id, task_id, type, payload, occurred_at)
     SELECT $1, r.person_id, r.task_id, 'task_created', r.payload, $3
     FROM jsonb_to_recordset($2::jsonb) AS r(person_id uuid, task_id uuid, payload jsonb)`,
    [ctx.workspaceId, JSON.stringify(events), nowIso],
  );
  return new Map(inserted.rows.map((row) => [row.external_id, row.id]));
}

async function insertSourceLinks(
  tx: Queryable,
  ctx: PageWriteContext,
  links: { taskId: string; externalId: string; sourceColumns: unknown[] }[],
): Promise<void> {
  const rows = links.map(({ taskId, externalId, sourceColumns }) => ({
    task_id: taskId,
    external_id: externalId,
    ...sourceRow(sourceColumns),
  }));
  await tx.query(
    `INSERT INTO task_sources (workspace_id, task_id, connection_id, source, scope, external_id, url, linked_urls,
       depends_on_external, content_hash, source_updated_at, last_seen_at, parent_external)
     SELECT $1, r.task_id, $2, $3, $4, r.external_id, r.url, ARRAY(SELECT jsonb_array_elements_text(r.linked_urls)),
       ARRAY(SELECT jsonb_array_elements_text(r.depends_on_external)), r.content_hash, r.source_updated_at, r.last_seen_at,
       r.parent_external
     FROM jsonb_to_recordset($5::jsonb) AS r(task_id uuid, external_id text, url text, linked_urls jsonb,
       depends_on_external jsonb, content_hash text, source_updated_at timestamptz, last_seen_at timestamptz,
       parent_external text)`,
    [ctx.workspaceId, ctx.connectionId, ctx.kind, ctx.scopeId, JSON.stringify(rows)],
  );
}

interface PendingUpdate {
  link: LinkRow;
  personId: string | null;
  embedding: string | null;
  patch: ReturnType<typeof statusPatch>;
  task: SourceTask;
  sourceColumns: unknown[];
}

/** Changed items of a page: one statement for their tasks, one for their source links, one for completions. */
async function applyUpdates(tx: Queryable, ctx: PageWriteContext, updates: PendingUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  // One row per task (a later item of the page wins, as when they were written one by one).
  const byTask = new Map(updates.map((update) => [update.link.task_id, update]));
  const rows = [...byTask.values()].map(({ link, task, personId, embedding, patch }) => ({
    id: link.task_id,
    title: task.title,
    description: task.description,
    priority: task.priority,
    estimate_minutes: task.estimateMinutes,
    due: task.due,
    earliest_start: task.earliestStart,
    tags: task.tags,
    url: task.url,
    person_id: personId,
    embedding,
    status: patch.status,
    set_completed: patch.completedAt !== undefined,
    completed_at: patch.completedAt ?? null,
  }));
  const updated = await tx.query<{ id: string; person_id: string | null }>(
    `UPDATE tasks t SET title = r.title, description = r.description, priority = r.priority,
       estimate_minutes = r.estimate_minutes, due = r.due, earliest_start = r.earliest_start,
       tags = ARRAY(SELECT jsonb_array_elements_text(r.tags)), url = r.url, person_id = r.person_id,
       embedding = r.embedding::vector, status = r.status,
       completed_at = CASE WHEN r.set_completed THEN r.completed_at ELSE t.completed_at END,
       source_deleted_at = NULL, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, title text, description text, priority smallint,
       estimate_minutes integer, due timestamptz, earliest_start timestamptz, tags jsonb, url text, person_id uuid,
       embedding text, status text, set_completed boolean, completed_at timestamptz)
     WHERE t.id = r.id
     RETURNING t.id, t.person_id`,
    [JSON.stringify(rows)],
  );
  const sources = updates.map(({ link, sourceColumns }) => ({ id: link.id, ...sourceRow(sourceColumns) }));
  await tx.query(
    `UPDATE task_sources s SET url = r.url, linked_urls = ARRAY(SELECT jsonb_array_elements_text(r.linked_urls)),
       depends_on_external = ARRAY(SELECT jsonb_array_elements_text(r.depends_on_external)),
       content_hash = r.content_hash, source_updated_at = r.source_updated_at, last_seen_at = r.last_seen_at,
       parent_external = r.parent_external, deleted_at = NULL, scope = $2
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, url text, linked_urls jsonb, depends_on_external jsonb,
       content_hash text, source_updated_at timestamptz, last_seen_at timestamptz, parent_external text)
     WHERE s.id = r.id`,
    [JSON.stringify(sources), ctx.scopeId],
  );
  const personOf = new Map(updated.rows.map((row) => [row.id, row.person_id]));
  const completions = updates
    .filter(({ link, patch }) => patch.status === "done" && link.status !== "done")
    .map(({ link }) => ({
      person_id: personOf.get(link.task_id) ?? null,
      task_id: link.task_id,
      payload: { via: "sync", source: ctx.kind },
    }));
  if (completions.length > 0) {
    await tx.query(
      `INSERT INTO events (workspace_id, person_id, task_id, type, payload, occurred_at)
       SELECT $1, r.person_id, r.task_id, 'task_completed', r.payload, $3
       FROM jsonb_to_recordset($2::jsonb) AS r(person_id uuid, task_id uuid, payload jsonb)`,
      [ctx.workspaceId, JSON.stringify(completions), new Date().toISOString()],
    );
  }
}

/** The page's items already linked to a task of this connection, by external id. */
async function linksOf(
  tx: Queryable,
  ctx: PageWriteContext,
  tasks: SourceTask[],
): Promise<Map<string, LinkRow>> {
  // One lookup by the unique key per external id (OFFSET 0 keeps the subquery from being flattened, so it is
  // planned on its own): as `external_id = ANY(...)`, a table with no statistics yet (right after a first
  // import) was read for the whole connection on every page.
  const existing = await tx.query<LinkRow>(
    `SELECT s.id, s.task_id, s.external_id, s.content_hash, s.deleted_at, s.status, s.completed_at, s.person_id
     FROM unnest($2::text[]) AS x(external_id)
     CROSS JOIN LATERAL (
       SELECT s.id, s.task_id, s.external_id, s.content_hash, s.deleted_at, t.status, t.completed_at, t.person_id
       FROM task_sources s JOIN tasks t ON t.id = s.task_id
       WHERE s.connection_id = $1 AND s.external_id = x.external_id OFFSET 0
     ) s`,
    [ctx.connectionId, tasks.map((task) => task.externalId)],
  );
  return new Map(existing.rows.map((row) => [row.external_id, row]));
}

/** Whether writing the page changes a stored task (an update or a deletion), not only adds new ones. */
function changesStored(
  tasks: readonly SourceTask[],
  links: Map<string, LinkRow>,
  hashes: Map<string, string>,
): boolean {
  return tasks.some((task) => {
    const link = links.get(task.externalId);
    if (!link) return false;
    if (task.deleted) return !link.deleted_at;
    return Boolean(link.deleted_at) || link.content_hash !== hashes.get(task.externalId);
  });
}

/**
 * Upserts one page of tasks. Unchanged items (same content hash) are only marked as seen; the others are
 * written with a few statements for the whole page (creates, updates, merges, deletions), not per item.
 */
export async function writeTasks(
  tx: Queryable,
  ctx: PageWriteContext,
  tasks: SourceTask[],
): Promise<PageWriteResult> {
  const result = emptyPageResult();
  if (tasks.length === 0) return result;
  let links = await linksOf(tx, ctx, tasks);
  const hashes = new Map(
    tasks.filter((task) => !task.deleted).map((task) => [task.externalId, contentHash(task)]),
  );
  const settled = ctx.settled;
  if (settled && changesStored(tasks, links, hashes)) {
    await settled();
    links = await linksOf(tx, ctx, tasks);
  }
  const seen: string[] = [];
  const toDelete: LinkRow[] = [];
  const creates: PendingCreate[] = [];
  const updates: PendingUpdate[] = [];
  const merges: { taskId: string; externalId: string; sourceColumns: unknown[] }[] = [];
  const nowIso = ctx.now.toISOString();
  const isUnchanged = (task: SourceTask) => {
    const link = links.get(task.externalId);
    return link !== undefined && link.content_hash === hashes.get(task.externalId) && !link.deleted_at;
  };
  const vectors = vectorsFor(
    ctx.embedder,
    tasks.filter((task) => !task.deleted && !isUnchanged(task)),
  );
  const newItems = () =>
    tasks
      .filter((task) => !task.deleted && !links.has(task.externalId))
      .map((task) => ({ task, vector: vectors.get(task.externalId) as Float32Array }));
  let duplicates = await findDuplicates(tx, ctx, newItems());
  // The page before (same connection) can only take a candidate away, by merging into it first: with none
  // found there is nothing to wait for; with some, wait for it to commit and look again.
  if (settled && duplicates.size > 0) {
    await settled();
    links = await linksOf(tx, ctx, tasks);
    duplicates = await findDuplicates(tx, ctx, newItems());
  }

  for (const task of tasks) {
    const link = links.get(task.externalId);
    if (task.deleted) {
      if (link && !link.deleted_at) toDelete.push(link);
      else result.unchanged += 1;
      continue;
    }
    const hash = hashes.get(task.externalId) as string;
    if (link && isUnchanged(task)) {
      seen.push(link.id);
      result.unchanged += 1;
      continue;
    }
    const personId =
      (task.assigneeEmail ? ctx.peopleByEmail.get(task.assigneeEmail.toLowerCase()) : undefined) ??
      ctx.defaultPersonId;
    const vector = vectors.get(task.externalId) as Float32Array;
    const embedding = isZero(vector) ? null : toVectorLiteral(vector);
    const sourceColumns = [
      task.url ? canonicalUrl(task.url, ctx.linkIdentities) : null,
      canonicalList(task.linkedUrls, ctx.linkIdentities),
      task.dependsOnExternalIds,
      hash,
      task.updatedAt,
      nowIso,
      task.parentExternalId,
    ];
    if (link) {
      updates.push({
        link,
        task,
        personId,
        embedding,
        patch: statusPatch(task, link, ctx.now),
        sourceColumns,
      });
      result.updated += 1;
      result.taskPeople.add(personId).add(link.person_id);
      result.changedTaskIds.push(link.task_id);
      continue;
    }

    const duplicate = duplicates.get(task.externalId);
    if (!duplicate) {
      creates.push({ task, personId, embedding, sourceColumns });
      continue;
    }
    result.merged += 1;
    result.updated += 1;
    merges.push({ taskId: duplicate.taskId, externalId: task.externalId, sourceColumns });
    result.taskPeople.add(personId);
    result.changedTaskIds.push(duplicate.taskId);
  }

  await applyUpdates(tx, ctx, updates);
  if (merges.length > 0) await insertSourceLinks(tx, ctx, merges);
  if (creates.length > 0) {
    const createdIds = await insertNewTasks(tx, ctx, creates, nowIso);
    await insertSourceLinks(
      tx,
      ctx,
      creates.map((create) => ({
        taskId: createdIds.get(create.task.externalId) as string,
        externalId: create.task.externalId,
        sourceColumns: create.sourceColumns,
      })),
    );
    for (const create of creates) {
      result.taskPeople.add(create.personId);
      result.changedTaskIds.push(createdIds.get(create.task.externalId) as string);
    }
    result.created += creates.length;
  }

  if (seen.length > 0) {
    await tx.query("UPDATE task_sources SET last_seen_at = $2 WHERE id = ANY($1::uuid[])", [seen, nowIso]);
  }
  const deletedIds = await markSourceDeleted(
    tx,
    toDelete.map((link) => link.id),
    ctx.now,
  );
  result.deleted += toDelete.length;
  for (const link of toDelete) result.taskPeople.add(link.person_id);
  result.changedTaskIds.push(...deletedIds);
  return result;
}

interface EventRow {
  id: string;
  calendar_id: string;
  external_id: string;
  content_hash: string | null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Upserts one page of calendar events; deleted ones are removed. */
export async function writeEvents(
  tx: Queryable,
  ctx: PageWriteContext,
  events: SourceEvent[],
): Promise<PageWriteResult> {
  const result = emptyPageResult();
  if (events.length === 0) return result;
  const existing = await tx.query<EventRow>(
    "SELECT id, calendar_id, external_id, content_hash FROM calendar_events WHERE connection_id = $1 AND external_id = ANY($2::text[])",
    [ctx.connectionId, events.map((event) => event.externalId)],
  );
  const byKey = new Map(existing.rows.map((row) => [`${row.calendar_id}\u0000${row.external_id}`, row]));
  const seen: string[] = [];
  const nowIso = ctx.now.toISOString();
  for (const event of events) {
    const row = byKey.get(`${event.calendarId}\u0000${event.externalId}`);
    if (event.deleted) {
      if (row) {
        await tx.query("DELETE FROM calendar_events WHERE id = $1", [row.id]);
        result.deleted += 1;
        result.eventPeople.add(ctx.defaultPersonId);
      } else result.unchanged += 1;
      continue;
    }
    const hash = contentHash(event);
    if (row && row.content_hash === hash) {
      seen.push(row.id);
      result.unchanged += 1;
      continue;
    }
    const values = [
      event.title,
      event.start,
      Date.parse(event.end) < Date.parse(event.start) ? event.start : event.end,
      event.allDay,
      event.status,
      event.busy,
      event.declined,
      event.recurringEventId,
      event.cairnBlockId && uuidPattern.test(event.cairnBlockId) ? event.cairnBlockId : null,
      event.updatedAt,
      hash,
      nowIso,
      ctx.scopeId,
    ];
    if (row) {
      await tx.query(
        `UPDATE calendar_events SET title = $2, start_at = $3, end_at = $4, all_day = $5, status = $6, busy = $7,
           declined = $8, recurring_event_id = $9, cairn_block_id = $10, source_updated_at = $11, content_hash = $12,
           last_seen_at = $13, scope = $14, updated_at = now() WHERE id = $1`,
        [row.id, ...values],
      );
      result.updated += 1;
    } else {
      await tx.query(
        `INSERT INTO calendar_events (workspace_id, person_id, connection_id, calendar_id, external_id, title, start_at,
           end_at, all_day, status, busy, declined, recurring_event_id, cairn_block_id, source_updated_at, content_hash,
           last_seen_at, scope)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        [
          ctx.workspaceId,
          ctx.defaultPersonId,
          ctx.connectionId,
          event.calendarId,
          event.externalId,
          ...values,
        ],
      );
      result.created += 1;
    }
    result.eventPeople.add(ctx.defaultPersonId);
  }
  if (seen.length > 0) {
    await tx.query("UPDATE calendar_events SET last_seen_at = $2 WHERE id = ANY($1::uuid[])", [seen, nowIso]);
  }
  return result;
}

/**
 * End of a full resync of a scope: what was not seen since it started is gone at the source. Tasks keep
 * their history (source_deleted_at); events are removed.
 */
export async function reconcileScope(
  tx: Queryable,
  connectionId: string,
  scopeId: string,
  since: Date,
  now: Date,
): Promise<{ tasksDeleted: number; eventsDeleted: number; taskIds: string[] }> {
  const stale = await tx.query<{ id: string }>(
    "SELECT id FROM task_sources WHERE connection_id = $1 AND scope = $2 AND last_seen_at < $3 AND deleted_at IS NULL",
    [connectionId, scopeId, since.toISOString()],
  );
  const taskIds = await markSourceDeleted(
    tx,
    stale.rows.map((row) => row.id),
    now,
  );
  const events = await tx.query(
    "DELETE FROM calendar_events WHERE connection_id = $1 AND scope = $2 AND last_seen_at < $3",
    [connectionId, scopeId, since.toISOString()],
  );
  return { tasksDeleted: stale.rows.length, eventsDeleted: events.rowCount, taskIds };
}

/**
 * Maps each source item's dependencies (external ids) to Cairn task ids, for every task of the connection
 * that has some; tasks merged from several sources get the union. Returns how many tasks changed.
 * Each external id is looked up on its own (OFFSET 0 keeps the subquery from being flattened into a join):
 * right after a first import the table has no statistics, and the join was planned as a scan of every
 * source row of the connection per dependency (3.4 M rows for 1,003 dependencies of 10,000 Jira issues).
 */
export async function resolveDependencies(tx: Queryable, connectionId: string): Promise<number> {
  const result = await tx.query(
    `WITH mine AS (
       SELECT DISTINCT task_id FROM task_sources WHERE connection_id = $1 AND cardinality(depends_on_external) > 0
     ), wanted AS (
       SELECT m.task_id,
         coalesce(array_agg(DISTINCT dep.task_id) FILTER (WHERE dep.task_id IS NOT NULL AND dep.task_id <> m.task_id),
           '{}'::uuid[]) AS ids
       FROM mine m
       JOIN task_sources s ON s.task_id = m.task_id
       LEFT JOIN LATERAL unnest(s.depends_on_external) AS e(external_id) ON true
       LEFT JOIN LATERAL (
         SELECT d.task_id FROM task_sources d
         WHERE d.connection_id = s.connection_id AND d.external_id = e.external_id OFFSET 0
       ) dep ON true
       GROUP BY m.task_id
     )
     UPDATE tasks t SET depends_on = w.ids, updated_at = now()
     FROM wanted w
     WHERE t.id = w.task_id AND NOT (t.depends_on @> w.ids AND w.ids @> t.depends_on)`,
    [connectionId],
  );
  return result.rowCount;
}

export interface ScopeState {
  cursor: string | null;
  details: ScopeDetails;
}

export interface ScopeDetails {
  /** Set while a full resync of the scope is under way (survives a crash; cleared when it completes). */
  fullSyncStartedAt?: string;
  lastFullSyncAt?: string;
  lastRunAt?: string;
  scopes?: SyncScope[];
  scopesAt?: string;
}

/** Drops the cached scope list, so the next sync discovers scopes (and their mappings) with the new settings. */
export async function forgetScopes(tx: Queryable, connectionId: string, key: string): Promise<void> {
  await tx.query("DELETE FROM sync_state WHERE connection_id = $1 AND scope = $2", [connectionId, key]);
}

export async function loadScopeState(
  tx: Queryable,
  connectionId: string,
  scopeId: string,
): Promise<ScopeState> {
  const result = await tx.query<{ cursor: string | null; details: unknown }>(
    "SELECT cursor, details FROM sync_state WHERE connection_id = $1 AND scope = $2",
    [connectionId, scopeId],
  );
  const row = result.rows[0];
  if (!row) return { cursor: null, details: {} };
  const details = typeof row.details === "string" ? JSON.parse(row.details) : row.details;
  return { cursor: row.cursor, details: (details ?? {}) as ScopeDetails };
}

export async function saveScopeState(
  tx: Queryable,
  workspaceId: string,
  connectionId: string,
  scopeId: string,
  state: ScopeState,
): Promise<void> {
  // The page a cursor moves past is written in the same transaction, so that commit need not wait for its WAL
  // to reach disk: a database crash loses the page and its cursor together, and the page is fetched again.
  // (A cached scope list is discovered again.) Any later commit that does wait flushes these with it.
  await tx.query("SET LOCAL synchronous_commit = off");
  await tx.query(
    `INSERT INTO sync_state (workspace_id, connection_id, scope, cursor, details, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, now())
     ON CONFLICT (connection_id, scope) DO UPDATE SET cursor = EXCLUDED.cursor, details = EXCLUDED.details, updated_at = now()`,
    [workspaceId, connectionId, scopeId, state.cursor, JSON.stringify(state.details)],
  );
}
