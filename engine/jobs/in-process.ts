/**
 * The in-process Jobs adapter, used when REDIS_URL is not set (embedded mode).
 *
 * Single process only: jobs live in this process's memory. They are lost when the process exits or dies,
 * and a second process has its own separate queues. Run one `cairn start` with it; for several
 * processes, or jobs that must survive restarts, set REDIS_URL to use BullMQ.
 *
 * Semantics match the BullMQ adapter (one conformance suite proves both):
 * - enqueue with a jobId that is waiting, delayed or active is a no-op (with rerunIfActive, an active one
 *   gets one more run queued after it); once finished, the id is free again;
 * - a failed try is retried after base * 2^(try-1) ms plus up to 25% jitter, until `attempts` tries;
 * - UnrecoverableJobError fails the job at once;
 * - RetryLaterError retries after its delay without consuming an attempt, up to MAX_DEFERRALS times per job
 *   (then it counts as an ordinary failed try, waiting at least its delay);
 * - a repeatable job is enqueued at once and then every `everyMs`; an iteration is skipped while the
 *   previous one is still waiting, delayed or running, so a slow job never piles up.
 */
import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import {
  assertEveryMs,
  assertQueueName,
  errorMessage,
  MAX_DEFERRALS,
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

export interface InProcessJobsOptions {
  /** Default: a silent logger. */
  logger?: Logger;
  /** Clock for timestamps (failedAt). Default Date.now. Delays always use real timers. */
  now?: () => number;
}

/** Failed jobs kept per queue, newest first; older ones are dropped. */
const FAILED_KEPT = 1000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

interface QueuedJob {
  id: string;
  queue: string;
  name: string;
  data: unknown;
  attempts: number;
  backoffMs: number;
  failedAttempts: number;
  deferrals: number;
}

interface RepeatState {
  name: string;
  data: unknown;
  everyMs: number;
  timer: NodeJS.Timeout;
}

interface QueueState {
  handler: JobHandler<unknown> | undefined;
  concurrency: number;
  /** Insertion-ordered: the first entry is the next job to run. */
  waiting: Map<string, QueuedJob>;
  delayed: Map<string, { job: QueuedJob; timer: NodeJS.Timeout }>;
  active: Map<string, QueuedJob>;
  completed: number;
  failed: FailedJob[];
  repeats: Map<string, RepeatState>;
}

const repeatJobId = (key: string): string => `repeat:${key}`;

class InProcessJobs implements Jobs {
  readonly kind = "in-process" as const;
  private readonly queues = new Map<string, QueueState>();
  private readonly running = new Set<Promise<void>>();
  private readonly log: Logger;
  private readonly now: () => number;
  private nextId = 1;
  private started = false;
  private closed = false;

  constructor(options: InProcessJobsOptions) {
    this.log = (options.logger ?? silentLogger).child({ module: "jobs", adapter: "in-process" });
    this.now = options.now ?? Date.now;
  }

  handle<T>(queue: string, handler: JobHandler<T>, options: WorkerOptions = {}): void {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number >= 1 (got ${concurrency}).`);
    }
    const state = this.queue(queue);
    state.handler = handler as JobHandler<unknown>;
    state.concurrency = concurrency;
    this.pump(queue);
  }

  async enqueue<T>(queue: string, name: string, data: T, options?: JobOptions): Promise<string> {
    this.assertOpen();
    const resolved = resolveJobOptions(options);
    const state = this.queue(queue);
    const id = resolved.jobId ?? String(this.nextId++);
    if (state.waiting.has(id) || state.delayed.has(id)) return id;
    if (state.active.has(id)) {
      if (!resolved.rerunIfActive) return id;
      return this.enqueue(queue, name, data, { ...options, jobId: rerunJobId(id), rerunIfActive: false });
    }
    const job: QueuedJob = {
      id,
      queue,
      name,
      data,
      attempts: resolved.attempts,
      backoffMs: resolved.backoffMs,
      failedAttempts: 0,
      deferrals: 0,
    };
    if (resolved.delayMs > 0) this.delay(state, job, resolved.delayMs);
    else this.makeWaiting(state, job);
    return id;
  }

  async repeat<T>(queue: string, name: string, data: T, options: RepeatOptions): Promise<void> {
    this.assertOpen();
    assertEveryMs(options.everyMs);
    const state = this.queue(queue);
    const existing = state.repeats.get(options.key);
    if (existing && existing.everyMs === options.everyMs) {
      existing.name = name;
      existing.data = data;
      return;
    }
    if (existing) clearInterval(existing.timer);
    const timer = setInterval(() => this.tick(queue, options.key), options.everyMs);
    timer.unref();
    state.repeats.set(options.key, { name, data, everyMs: options.everyMs, timer });
    if (!existing) this.tick(queue, options.key);
  }

  async removeRepeat(queue: string, key: string): Promise<boolean> {
    const state = this.queues.get(queue);
    const repeat = state?.repeats.get(key);
    if (!state || !repeat) return false;
    clearInterval(repeat.timer);
    state.repeats.delete(key);
    const pendingId = repeatJobId(key);
    state.waiting.delete(pendingId);
    const delayed = state.delayed.get(pendingId);
    if (delayed) {
      clearTimeout(delayed.timer);
      state.delayed.delete(pendingId);
    }
    return true;
  }

  async failed(queue: string, limit = 50): Promise<FailedJob[]> {
    return (this.queues.get(queue)?.failed ?? []).slice(0, limit);
  }

  async counts(queue: string): Promise<QueueCounts> {
    const state = this.queues.get(queue);
    return {
      waiting: state?.waiting.size ?? 0,
      delayed: state?.delayed.size ?? 0,
      active: state?.active.size ?? 0,
      completed: state?.completed ?? 0,
      failed: state?.failed.length ?? 0,
    };
  }

  async retry(queue: string, id: string): Promise<boolean> {
    this.assertOpen();
    const state = this.queues.get(queue);
    const index = state?.failed.findIndex((job) => job.id === id) ?? -1;
    if (!state || index < 0) return false;
    const [failed] = state.failed.splice(index, 1);
    if (!failed) return false;
    await this.enqueue(queue, failed.name, failed.data, { jobId: failed.id });
    return true;
  }

  async start(): Promise<void> {
    this.assertOpen();
    this.started = true;
    for (const queue of this.queues.keys()) this.pump(queue);
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const state of this.queues.values()) {
      for (const repeat of state.repeats.values()) clearInterval(repeat.timer);
      for (const { timer } of state.delayed.values()) clearTimeout(timer);
    }
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<true>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      const result = await Promise.race([Promise.allSettled([...this.running]), timedOut]);
      clearTimeout(timer);
      if (result === true) {
        this.log.warn(
          { active: this.running.size, timeoutMs },
          "jobs still running when close timed out; they are abandoned",
        );
      }
    }
  }

  private queue(name: string): QueueState {
    let state = this.queues.get(name);
    if (!state) {
      assertQueueName(name);
      state = {
        handler: undefined,
        concurrency: 1,
        waiting: new Map(),
        delayed: new Map(),
        active: new Map(),
        completed: 0,
        failed: [],
        repeats: new Map(),
      };
      this.queues.set(name, state);
    }
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The in-process job queue is closed.");
  }

  private tick(queue: string, key: string): void {
    const repeat = this.queues.get(queue)?.repeats.get(key);
    if (!repeat || this.closed) return;
    this.enqueue(queue, repeat.name, repeat.data, { jobId: repeatJobId(key) }).catch((error: unknown) =>
      this.log.error({ err: error, queue, key }, "could not enqueue repeatable job"),
    );
  }

  private makeWaiting(state: QueueState, job: QueuedJob): void {
    state.waiting.set(job.id, job);
    this.pump(job.queue);
  }

  private delay(state: QueueState, job: QueuedJob, ms: number): void {
    const timer = setTimeout(() => {
      state.delayed.delete(job.id);
      if (!this.closed) this.makeWaiting(state, job);
    }, ms);
    timer.unref();
    state.delayed.set(job.id, { job, timer });
  }

  private pump(queue: string): void {
    const state = this.queues.get(queue);
    if (!state?.handler || !this.started || this.closed) return;
    while (state.active.size < state.concurrency) {
      const next = state.waiting.values().next();
      if (next.done) return;
      const job = next.value;
      state.waiting.delete(job.id);
      state.active.set(job.id, job);
      const run = this.run(state, state.handler, job);
      this.running.add(run);
      void run.finally(() => {
        this.running.delete(run);
        state.active.delete(job.id);
        this.pump(queue);
      });
    }
  }

  private async run(state: QueueState, handler: JobHandler<unknown>, job: QueuedJob): Promise<void> {
    const context: JobContext<unknown> = {
      id: job.id,
      queue: job.queue,
      name: job.name,
      data: job.data,
      attempt: job.failedAttempts + 1,
      progress: async (value) => {
        this.log.debug({ queue: job.queue, jobId: job.id, progress: value }, "job progress");
      },
    };
    try {
      await handler(context);
      state.completed += 1;
    } catch (error) {
      this.settleFailure(state, job, error);
    }
  }

  private settleFailure(state: QueueState, job: QueuedJob, error: unknown): void {
    const where = { queue: job.queue, jobId: job.id, name: job.name };
    if (error instanceof RetryLaterError && job.deferrals < MAX_DEFERRALS) {
      job.deferrals += 1;
      this.log.debug({ ...where, retryAfterMs: error.retryAfterMs }, "job deferred");
      if (!this.closed) this.delay(state, job, error.retryAfterMs);
      return;
    }
    job.failedAttempts += 1;
    if (!(error instanceof UnrecoverableJobError) && job.failedAttempts < job.attempts) {
      const wait = retryDelay(job.backoffMs, job.failedAttempts, error);
      this.log.info(
        { ...where, attempt: job.failedAttempts, retryInMs: wait, err: error },
        "job failed; retrying",
      );
      if (!this.closed) this.delay(state, job, wait);
      return;
    }
    this.log.warn({ ...where, attempts: job.failedAttempts, err: error }, "job failed");
    state.failed.unshift({
      id: job.id,
      queue: job.queue,
      name: job.name,
      data: job.data,
      error: errorMessage(error),
      attempts: job.failedAttempts,
      failedAt: new Date(this.now()).toISOString(),
    });
    if (state.failed.length > FAILED_KEPT) state.failed.length = FAILED_KEPT;
  }
}

export function createInProcessJobs(options: InProcessJobsOptions = {}): Jobs {
  return new InProcessJobs(options);
}
