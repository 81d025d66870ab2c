/**
 * Coaching nudges: the delivery jobs and the evaluator's repeatable sweep (every CAIRN_NUDGE_EVERY_MINUTES,
 * default 5; 0 turns it off). One schedule serves every worker: the queue runs each sweep once.
 */
import type { JobHandler } from "../../engine/jobs/port.ts";
import { deliveryHandler } from "../../engine/nudges/deliver.ts";
import {
  DELIVER_JOB,
  type DeliverJob,
  NUDGE_QUEUE,
  SWEEP_JOB,
  SWEEP_KEY,
  type SweepJob,
  sweep,
} from "../../engine/nudges/scheduler.ts";
import type { FaceModule } from "../modules/types.ts";

export const nudgesModule: FaceModule = {
  name: "nudges",
  installWorkers(engine, config, log) {
    const { services } = engine;
    const deliver = deliveryHandler(services);
    const handler: JobHandler<DeliverJob | SweepJob> = async (job) => {
      if (job.name === DELIVER_JOB) return deliver({ ...job, data: job.data as DeliverJob });
      if (job.name === SWEEP_JOB) return sweep(services, job.data as SweepJob);
      throw new Error(`nudges: unknown job ${job.name}`);
    };
    services.jobs.handle(NUDGE_QUEUE, handler, { concurrency: 4 });
    const everyMinutes = config.CAIRN_NUDGE_EVERY_MINUTES;
    const schedule =
      everyMinutes > 0
        ? services.jobs.repeat<SweepJob>(
            NUDGE_QUEUE,
            SWEEP_JOB,
            {},
            { everyMs: everyMinutes * 60_000, key: SWEEP_KEY },
          )
        : services.jobs.removeRepeat(NUDGE_QUEUE, SWEEP_KEY);
    schedule.catch((error: unknown) => log.error({ err: error }, "nudges: could not schedule the evaluator"));
  },
};
