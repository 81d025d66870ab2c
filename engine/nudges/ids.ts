import { createHash } from "node:crypto";

/**
 * A nudge's id from what makes it unique (workspace, person, dedupe key), shaped as a UUID (v5 layout over
 * SHA-1). Every evaluator that decides the same nudge derives the same id, so the row and its delayed job
 * (jobId = this id) dedupe across restarts and workers.
 */
export function nudgeIdFor(workspaceId: string, personId: string, dedupeKey: string): string {
  const hex = createHash("sha1").update(`${workspaceId}\n${personId}\n${dedupeKey}`).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** The delayed job that sends a nudge: its id, or one per snooze (the first job may still be waiting). */
export const deliveryJobId = (nudgeId: string, snoozeCount: number): string =>
  snoozeCount === 0 ? nudgeId : `${nudgeId}-s${snoozeCount}`;
