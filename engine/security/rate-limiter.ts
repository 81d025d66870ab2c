import type { Config } from "../config.ts";
import type { SharedBuckets } from "../jobs/port.ts";

/** A request budget per key: `take` spends one call, `peek` only looks; both answer the seconds to wait. */
export interface Limiter {
  take(key: string): number | Promise<number>;
  peek(key: string): number | Promise<number>;
}

/**
 * Token-bucket limits per key (an API token's principal, a client address), in process memory: the embedded
 * default, and the fallback of the shared limiter while Redis is unreachable.
 */
/** Beyond this many keys (addresses rotated by an attacker), buckets idle for a minute are forgotten. */
const PRUNE_ABOVE_KEYS = 50_000;

export class RateLimiter implements Limiter {
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
  calls: Limiter;
  authFailures: Limiter;
}

/**
 * One budget for every process of a deployment, kept in Redis (with N web processes behind a load balancer,
 * in-process buckets would allow N times the limit, and N times the token guesses). While Redis cannot be
 * reached, and for a call that fails there, the process counts on its own: a Redis outage never
 * blocks or fails a request, and the limit still holds per process.
 */
export class SharedRateLimiter implements Limiter {
  constructor(
    private readonly buckets: SharedBuckets,
    private readonly name: string,
    private readonly local: RateLimiter,
  ) {}

  take(key: string): Promise<number> {
    return this.#spend(key, "take");
  }

  peek(key: string): Promise<number> {
    return this.#spend(key, "peek");
  }

  async #spend(key: string, mode: "take" | "peek"): Promise<number> {
    const fallback = () => (mode === "take" ? this.local.take(key) : this.local.peek(key));
    // No timer of our own: a busy event loop would fire it before Redis's answer is read. A dropped connection
    // turns `available` off at once, and a call already sent fails after the client's few retries.
    if (!this.buckets.available) return fallback();
    try {
      return await this.buckets.spend(this.name, key, this.local.perMinute, mode);
    } catch {
      return fallback();
    }
  }
}

export function createRequestLimits(
  config: Config,
  shared?: SharedBuckets,
  now?: () => number,
): RequestLimits {
  const calls = new RateLimiter(config.CAIRN_RATE_LIMIT_PER_MINUTE, now);
  const authFailures = new RateLimiter(config.CAIRN_AUTH_FAILURES_PER_MINUTE, now);
  if (!shared) return { calls, authFailures };
  return {
    calls: new SharedRateLimiter(shared, "calls", calls),
    authFailures: new SharedRateLimiter(shared, "auth-failures", authFailures),
  };
}
