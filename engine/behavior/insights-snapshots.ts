/**
 * Stored per-person insight figures for the workspace aggregate: burnout risk, score and effort multiplier
 * (with the basis they rest on), kept one row per person per UTC day. A repeatable background job
 * ("insights" queue) refreshes the people whose figures are older than SNAPSHOT_FRESH_MS, so an admin's view
 * reads stored rows instead of running the behaviour models for everyone.
 */

import { saveSnapshot, systemStaleSnapshotPeople } from "../db/repositories/user-states.ts";
import type { Person } from "../domain.ts";
import type { EngineServices } from "../services.ts";
import { type InsightsWithBehavior, insightsFor } from "./insights.ts";

export const INSIGHTS_QUEUE = "insights";
export const SNAPSHOT_JOB = "snapshot";
export const SNAPSHOT_KEY = "insights-snapshot";
/** Figures older than this are refreshed by the next run of the job. */
export const SNAPSHOT_FRESH_MS = 3 * 3_600_000;
/** People refreshed per run at most: bounds one run's work (the next run takes the rest, stalest first). */
export const SNAPSHOT_RUN_LIMIT = 2_000;

export interface SnapshotJob {
  /** Only this workspace (a console view that found stale figures); every workspace when absent. */
  workspaceId?: string;
}

/** The figures the aggregate needs from one person's insights; no task, title or reason of theirs. */
export interface SnapshotFigures {
  basis: "personal" | "population";
  burnoutRisk: number | null;
  score: number | null;
  effortMultiplier: number | null;
}

export function figuresOf(insights: Pick<InsightsWithBehavior, "basis" | "burnout" | "score" | "effort">) {
  const figures: SnapshotFigures = {
    basis: insights.basis,
    burnoutRisk: insights.burnout.risk,
    score: insights.score.value,
    effortMultiplier: insights.effort.multiplier,
  };
  return figures;
}

const finite = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/** A stored state's figures; undefined for a row written before the basis was kept (treated as stale). */
export function storedFigures(state: Record<string, unknown>): SnapshotFigures | undefined {
  const basis = state.basis;
  if (basis !== "personal" && basis !== "population") return undefined;
  return {
    basis,
    burnoutRisk: finite(state.burnoutRisk),
    score: finite(state.score),
    effortMultiplier: finite(state.effortMultiplier),
  };
}

/** Stores the figures of insights computed at `at` (get_insights' answer, or insightsFor's). */
export async function storeFigures(
  services: Pick<EngineServices, "db">,
  workspaceId: string,
  personId: string,
  figures: SnapshotFigures,
  at: Date,
): Promise<void> {
  await services.db.scoped(workspaceId, (tx) =>
    saveSnapshot(tx, { workspaceId, personId, computedAt: at, state: { ...figures } }),
  );
}

/** Computes one person's insights now and stores their figures. */
export async function snapshotPerson(
  services: Pick<EngineServices, "db" | "now">,
  workspaceId: string,
  person: Person,
): Promise<SnapshotFigures> {
  const at = services.now();
  const figures = figuresOf(await insightsFor(services.db, workspaceId, person, at));
  await storeFigures(services, workspaceId, person.id, figures, at);
  return figures;
}

export interface SnapshotRun {
  refreshed: number;
  failed: number;
}

/**
 * The job: refreshes everyone (of one workspace, or all) whose figures are missing or older than
 * SNAPSHOT_FRESH_MS, stalest first, one person at a time (it shares the machine with the requests). A
 * person whose insights fail is logged and skipped; the next run tries them again.
 */
export async function refreshStaleSnapshots(
  services: Pick<EngineServices, "db" | "now" | "log">,
  job: SnapshotJob = {},
  limit = SNAPSHOT_RUN_LIMIT,
): Promise<SnapshotRun> {
  const before = new Date(services.now().getTime() - SNAPSHOT_FRESH_MS);
  const stale = await services.db.system((tx) =>
    systemStaleSnapshotPeople(tx, before, limit, job.workspaceId),
  );
  const run: SnapshotRun = { refreshed: 0, failed: 0 };
  for (const { workspaceId, person } of stale) {
    try {
      await snapshotPerson(services, workspaceId, person);
      run.refreshed += 1;
    } catch (error) {
      run.failed += 1;
      services.log.warn({ err: error, workspaceId, personId: person.id }, "insights: snapshot failed");
    }
  }
  return run;
}

/** Asks the job to refresh one workspace soon; a refresh already waiting absorbs it. */
export async function requestRefresh(services: Pick<EngineServices, "jobs">, workspaceId: string) {
  await services.jobs.enqueue<SnapshotJob>(
    INSIGHTS_QUEUE,
    SNAPSHOT_JOB,
    { workspaceId },
    { jobId: `${SNAPSHOT_KEY}-${workspaceId}`, attempts: 2 },
  );
}
