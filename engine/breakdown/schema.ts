import { z } from "zod";

/** One proposed subtask: a valid create_subtasks input item as it is, so accepting is one call. */
export const SubtaskProposal = z.object({
  title: z.string().trim().min(1).max(500),
  estimateMinutes: z.number().int().min(1).max(10_000).optional(),
});
export type SubtaskProposal = z.infer<typeof SubtaskProposal>;

/** What the model must answer: a short list of concrete steps with whole-minute estimates. */
export const ModelBreakdown = z.object({
  subtasks: z
    .array(
      z.object({
        title: z.string().trim().min(1).max(500),
        estimateMinutes: z.number().int().min(1).max(10_000),
      }),
    )
    .min(2)
    .max(12),
});
