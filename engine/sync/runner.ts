/**
 * The sync runner: for each scope of a connection, pull pages from the stored cursor, validate every item
 * (a malformed one is skipped and reported with its source id, the rest of the page is kept), and write the
 * page and the next cursor in ONE scoped transaction, so a crash never skips or duplicates anything.
 */
import type { z } from "zod";
import {
  type ConnectionRecord,
  getConnectionRecord,
  markConnectionSynced,
} from "../db/repositories/connections.ts";
import { resolveSourceParents } from "../db/repositories/subtasks.ts";
import {
  loadScopeState,
  type PageWriteContext,
  type PageWriteResult,
  reconcileScope,
  resolveDependencies,
  type ScopeDetails,
  saveScopeState,
  writeEvents,
  writeTasks,
} from "../db/repositories/sync-store.ts";
import { hasLiveSourcesOutside } from "../db/repositories/task-sources.ts";
import { personIdsByEmail } from "../db/repositories/workspaces.ts";
import type { Embedder } from "../search/embedder.ts";
import type { EngineServices } from "../services.ts";
import {
  type AnyConnector,
  type ConnectorContext,
  type PullPage,
  type SkippedItem,
  SourceEvent,
  SourceTask,
  type SyncScope,
} from "./connector.ts";
import { DEDUPE_SIMILARITY_THRESHOLD, type LinkIdentity } from "./dedupe.ts";
import { createDuplicateProbe } from "./duplicate-index.ts";
import type { RunOptions } from "./port.ts";
import { emptyStats, SKIPPED_ITEMS_KEPT, type SyncStats } from "./stats.ts";

export interface RunEnvironment {
  services: EngineServices;
  connector: AnyConnector;
  /** Every registered connector's link rule (cross-source dedupe by links). */
  linkIdentities: readonly LinkIdentity[];
  /** Builds the connector context (credentials opened, fetch guarded and limited) and counts API calls. */
  context(
    connection: ConnectionRecord,
    signal?: AbortSignal,
  ): Promise<{
    ctx: ConnectorContext<unknown, unknown>;
    apiCalls(): number;
  }>;
}

/** Scopes are re-discovered at most this often (discovery costs provider calls). */
export const SCOPE_CACHE_MS = 60 * 60 * 1000;
/** A full resync (which also notices items deleted at the source) runs at least this often. */
export const FULL_RESYNC_EVERY_MS = 24 * 60 * 60 * 1000;
export const SCOPES_KEY = "__scopes";

function sourceIdOf(raw: unknown): string {
  if (raw && typeof raw === "object") {
    const record = raw as Record<string, unknown>;
    for (const key of ["externalId", "key", "id", "uid"]) {
      const value = record[key];
      if (typeof value === "string" || typeof value === "number") return String(value);
    }
  }
  return "(unknown id)";
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(item)"}: ${issue.message}`)
    .join("; ");
}

interface Validation {
  tasks: Map<string, SourceTask>;
  events: Map<string, SourceEvent>;
  skipped: SkippedItem[];
}

function validateItem(
  connector: AnyConnector,
  scope: SyncScope,
  settings: unknown,
  raw: unknown,
  into: Validation,
): void {
  const { tasks, events, skipped } = into;
  let item: ReturnType<AnyConnector["normalize"]>;
  try {
    item = connector.normalize(raw, scope, settings);
  } catch (error) {
    skipped.push({ externalId: sourceIdOf(raw), reason: (error as Error).message || "could not be read" });
    return;
  }
  if (item.type === "task") {
    const parsed = SourceTask.safeParse(item.task);
    if (parsed.success) tasks.set(parsed.data.externalId, parsed.data);
    else skipped.push({ externalId: sourceIdOf(item.task ?? raw), reason: describeIssues(parsed.error) });
  } else {
    const parsed = SourceEvent.safeParse(item.event);
    if (parsed.success) events.set(`${parsed.data.calendarId}\u0000${parsed.data.externalId}`, parsed.data);
    else skipped.push({ externalId: sourceIdOf(item.event ?? raw), reason: describeIssues(parsed.error) });
  }
}

