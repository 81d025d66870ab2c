/**
 * Breakdown from history: the subtasks of the most similar finished task that was broken down. Its
 * subtasks' own estimates are kept; without them the parent's estimate is shared out evenly.
 */
import type { FinishedBreakdown } from "../db/repositories/breakdown-history.ts";
import type { SubtaskProposal } from "./schema.ts";

/** Below this similarity a finished task is other work, and its steps would mislead. */
export const MIN_HISTORY_SIMILARITY = 0.35;

export interface HistoryProposal {
  basedOn: { taskId: string; title: string; similarity: number };
  subtasks: SubtaskProposal[];
}

export function proposeFromHistory(candidates: readonly FinishedBreakdown[]): HistoryProposal | undefined {
  const best = candidates
    .filter((c) => c.similarity >= MIN_HISTORY_SIMILARITY && c.subtasks.length > 0)
    .sort((a, b) => b.similarity - a.similarity)[0];
  if (!best) return undefined;
  const share =
    best.estimateMinutes !== null
      ? Math.max(1, Math.round(best.estimateMinutes / best.subtasks.length))
      : undefined;
  return {
    basedOn: { taskId: best.parentId, title: best.title, similarity: Number(best.similarity.toFixed(3)) },
    subtasks: best.subtasks.map((subtask) => {
      const estimateMinutes = subtask.estimateMinutes ?? share;
      return estimateMinutes === undefined
        ? { title: subtask.title }
        : { title: subtask.title, estimateMinutes };
    }),
  };
}
