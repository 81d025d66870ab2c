import type { Jobs } from "../../engine/jobs/port.ts";
import type { Logger } from "../../engine/logger.ts";

/**
 * Keeps one repeatable job on a schedule of `everyMinutes` (0 removes it). One schedule serves every worker: the
 * queue runs each run once. A failure to schedule is logged, never thrown, so a worker still starts.
 */
export function scheduleEvery(
  jobs: Jobs,
  log: Logger,
  job: { queue: string; name: string; key: string; everyMinutes: number; what: string },
): void {
  const schedule =
    job.everyMinutes > 0
      ? jobs.repeat(job.queue, job.name, {}, { everyMs: job.everyMinutes * 60_000, key: job.key })
      : jobs.removeRepeat(job.queue, job.key);
  schedule.catch((error: unknown) => log.error({ err: error }, `could not schedule ${job.what}`));
}
