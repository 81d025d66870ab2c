/** `cairn insights`: a pure command (no config, no database), kept apart so it loads only the behaviour code. */
import { runInsightsCommand } from "../../engine/behavior/insights-cli.ts";
import { jsonFileCommand } from "./json-file-command.ts";

export const insightsCommand = jsonFileCommand({
  name: "insights",
  summary: "behaviour insights for a history JSON (no database); prints them as JSON",
  file: "history",
  run: runInsightsCommand,
});
