/**
 * A write that must not be lost to a database restart (an idempotency claim's answer, a sent nudge's record):
 * tried again once a second for up to 30 s, as long as a PostgreSQL restart or failover takes, instead of
 * failing at once and leaving a claim that blocks retries until it goes stale.
 */

export interface ReachableOptions {
  /** Tries in all, the first included. Default 30. */
  attempts?: number;
  /** Pause between tries. Default 1000 ms. */
  retryMs?: number;
  /** Called after each failed try (for a log line or a test). */
  onFailure?: (error: unknown, attempt: number) => void;
}

export const REACHABLE_ATTEMPTS = 30;
export const REACHABLE_RETRY_MS = 1_000;

/** Runs `write` until it succeeds; rejects with the last error when every try failed. */
export async function whenReachable<T>(write: () => Promise<T>, options: ReachableOptions = {}): Promise<T> {
  const attempts = options.attempts ?? REACHABLE_ATTEMPTS;
  const retryMs = options.retryMs ?? REACHABLE_RETRY_MS;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await write();
    } catch (error) {
      last = error;
      options.onFailure?.(error, attempt);
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
    }
  }
  throw last;
}
