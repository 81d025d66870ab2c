/**
 * One conformance suite for the Connector contract (engine/sync/connector.ts), run on every connector against
 * its local provider: a fake server, Radicale, or a served feed. Like the Db and Jobs suites, the cases are the
 * same for everyone; what differs per connector is described by its subject (./subjects.ts). Capabilities
 * (write-back, targeted fetch, credentials) are read from the connector object itself, never from its kind.
 *
 * Each case opens its own sandbox (a fresh data source, project, calendar, account or feed), so no case sees
 * another's data, faults or revoked credentials.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, type TestContext, test } from "node:test";
import { silentLogger } from "../../../engine/logger.ts";
import {
  type AnyConnector,
  type ConnectorContext,
  CredentialRejectedError,
  type PullPage,
  RateLimitedError,
  SourceEvent,
  SourceTask,
  type SyncScope,
} from "../../../engine/sync/connector.ts";
import { createPinnedFetch, type PinnedFetch } from "../../../engine/sync/pinned-fetch.ts";
import { createOutboundPolicy } from "../../../engine/sync/url-guard.ts";

/** An item a sandbox put at its provider, as the connector should report it. */
export interface Seeded {
  externalId: string;
  title: string;
}

/** A focus block as the provider stored it (read straight from the fake or the server). */
export interface StoredBlock {
  title: string;
  start: string;
  end: string;
}

/**
 * How an item deleted at the source reaches the engine:
 * - "marker": the next incremental pull reports it with `deleted: true` (Notion's trash pass, Google's cancelled events);
 * - "snapshot": the next pull is a full snapshot (`resetScope`) without it, and the engine drops what the snapshot lacks
 *   (CalDAV, ICS);
 * - "full-read": incremental pulls cannot see deletions; a full re-read (cursor null) no longer returns it, and the
 *   engine's periodic full resync reconciles the scope (Jira, whose search never returns deleted issues).
 */
export type DeletionSignal = "marker" | "snapshot" | "full-read";

/** One provider, freshly set up for one case. */
export interface Sandbox {
  /** Connection credentials and settings, before the connector's schemas parse them. */
  credentials: unknown;
  settings: unknown;
  /** Most items the provider answers per page here (its fake is told to page this small); null: one snapshot. */
  pageSize: number | null;
  seed(titles: readonly string[]): Promise<Seeded[]>;
  rename(externalId: string, title: string): Promise<void>;
  remove(externalId: string): Promise<void>;
  /** Revokes the credential at the provider; absent for sources without credentials. */
  revoke?(): Promise<void>;
  /** The next provider request answers 429 with this Retry-After (seconds). */
  rateLimitNext(retryAfterSeconds: number): void;
  /** Whether the source now shows the task done (for connectors with completeTask). */
  isDone?(externalId: string): Promise<boolean>;
  /** The event as the calendar stores it, or null when it is gone (for connectors that write blocks). */
  readBlock?(calendarId: string, externalEventId: string): Promise<StoredBlock | null>;
  close(): Promise<void>;
}

export interface SubjectRun {
  open(): Promise<Sandbox>;
  stop(): Promise<void>;
}

export interface ConnectorSubject {
  connector: AnyConnector;
  deletions: DeletionSignal;
  /** node:test skip option: a reason when the provider cannot run on this machine. */
  skip: string | false;
  /** Starts what every sandbox of this provider shares (e.g. one Radicale process). */
  start(): Promise<SubjectRun>;
}

/** A normalized item, task or event, as the cases compare them. */
interface Normalized {
  externalId: string;
  title: string;
  deleted: boolean;
  done: boolean;
  cairnBlockId: string | null;
  item: SourceTask | SourceEvent;
}

interface PullRun {
  pages: PullPage[];
  items: Normalized[];
  /** The cursor the engine would store after the run (the last non-null nextCursor, else the one it started from). */
  cursor: string | null;
}

const MAX_PAGES = 50;
const HOUR_MS = 3_600_000;

function normalizeAll(connector: AnyConnector, scope: SyncScope, settings: unknown, raw: readonly unknown[]) {
  return raw.map((one): Normalized => {
    const pulled = connector.normalize(one, scope, settings);
    if (pulled.type === "task") {
      const task = SourceTask.parse(pulled.task);
      return {
        externalId: task.externalId,
        title: task.title,
        deleted: task.deleted,
        done: task.status === "done",
        cairnBlockId: null,
        item: task,
      };
    }
    const event = SourceEvent.parse(pulled.event);
    return {
      externalId: event.externalId,
      title: event.title,
      deleted: event.deleted,
      done: false,
      cairnBlockId: event.cairnBlockId,
      item: event,
    };
  });
}

