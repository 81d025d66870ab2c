/**
 * The BullMQ Jobs adapter (REDIS_URL set): queues live in Redis, so any number of web processes enqueue
 * and any number of `cairn worker` processes run jobs, and jobs survive restarts.
 *
 * - Stalled-job recovery stays on: a worker killed mid-job does not lose it. Its lock expires after
 *   `lockDurationMs` and another worker's stalled check (every `stalledIntervalMs`) puts the job back in
 *   the queue; a job that stalls more than once is failed (BullMQ's maxStalledCount = 1), so a job that
 *   crashes its worker every time cannot take the fleet down in a loop.
 * - Retry semantics are shared with the in-process adapter (see policy.ts): exponential backoff with
 *   jitter via a custom backoff strategy, UnrecoverableJobError → BullMQ's UnrecoverableError,
 *   RetryLaterError → job moved to delayed without consuming an attempt (BullMQ's DelayedError pattern).
 * - jobId dedupes while the job is waiting, delayed or active; a finished job with that id is removed
 *   so the id can run again. BullMQ forbids ":" and integer custom ids, so custom ids are escaped in
 *   Redis and given back unescaped.
 * - The first use (ping, enqueue, start...) waits at most `connectTimeoutMs` for Redis and then fails
 *   with an error naming REDIS_URL (its password masked).
 */
import {
  type BackoffOptions,
  DelayedError,
  type Job,
  type MinimalJob,
  Queue,
  UnrecoverableError,
  Worker,
} from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import { CairnError, ErrorCode } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import {
  assertEveryMs,
  assertQueueName,
  DEFAULT_BACKOFF_MS,
  errorMessage,
  MAX_DEFERRALS,
  type ResolvedJobOptions,
  rerunJobId,
  resolveJobOptions,
  retryDelay,
} from "./policy.ts";
import {
  type FailedJob,
  type JobContext,
  type JobHandler,
  type JobOptions,
  type Jobs,
  type QueueCounts,
  type RepeatOptions,
  RetryLaterError,
  UnrecoverableJobError,
  type WorkerOptions,
} from "./port.ts";
import { RedisTokenBuckets } from "./redis-token-buckets.ts";

export interface BullmqJobsOptions {
  /** redis:// or rediss:// URL, usually REDIS_URL. */
  redisUrl: string;
  /** Prefix of every Redis key, so several deployments (or tests) can share one Redis. Default "cairn". */
  prefix?: string;
  /** Default: a silent logger. */
  logger?: Logger;
  /** How long the first use waits for Redis before failing. Default 5000 ms (must stay under 10 s). */
  connectTimeoutMs?: number;
  /** How long a worker's lock on a job lasts without renewal; a dead worker's job is recoverable after it. Default 30000 ms. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (locks that expired). Default 30000 ms. */
  stalledIntervalMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
const BACKOFF_TYPE = "cairn";
/** Finished jobs kept in Redis (for counts and failed()); older ones are trimmed by BullMQ. */
const KEEP_COMPLETED = { count: 1000 };
const KEEP_FAILED = { count: 5000 };

/** Custom ids are stored as "=" + escaped id; BullMQ's own ids are integers and never start with "=". */
export function encodeJobId(id: string): string {
  return `=${id.replaceAll("%", "%25").replaceAll(":", "%3A")}`;
}

export function decodeJobId(stored: string): string {
  if (!stored.startsWith("=")) return stored;
  return stored.slice(1).replaceAll("%3A", ":").replaceAll("%25", "%");
}

/** The URL with its password replaced, for messages and logs. */
export function maskRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(a value that is not a valid URL)";
  }
}

