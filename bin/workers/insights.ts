/**
 * The workspace aggregate's stored figures: a repeatable job refreshes every person whose insight snapshot
 * is missing or older than SNAPSHOT_FRESH_MS (every 30 minutes, at once on start), and runs the refreshes a
 * console view asks for. One schedule serves every worker: the queue runs each run once.
 */
import {
  DEFAULT_SNAPSHOT_EVERY_MS,
  INSIGHTS_QUEUE,
  refreshStaleSnapshots,
  SNAPSHOT_JOB,
  SNAPSHOT_KEY,
  type SnapshotJob,
} from "../../engine/behavior/insights-snapshots.ts";
import type { JobHandler } from "../../engine/jobs/port.ts";
import type { FaceModule } from "../modules/types.ts";

export const insightsModule: FaceModule = {
  name: "insights",
  installWorkers(engine, _config, log) {
    const { services } = engine;
    const handler: JobHandler<SnapshotJob> = async (job) => {
      if (job.name === SNAPSHOT_JOB) return refreshStaleSnapshots(services, job.data);
      throw new Error(`insights: unknown job ${job.name}`);
    };
    services.jobs.handle(INSIGHTS_QUEUE, handler, { concurrency: 1 });
    services.jobs
      .repeat<SnapshotJob>(
        INSIGHTS_QUEUE,
        SNAPSHOT_JOB,
        {},
        { everyMs: DEFAULT_SNAPSHOT_EVERY_MS, key: SNAPSHOT_KEY },
      )
      .catch((error: unknown) => log.error({ err: error }, "insights: could not schedule the snapshots"));
  },
};
