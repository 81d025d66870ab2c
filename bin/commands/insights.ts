/** `cairn insights`: a pure command (no config, no database), kept apart so it loads only the behaviour code. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runInsightsCommand } from "../../engine/behavior/insights-cli.ts";
import type { ExtraCommand } from "../modules/types.ts";

export const insightsCommand: ExtraCommand = {
  name: "insights",
  usage: "insights --input <file|->",
  summary: "behaviour insights for a history JSON (no database); prints them as JSON",
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
      io.err(`cairn insights: ${(error as Error).message}`);
      return 2;
    }
    if (!input) {
      io.err("Usage: cairn insights --input <history.json | ->");
      return 2;
    }
    return runInsightsCommand(input, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      readStdin: async () => readFileSync(0, "utf8"),
    });
  },
};