/** Pulls a scope from `cursor` until hasMore is false, as the engine's runner does. */
async function pullAll(
  connector: AnyConnector,
  ctx: ConnectorContext<unknown, unknown>,
  scope: SyncScope,
  cursor: string | null,
): Promise<PullRun> {
  const pages: PullPage[] = [];
  const items: Normalized[] = [];
  let next = cursor;
  for (;;) {
    const page = await connector.pull(ctx, scope, next);
    pages.push(page);
    items.push(...normalizeAll(connector, scope, ctx.settings, page.items));
    if (page.nextCursor !== null) next = page.nextCursor;
    if (!page.hasMore) break;
    assert.ok(page.nextCursor !== null, "a page with more to come carries the cursor of the next one");
    assert.ok(pages.length < MAX_PAGES, `more than ${MAX_PAGES} pages: the cursor does not advance`);
  }
  return { pages, items, cursor: next };
}

const byId = (items: readonly Normalized[], externalId: string) =>
  items.filter((item) => item.externalId === externalId);

const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);

/** Every item is exactly as the baseline pull reported it (what the engine then counts as unchanged). */
function assertUnchanged(items: readonly Normalized[], baseline: readonly Normalized[]): void {
  for (const item of items) {
    assert.deepEqual(
      [item.item],
      byId(baseline, item.externalId).map((one) => one.item),
      `${item.externalId} is unchanged`,
    );
  }
}

/** Tomorrow at `hour`:00 UTC, in the future wherever the window of a calendar source starts. */
function tomorrowAt(hour: number): string {
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  return new Date(day.getTime() + 24 * HOUR_MS + hour * HOUR_MS).toISOString();
}

