/**
 * The Jobs port: named queues of background work with the same semantics on every adapter
 * (BullMQ on Redis in production, an in-process queue when embedded). Proven by one conformance
 * suite in test/integration/jobs-conformance.test.ts.
 */

export interface JobOptions {
  /** Dedupe key: enqueueing a job whose id is already waiting, delayed or active is a no-op (see rerunIfActive). */
  jobId?: string;
  /**
   * With jobId: when that job is already running (it may have read its inputs before the news that caused
   * this enqueue), queue one more run after it instead of dropping this one. The extra run has the id
   * `<jobId>~again` and dedupes like any other; a job that is still waiting absorbs the enqueue as usual.
   */
  rerunIfActive?: boolean;
  /** Run no earlier than this many milliseconds from now. Default 0. */
  delayMs?: number;
  /** Total tries including the first. Default 3. */
  attempts?: number;
  /** Base of the exponential backoff between tries, in ms (base * 2^(try-1), with up to 25% jitter). Default 1000. */
  backoffMs?: number;
}

export interface RepeatOptions {
  /** Run every this many milliseconds. */
  everyMs: number;
  /** Identifies the repeatable job so it can be replaced or removed; one schedule per key. */
  key: string;
}

export interface JobContext<T> {
  id: string;
  queue: string;
  name: string;
  data: T;
  /** 1 on the first try. */
  attempt: number;
  /** Report progress (0-100) for observers. */
  progress(value: number): Promise<void>;
}

export type JobHandler<T = unknown> = (job: JobContext<T>) => Promise<unknown>;

export interface WorkerOptions {
  /** Jobs of this queue run at most this many at a time in this process. Default 1. */
  concurrency?: number;
}

export interface FailedJob {
  id: string;
  queue: string;
  name: string;
  data: unknown;
  error: string;
  attempts: number;
  failedAt: string;
}

export interface QueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
}

/** Thrown by a handler to fail a job at once, without further retries (a revoked credential, say). */
export class UnrecoverableJobError extends Error {
  override readonly name = "UnrecoverableJobError";
}

/** Thrown by a handler to retry after a known delay (a 429 with Retry-After). Does not consume backoff. */
export class RetryLaterError extends Error {
  override readonly name = "RetryLaterError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/**
 * Token buckets every process of a deployment shares (BullMQ's Redis), so N web processes enforce one
 * budget, not N. `take` spends a token, `peek` only looks; both answer the seconds to wait (0: allowed).
 */
export interface SharedBuckets {
  /** False while the store cannot be reached: callers then count in process instead of waiting on it. */
  readonly available: boolean;
  spend(bucket: string, key: string, perMinute: number, mode: "take" | "peek"): Promise<number>;
}

export interface Jobs {
  readonly kind: "bullmq" | "in-process";
  /** Shared rate-limit buckets, when the backend can hold them (BullMQ). */
  readonly sharedBuckets?: SharedBuckets;
  /** Registers the handler for a queue. Workers only pull jobs after start(). */
  handle<T>(queue: string, handler: JobHandler<T>, options?: WorkerOptions): void;
  /** Adds a job; returns its id (the given jobId when deduped). */
  enqueue<T>(queue: string, name: string, data: T, options?: JobOptions): Promise<string>;
  /** Adds or replaces a repeatable job. */
  repeat<T>(queue: string, name: string, data: T, options: RepeatOptions): Promise<void>;
  /** Removes a repeatable job by key; returns whether one existed. */
  removeRepeat(queue: string, key: string): Promise<boolean>;
  failed(queue: string, limit?: number): Promise<FailedJob[]>;
  counts(queue: string): Promise<QueueCounts>;
  /**
   * Runs a failed job again (same id, name and data, a fresh set of tries); false when the queue has no
   * failed job with that id.
   */
  retry(queue: string, id: string): Promise<boolean>;
  /** Starts pulling jobs for every registered handler (role worker). */
  start(): Promise<void>;
  /** Readiness: throws when the backend is unreachable. */
  ping(): Promise<void>;
  /** Stops taking new jobs, waits for active ones to finish (up to timeoutMs), then releases resources. */
  close(timeoutMs?: number): Promise<void>;
}
