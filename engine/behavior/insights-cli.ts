import { readFile } from "node:fs/promises";
import { insightsFromRaw } from "./insights-from-history.ts";
import { InsightsInputError } from "./insights-input.ts";

export interface InsightsCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin?: () => Promise<string>;
}

/** Exit codes: 0 insights printed, 2 unreadable or invalid input (message on stderr), 1 unexpected failure. */
export async function runInsightsCommand(inputPath: string, io: InsightsCommandIo): Promise<number> {
  let text: string;
  try {
    if (inputPath === "-") {
      if (!io.readStdin) throw new Error("reading from stdin is not available here");
      text = await io.readStdin();
    } else {
      text = await readFile(inputPath, "utf8");
    }
  } catch (error) {
    io.stderr(
      `cairn insights: cannot read ${inputPath === "-" ? "stdin" : inputPath}: ${(error as Error).message}\n`,
    );
    return 2;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    io.stderr(`cairn insights: input is not valid JSON: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    io.stdout(`${JSON.stringify(insightsFromRaw(raw), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof InsightsInputError) {
      io.stderr(`cairn insights: invalid input: ${error.message}\n`);
      return 2;
    }
    io.stderr(`cairn insights: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
