/**
 * Retry, delay and naming rules shared by every Jobs adapter, so both behave the same by construction.
 */
import { invalidInput } from "../errors.ts";
import { type JobOptions, RetryLaterError } from "./port.ts";

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;
/** Backoff grows by up to this fraction of its base value, at random, so retries of many jobs spread out. */
export const BACKOFF_JITTER = 0.25;
/**
 * A RetryLaterError does not consume an attempt, so a job that is told "later" forever would never end.
 * After this many deferrals of one job, a further RetryLaterError counts as an ordinary failed attempt.
 */
export const MAX_DEFERRALS = 20;

export interface ResolvedJobOptions {
  jobId: string | undefined;
  delayMs: number;
  attempts: number;
  backoffMs: number;
  rerunIfActive: boolean;
}

/** The id of the one extra run queued by `rerunIfActive` while the job itself is running. */
export const rerunJobId = (jobId: string): string => `${jobId}~again`;

export function resolveJobOptions(options: JobOptions = {}): ResolvedJobOptions {
  const {
    jobId,
    delayMs = 0,
    attempts = DEFAULT_ATTEMPTS,
    backoffMs = DEFAULT_BACKOFF_MS,
    rerunIfActive = false,
  } = options;
  if (jobId !== undefined && jobId.length === 0) throw invalidInput("jobId must not be empty.");
  if (!Number.isFinite(delayMs) || delayMs < 0) throw invalidInput(`delayMs must be >= 0 (got ${delayMs}).`);
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw invalidInput(`attempts must be a whole number >= 1 (got ${attempts}).`);
  }
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw invalidInput(`backoffMs must be >= 0 (got ${backoffMs}).`);
  }
  return { jobId, delayMs, attempts, backoffMs, rerunIfActive: rerunIfActive && jobId !== undefined };
}

/** Queue names become part of Redis keys, where ":" is the separator. */
export function assertQueueName(queue: string): void {
  if (queue.length === 0 || queue.includes(":")) {
    throw invalidInput(`Queue name "${queue}" is invalid: use a non-empty name without ":".`);
  }
}

export function assertEveryMs(everyMs: number): void {
  if (!Number.isFinite(everyMs) || everyMs < 1) throw invalidInput(`everyMs must be >= 1 (got ${everyMs}).`);
}

/** Wait before the next try after `failedAttempts` failures: base * 2^(failedAttempts-1), plus up to 25%. */
export function backoffDelay(
  baseMs: number,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const exact = baseMs * 2 ** Math.max(0, failedAttempts - 1);
  return Math.round(exact * (1 + BACKOFF_JITTER * random()));
}

/** Delay before retrying after an ordinary failure; a RetryLaterError past MAX_DEFERRALS waits at least its own delay. */
export function retryDelay(baseMs: number, failedAttempts: number, error: unknown): number {
  const backoff = backoffDelay(baseMs, failedAttempts);
  return error instanceof RetryLaterError ? Math.max(backoff, error.retryAfterMs) : backoff;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
}
