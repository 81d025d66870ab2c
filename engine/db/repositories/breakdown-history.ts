import type { Queryable } from "../port.ts";

export interface FinishedBreakdown {
  parentId: string;
  title: string;
  similarity: number;
  estimateMinutes: number | null;
  subtasks: { title: string; estimateMinutes: number | null }[];
}

/** The finished tasks most similar to a vector that had subtasks, best first, each with its subtasks in creation order. */
export async function similarFinishedBreakdowns(
  tx: Queryable,
  vectorLiteral: string,
  options: { excludeId: string; limit: number },
): Promise<FinishedBreakdown[]> {
  const parents = await tx.query<{
    id: string;
    title: string;
    estimate_minutes: number | null;
    distance: number;
  }>(
    `SELECT p.id, p.title, p.estimate_minutes, p.embedding <=> $1::vector AS distance
       FROM tasks p
      WHERE p.status = 'done' AND p.embedding IS NOT NULL AND p.id <> $2::uuid
        AND EXISTS (SELECT 1 FROM tasks c WHERE c.parent_id = p.id)
      ORDER BY p.embedding <=> $1::vector
      LIMIT $3`,
    [vectorLiteral, options.excludeId, options.limit],
  );
  if (parents.rows.length === 0) return [];
  const children = await tx.query<{ parent_id: string; title: string; estimate_minutes: number | null }>(
    `SELECT parent_id, title, estimate_minutes FROM tasks
      WHERE parent_id = ANY($1::uuid[]) ORDER BY created_at, id`,
    [parents.rows.map((row) => row.id)],
  );
  return parents.rows.map((row) => ({
    parentId: row.id,
    title: row.title,
    similarity: 1 - Number(row.distance),
    estimateMinutes: row.estimate_minutes,
    subtasks: children.rows
      .filter((child) => child.parent_id === row.id)
      .map((child) => ({ title: child.title, estimateMinutes: child.estimate_minutes })),
  }));
}
