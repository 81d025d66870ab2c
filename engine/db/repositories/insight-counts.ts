/**
 * get_insights' numbers about a person's finished tasks, counted in SQL: the summary needs only counts over
 * the last week, so the finished tasks themselves are not read (a person can have thousands).
 */
import type { Queryable } from "../port.ts";

export interface DoneTaskCounts {
  /** Completed at or after `weekStart`. */
  completedThisWeek: number;
  /** Completed at or after `since`. */
  completedSince: number;
  /** Created at or after `since` (finished ones only). */
  createdSince: number;
  /** Completed at or after `since` with a due time, and of those, completed by it. */
  dueCompletedSince: number;
  onTimeSince: number;
}

export async function doneTaskCounts(
  tx: Queryable,
  personId: string,
  weekStart: Date,
  since: Date,
): Promise<DoneTaskCounts> {
  const { rows } = await tx.query<Record<keyof DoneTaskCounts, number | string>>(
    `SELECT count(*) FILTER (WHERE completed_at >= $2) AS "completedThisWeek",
            count(*) FILTER (WHERE completed_at >= $3) AS "completedSince",
            count(*) FILTER (WHERE created_at >= $3) AS "createdSince",
            count(*) FILTER (WHERE completed_at >= $3 AND due IS NOT NULL) AS "dueCompletedSince",
            count(*) FILTER (WHERE completed_at >= $3 AND due IS NOT NULL AND completed_at <= due) AS "onTimeSince"
       FROM tasks
      WHERE person_id = $1 AND status = 'done' AND source_deleted_at IS NULL
        AND (completed_at >= least($2::timestamptz, $3::timestamptz) OR created_at >= $3)`,
    [personId, weekStart.toISOString(), since.toISOString()],
  );
  const row = rows[0];
  const n = (key: keyof DoneTaskCounts) => Number(row?.[key] ?? 0);
  return {
    completedThisWeek: n("completedThisWeek"),
    completedSince: n("completedSince"),
    createdSince: n("createdSince"),
    dueCompletedSince: n("dueCompletedSince"),
    onTimeSince: n("onTimeSince"),
  };
}
