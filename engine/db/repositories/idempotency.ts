/**
 * Idempotency keys of the HTTP actions API. Claim, store and release run in workspace-scoped transactions
 * (row-level security applies); the expiry sweep runs as the schema owner across workspaces.
 */
import type { Db, Queryable } from "../port.ts";

/**
 * A request holding a key renews its claim this often while it runs, so a claim left by a process that died
 * (SIGKILL, out of memory) is recognised after CLAIM_STALE_MS instead of blocking retries for minutes.
 */
export const CLAIM_RENEW_MS = 10_000;
/** A `running` claim not renewed for this long belonged to a process that died: a retry takes it over. */
export const CLAIM_STALE_MS = 45_000;

export interface IdempotencyScope {
  workspaceId: string;
  /** The token (or other principal) that sent the request: keys of different tokens never meet. */
  principal: string;
  key: string;
}

export interface StoredResponse {
  status: number;
  /** The JSON body, sealed by the caller (answers may carry secrets). */
  sealedBody: string;
}

export type IdempotencyClaim =
  | { kind: "claimed" }
  | { kind: "running"; requestHash: string }
  | { kind: "done"; requestHash: string; response: StoredResponse };

interface Row {
  request_hash: string;
  state: "running" | "done";
  response_status: number | null;
  response_body_sealed: string | null;
}

/**
 * Claims the key for this request, or tells what holds it. An expired row, or a `running` one older than
 * `staleBefore` (its process died before answering), is taken over.
 */
export async function claimIdempotencyKey(
  tx: Queryable,
  scope: IdempotencyScope,
  request: { action: string; requestHash: string },
  times: { now: Date; expiresAt: Date; staleBefore: Date },
): Promise<IdempotencyClaim> {
  const claimed = await tx.query<{ key: string }>(
    `INSERT INTO idempotency_keys
       (workspace_id, principal, key, action, request_hash, state, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, 'running', $6, $7)
     ON CONFLICT (workspace_id, principal, key) DO UPDATE
       SET action = EXCLUDED.action, request_hash = EXCLUDED.request_hash, state = 'running',
           response_status = NULL, response_body_sealed = NULL,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at <= $6
          OR (idempotency_keys.state = 'running' AND idempotency_keys.created_at <= $8)
     RETURNING key`,
    [
      scope.workspaceId,
      scope.principal,
      scope.key,
      request.action,
      request.requestHash,
      times.now.toISOString(),
      times.expiresAt.toISOString(),
      times.staleBefore.toISOString(),
    ],
  );
  if (claimed.rows.length === 1) return { kind: "claimed" };
  const { rows } = await tx.query<Row>(
    `SELECT request_hash, state, response_status, response_body_sealed FROM idempotency_keys
      WHERE workspace_id = $1 AND principal = $2 AND key = $3`,
    [scope.workspaceId, scope.principal, scope.key],
  );
  const row = rows[0];
  // Deleted between the two statements (a failed first request released it): the caller may claim again.
  if (!row) return claimIdempotencyKey(tx, scope, request, times);
  if (row.state === "running" || row.response_status === null || row.response_body_sealed === null)
    return { kind: "running", requestHash: row.request_hash };
  return {
    kind: "done",
    requestHash: row.request_hash,
    response: { status: row.response_status, sealedBody: row.response_body_sealed },
  };
}

/** Keeps the answer of the request that claimed the key. */
export async function storeIdempotentResponse(
  tx: Queryable,
  scope: IdempotencyScope,
  response: StoredResponse,
): Promise<void> {
  await tx.query(
    `UPDATE idempotency_keys SET state = 'done', response_status = $4, response_body_sealed = $5
      WHERE workspace_id = $1 AND principal = $2 AND key = $3 AND state = 'running'`,
    [scope.workspaceId, scope.principal, scope.key, response.status, response.sealedBody],
  );
}

/** Says the request holding the key still runs (`created_at` is when the claim was made or last renewed). */
export async function renewIdempotencyClaim(
  tx: Queryable,
  scope: IdempotencyScope,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE idempotency_keys SET created_at = $4
      WHERE workspace_id = $1 AND principal = $2 AND key = $3 AND state = 'running'`,
    [scope.workspaceId, scope.principal, scope.key, now.toISOString()],
  );
}

/** Renews the claim every CLAIM_RENEW_MS until the returned function is called. */
export function keepClaimAlive(db: Db, scope: IdempotencyScope, now: () => Date): () => void {
  const timer = setInterval(() => {
    void db.scoped(scope.workspaceId, (tx) => renewIdempotencyClaim(tx, scope, now())).catch(() => {});
  }, CLAIM_RENEW_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Forgets a claim whose request failed (5xx) or never answered: a retry runs afresh. */
export async function releaseIdempotencyKey(tx: Queryable, scope: IdempotencyScope): Promise<void> {
  await tx.query(
    `DELETE FROM idempotency_keys
      WHERE workspace_id = $1 AND principal = $2 AND key = $3 AND state = 'running'`,
    [scope.workspaceId, scope.principal, scope.key],
  );
}

/** Removes expired keys in every workspace (a system transaction). */
export async function deleteExpiredIdempotencyKeys(tx: Queryable, now: Date): Promise<number> {
  const { rows } = await tx.query<{ key: string }>(
    "DELETE FROM idempotency_keys WHERE expires_at <= $1 RETURNING key",
    [now.toISOString()],
  );
  return rows.length;
}
