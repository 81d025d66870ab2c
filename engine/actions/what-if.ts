import { z } from "zod";
import { HypotheticalChange } from "../scheduling/input/hypothesis.ts";
import { WhatIfResult, whatIf } from "../scheduling/service/what-if.ts";
import { defineAction } from "./define.ts";

export const whatIfAction = defineAction({
  name: "what_if",
  title: "What if…?",
  description:
    'Tries hypothetical changes on a copy of your plan and says what would happen, without changing anything: a day off ({"type":"day_off","date":"YYYY-MM-DD"}), a new meeting ({"type":"meeting","start","end","title"}), a new task ({"type":"task","title","estimateMinutes","due"?,"priority"?}) or a new estimate for a task ({"type":"estimate","taskId","estimateMinutes"}). Replans the coming week (longer when a change lies further out) with and without the changes and returns the blocks that would move (from → to, or to null when they lose their place), blocks added, deadlines that would become at risk (below a 50 % chance of finishing on time) and work that would no longer fit. Nothing is stored: your plan, tasks and calendar stay as they are.',
  input: z.object({
    changes: z
      .array(HypotheticalChange)
      .min(1, 'give at least one change, e.g. [{"type":"day_off","date":"2026-03-06"}]')
      .max(20),
  }),
  output: WhatIfResult,
  annotations: { readOnlyHint: true },
  examples: ["what if I take Friday off", "what if I add a 3h task due Thursday"],
  async run(ctx, input) {
    return ctx.services.db.scoped(
      ctx.workspace.id,
      (tx) => whatIf(tx, ctx.workspace.id, ctx.person.id, ctx.services.now(), input.changes),
      { snapshot: true },
    );
  },
});

export const whatIfActions = [whatIfAction];
