/** The per-person lease of the calendar write-back (migration 0032): one run at a time writes a person's blocks. */
import type { Queryable } from "../port.ts";

export interface BlockWriterLease {
  workspaceId: string;
  personId: string;
  /** The run holding it (a fresh id per run). */
  holder: string;
}

/** Takes the lease when it is free, expired, or already this holder's; false while another run holds it. */
export async function acquireBlockWriterLease(
  tx: Queryable,
  lease: BlockWriterLease,
  now: Date,
  ttlMs: number,
): Promise<boolean> {
  const { rows } = await tx.query<{ holder: string }>(
    `INSERT INTO block_writer_leases (workspace_id, person_id, holder, expires_at) VALUES ($1, $2, $3, $5)
     ON CONFLICT (workspace_id, person_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE block_writer_leases.expires_at < $4 OR block_writer_leases.holder = excluded.holder
     RETURNING holder`,
    [
      lease.workspaceId,
      lease.personId,
      lease.holder,
      now.toISOString(),
      new Date(now.getTime() + ttlMs).toISOString(),
    ],
  );
  return rows[0]?.holder === lease.holder;
}

export async function releaseBlockWriterLease(tx: Queryable, lease: BlockWriterLease): Promise<void> {
  await tx.query(
    "DELETE FROM block_writer_leases WHERE workspace_id = $1 AND person_id = $2 AND holder = $3",
    [lease.workspaceId, lease.personId, lease.holder],
  );
}
