import { z } from "zod";
import { Insights, insightsFor } from "../behavior/insights.ts";
import { defineAction } from "./define.ts";

export const getInsights = defineAction({
  name: "get_insights",
  title: "Get insights",
  description:
    "Returns the calling person's numbers: open, in-progress, overdue and due-soon tasks, estimated work left, tasks by priority and source, completed this week and in the last 7 days, and the on-time rate. The same data as the cairn://insights resource.",
  input: z.object({}),
  output: Insights,
  annotations: { readOnlyHint: true },
  examples: ["how am I doing", "show my insights"],
  async run(ctx) {
    return insightsFor(ctx.services.db, ctx.workspace.id, ctx.person, ctx.services.now());
  },
});

export const insightActions = [getInsights];
