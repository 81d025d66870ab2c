/**
 * Tag suggestions as a similarity-weighted vote of a task's nearest tagged neighbours. Pure: the
 * neighbours come from the stored embeddings (engine/tags/suggest.ts).
 */

export interface Neighbour {
  taskId: string;
  title: string;
  tags: readonly string[];
  /** Cosine similarity to the task, 0..1. */
  similarity: number;
}

export interface TagSuggestion {
  tag: string;
  /** Share of the neighbours' similarity-weighted votes carrying the tag, shrunk towards 0 when evidence is thin. */
  confidence: number;
  /** The most similar neighbours that carry the tag (at most three). */
  basis: { taskId: string; title: string; similarity: number }[];
}

export const VOTE_SETTINGS = {
  /** Neighbours asked. */
  neighbours: 10,
  /** Neighbours less similar than this are unrelated work for the hashed embeddings and do not vote. */
  minSimilarity: 0.3,
  /** Weight of a vote = similarity ** sharpness: the closest tasks count most. */
  sharpness: 2,
  /** Votes for no tag at all, so a single similar task cannot reach full confidence alone. */
  prior: 0.25,
} as const;

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function voteTags(
  neighbours: readonly Neighbour[],
  options: { exclude?: readonly string[]; minConfidence?: number; limit?: number } = {},
): TagSuggestion[] {
  const voters = neighbours.filter((n) => n.similarity >= VOTE_SETTINGS.minSimilarity);
  const weight = (n: Neighbour) => n.similarity ** VOTE_SETTINGS.sharpness;
  const total = voters.reduce<number>((sum, n) => sum + weight(n), VOTE_SETTINGS.prior);
  const excluded = new Set((options.exclude ?? []).map((tag) => tag.toLowerCase()));
  const byTag = new Map<string, { score: number; basis: Neighbour[] }>();
  for (const voter of voters) {
    for (const tag of new Set(voter.tags)) {
      if (excluded.has(tag.toLowerCase())) continue;
      const entry = byTag.get(tag) ?? { score: 0, basis: [] };
      entry.score += weight(voter);
      entry.basis.push(voter);
      byTag.set(tag, entry);
    }
  }
  return [...byTag.entries()]
    .map(([tag, entry]) => ({
      tag,
      confidence: round(entry.score / total, 3),
      basis: [...entry.basis]
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, 3)
        .map((n) => ({ taskId: n.taskId, title: n.title, similarity: round(n.similarity, 3) })),
    }))
    .filter((suggestion) => suggestion.confidence >= (options.minConfidence ?? 0))
    .sort((a, b) => b.confidence - a.confidence || a.tag.localeCompare(b.tag))
    .slice(0, options.limit ?? 10);
}
