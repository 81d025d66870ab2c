import { readFile } from "node:fs/promises";
import { PlanInputError } from "../input/plan-input.ts";
import { planWithRoutines } from "../routines/routines.ts";

export interface PlanCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin?: () => Promise<string>;
}

/** Exit codes: 0 plan printed, 2 unreadable or invalid input (message on stderr), 1 unexpected failure. */
export async function runPlanCommand(inputPath: string, io: PlanCommandIo): Promise<number> {
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
      `cairn plan: cannot read ${inputPath === "-" ? "stdin" : inputPath}: ${(error as Error).message}\n`,
    );
    return 2;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    io.stderr(`cairn plan: input is not valid JSON: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    // planWithRoutines validates the shape itself; the cast only satisfies the compiler.
    const output = planWithRoutines(raw as Parameters<typeof planWithRoutines>[0]);
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof PlanInputError) {
      io.stderr(`cairn plan: invalid input: ${error.message}\n`);
      return 2;
    }
    io.stderr(`cairn plan: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