export function connectorConformance(subject: ConnectorSubject): void {
  const { connector } = subject;
  describe(`Connector conformance: ${connector.kind}`, { skip: subject.skip }, () => {
    let run: SubjectRun;
    // The engine's own transport, told (as CAIRN_ALLOWED_PRIVATE_NETWORKS would) that 127.0.0.1 may be reached.
    let transport: PinnedFetch;

    before(async () => {
      transport = createPinnedFetch(
        createOutboundPolicy({ allowPrivate: false, allowedNetworks: ["127.0.0.1"] }),
      );
      run = await subject.start();
    });
    after(async () => {
      await run?.stop();
      transport?.close();
    });

    /** A sandbox, its connection context and its one scope; closed when the case ends. */
    async function open(t: TestContext) {
      const sandbox = await run.open();
      t.after(() => sandbox.close());
      const ctx: ConnectorContext<unknown, unknown> = {
        credentials: connector.credentials.parse(sandbox.credentials),
        settings: connector.settings.parse(sandbox.settings),
        async saveCredentials(next) {
          ctx.credentials = connector.credentials.parse(next);
        },
        fetch: transport.fetch,
        log: silentLogger,
        now: () => new Date(),
      };
      const scopes = await connector.scopes(ctx);
      assert.equal(scopes.length, 1, `one scope per sandbox, got ${scopes.map((s) => s.id).join(", ")}`);
      const [scope] = scopes;
      assert.ok(scope);
      const pull = (cursor: string | null) => pullAll(connector, ctx, scope, cursor);
      return { sandbox, ctx, scope, pull };
    }

    test("first page + cursor: a full pull returns the seeded items normalized, paged, and a cursor", async (t) => {
      const { sandbox, ctx, scope, pull } = await open(t);
      const seeded = await sandbox.seed([
        "Draft the brief",
        "Review the budget",
        "Call the printer",
        "Book the venue",
        "Send the invites",
      ]);
      const full = await pull(null);

      assert.ok(full.cursor !== null, "the full pull leaves a cursor to store");
      assert.deepEqual(
        full.items.map((item) => [item.externalId, item.title, item.deleted]).sort(),
        seeded.map((item) => [item.externalId, item.title, false]).sort(),
      );
      const sizes = full.pages.map((page) => page.items.length);
      if (sandbox.pageSize === null) {
        assert.deepEqual(sizes, [seeded.length], "one page: the provider answers a whole snapshot");
      } else {
        const { pageSize } = sandbox;
        assert.ok(
          sizes.every((size) => size <= pageSize),
          `pages of at most ${pageSize}: ${sizes.join(", ")}`,
        );
        assert.ok(
          full.pages.length >= Math.ceil(seeded.length / pageSize),
          `paged through hasMore: ${sizes.join(", ")}`,
        );
      }
      assert.ok(full.pages.slice(0, -1).every((page) => page.hasMore));
      assert.ok(
        full.pages.every((page) => page.apiCalls >= 1),
        "each page counts its provider requests",
      );

      if (full.pages.length > 1) {
        // The engine stores the cursor with each page: a run interrupted after page one resumes from its cursor
        // and still sees every item.
        const first = await connector.pull(ctx, scope, null);
        const resumed = await pull(first.nextCursor);
        const seen = [...normalizeAll(connector, scope, ctx.settings, first.items), ...resumed.items];
        assert.deepEqual(
          [...new Set(seen.map((item) => item.externalId))].sort(),
          seeded.map((item) => item.externalId).sort(),
          "page one plus the run resumed from its cursor cover every item",
        );
      }
    });

    test("incremental re-sync: nothing changed → nothing new; a changed item comes back", async (t) => {
      const { sandbox, pull } = await open(t);
      const seeded = await sandbox.seed([
        "Outline chapter one",
        "Outline chapter two",
        "Outline chapter three",
      ]);
      const full = await pull(null);

      // Sources that re-read an overlap (Notion and Jira round edit times to the minute) may return items again;
      // the engine counts them as unchanged. Sources without changes return none (ICS's 304, CalDAV's CTag).
      const quiet = await pull(full.cursor);
      assertUnchanged(quiet.items, full.items);
      t.diagnostic(`no-change pull: ${quiet.items.length} item(s) re-read, ${quiet.pages.length} page(s)`);

      const target = seeded[1];
      assert.ok(target);
      await sandbox.rename(target.externalId, "Outline chapter two, renamed");
      const changed = await pull(quiet.cursor);
      const found = byId(changed.items, target.externalId);
      assert.equal(found.length, 1, "the changed item comes back once");
      assert.equal(found[0]?.title, "Outline chapter two, renamed");
      assert.equal(found[0]?.deleted, false);
      assertUnchanged(
        changed.items.filter((one) => one.externalId !== target.externalId),
        full.items,
      );
      if (changed.pages.some((page) => page.resetScope)) {
        // The engine drops whatever a snapshot lacks: a snapshot must hold every item the source still has.
        assert.deepEqual(
          [...new Set(changed.items.map((item) => item.externalId))].sort(),
          seeded.map((item) => item.externalId).sort(),
        );
      }
    });

    test(`deleted items: ${subject.deletions}`, async (t) => {
      const { sandbox, ctx, scope, pull } = await open(t);
      const seeded = await sandbox.seed(["Keep this one", "Delete this one", "Keep this too"]);
      const full = await pull(null);
      const gone = seeded[1];
      assert.ok(gone);
      await sandbox.remove(gone.externalId);
      const kept = seeded
        .filter((item) => item !== gone)
        .map((item) => item.externalId)
        .sort();

      const next = await pull(full.cursor);
      if (subject.deletions === "marker") {
        const markers = byId(next.items, gone.externalId);
        assert.ok(markers.length >= 1, "the incremental pull reports the deleted item");
        assert.ok(
          markers.every((item) => item.deleted),
          "as a deleted marker",
        );
      } else {
        const reread = subject.deletions === "snapshot" ? next : await pull(null);
        if (subject.deletions === "snapshot")
          assert.ok(
            next.pages.some((page) => page.resetScope),
            "the next pull is a full snapshot (resetScope)",
          );
        assert.equal(byId(reread.items, gone.externalId).length, 0, "the deleted item is absent");
        assert.deepEqual([...new Set(reread.items.map((item) => item.externalId))].sort(), kept);
      }

      if (connector.fetchItems) {
        // A webhook's targeted fetch must report the deletion too, whatever the pull does.
        const page = await connector.fetchItems(ctx, scope, [gone.externalId]);
        const targeted = byId(normalizeAll(connector, scope, ctx.settings, page.items), gone.externalId);
        assert.equal(targeted.length, 1, "fetchItems answers for the deleted item");
        assert.equal(targeted[0]?.deleted, true, "fetchItems reports it as a deleted marker");
      }
    });

    test("revoked credentials → CredentialRejectedError (unrecoverable)", async (t) => {
      if (connector.credentials.safeParse({}).success) {
        t.skip(`not applicable: ${connector.kind} connections carry no credential to revoke`);
        return;
      }
      const { sandbox, pull } = await open(t);
      assert.ok(sandbox.revoke, "the subject says how to revoke this connector's credential");
      await sandbox.seed(["Before the revocation"]);
      const full = await pull(null);
      await sandbox.revoke();
      await assert.rejects(pull(full.cursor), (error: unknown) => {
        assert.ok(error instanceof CredentialRejectedError, `got ${String(error)}`);
        return true;
      });
    });

    test("429 → RateLimitedError carrying Retry-After", async (t) => {
      const { sandbox, pull } = await open(t);
      await sandbox.seed(["Under the rate limit"]);
      const full = await pull(null);
      sandbox.rateLimitNext(7);
      await assert.rejects(pull(full.cursor), (error: unknown) => {
        assert.ok(error instanceof RateLimitedError, `got ${String(error)}`);
        assert.equal(error.retryAfterMs, 7000);
        return true;
      });
      // One-shot: the next pull from the same cursor goes on as if nothing happened.
      assertUnchanged((await pull(full.cursor)).items, full.items);
    });

    test("write-back: completeTask marks the task done at the source", async (t) => {
      if (!connector.completeTask) {
        t.skip(`not supported: ${connector.kind} has no completeTask`);
        return;
      }
      const { sandbox, ctx, pull } = await open(t);
      assert.ok(sandbox.isDone, "the subject says how to read a completed task");
      const [done, stillOpen] = await sandbox.seed(["Finish me", "Leave me open"]);
      assert.ok(done && stillOpen);
      const full = await pull(null);
      assert.equal(byId(full.items, done.externalId)[0]?.done, false);

      await connector.completeTask(ctx, done.externalId);
      assert.equal(await sandbox.isDone(done.externalId), true, "the source shows it done");
      assert.equal(await sandbox.isDone(stillOpen.externalId), false, "and nothing else");
      const next = await pull(full.cursor);
      assert.equal(byId(next.items, done.externalId).at(-1)?.done, true, "the next pull reads it back done");
    });

    test("write-back: createSubtask creates an item the next pull reads back under its parent", async (t) => {
      if (!connector.createSubtask) {
        t.skip(`not supported: ${connector.kind} has no createSubtask`);
        return;
      }
      const { sandbox, ctx, scope, pull } = await open(t);
      const [parent] = await sandbox.seed(["Draft Q3 report"]);
      assert.ok(parent);
      const full = await pull(null);
      const created = await connector.createSubtask(
        ctx,
        { externalId: parent.externalId, scope },
        { title: "Write outline", description: "", due: null, estimateMinutes: 30, tags: [] },
      );
      assert.notEqual(created.externalId, parent.externalId);
      const next = await pull(full.cursor);
      const child = byId(next.items, created.externalId).at(-1)?.item as SourceTask | undefined;
      assert.ok(child, "the next pull returns the new item");
      assert.equal(child.title, "Write outline");
      assert.equal(child.parentExternalId, parent.externalId, "under its parent");
      assert.equal(child.estimateMinutes, 30);
      const again = byId(next.items, parent.externalId).at(-1)?.item as SourceTask | undefined;
      assert.equal(again?.parentExternalId ?? null, null, "the parent itself stays top-level");
    });

    test("write-back: focus blocks are written, moved and deleted; other events are never touched", async (t) => {
      const { upsertBlock, deleteBlock } = connector;
      if (!upsertBlock && !deleteBlock) {
        t.skip(`not supported: ${connector.kind} does not write blocks`);
        return;
      }
      assert.ok(upsertBlock && deleteBlock, "a connector that writes blocks both upserts and deletes them");
      const { sandbox, ctx, scope, pull } = await open(t);
      const { readBlock } = sandbox;
      assert.ok(readBlock, "the subject says how to read a stored event");
      const [foreign] = await sandbox.seed(["Someone else's meeting"]);
      assert.ok(foreign);
      const full = await pull(null);

      const blockId = randomUUID();
      const block = {
        blockId,
        title: "Focus: write the report",
        description: "Planned by Cairn",
        start: tomorrowAt(9),
        end: tomorrowAt(10),
        externalEventId: null,
        calendarId: scope.id,
      };
      const eventId = await upsertBlock(ctx, block);
      const written = await readBlock(scope.id, eventId);
      assert.ok(written, "the calendar stores the block");
      assert.equal(written.title, block.title);
      assert.ok(sameInstant(written.start, block.start) && sameInstant(written.end, block.end));
      const seen = await pull(full.cursor);
      assert.ok(
        seen.items.some((item) => item.externalId === eventId && item.cairnBlockId === blockId),
        "the next pull reads the block back as Cairn's",
      );

      const moved = { ...block, start: tomorrowAt(11), end: tomorrowAt(12), externalEventId: eventId };
      assert.equal(await upsertBlock(ctx, moved), eventId, "moving keeps the event");
      const after = await readBlock(scope.id, eventId);
      assert.ok(after && sameInstant(after.start, moved.start) && sameInstant(after.end, moved.end));

      await assert.rejects(
        deleteBlock(ctx, scope.id, foreign.externalId),
        "refuses to delete an event Cairn did not create",
      );
      assert.equal(
        (await readBlock(scope.id, foreign.externalId))?.title,
        foreign.title,
        "which stays as it was",
      );

      await deleteBlock(ctx, scope.id, eventId);
      assert.equal(await readBlock(scope.id, eventId), null, "the block is gone");
    });
  });
}
