/**
 * Planning: the pure `cairn plan` command, the debounced replan worker, and the change-feed listener that
 * enqueues replans when tasks, estimates, calendars or preferences change.
 */
import {
  PLAN_QUEUE,
  type ReplanJob,
  replanHandler,
  replanOnChange,
} from "../../engine/scheduling/service/replan.ts";
import { planCommand } from "../commands/plan.ts";
import type { FaceModule } from "../modules/types.ts";

export const planningModule: FaceModule = {
  name: "planning",
  commands: [planCommand],
  installWorkers(engine) {
    engine.services.jobs.handle<ReplanJob>(PLAN_QUEUE, replanHandler(engine.services), { concurrency: 2 });
  },
  prepare(engine, _config, log) {
    const listener = replanOnChange(engine.services);
    engine.services.changes.subscribe(async (change) => {
      try {
        await listener(change);
      } catch (error) {
        log.warn({ err: error, change: change.kind }, "could not enqueue a replan");
      }
    });
  },
};
