/** `cairn plan`: a pure command (no config, no database), kept apart so it loads only the planner. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runPlanCommand } from "../../engine/scheduling/service/plan-cli.ts";
import type { ExtraCommand } from "../modules/types.ts";

export const planCommand: ExtraCommand = {
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
};
