import { type JsonCommandIo, runJsonFileCommand } from "../json-file-command.ts";
import { insightsFromRaw } from "./insights-from-history.ts";
import { InsightsInputError, rejectUnknownInsightsFields } from "./insights-input.ts";

export type InsightsCommandIo = JsonCommandIo;

/** Exit codes: 0 insights printed, 2 unreadable or invalid input (message on stderr), 1 unexpected failure. */
export function runInsightsCommand(inputPath: string, io: InsightsCommandIo): Promise<number> {
  return runJsonFileCommand(
    {
      name: "cairn insights",
      compute: (raw) => {
        rejectUnknownInsightsFields(raw);
        return insightsFromRaw(raw);
      },
      isInputError: (e) => e instanceof InsightsInputError,
    },
    inputPath,
    io,
  );
}
