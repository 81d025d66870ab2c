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
import { scheduleEvery } from "./every.ts";

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
    scheduleEvery(services.jobs, log, {
      queue: NUDGE_QUEUE,
      name: SWEEP_JOB,
      key: SWEEP_KEY,
      everyMinutes: config.CAIRN_NUDGE_EVERY_MINUTES,
      what: "the nudge evaluator",
    });
  },
};
