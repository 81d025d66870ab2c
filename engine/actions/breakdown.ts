import { z } from "zod";
import { proposeFromHistory } from "../breakdown/from-history.ts";
import { proposeFromModel } from "../breakdown/from-model.ts";
import { SubtaskProposal } from "../breakdown/schema.ts";
import { similarFinishedBreakdowns } from "../db/repositories/breakdown-history.ts";
import { getTaskById } from "../db/repositories/tasks.ts";
import { notFound } from "../errors.ts";
import { isZero, toVectorLiteral } from "../search/embedder.ts";
import { defineAction } from "./define.ts";

const Output = z.object({
  taskId: z.uuid().describe("The task broken down: the parentId to pass to create_subtasks"),
  source: z.enum(["llm", "history", "none"]).describe("Where the proposal comes from"),
  subtasks: z.array(SubtaskProposal).describe("Pass as they are to create_subtasks to accept them"),
  basedOn: z
    .object({ taskId: z.uuid(), title: z.string(), similarity: z.number() })
    .optional()
    .describe("The finished task whose subtasks were reused (source history)"),
  message: z.string(),
});

/** Finished tasks looked at for a breakdown to reuse. */
const HISTORY_CANDIDATES = 5;

export const breakDownTask = defineAction({
  name: "break_down_task",
  title: "Break a task down",
  description:
    "Proposes subtasks with estimates for a task: from the configured language model when there is one, otherwise from the subtasks of the most similar finished task, or says there is not enough history. Creates nothing: accept the proposal by passing its subtasks to create_subtasks.",
  input: z.object({ taskId: z.uuid().describe("The task to break down") }),
  output: Output,
  annotations: { readOnlyHint: true, openWorldHint: true },
  examples: ["break down the Q3 report"],
  async run(ctx, input) {
    const task = await ctx.services.db.scoped(ctx.workspace.id, (tx) => getTaskById(tx, input.taskId));
    if (!task)
      throw notFound(`No task ${input.taskId} in this workspace. Find ids with list_tasks or search_tasks.`);
    let modelFailure: string | undefined;
    if (ctx.services.llm) {
      const outcome = await proposeFromModel(ctx.services.llm, task);
      if ("subtasks" in outcome) {
        return {
          taskId: task.id,
          source: "llm" as const,
          subtasks: outcome.subtasks,
          message: `${outcome.subtasks.length} subtasks proposed by the language model for "${task.title}". Nothing is created until you accept them with create_subtasks.`,
        };
      }
      modelFailure = outcome.failure;
      ctx.log.warn(
        { taskId: task.id, reason: outcome.failure },
        "break_down_task: no usable model answer; using history",
      );
    }
    const vector = ctx.services.embedder.embed([task.title, task.description, ""].join("\n"));
    const candidates = isZero(vector)
      ? []
      : await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
          similarFinishedBreakdowns(tx, toVectorLiteral(vector), {
            excludeId: task.id,
            limit: HISTORY_CANDIDATES,
          }),
        );
    const fromModel = modelFailure
      ? "The language model gave no usable answer, so this comes from history. "
      : "";
    const proposal = proposeFromHistory(candidates);
    if (!proposal) {
      return {
        taskId: task.id,
        source: "none" as const,
        subtasks: [],
        message: `${fromModel}Not enough history to break down "${task.title}": no finished task like it was split into subtasks. Add subtasks yourself with create_subtasks${ctx.services.llm ? "" : ", or configure a language model (CAIRN_LLM_URL and CAIRN_LLM_MODEL)"}.`,
      };
    }
    return {
      taskId: task.id,
      source: "history" as const,
      subtasks: proposal.subtasks,
      basedOn: proposal.basedOn,
      message: `${fromModel}${proposal.subtasks.length} subtasks taken from the finished task "${proposal.basedOn.title}" (similarity ${proposal.basedOn.similarity}). Nothing is created until you accept them with create_subtasks.`,
    };
  },
});

export const breakdownActions = [breakDownTask];
