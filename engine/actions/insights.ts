import { z } from "zod";
import { InsightsWithBehavior, insightsFor } from "../behavior/insights.ts";
import { defineAction } from "./define.ts";

export const getInsights = defineAction({
  name: "get_insights",
  title: "Get insights",
  description:
    "Returns the calling person's numbers: open, in-progress, overdue and due-soon tasks, estimated work left, tasks by priority and source, completed this week and in the last 7 days, and the on-time rate; and, from the person's history (kept focus blocks, completions, deferrals, calendar), their peak hours, how far work runs over estimates, the chance each task is done by its due time, procrastination and overload signals with their factors, and a productivity score with streak. The same data as the cairn://insights resource and `cairn insights`.",
  input: z.object({}),
  output: InsightsWithBehavior,
  annotations: { readOnlyHint: true },
  examples: ["how am I doing", "show my insights"],
  async run(ctx) {
    return insightsFor(ctx.services.db, ctx.workspace.id, ctx.person, ctx.services.now());
  },
});

const Score = InsightsWithBehavior.shape.score;

export const getScore = defineAction({
  name: "get_score",
  title: "Get my productivity score",
  description:
    "Returns the calling person's productivity score (0-100) for the last 7 days, from blocks kept, due tasks finished on time and focus time, with their streak of days with a completion or a kept block and a plain-language line on what moved it. Part of get_insights.",
  input: z.object({}),
  output: z.object({
    score: Score,
    basis: InsightsWithBehavior.shape.basis,
  }),
  annotations: { readOnlyHint: true },
  examples: ["what's my score", "how's my streak"],
  async run(ctx) {
    const insights = await insightsFor(ctx.services.db, ctx.workspace.id, ctx.person, ctx.services.now());
    return { score: insights.score, basis: insights.basis };
  },
});

export const insightActions = [getInsights, getScore];
