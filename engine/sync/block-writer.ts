/**
 * Write-back of focus and habit blocks: after each stored plan, the person's calendar is made to match their current
 * blocks. Cairn creates, moves and deletes only the events it created (the connectors refuse anything else).
 * Runs as a job on the write-back queue, so a provider failure is retried and then shows in the failed list.
 */

import { randomUUID } from "node:crypto";
import {
  acquireBlockWriterLease,
  type BlockWriterLease,
  releaseBlockWriterLease,
} from "../db/repositories/block-writer-leases.ts";
import {
  type CalendarBlockRow,
  findBlockCalendarConnection,
  forgetWrittenEvent,
  listBlocksToWrite,
  recordWrittenEvent,
} from "../db/repositories/calendar-blocks.ts";
import { type ConnectionRecord, recordConnectionError } from "../db/repositories/connections.ts";
import { RetryLaterError } from "../jobs/port.ts";
import type { EngineServices } from "../services.ts";
import type { AnyConnector, ConnectorContext } from "./connector.ts";

export const BLOCK_WRITEBACK_JOB = "sync_blocks";
/** Blocks further ahead than this stay off the calendar until the plan comes closer. */
export const WRITE_AHEAD_DAYS = 14;
/** Passes of one run over blocks that changed while it wrote (then a new run is queued). */
export const MAX_PASSES = 5;
/** A run renews its lease this often; one not renewed for LEASE_TTL_MS belonged to a worker that died. */
export const LEASE_RENEW_MS = 10_000;
export const LEASE_TTL_MS = 30_000;
/** A run that finds the lease held waits this long before trying again (without using up a try). */
export const LEASE_BUSY_RETRY_MS = 2_000;

export interface BlockWriteEnvironment {
  services: EngineServices;
  connectorOf(kind: string): AnyConnector | undefined;
  /** Kinds of the registered connectors that write blocks (upsertBlock). */
  blockWritingKinds: readonly string[];
  contextFor(connection: ConnectionRecord): Promise<{ ctx: ConnectorContext<unknown, unknown> }>;
}

