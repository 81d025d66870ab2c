/** What one sync run did: the one shape the runner, the sync_now action and `cairn sync` share. */
import { z } from "zod";

/** How many skipped items a run (or a sum of runs) names with their reason. */
export const SKIPPED_ITEMS_KEPT = 50;

export const SyncStats = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  unchanged: z.number().int(),
  skipped: z.number().int(),
  /** Items linked to a task of another source (cross-source duplicates). */
  merged: z.number().int(),
  apiCalls: z.number().int(),
  durationMs: z.number().int(),
  pages: z.number().int(),
  scopes: z.number().int(),
  /** Up to SKIPPED_ITEMS_KEPT skipped items with the reason (source id first). */
  skippedItems: z.array(z.object({ externalId: z.string(), reason: z.string() })),
});
export type SyncStats = z.infer<typeof SyncStats>;

export type SyncCount = Exclude<keyof SyncStats, "skippedItems">;

export const SYNC_COUNTS: readonly SyncCount[] = [
  "created",
  "updated",
  "deleted",
  "unchanged",
  "skipped",
  "merged",
  "apiCalls",
  "durationMs",
  "pages",
  "scopes",
];

export const emptyStats = (): SyncStats => ({
  created: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  skipped: 0,
  merged: 0,
  apiCalls: 0,
  durationMs: 0,
  pages: 0,
  scopes: 0,
  skippedItems: [],
});

/** Adds one run's stats into a total. */
export function addStats(totals: SyncStats, stats: SyncStats): void {
  for (const key of SYNC_COUNTS) totals[key] += stats[key];
  totals.skippedItems.push(
    ...stats.skippedItems.slice(0, Math.max(0, SKIPPED_ITEMS_KEPT - totals.skippedItems.length)),
  );
}
