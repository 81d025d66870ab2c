/**
 * The sync lease on a connection row (owner + expiry, in database time): one sync of a connection at a time
 * across every process sharing the database.
 */
import type { Queryable } from "../port.ts";

/** Takes the lease when it is free or expired; true when this owner now holds it. */
export async function tryTakeSyncLease(
  tx: Queryable,
  connectionId: string,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  const result = await tx.query(
    `UPDATE connections
        SET sync_lease_owner = $2, sync_lease_until = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
      WHERE id = $1 AND (sync_lease_owner IS NULL OR sync_lease_until < clock_timestamp())`,
    [connectionId, owner, ttlMs],
  );
  return result.rowCount === 1;
}

/** Pushes the expiry out by ttlMs, if this owner still holds the lease. */
export async function renewSyncLease(
  tx: Queryable,
  connectionId: string,
  owner: string,
  ttlMs: number,
): Promise<void> {
  await tx.query(
    `UPDATE connections
        SET sync_lease_until = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
      WHERE id = $1 AND sync_lease_owner = $2`,
    [connectionId, owner, ttlMs],
  );
}

export async function releaseSyncLease(tx: Queryable, connectionId: string, owner: string): Promise<void> {
  await tx.query(
    "UPDATE connections SET sync_lease_owner = NULL, sync_lease_until = NULL WHERE id = $1 AND sync_lease_owner = $2",
    [connectionId, owner],
  );
}