type ValidPage = { tasks: SourceTask[]; events: SourceEvent[]; skipped: SkippedItem[] };

/** Validates the page's items; the malformed ones become skipped entries. */
export function validatePage(
  connector: AnyConnector,
  scope: SyncScope,
  settings: unknown,
  page: PullPage,
): ValidPage {
  const into: Validation = { tasks: new Map(), events: new Map(), skipped: [...(page.skipped ?? [])] };
  for (const raw of page.items) validateItem(connector, scope, settings, raw, into);
  return { tasks: [...into.tasks.values()], events: [...into.events.values()], skipped: into.skipped };
}

/** Lets the event loop take the database's answers between slices of a prefetched page's work. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
const SLICE = 20;

/** validatePage, in slices: it runs while the page before is written. */
async function validatePageInSlices(
  connector: AnyConnector,
  scope: SyncScope,
  settings: unknown,
  page: PullPage,
): Promise<ValidPage> {
  const into: Validation = { tasks: new Map(), events: new Map(), skipped: [...(page.skipped ?? [])] };
  for (let i = 0; i < page.items.length; i++) {
    if (i > 0 && i % SLICE === 0) await yieldToIo();
    validateItem(connector, scope, settings, page.items[i], into);
  }
  return { tasks: [...into.tasks.values()], events: [...into.events.values()], skipped: into.skipped };
}

/** A page write under way: settles once the page is committed and reported. */
interface PageWrite {
  done: Promise<void>;
  keys: Set<string>;
}

/** The items a page writes, by the keys their rows are unique on. */
function pageKeys(valid: ValidPage): Set<string> {
  const keys = new Set<string>();
  for (const task of valid.tasks) keys.add(`t\u0000${task.externalId}`);
  for (const event of valid.events) keys.add(`e\u0000${event.calendarId}\u0000${event.externalId}`);
  return keys;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  for (const key of b) if (a.has(key)) return true;
  return false;
}

/** The text sync-store embeds for a task (were they to differ, a prepared vector would just go unused). */
const embeddingText = (task: SourceTask) => [task.title, task.description, task.tags.join(" ")].join("\n");
/** The vector as sync-store probes with it (rounded as stored). */
const asStored = (vector: Float32Array) => Float32Array.from(vector, (v) => Math.round(v * 1e6) / 1e6);

/**
 * The run's embedder: vectors of a prefetched page are computed while the page before is written, and
 * handed out when sync-store asks for the same text; anything else is embedded on the spot.
 */
class PreparedEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  private readonly ready = new Map<string, { tag: number; vector: Float32Array }>();

  constructor(private readonly inner: Embedder) {
    this.name = inner.name;
    this.dimensions = inner.dimensions;
  }

  prepare(tag: number, text: string): Float32Array {
    const vector = this.ready.get(text)?.vector ?? this.inner.embed(text);
    this.ready.set(text, { tag, vector });
    return vector;
  }

  embed(text: string): Float32Array {
    return this.ready.get(text)?.vector ?? this.inner.embed(text);
  }

  forget(upToTag: number): void {
    for (const [text, entry] of this.ready) if (entry.tag <= upToTag) this.ready.delete(text);
  }
}

async function discoverScopes(
  env: RunEnvironment,
  ctx: ConnectorContext<unknown, unknown>,
  connection: ConnectionRecord,
  fresh: boolean,
): Promise<SyncScope[]> {
  const { db } = env.services;
  const cached = await db.scoped(connection.workspaceId, (tx) =>
    loadScopeState(tx, connection.id, SCOPES_KEY),
  );
  const at = cached.details.scopesAt ? Date.parse(cached.details.scopesAt) : 0;
  const now = env.services.now();
  if (!fresh && cached.details.scopes && now.getTime() - at < SCOPE_CACHE_MS) return cached.details.scopes;
  const scopes = await env.connector.scopes(ctx);
  await db.scoped(connection.workspaceId, (tx) =>
    saveScopeState(tx, connection.workspaceId, connection.id, SCOPES_KEY, {
      cursor: null,
      details: {
        scopes: scopes.map(({ id, kind, label, mapping }) => ({
          id,
          kind,
          label,
          ...(mapping ? { mapping } : {}),
        })),
        scopesAt: now.toISOString(),
      },
    }),
  );
  return scopes;
}