function bullJobOptions(resolved: ResolvedJobOptions) {
  return {
    attempts: resolved.attempts,
    backoff: { type: BACKOFF_TYPE, delay: resolved.backoffMs } satisfies BackoffOptions,
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}

function backoffStrategy(failedAttempts: number, _type?: string, error?: Error, job?: MinimalJob): number {
  const backoff = job?.opts.backoff;
  const base =
    typeof backoff === "number"
      ? backoff
      : typeof backoff === "object"
        ? (backoff.delay ?? DEFAULT_BACKOFF_MS)
        : DEFAULT_BACKOFF_MS;
  return retryDelay(base, failedAttempts, error);
}

/** Times a job was told "later": every start that did not end in a counted attempt, minus the current one. */
const deferrals = (job: Job): number => Math.max(0, job.attemptsStarted - job.attemptsMade - 1);

class BullmqJobs implements Jobs {
  readonly kind = "bullmq" as const;
  private readonly log: Logger;
  private readonly prefix: string;
  private readonly safeUrl: string;
  private readonly connectTimeoutMs: number;
  private readonly client: Redis;
  readonly sharedBuckets: RedisTokenBuckets;
  private workerClient: Redis | undefined;
  private readonly queues = new Map<string, Queue>();
  private readonly handlers = new Map<string, { handler: JobHandler<unknown>; concurrency: number }>();
  private readonly workers = new Map<string, Worker>();
  private readonly running = new Set<Promise<unknown>>();
  private lastError: Error | undefined;
  private outageReported = false;
  private started = false;
  private closed = false;

  constructor(private readonly options: BullmqJobsOptions) {
    this.safeUrl = maskRedisUrl(options.redisUrl);
    this.log = (options.logger ?? silentLogger).child({ module: "jobs", adapter: "bullmq" });
    this.prefix = options.prefix ?? "cairn";
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    // Commands fail after a few reconnect tries instead of hanging, so a web request enqueuing during a
    // Redis outage gets an error rather than a stuck response.
    this.client = this.connect({ maxRetriesPerRequest: 2 });
    this.sharedBuckets = new RedisTokenBuckets(this.client, this.prefix);
  }

  handle<T>(queue: string, handler: JobHandler<T>, options: WorkerOptions = {}): void {
    assertQueueName(queue);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number >= 1 (got ${concurrency}).`);
    }
    if (this.workers.has(queue)) throw new Error(`Queue "${queue}" already has a running worker.`);
    this.handlers.set(queue, { handler: handler as JobHandler<unknown>, concurrency });
    if (this.started && !this.closed) this.startWorker(queue);
  }

  async enqueue<T>(queue: string, name: string, data: T, options?: JobOptions): Promise<string> {
    const resolved = resolveJobOptions(options);
    const q = await this.queue(queue);
    const { jobId } = resolved;
    const storedId = jobId === undefined ? undefined : encodeJobId(jobId);
    if (jobId !== undefined && storedId !== undefined) {
      const existing = await q.getJob(storedId);
      if (existing) {
        const state = await existing.getState();
        if (state === "active" && resolved.rerunIfActive) {
          return this.enqueue(queue, name, data, {
            ...options,
            jobId: rerunJobId(jobId),
            rerunIfActive: false,
          });
        }
        if (state !== "completed" && state !== "failed" && state !== "unknown") return jobId;
        // Finished: free the id so the job runs again. Losing a race here (another process re-added it,
        // or it became active) is harmless: add() below then returns the existing job.
        await existing
          .remove()
          .catch((error: unknown) => this.log.debug({ err: error }, "could not remove finished job"));
      }
    }
    const job = await q.add(name, data, {
      ...bullJobOptions(resolved),
      ...(storedId !== undefined && { jobId: storedId }),
      ...(resolved.delayMs > 0 && { delay: resolved.delayMs }),
    });
    return decodeJobId(job.id ?? storedId ?? "");
  }

  async repeat<T>(queue: string, name: string, data: T, options: RepeatOptions): Promise<void> {
    assertEveryMs(options.everyMs);
    const q = await this.queue(queue);
    await q.upsertJobScheduler(
      options.key,
      { every: options.everyMs },
      { name, data, opts: bullJobOptions(resolveJobOptions()) },
    );
  }

  async removeRepeat(queue: string, key: string): Promise<boolean> {
    const q = await this.queue(queue);
    return q.removeJobScheduler(key);
  }

  async failed(queue: string, limit = 50): Promise<FailedJob[]> {
    const q = await this.queue(queue);
    const jobs = await q.getFailed(0, Math.max(0, limit - 1));
    return jobs.map((job) => ({
      id: decodeJobId(job.id ?? ""),
      queue,
      name: job.name,
      data: job.data as unknown,
      error: job.failedReason ?? "",
      attempts: job.attemptsMade,
      failedAt: new Date(job.finishedOn ?? job.timestamp).toISOString(),
    }));
  }

  async counts(queue: string): Promise<QueueCounts> {
    const q = await this.queue(queue);
    const c = await q.getJobCounts(
      "waiting",
      "prioritized",
      "paused",
      "delayed",
      "active",
      "completed",
      "failed",
    );
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  async retry(queue: string, id: string): Promise<boolean> {
    const q = await this.queue(queue);
    // Jobs enqueued without a jobId keep BullMQ's own (numeric) id, stored as is.
    const job = (await q.getJob(encodeJobId(id))) ?? (await q.getJob(id));
    if (!job || (await job.getState()) !== "failed") return false;
    await job.retry("failed");
    return true;
  }

  async start(): Promise<void> {
    await this.connected();
    this.started = true;
    for (const queue of this.handlers.keys()) this.startWorker(queue);
  }

  async ping(): Promise<void> {
    await this.connected();
    await this.client.ping();
  }

  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Date.now() + timeoutMs;
    const workers = [...this.workers.values()];
    await Promise.all(workers.map((worker) => worker.pause(true).catch(this.logCloseError)));
    const drained = await this.waitForIdle(deadline);
    if (!drained) {
      this.log.warn(
        { active: this.running.size, timeoutMs },
        "jobs still running when close timed out; another worker will recover them once their lock expires",
      );
    }
    await Promise.all(workers.map((worker) => worker.close(!drained).catch(this.logCloseError)));
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(this.logCloseError)));
    await Promise.all([this.client, this.workerClient].map((client) => client && this.disconnect(client)));
  }

  private connect(overrides: RedisOptions): Redis {
    const client = new Redis(this.options.redisUrl, {
      connectTimeout: this.connectTimeoutMs,
      // ioredis otherwise keeps the process alive this long after disconnecting a socket that never connected.
      disconnectTimeout: 200,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      ...overrides,
    });
    client.on("error", (error: Error) => {
      this.lastError = error;
      if (!this.outageReported) {
        this.outageReported = true;
        this.log.warn({ redisUrl: this.safeUrl, err: error }, "Redis connection error; reconnecting");
      }
    });
    client.on("ready", () => {
      this.outageReported = false;
    });
    return client;
  }

  private async connected(): Promise<void> {
    if (this.closed) throw new Error("The BullMQ job queue is closed.");
    const client = this.client;
    if (client.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off("ready", onReady);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const timer = setTimeout(() => done(this.unreachable()), this.connectTimeoutMs);
      client.on("ready", onReady);
    });
  }

  private unreachable(): CairnError {
    const cause = this.lastError ? `: ${this.lastError.message}` : "";
    return new CairnError(
      ErrorCode.Unavailable,
      `Cannot reach Redis at REDIS_URL=${this.safeUrl} within ${this.connectTimeoutMs} ms${cause}. ` +
        "Check that Redis is running and that REDIS_URL is right (or unset it to use the in-process queue).",
    );
  }

  private async queue(name: string): Promise<Queue> {
    assertQueueName(name);
    await this.connected();
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.client, prefix: this.prefix });
      queue.on("error", (error) => this.log.error({ queue: name, err: error }, "queue error"));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private startWorker(queue: string): void {
    const registered = this.handlers.get(queue);
    if (!registered || this.workers.has(queue)) return;
    this.workerClient ??= this.connect({ maxRetriesPerRequest: null });
    const worker = new Worker(
      queue,
      (job, token) => this.track(this.process(queue, registered.handler, job, token)),
      {
        connection: this.workerClient,
        prefix: this.prefix,
        concurrency: registered.concurrency,
        settings: { backoffStrategy },
        ...(this.options.lockDurationMs !== undefined && { lockDuration: this.options.lockDurationMs }),
        ...(this.options.stalledIntervalMs !== undefined && {
          stalledInterval: this.options.stalledIntervalMs,
        }),
      },
    );
    worker.on("error", (error) => this.log.error({ queue, err: error }, "worker error"));
    worker.on("failed", (job, error) => {
      if (error instanceof DelayedError) return;
      this.log.warn(
        { queue, jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: error },
        "job try failed",
      );
    });
    worker.on("stalled", (jobId) => this.log.warn({ queue, jobId }, "stalled job put back in the queue"));
    this.workers.set(queue, worker);
  }

  private async track<R>(run: Promise<R>): Promise<R> {
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
    }
  }

  private async process(
    queue: string,
    handler: JobHandler<unknown>,
    job: Job,
    token?: string,
  ): Promise<unknown> {
    const context: JobContext<unknown> = {
      id: decodeJobId(job.id ?? ""),
      queue,
      name: job.name,
      data: job.data as unknown,
      attempt: job.attemptsMade + 1,
      progress: (value) => job.updateProgress(value),
    };
    try {
      return await handler(context);
    } catch (error) {
      if (error instanceof UnrecoverableJobError) throw new UnrecoverableError(error.message);
      if (error instanceof RetryLaterError && token !== undefined && deferrals(job) < MAX_DEFERRALS) {
        await job.moveToDelayed(Date.now() + error.retryAfterMs, token);
        throw new DelayedError();
      }
      throw error instanceof Error ? error : new Error(errorMessage(error));
    }
  }

  private async waitForIdle(deadline: number): Promise<boolean> {
    while (this.running.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, remaining);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  }

  private async disconnect(client: Redis): Promise<void> {
    if (client.status === "ready") {
      await client.quit().catch(() => client.disconnect());
    } else {
      client.disconnect();
    }
  }

  private readonly logCloseError = (error: unknown): void => {
    this.log.warn({ err: error }, "error while closing the job queue");
  };
}

export function createBullmqJobs(options: BullmqJobsOptions): Jobs {
  return new BullmqJobs(options);
}
