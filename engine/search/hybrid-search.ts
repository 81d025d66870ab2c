import type { Queryable } from "../db/port.ts";
import {
  getTasksByIds,
  type TaskFilter,
  textCandidates,
  vectorCandidates,
} from "../db/repositories/tasks.ts";
import type { Task } from "../domain.ts";
import { type Embedder, isZero, toVectorLiteral } from "./embedder.ts";

/** Reciprocal rank fusion constant: the usual 60 keeps one list's top hit from drowning the other list. */
const RRF_K = 60;
/** Vector neighbours farther than this (cosine distance) are noise for hashed embeddings. */
const MAX_VECTOR_DISTANCE = 0.85;

export interface SearchHit {
  task: Task;
  score: number;
  matchedBy: ("text" | "vector")[];
}

export function reciprocalRankFusion(
  lists: { name: "text" | "vector"; ids: string[] }[],
): Map<string, { score: number; matchedBy: ("text" | "vector")[] }> {
  const fused = new Map<string, { score: number; matchedBy: ("text" | "vector")[] }>();
  for (const list of lists) {
    list.ids.forEach((id, index) => {
      const entry = fused.get(id) ?? { score: 0, matchedBy: [] };
      entry.score += 1 / (RRF_K + index + 1);
      entry.matchedBy.push(list.name);
      fused.set(id, entry);
    });
  }
  return fused;
}

export async function hybridSearch(
  tx: Queryable,
  embedder: Embedder,
  query: string,
  filter: TaskFilter,
  limit: number,
): Promise<SearchHit[]> {
  const depth = Math.max(limit * 4, 40);
  const vector = embedder.embed(query);
  const [text, nearest] = await Promise.all([
    textCandidates(tx, query, filter, depth),
    isZero(vector) ? Promise.resolve([]) : vectorCandidates(tx, toVectorLiteral(vector), filter, depth),
  ]);
  const fused = reciprocalRankFusion([
    { name: "text", ids: text.map((hit) => hit.id) },
    {
      name: "vector",
      ids: nearest.filter((hit) => hit.distance <= MAX_VECTOR_DISTANCE).map((hit) => hit.id),
    },
  ]);
  const ranked = [...fused.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
  const tasks = new Map(
    (
      await getTasksByIds(
        tx,
        ranked.map(([id]) => id),
      )
    ).map((task) => [task.id, task]),
  );
  return ranked.flatMap(([id, entry]) => {
    const task = tasks.get(id);
    return task ? [{ task, score: Number(entry.score.toFixed(6)), matchedBy: entry.matchedBy }] : [];
  });
}
