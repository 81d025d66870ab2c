/**
 * One sync of a connection at a time across every process sharing the database. A run takes a lease on the
 * connection row (owner + expiry, in database time), renews it while it works, and gives it back when done.
 * A process that dies mid-sync leaves a lease that simply expires, so nobody waits on a crashed worker.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/port.ts";
import { releaseSyncLease, renewSyncLease, tryTakeSyncLease } from "../db/repositories/sync-leases.ts";
import { CairnError, ErrorCode } from "../errors.ts";

export interface LeaseTiming {
  /** How long a lease lasts unless renewed. */
  ttlMs: number;
  /** How often a running sync renews it (well inside ttlMs). */
  renewEveryMs: number;
  /** How long to wait for another process's sync before giving up (the job then retries later). */
  waitMs: number;
  /** Polling interval while waiting. */
  pollMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  ttlMs: 60_000,
  renewEveryMs: 20_000,
  waitMs: 120_000,
  pollMs: 500,
};

/** Another process holds the lease for longer than we would wait: not a failure of the connection. */
export class SyncBusyError extends CairnError {
  constructor(name: string, waitedMs: number) {
    super(
      ErrorCode.Conflict,
      `"${name}" is being synced by another Cairn process (waited ${Math.round(waitedMs / 1000)} s); try again when that sync finishes.`,
      { retryAfterSeconds: 30 },
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tryAcquire(db: Db, workspaceId: string, connectionId: string, owner: string, ttlMs: number) {
  return db.scoped(workspaceId, (tx) => tryTakeSyncLease(tx, connectionId, owner, ttlMs));
}

async function renew(db: Db, workspaceId: string, connectionId: string, owner: string, ttlMs: number) {
  await db.scoped(workspaceId, (tx) => renewSyncLease(tx, connectionId, owner, ttlMs));
}

async function release(db: Db, workspaceId: string, connectionId: string, owner: string) {
  await db.scoped(workspaceId, (tx) => releaseSyncLease(tx, connectionId, owner));
}

/** Runs `fn` holding the connection's sync lease; waits for another holder up to `timing.waitMs`. */
export async function withSyncLease<T>(
  db: Db,
  target: { workspaceId: string; connectionId: string; name: string },
  fn: () => Promise<T>,
  timing: LeaseTiming = DEFAULT_LEASE_TIMING,
): Promise<T> {
  const { workspaceId, connectionId } = target;
  const owner = randomUUID();
  const giveUpAt = Date.now() + timing.waitMs;
  while (!(await tryAcquire(db, workspaceId, connectionId, owner, timing.ttlMs))) {
    if (Date.now() >= giveUpAt) {
      throw new SyncBusyError(target.name, timing.waitMs);
    }
    await sleep(timing.pollMs);
  }
  let renewing = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renew(db, workspaceId, connectionId, owner, timing.ttlMs).catch(() => {});
  }, timing.renewEveryMs);
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    await renewing;
    await release(db, workspaceId, connectionId, owner).catch(() => {});
  }
}
