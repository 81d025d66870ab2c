/**
 * The stored behaviour snapshots (user_states): one row per person per UTC day, the day's last figures. The
 * console's workspace aggregate reads the latest per person instead of computing everyone on each view.
 */
import type { Person } from "../../domain.ts";
import type { Queryable } from "../port.ts";
import { PERSON_COLUMNS, personFromRow } from "./workspaces.ts";

export interface LatestSnapshot {
  person: Person;
  /** Absent when the person has no snapshot yet. */
  computedAt?: Date;
  state?: Record<string, unknown>;
}

interface LatestRow {
  id: string;
  email: string;
  name: string;
  timezone: string;
  is_admin: boolean;
  computed_at: Date | string | null;
  state: unknown;
}

const json = (value: unknown): unknown =>
  typeof value === "string" ? (JSON.parse(value) as unknown) : value;

const PEOPLE_COLUMNS = PERSON_COLUMNS.split(", ")
  .map((column) => `p.${column}`)
  .join(", ");

const latestFrom = (row: LatestRow): LatestSnapshot => ({
  person: personFromRow(row),
  ...(row.computed_at !== null && {
    computedAt: new Date(row.computed_at),
    state: (json(row.state) ?? {}) as Record<string, unknown>,
  }),
});

/**
 * Workspace-scoped: everyone in the workspace (by name) with their latest snapshot, one index probe per
 * person (user_states_person), however long the history.
 */
export async function latestSnapshotsByPerson(tx: Queryable): Promise<LatestSnapshot[]> {
  const { rows } = await tx.query<LatestRow>(
    `SELECT ${PEOPLE_COLUMNS}, s.computed_at, s.state FROM people p
       LEFT JOIN LATERAL (
         SELECT computed_at, state FROM user_states u
          WHERE u.workspace_id = p.workspace_id AND u.person_id = p.id
          ORDER BY u.computed_at DESC LIMIT 1
       ) s ON true
      ORDER BY lower(p.name), lower(p.email)`,
  );
  return rows.map(latestFrom);
}

/**
 * System: the people of every workspace (or of one) whose latest snapshot is older than `before`, or who
 * have none, stalest first (none first of all), at most `limit`.
 */
export async function systemStaleSnapshotPeople(
  tx: Queryable,
  before: Date,
  limit: number,
  workspaceId?: string,
): Promise<{ workspaceId: string; person: Person }[]> {
  const { rows } = await tx.query<LatestRow & { workspace_id: string }>(
    `SELECT p.workspace_id, ${PEOPLE_COLUMNS}, s.computed_at, s.state FROM people p
       LEFT JOIN LATERAL (
         SELECT computed_at, state FROM user_states u
          WHERE u.workspace_id = p.workspace_id AND u.person_id = p.id
          ORDER BY u.computed_at DESC LIMIT 1
       ) s ON true
      WHERE (s.computed_at IS NULL OR s.computed_at < $1) AND ($2::uuid IS NULL OR p.workspace_id = $2::uuid)
      ORDER BY s.computed_at ASC NULLS FIRST, p.id
      LIMIT $3`,
    [before.toISOString(), workspaceId ?? null, limit],
  );
  return rows.map((row) => ({ workspaceId: row.workspace_id, person: personFromRow(row) }));
}

/**
 * Workspace-scoped: stores a person's figures as of `computedAt`, replacing their snapshot of that UTC day
 * when there is one (so each day keeps its last figures and the trends one point per person per day).
 */
export async function saveSnapshot(
  tx: Queryable,
  entry: { workspaceId: string; personId: string; computedAt: Date; state: Record<string, unknown> },
): Promise<void> {
  const dayStart = `${entry.computedAt.toISOString().slice(0, 10)}T00:00:00Z`;
  const dayEnd = new Date(Date.parse(dayStart) + 86_400_000).toISOString();
  await tx.query(
    `WITH replaced AS (
       UPDATE user_states SET state = $3::jsonb, computed_at = $4
        WHERE id = (SELECT id FROM user_states
                     WHERE workspace_id = $1 AND person_id = $2 AND computed_at >= $5 AND computed_at < $6
                     ORDER BY computed_at DESC LIMIT 1)
        RETURNING id)
     INSERT INTO user_states (workspace_id, person_id, state, computed_at)
     SELECT $1, $2, $3::jsonb, $4 WHERE NOT EXISTS (SELECT 1 FROM replaced)`,
    [
      entry.workspaceId,
      entry.personId,
      JSON.stringify(entry.state),
      entry.computedAt.toISOString(),
      dayStart,
      dayEnd,
    ],
  );
}
