import { z } from "zod";
import { getTaskById } from "../db/repositories/tasks.ts";
import { conflict, notFound } from "../errors.ts";
import { calibratedEstimates } from "../scheduling/input/behavior-signals.ts";
import { readBehaviorSignals } from "../scheduling/input/gather-input.ts";
import { defineAction } from "./define.ts";

export const estimateTask = defineAction({
  name: "estimate_task",
  title: "How long will this really take?",
  description:
    'Returns the calibrated estimate for one of your open tasks: your raw estimate, how long it is likely to take you (predictedMinutes) with an 80 % range (low–high), and the reason, from your own overrun on similar finished work (e.g. "you took 1.4× your estimate on 6 similar tasks"). basis is population while your history is still too short: the figures are then the typical overrun, not yours. The planner uses the same figure unless you turned useCalibratedEstimates off.',
  input: z.object({ taskId: z.uuid().describe("The task's id (find it with list_tasks or search_tasks)") }),
  output: z.object({
    taskId: z.string(),
    title: z.string(),
    estimateMinutes: z
      .number()
      .int()
      .nullable()
      .describe(
        "Your raw estimate; null when the task has none (the prediction then starts from your usual one)",
      ),
    predictedMinutes: z.number().int(),
    low: z.number().int().describe("10th percentile: it takes at least this long 9 times in 10"),
    high: z.number().int().describe("90th percentile: it takes at most this long 9 times in 10"),
    basis: z.enum(["personal", "population"]),
    reason: z.string(),
  }),
  annotations: { readOnlyHint: true },
  examples: ["how long will the Q3 report really take", "estimate this task"],
  async run(ctx, input) {
    return ctx.services.db.scoped(
      ctx.workspace.id,
      async (tx) => {
        const task = await getTaskById(tx, input.taskId);
        if (!task) throw notFound(`No task ${input.taskId} in this workspace. Find ids with list_tasks.`);
        if (task.personId !== ctx.person.id) {
          throw conflict(
            `“${task.title}” is not assigned to you; its estimate is calibrated on its assignee's history.`,
          );
        }
        if (task.status === "done" || task.status === "cancelled") {
          throw conflict(`“${task.title}” is ${task.status}; only open tasks are estimated.`);
        }
        const signals = await readBehaviorSignals(tx, ctx.workspace.id, ctx.person.id, ctx.services.now());
        const history = signals.history;
        const estimate = calibratedEstimates(history, signals.report).find((e) => e.taskId === task.id);
        if (!estimate) {
          throw conflict(
            `“${task.title}” is not among the open tasks Cairn plans for you (it may be source-deleted).`,
          );
        }
        return {
          taskId: task.id,
          title: task.title,
          estimateMinutes: task.estimateMinutes,
          predictedMinutes: estimate.predictedMinutes,
          low: estimate.low,
          high: estimate.high,
          basis: estimate.basis,
          reason: `${estimate.reason[0]?.toUpperCase() ?? ""}${estimate.reason.slice(1)}.`,
        };
      },
      { snapshot: true },
    );
  },
});

export const estimateActions = [estimateTask];
