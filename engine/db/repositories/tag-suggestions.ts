import type { Queryable } from "../port.ts";

export interface TaggedNeighbour {
  taskId: string;
  title: string;
  /** The tags a person chose (suggested, unconfirmed ones left out). */
  tags: string[];
  similarity: number;
}

/** The nearest tasks (cosine similarity of the stored embeddings) that carry confirmed tags, best first. */
export async function nearestTaggedTasks(
  tx: Queryable,
  vectorLiteral: string,
  options: { excludeId?: string; limit: number },
): Promise<TaggedNeighbour[]> {
  await tx.query("SELECT set_config('hnsw.ef_search', $1, true)", [String(Math.max(100, options.limit * 4))]);
  const result = await tx.query<{ id: string; title: string; tags: string[]; distance: number }>(
    `SELECT id, title,
            ARRAY(SELECT t FROM unnest(tags) AS t WHERE NOT t = ANY(suggested_tags)) AS tags,
            embedding <=> $1::vector AS distance
       FROM tasks
      WHERE embedding IS NOT NULL AND source_deleted_at IS NULL
        AND cardinality(tags) > cardinality(suggested_tags)
        AND ($2::uuid IS NULL OR id <> $2::uuid)
      ORDER BY embedding <=> $1::vector
      LIMIT $3`,
    [vectorLiteral, options.excludeId ?? null, options.limit],
  );
  return result.rows.map((row) => ({
    taskId: row.id,
    title: row.title,
    tags: row.tags ?? [],
    similarity: 1 - Number(row.distance),
  }));
}

export async function markSuggestedTags(
  tx: Queryable,
  taskId: string,
  tags: readonly string[],
): Promise<void> {
  await tx.query("UPDATE tasks SET suggested_tags = $2::text[] WHERE id = $1", [taskId, tags]);
}

/** A person set the task's tags: nothing on it is a suggestion any more. */
export async function clearSuggestedTags(tx: Queryable, taskId: string): Promise<void> {
  await tx.query("UPDATE tasks SET suggested_tags = '{}' WHERE id = $1 AND cardinality(suggested_tags) > 0", [
    taskId,
  ]);
}

export async function getSuggestedTags(tx: Queryable, taskId: string): Promise<string[]> {
  const result = await tx.query<{ suggested_tags: string[] }>(
    "SELECT suggested_tags FROM tasks WHERE id = $1",
    [taskId],
  );
  return result.rows[0]?.suggested_tags ?? [];
}
