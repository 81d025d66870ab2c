import type { Config } from "../config.ts";

/**
 * Token-bucket limits per key (an API token's principal, a client address). Kept in process memory: with N
 * web processes each enforces its own share, which is documented in the README.
 */
/** Beyond this many keys (addresses rotated by an attacker), buckets idle for a minute are forgotten. */
const PRUNE_ABOVE_KEYS = 50_000;

export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  #refill(key: string): { tokens: number; updated: number } {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.perMinute, updated: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updated) * this.#refillPerMs);
    bucket.updated = now;
    // A full bucket is the same as no bucket: forget it, so the map holds only keys that are spending.
    if (bucket.tokens >= this.perMinute) this.#buckets.delete(key);
    return bucket;
  }

  get #refillPerMs(): number {
    return this.perMinute / 60_000;
  }

  #waitFor(tokens: number): number {
    return Math.ceil((1 - tokens) / this.#refillPerMs / 1000);
  }

  /** How many keys are being counted (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  /** A bucket untouched for a minute has refilled completely: forgetting it changes nothing. */
  #prune(): void {
    const now = this.now();
    for (const [key, bucket] of this.#buckets) if (now - bucket.updated >= 60_000) this.#buckets.delete(key);
  }

  /** Takes one call; returns 0 when allowed, or the seconds to wait. */
  take(key: string): number {
    if (this.#buckets.size > PRUNE_ABOVE_KEYS) this.#prune();
    const bucket = this.#refill(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.#buckets.set(key, bucket);
      return 0;
    }
    this.#buckets.set(key, bucket);
    return this.#waitFor(bucket.tokens);
  }

  /** The seconds to wait before the next call would be allowed (0: allowed), without taking one. */
  peek(key: string): number {
    const bucket = this.#refill(key);
    if (bucket.tokens >= 1) return 0;
    this.#buckets.set(key, bucket);
    return this.#waitFor(bucket.tokens);
  }
}

/**
 * The request budgets every face shares, owned by the engine services: one per principal for calls (the
 * HTTP API, MCP tool calls and resource reads draw from the same bucket) and one per client address for
 * failed authentications.
 */
export interface RequestLimits {
  calls: RateLimiter;
  authFailures: RateLimiter;
}

export function createRequestLimits(config: Config, now?: () => number): RequestLimits {
  return {
    calls: new RateLimiter(config.CAIRN_RATE_LIMIT_PER_MINUTE, now),
    authFailures: new RateLimiter(config.CAIRN_AUTH_FAILURES_PER_MINUTE, now),
  };
}
