/**
 * Deliveries a chat surface has already taken (Slack event ids, Teams activity ids), so a retried delivery never
 * acts twice, across processes. Functions run in a system transaction (the table belongs to no workspace).
 */
import type { Queryable } from "../port.ts";

/**
 * Records the delivery; true when this call recorded it first (act on it), false when it was already recorded
 * and has not expired (a retry or a second process: do nothing). An expired record is taken over.
 */
export async function claimChatDelivery(
  tx: Queryable,
  delivery: { provider: string; id: string },
  now: Date,
  ttlSeconds: number,
): Promise<boolean> {
  const expires = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  const { rows } = await tx.query<{ delivery_id: string }>(
    `INSERT INTO chat_deliveries (provider, delivery_id, received_at, expires_at)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, delivery_id) DO UPDATE
       SET received_at = EXCLUDED.received_at, expires_at = EXCLUDED.expires_at
       WHERE chat_deliveries.expires_at <= $3
     RETURNING delivery_id`,
    [delivery.provider, delivery.id, now.toISOString(), expires],
  );
  return rows.length === 1;
}

/** Removes expired records (called now and then by the surfaces). */
export async function deleteExpiredChatDeliveries(tx: Queryable, now: Date): Promise<number> {
  const { rows } = await tx.query<{ delivery_id: string }>(
    "DELETE FROM chat_deliveries WHERE expires_at <= $1 RETURNING delivery_id",
    [now.toISOString()],
  );
  return rows.length;
}
