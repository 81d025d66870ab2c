/**
 * slot_preference_state: the slot-preference model's sufficient statistics, one row per person plus one
 * pooled row per workspace (person_id null).
 */
import type { Queryable } from "../port.ts";

export interface SlotPreferenceRow {
  person_id: string | null;
  feature_version: number;
  observations: number;
  /** JSON arrays as the driver returns them (parsed, or text). */
  xtx: unknown;
  xtr: unknown;
  implicit_until: Date | string | null;
}

/** The person's row and the workspace's pooled row, when stored. */
export async function loadSlotPreferenceRows(tx: Queryable, personId: string): Promise<SlotPreferenceRow[]> {
  const result = await tx.query<SlotPreferenceRow>(
    `SELECT person_id, feature_version, observations, xtx, xtr, implicit_until FROM slot_preference_state
     WHERE person_id = $1 OR person_id IS NULL`,
    [personId],
  );
  return result.rows;
}

/** Serializes updates of one workspace's statistics until the transaction ends. */
export async function lockSlotPreferences(tx: Queryable, workspaceId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`slot-pref:${workspaceId}`]);
}

export interface SlotPreferenceStats {
  workspaceId: string;
  /** null: the workspace's pooled row. */
  personId: string | null;
  featureVersion: number;
  observations: number;
  xtx: readonly number[];
  xtr: readonly number[];
  /** null or undefined keeps the stored value. */
  implicitUntil?: string | null;
}

export async function saveSlotPreferenceStats(tx: Queryable, stats: SlotPreferenceStats): Promise<void> {
  await tx.query(
    `INSERT INTO slot_preference_state (workspace_id, person_id, feature_version, observations, xtx, xtr, implicit_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (workspace_id, coalesce(person_id, '00000000-0000-0000-0000-000000000000'::uuid))
     DO UPDATE SET feature_version = EXCLUDED.feature_version, observations = EXCLUDED.observations,
       xtx = EXCLUDED.xtx, xtr = EXCLUDED.xtr,
       implicit_until = coalesce(EXCLUDED.implicit_until, slot_preference_state.implicit_until), updated_at = now()`,
    [
      stats.workspaceId,
      stats.personId,
      stats.featureVersion,
      stats.observations,
      JSON.stringify(stats.xtx),
      JSON.stringify(stats.xtr),
      stats.implicitUntil ?? null,
    ],
  );
}