export interface BlockWriteResult {
  connectionId: string | null;
  created: number;
  moved: number;
  deleted: number;
  unchanged: number;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

/** The calendar the person's blocks go to: their own connection of a block-writing kind, else a shared one. */
async function writeTarget(env: BlockWriteEnvironment, workspaceId: string, personId: string) {
  return env.services.db.scoped(workspaceId, (tx) =>
    findBlockCalendarConnection(tx, personId, env.blockWritingKinds),
  );
}

export async function applyPlanToCalendar(
  env: BlockWriteEnvironment,
  workspaceId: string,
  personId: string,
): Promise<BlockWriteResult> {
  const { services } = env;
  const result: BlockWriteResult = { connectionId: null, created: 0, moved: 0, deleted: 0, unchanged: 0 };
  const connection = await writeTarget(env, workspaceId, personId);
  const connector = connection ? env.connectorOf(connection.kind) : undefined;
  if (!connection || !connector?.upsertBlock) return result;
  result.connectionId = connection.id;
  const { ctx } = await env.contextFor(connection);
  // From the context's settings (secret settings merged back), not the stored, redacted ones.
  let calendarId = connector.blockCalendarId?.(ctx.settings);
  if (!calendarId) {
    const scopes = await connector.scopes(ctx);
    calendarId = scopes.find((scope) => scope.kind === "events")?.id;
    if (!calendarId) return result;
  }

  const lease: BlockWriterLease = { workspaceId, personId, holder: randomUUID() };
  const take = () =>
    services.db.scoped(workspaceId, (tx) => acquireBlockWriterLease(tx, lease, services.now(), LEASE_TTL_MS));
  if (!(await take()))
    throw new RetryLaterError("Another write-back of this person's blocks is running.", LEASE_BUSY_RETRY_MS);
  const renew = setInterval(() => void take().catch(() => {}), LEASE_RENEW_MS);
  renew.unref();
  try {
    return await writePasses(env, ctx, connector, connection, calendarId, workspaceId, personId, result);
  } finally {
    clearInterval(renew);
    await services.db.scoped(workspaceId, (tx) => releaseBlockWriterLease(tx, lease)).catch(() => {});
  }
}

async function writePasses(
  env: BlockWriteEnvironment,
  ctx: ConnectorContext<unknown, unknown>,
  connector: AnyConnector,
  connection: ConnectionRecord,
  calendarId: string,
  workspaceId: string,
  personId: string,
  result: BlockWriteResult,
): Promise<BlockWriteResult> {
  const { services } = env;
  // Each pass reads the blocks again: a plan stored while this run wrote an older one would otherwise be lost
  // when its enqueue was absorbed by a run already past its read (the queue keeps one rerun per person).
  for (let pass = 1; ; pass++) {
    const now = services.now();
    const horizon = new Date(now.getTime() + WRITE_AHEAD_DAYS * 86_400_000);
    const blocks = await services.db.scoped(workspaceId, (tx) =>
      listBlocksToWrite(tx, personId, now.toISOString(), horizon.toISOString()),
    );
    const pending = blocks.filter((block) => !isWritten(block, connection.id));
    if (pass === 1) result.unchanged = blocks.length - pending.length;
    if (pending.length === 0) return result;
    if (pass > MAX_PASSES) {
      // Plans keep coming: a run of its own takes over instead of this one going on for ever.
      await services.calendarWriter?.syncBlocks(workspaceId, personId, 0);
      return result;
    }
    try {
      await applyBlocks(env, ctx, connector, connection, calendarId, workspaceId, pending, result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await services.db.scoped(workspaceId, (tx) =>
        recordConnectionError(tx, connection.id, `Writing focus blocks failed: ${message}`),
      );
      throw error;
    }
  }
}

/** The block's event is on this calendar at the block's time (a live block), so there is nothing to do. */
function isWritten(block: CalendarBlockRow, connectionId: string): boolean {
  const live = block.status === "planned" || block.status === "accepted";
  return (
    live &&
    block.calendar_connection_id === connectionId &&
    block.calendar_event_id !== null &&
    block.calendar_written_start !== null &&
    block.calendar_written_end !== null &&
    iso(block.calendar_written_start) === iso(block.start_at) &&
    iso(block.calendar_written_end) === iso(block.end_at)
  );
}

async function applyBlocks(
  env: BlockWriteEnvironment,
  ctx: ConnectorContext<unknown, unknown>,
  connector: AnyConnector,
  connection: ConnectionRecord,
  calendarId: string,
  workspaceId: string,
  blocks: CalendarBlockRow[],
  result: BlockWriteResult,
): Promise<void> {
  const { services } = env;
  for (const block of blocks) {
    const live = block.status === "planned" || block.status === "accepted";
    const writtenHere = block.calendar_connection_id === connection.id;
    if (!live) {
      if (block.calendar_event_id && writtenHere && connector.deleteBlock) {
        await connector.deleteBlock(ctx, calendarId, block.calendar_event_id);
        result.deleted += 1;
      }
      await services.db.scoped(workspaceId, (tx) => forgetWrittenEvent(tx, block.id));
      continue;
    }
    const start = iso(block.start_at);
    const end = iso(block.end_at);
    if (isWritten(block, connection.id)) {
      result.unchanged += 1;
      continue;
    }
    const title =
      block.kind === "habit"
        ? (block.habit_title ?? "Habit")
        : block.kind === "focus" || !block.title
          ? "Focus time"
          : `Focus: ${block.title}`;
    if (!connector.upsertBlock) return;
    const externalEventId = await connector.upsertBlock(ctx, {
      blockId: block.id,
      title,
      description: `${block.reason ?? "Planned by Cairn."}\n\nPlanned by Cairn; it moves this event when your plan changes.`,
      start,
      end,
      externalEventId: writtenHere ? block.calendar_event_id : null,
      calendarId,
    });
    if (writtenHere && block.calendar_event_id) result.moved += 1;
    else result.created += 1;
    await services.db.scoped(workspaceId, (tx) =>
      recordWrittenEvent(tx, block.id, { eventId: externalEventId, connectionId: connection.id, start, end }),
    );
  }
}

/** The CalendarWriter the planner calls: it only enqueues; the write-back job does the work. */
export function registerCalendarBlockWriter(services: EngineServices, queue: string): void {
  services.calendarWriter = {
    async syncBlocks(workspaceId, personId) {
      await services.jobs.enqueue(
        queue,
        BLOCK_WRITEBACK_JOB,
        { workspaceId, personId },
        { jobId: `blocks-${personId}`, attempts: 6, backoffMs: 5_000, rerunIfActive: true },
      );
    },
  };
}
