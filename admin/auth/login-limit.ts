/**
 * Sign-in lockout: after MAX_FAILURES wrong passwords for one email from one address within WINDOW_MS,
 * that pair is refused (even with the right password) until the oldest of those failures is WINDOW_MS old.
 * Counted in the database, so every web process behind a load balancer sees the same count.
 */
import { createHash } from "node:crypto";
import type { Db } from "../../engine/db/port.ts";
import {
  clearLoginFailures,
  loginFailuresSince,
  recordLoginFailure,
} from "../../engine/db/repositories/console-sessions.ts";

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;

const keyOf = (email: string, address: string): string =>
  createHash("sha256").update(`${email.trim().toLowerCase()}\n${address}`).digest("hex");

/** Seconds until `failures` (times, oldest first) stop locking the pair; 0 when not locked. */
export function lockedForSeconds(failures: readonly Date[], now: Date): number {
  if (failures.length < MAX_FAILURES) return 0;
  const oldestCounted = failures[failures.length - MAX_FAILURES] as Date;
  const until = oldestCounted.getTime() + WINDOW_MS;
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

export class LoginLimit {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async lockedFor(email: string, address: string): Promise<number> {
    const now = this.now();
    const failures = await this.db.system((tx) =>
      loginFailuresSince(tx, keyOf(email, address), new Date(now.getTime() - WINDOW_MS)),
    );
    return lockedForSeconds(failures, now);
  }

  /** Counts a failure; returns the seconds the pair is now locked for (0: not yet). */
  async fail(email: string, address: string): Promise<number> {
    const now = this.now();
    const key = keyOf(email, address);
    const failures = await this.db.system(async (tx) => {
      await recordLoginFailure(tx, key, now);
      return loginFailuresSince(tx, key, new Date(now.getTime() - WINDOW_MS));
    });
    return lockedForSeconds(failures, now);
  }

  async succeed(email: string, address: string): Promise<void> {
    const now = this.now();
    await this.db.system((tx) =>
      clearLoginFailures(tx, keyOf(email, address), new Date(now.getTime() - WINDOW_MS)),
    );
  }
}
