/**
 * Planning: the pure `cairn plan` command, the debounced replan worker, and the change-feed listener that
 * enqueues replans when tasks, estimates, calendars or preferences change.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runPlanCommand } from "../../engine/scheduling/plan-cli.ts";
import { PLAN_QUEUE, type ReplanJob, replanHandler, replanOnChange } from "../../engine/scheduling/replan.ts";
import type { FaceModule } from "./types.ts";

export const planningModule: FaceModule = {
  name: "planning",
  commands: [
    {
      name: "plan",
      usage: "plan --input <file|->",
      summary: "plan focus blocks for a scenario JSON (no database); prints the plan as JSON",
      noConfig: true,
      async run(args, io) {
        let input: string | undefined;
        try {
          const { values, positionals } = parseArgs({
            args,
            allowPositionals: true,
            options: { input: { type: "string", short: "i" } },
          });
          input = values.input ?? positionals[0];
        } catch (error) {
          io.err(`cairn plan: ${(error as Error).message}`);
          return 2;
        }
        if (!input) {
          io.err("Usage: cairn plan --input <scenario.json | ->");
          return 2;
        }
        return runPlanCommand(input, {
          stdout: (text) => process.stdout.write(text),
          stderr: (text) => process.stderr.write(text),
          readStdin: async () => readFileSync(0, "utf8"),
        });
      },
    },
  ],
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
