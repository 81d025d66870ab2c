/**
 * Picks the Jobs adapter: BullMQ on Redis when a Redis URL is given, else the in-process queue
 * (single process, in memory). Only bin/cairn.ts should call this.
 */
import type { Logger } from "../logger.ts";
import { createBullmqJobs } from "./bullmq.ts";
import { createInProcessJobs } from "./in-process.ts";
import type { Jobs } from "./port.ts";

export { type BullmqJobsOptions, createBullmqJobs } from "./bullmq.ts";
export { createInProcessJobs, type InProcessJobsOptions } from "./in-process.ts";
export type {
  FailedJob,
  JobContext,
  JobHandler,
  JobOptions,
  Jobs,
  QueueCounts,
  RepeatOptions,
  WorkerOptions,
} from "./port.ts";
export { RetryLaterError, UnrecoverableJobError } from "./port.ts";

export interface CreateJobsOptions {
  /** REDIS_URL. When set, jobs go to BullMQ on that Redis; when unset, they stay in this process. */
  redisUrl?: string;
  /** Redis key prefix (BullMQ only). Default "cairn". */
  prefix?: string;
  logger?: Logger;
}

export function createJobs(options: CreateJobsOptions = {}): Jobs {
  const { redisUrl, prefix, logger } = options;
  return redisUrl ? createBullmqJobs({ redisUrl, prefix, logger }) : createInProcessJobs({ logger });
}
