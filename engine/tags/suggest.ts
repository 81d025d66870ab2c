import type { Queryable } from "../db/port.ts";
import { nearestTaggedTasks } from "../db/repositories/tag-suggestions.ts";
import { type Embedder, isZero, toVectorLiteral } from "../search/embedder.ts";
import { type TagSuggestion, VOTE_SETTINGS, voteTags } from "./vote.ts";

export interface TagQuery {
  title: string;
  notes?: string;
  /** The task being tagged, so it does not vote for itself. */
  taskId?: string;
  /** Tags the task already has: not suggested again. */
  existingTags?: readonly string[];
  minConfidence?: number;
  limit?: number;
}

/** Tags for a task from its nearest tagged tasks in the workspace (the transaction's RLS scope). */
export async function suggestTags(
  tx: Queryable,
  embedder: Embedder,
  query: TagQuery,
): Promise<TagSuggestion[]> {
  // The text is embedded as a task without tags is stored, so it meets its neighbours on words alone.
  const vector = embedder.embed([query.title, query.notes ?? "", ""].join("\n"));
  if (isZero(vector)) return [];
  const neighbours = await nearestTaggedTasks(tx, toVectorLiteral(vector), {
    excludeId: query.taskId,
    limit: VOTE_SETTINGS.neighbours,
  });
  return voteTags(neighbours, {
    exclude: query.existingTags,
    minConfidence: query.minConfidence,
    limit: query.limit,
  });
}