function addCounts(stats: SyncStats, page: PageWriteResult): void {
  stats.created += page.created;
  stats.updated += page.updated;
  stats.deleted += page.deleted;
  stats.unchanged += page.unchanged;
  stats.merged += page.merged;
}

export interface RunResult {
  stats: SyncStats;
  taskPeople: Set<string | null>;
  eventPeople: Set<string | null>;
  changedTaskIds: string[];
}

/** Runs one sync of one connection. Throws the connector's errors (the caller maps them to job outcomes). */
export async function runSync(env: RunEnvironment, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const { services, connector } = env;
  const { db } = services;
  const stats = emptyStats();
  const taskPeople = new Set<string | null>();
  const eventPeople = new Set<string | null>();
  const changedTaskIds: string[] = [];

  const connection = await db.scoped(options.workspaceId, (tx) =>
    getConnectionRecord(tx, options.connectionId),
  );
  if (!connection) throw new Error(`No connection ${options.connectionId} in this workspace.`);
  const { ctx, apiCalls } = await env.context(connection, options.signal);
  const settings = ctx.settings;

  try {
    const allScopes = await discoverScopes(env, ctx, connection, options.full === true);
    const scopes = options.scopeIds
      ? allScopes.filter((scope) => options.scopeIds?.includes(scope.id))
      : allScopes;
    const shared = await db.scoped(options.workspaceId, async (tx) => ({
      people: await personIdsByEmail(tx, options.workspaceId),
      otherSources: await hasLiveSourcesOutside(tx, connection.id),
    }));
    // Read from the database at the first page that needs a text probe, then kept up to date page by page.
    const duplicateProbe = createDuplicateProbe(services.embedder.dimensions);
    const embedder = new PreparedEmbedder(services.embedder);

    const writeContext = (scope: SyncScope): PageWriteContext => ({
      workspaceId: options.workspaceId,
      connectionId: connection.id,
      kind: connector.kind,
      scopeId: scope.id,
      defaultPersonId: connection.personId,
      peopleByEmail: shared.people,
      embedder,
      now: services.now(),
      dedupeThreshold: DEDUPE_SIMILARITY_THRESHOLD,
      otherSources: shared.otherSources,
      linkIdentities: env.linkIdentities,
      duplicateProbe,
    });

    const absorb = (result: PageWriteResult) => {
      addCounts(stats, result);
      for (const person of result.taskPeople) taskPeople.add(person);
      for (const person of result.eventPeople) eventPeople.add(person);
      changedTaskIds.push(...result.changedTaskIds);
    };

    const recordSkipped = (skipped: SkippedItem[], scope: SyncScope) => {
      stats.skipped += skipped.length;
      for (const item of skipped) {
        if (stats.skippedItems.length < SKIPPED_ITEMS_KEPT) stats.skippedItems.push(item);
        ctx.log.warn(
          { scope: scope.id, externalId: item.externalId, reason: item.reason },
          "skipped a malformed item",
        );
      }
    };

    for (const scope of scopes) {
      stats.scopes += 1;
      // Targeted: only some items, the cursor untouched.
      if (options.externalIds && options.externalIds.length > 0 && connector.fetchItems) {
        const page = await connector.fetchItems(ctx, scope, options.externalIds);
        const valid = validatePage(connector, scope, settings, page);
        recordSkipped(valid.skipped, scope);
        const wrote = await db.scoped(options.workspaceId, async (tx) => {
          const context = writeContext(scope);
          const tasks = await writeTasks(tx, context, valid.tasks);
          const events = await writeEvents(tx, context, valid.events);
          return [tasks, events];
        });
        for (const result of wrote) absorb(result);
        stats.pages += 1;
        await options.onPage?.({
          connectionId: connection.id,
          scope,
          page: stats.pages,
          items: page.items.length,
          totals: stats,
        });
        continue;
      }

      const state = await db.scoped(options.workspaceId, (tx) => loadScopeState(tx, connection.id, scope.id));
      let cursor = state.cursor;
      const details: ScopeDetails = { ...state.details };
      const now = services.now();
      const lastFull = details.lastFullSyncAt ? Date.parse(details.lastFullSyncAt) : 0;
      const dueForFull = now.getTime() - lastFull >= FULL_RESYNC_EVERY_MS;
      if (options.full || (!details.fullSyncStartedAt && (dueForFull || cursor === null))) {
        details.fullSyncStartedAt = now.toISOString();
        cursor = null;
      }
      let pageNumber = 0;
      let tags = 0;
      const pullAndValidate = async (from: string | null, ahead: boolean) => {
        const tag = ++tags;
        const page = await connector.pull(ctx, scope, from);
        if (!ahead) return { page, valid: validatePage(connector, scope, settings, page), tag };
        const valid = await validatePageInSlices(connector, scope, settings, page);
        // Only while a pass brings new or changed items: an unchanged item needs neither.
        if (prepareVectors) await prepareTasks(tag, valid.tasks);
        return { page, valid, tag };
      };
      /** The page's vectors and (when other sources may hold duplicates) its probes, worked out early. */
      const prepareTasks = async (tag: number, tasks: SourceTask[]) => {
        const maxDistance = 1 - DEDUPE_SIMILARITY_THRESHOLD;
        for (let i = 0; i < tasks.length; i += SLICE) {
          const slice = tasks.slice(i, i + SLICE).filter((task) => !task.deleted);
          const vectors = slice.map((task) => embedder.prepare(tag, embeddingText(task)));
          if (shared.otherSources) {
            const probes = vectors.filter((vector) => vector.some((v) => v !== 0)).map(asStored);
            duplicateProbe.index.prepare(tag, probes, maxDistance);
          }
          await yieldToIo();
        }
      };
      const pipelined = connector.reusablePageCursors === true || connector.resumeCursor !== undefined;
      // On PostgreSQL a page's write may start while the page before is still being written, each on its own
      // connection, so that one source's database work (the vector index insertions above all) uses two cores.
      // Commits still happen in page order: a page commits only after the one before it has committed and
      // been reported, so a failure or a crash leaves exactly what the one-at-a-time order would have left.
      // A page that would merge into another source's task waits for the one before (writeTasks).
      const overlapWrites = pipelined && db.kind === "postgres";
      let prepareVectors = false;
      let prefetched: ReturnType<typeof pullAndValidate> | undefined;
      /** The last page whose write was started, and the one before it (each settles after its report). */
      let last: PageWrite | undefined;
      let beforeLast: Promise<void> | undefined;
      try {
        for (;;) {
          if (options.signal?.aborted) throw options.signal.reason ?? new Error("sync aborted");
          const { page, valid, tag } = await (prefetched ?? pullAndValidate(cursor, false));
          prefetched = undefined;
          pageNumber += 1;
          if (page.resetScope && !details.fullSyncStartedAt)
            details.fullSyncStartedAt = services.now().toISOString();
          recordSkipped(valid.skipped, scope);
          let nextCursor = page.nextCursor ?? cursor;
          const finished = !page.hasMore;
          // The next page is requested, read, embedded and probed while this one is written: the provider's
          // latency and Node's work overlap the database's. If this page's write fails, the prefetched page is
          // dropped: a reusable cursor still leads to it; a single-use one was spent, so what is stored is the
          // connector's resume cursor, which reaches the same place without it.
          if (!finished && pipelined && nextCursor !== null) {
            // Never more than one page beyond those being written (a crash spends no more page tokens than
            // the one-at-a-time order did): requested once the page before this one is stored.
            const from = nextCursor;
            prefetched = last
              ? last.done.then(() => pullAndValidate(from, true))
              : pullAndValidate(from, true);
            prefetched.catch(() => {});
            if (!connector.reusablePageCursors && connector.resumeCursor)
              nextCursor = connector.resumeCursor(nextCursor);
          }
          const keys = pageKeys(valid);
          // The last page reconciles the scope (it must see every page before it); a page that shares an
          // item with the one before would wait for its locks.
          const overlaps = overlapWrites && !finished && last !== undefined && !intersects(last.keys, keys);
          if (last && !overlaps) await last.done;
          else await beforeLast;
          const previous = overlaps ? last?.done : undefined;
          const number = pageNumber;
          const storedCursor = nextCursor;
          const done = (async () => {
            const wrote = await db.scoped(options.workspaceId, async (tx) => {
              const context = writeContext(scope);
              if (previous) context.settled = () => previous;
              const tasks = await writeTasks(tx, context, valid.tasks);
              const events = await writeEvents(tx, context, valid.events);
              // Rolled back if the page before failed (its error is this one's).
              await previous;
              const out = [tasks, events];
              const nextDetails: ScopeDetails = { ...details, lastRunAt: context.now.toISOString() };
              if (finished && details.fullSyncStartedAt) {
                const removed = await reconcileScope(
                  tx,
                  connection.id,
                  scope.id,
                  new Date(details.fullSyncStartedAt),
                  context.now,
                );
                out.push({
                  created: 0,
                  updated: 0,
                  deleted: removed.tasksDeleted + removed.eventsDeleted,
                  unchanged: 0,
                  merged: 0,
                  taskPeople: new Set(removed.tasksDeleted > 0 ? [connection.personId] : []),
                  eventPeople: new Set(removed.eventsDeleted > 0 ? [connection.personId] : []),
                  changedTaskIds: removed.taskIds,
                });
                delete nextDetails.fullSyncStartedAt;
                nextDetails.lastFullSyncAt = details.fullSyncStartedAt;
              }
              await saveScopeState(tx, options.workspaceId, connection.id, scope.id, {
                cursor: storedCursor,
                details: nextDetails,
              });
              return { out, nextDetails };
            });
            for (const result of wrote.out) absorb(result);
            embedder.forget(tag);
            duplicateProbe.index.forgetPrepared(tag);
            prepareVectors = wrote.out.some((result) => result.created + result.updated > 0);
            Object.assign(details, wrote.nextDetails);
            if (!wrote.nextDetails.fullSyncStartedAt) delete details.fullSyncStartedAt;
            stats.pages += 1;
            stats.apiCalls = apiCalls();
            await options.onPage?.({
              connectionId: connection.id,
              scope,
              page: number,
              items: page.items.length,
              totals: stats,
            });
          })();
          done.catch(() => {});
          beforeLast = last?.done;
          last = { done, keys };
          // One at a time otherwise: the next page is not requested before this one is stored.
          if (!overlapWrites) await done;
          cursor = nextCursor;
          if (finished) break;
        }
        await last?.done;
      } finally {
        // Nothing of this run is still writing when it returns or throws.
        await Promise.allSettled([beforeLast, last?.done]);
      }
    }

    if (stats.created + stats.updated + stats.merged > 0) {
      const parents = await db.scoped(options.workspaceId, async (tx) => {
        await resolveDependencies(tx, connection.id);
        return resolveSourceParents(tx, connection.id);
      });
      changedTaskIds.push(...parents);
    }
    await db.scoped(options.workspaceId, (tx) => markConnectionSynced(tx, connection.id, services.now()));
    if (connector.maintainChannels) {
      try {
        await connector.maintainChannels(ctx, allScopes);
      } catch (error) {
        ctx.log.warn({ err: error }, "could not create or renew push channels; polling continues");
      }
    }
  } finally {
    stats.apiCalls = apiCalls();
    stats.durationMs = Math.round(performance.now() - started);
  }
  return { stats, taskPeople, eventPeople, changedTaskIds };
}
