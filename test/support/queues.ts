/**
 * Waiting on the Jobs port instead of sleeping: "nothing else happens" is proven by a drained queue
 * (no waiting, delayed or active job left to run), not by a pause that hopes to be long enough.
 */
import type { Jobs, QueueCounts } from "../../engine/jobs/port.ts";

const POLL_MS = 20;

/** Jobs that may still run: waiting, delayed or running. */
export const pendingJobs = (counts: QueueCounts): number => counts.waiting + counts.delayed + counts.active;

/** Resolves with the queue's counts once it has nothing waiting, delayed or running; the timeout is an upper bound. */
export async function waitForDrainedQueue(
  jobs: Jobs,
  queue: string,
  timeoutMs = 15_000,
): Promise<QueueCounts> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await jobs.counts(queue);
    if (pendingJobs(counts) === 0) return counts;
    if (Date.now() > deadline) {
      throw new Error(`queue "${queue}" still has jobs after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
