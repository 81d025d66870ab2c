import { z } from "zod";
import { getTaskById } from "../db/repositories/tasks.ts";
import { invalidInput, notFound } from "../errors.ts";
import { suggestTags } from "../tags/suggest.ts";
import { defineAction } from "./define.ts";

export const TagSuggestionOutput = z.object({
  tag: z.string(),
  confidence: z
    .number()
    .min(0)
    .max(1)
    .describe("0..1: the similarity-weighted share of similar tasks with this tag"),
  basis: z
    .array(z.object({ taskId: z.uuid(), title: z.string(), similarity: z.number() }))
    .describe("The most similar tasks that carry the tag"),
});

export const suggestTagsAction = defineAction({
  name: "suggest_tags",
  title: "Suggest tags",
  description:
    "Proposes tags for a task from the tags of the most similar tasks in the workspace, each with a confidence (0 to 1) and the similar tasks it is based on. Give an existing task's taskId, or the title (and notes) of a task not yet created. Changes nothing; apply a tag with update_task.",
  input: z.object({
    taskId: z.uuid().optional().describe("An existing task's id; its current tags are not suggested again"),
    title: z.string().trim().min(1).max(500).optional().describe("The title of a task not yet created"),
    notes: z.string().max(20_000).optional().describe("Longer notes of the task not yet created"),
    minConfidence: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe("Leave out suggestions below this confidence"),
    limit: z.number().int().min(1).max(20).default(5),
  }),
  output: z.object({ suggestions: z.array(TagSuggestionOutput) }),
  annotations: { readOnlyHint: true },
  examples: ["suggest tags for Draft Q3 report"],
  async run(ctx, input) {
    if (!input.taskId && !input.title) {
      throw invalidInput("Say which task to suggest tags for", [
        { path: "taskId", message: "give taskId of an existing task, or a title for a new one" },
      ]);
    }
    if (input.taskId && (input.title || input.notes)) {
      throw invalidInput("Give either taskId or title/notes, not both", [
        { path: "title", message: "leave out title and notes when taskId is given" },
      ]);
    }
    return ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      const task = input.taskId ? await getTaskById(tx, input.taskId) : undefined;
      if (input.taskId && !task) {
        throw notFound(
          `No task ${input.taskId} in this workspace. Find ids with list_tasks or search_tasks.`,
        );
      }
      const suggestions = await suggestTags(tx, ctx.services.embedder, {
        title: task?.title ?? (input.title as string),
        notes: task?.description ?? input.notes,
        taskId: task?.id,
        existingTags: task?.tags,
        minConfidence: input.minConfidence,
        limit: input.limit,
      });
      return { suggestions };
    });
  },
});

export const tagActions = [suggestTagsAction];
