/** `cairn plan`: a pure command (no config, no database), kept apart so it loads only the planner. */
import { runPlanCommand } from "../../engine/scheduling/service/plan-cli.ts";
import { jsonFileCommand } from "./json-file-command.ts";

export const planCommand = jsonFileCommand({
  name: "plan",
  summary: "plan focus blocks for a scenario JSON (no database); prints the plan as JSON",
  file: "scenario",
  run: runPlanCommand,
});
