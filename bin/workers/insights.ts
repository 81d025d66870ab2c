/**
 * The workspace aggregate's stored figures: a repeatable job refreshes every person whose insight snapshot
 * is missing or older than SNAPSHOT_FRESH_MS (every CAIRN_INSIGHTS_EVERY_MINUTES, default 30, and at once on
 * start; 0 turns the schedule off), and runs the refreshes a console view asks for. One schedule serves every
 * worker: the queue runs each run once.
 */
import {
  INSIGHTS_QUEUE,
  refreshStaleSnapshots,
  SNAPSHOT_JOB,
  SNAPSHOT_KEY,
  type SnapshotJob,
} from "../../engine/behavior/insights-snapshots.ts";
import type { JobHandler } from "../../engine/jobs/port.ts";
import type { FaceModule } from "../modules/types.ts";
import { scheduleEvery } from "./every.ts";

export const insightsModule: FaceModule = {
  name: "insights",
  installWorkers(engine, config, log) {
    const { services } = engine;
    const handler: JobHandler<SnapshotJob> = async (job) => {
      if (job.name === SNAPSHOT_JOB) return refreshStaleSnapshots(services, job.data);
      throw new Error(`insights: unknown job ${job.name}`);
    };
    services.jobs.handle(INSIGHTS_QUEUE, handler, { concurrency: 1 });
    scheduleEvery(services.jobs, log, {
      queue: INSIGHTS_QUEUE,
      name: SNAPSHOT_JOB,
      key: SNAPSHOT_KEY,
      everyMinutes: config.CAIRN_INSIGHTS_EVERY_MINUTES,
      what: "the insights snapshots",
    });
  },
};
