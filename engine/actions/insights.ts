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

export const insightActions = [getInsights];
