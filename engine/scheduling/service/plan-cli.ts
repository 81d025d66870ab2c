import { type JsonCommandIo, runJsonFileCommand } from "../../json-file-command.ts";
import { PlanInputError, rejectUnknownPlanFields } from "../input/plan-input.ts";
import { planWithRoutines } from "../routines/routines.ts";

export type PlanCommandIo = JsonCommandIo;

/** Exit codes: 0 plan printed, 2 unreadable or invalid input (message on stderr), 1 unexpected failure. */
export function runPlanCommand(inputPath: string, io: PlanCommandIo): Promise<number> {
  return runJsonFileCommand(
    {
      name: "cairn plan",
      compute: (raw) => {
        rejectUnknownPlanFields(raw);
        // planWithRoutines validates the shape itself; the cast only satisfies the compiler.
        return planWithRoutines(raw as Parameters<typeof planWithRoutines>[0]);
      },
      isInputError: (e) => e instanceof PlanInputError,
    },
    inputPath,
    io,
  );
}
