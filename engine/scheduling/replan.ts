/**
 * Debounced replanning: every change to a person's tasks, estimates, calendar or preferences enqueues one
 * job `replan-<personId>` on the "plan" queue, delayed by a few seconds; further changes while it waits are
 * deduplicated into it. The job first learns from blocks whose time has passed (implicitly kept), then plans
 * the next 7 days from now and stores a version.
 */
import type { Change } from "../changes.ts";
import type { JobHandler } from "../jobs/port.ts";
import type { EngineServices } from "../services.ts";
import { learnFromPastBlocks } from "./feedback.ts";
import { planAndStore, type StoredPlan } from "./planning-service.ts";

export const PLAN_QUEUE = "plan";
export const REPLAN_JOB = "replan";
/** services.extensions key for { delayMs } (tests shorten the debounce). */
export const REPLAN_SETTINGS = "planning.replan";
export const DEFAULT_REPLAN_DELAY_MS = 5_000;
export const REPLAN_DAYS = 7;

export interface ReplanJob {
  workspaceId: string;
  personId: string;
  reason: string;
}

export function replanDelayMs(services: EngineServices): number {
  const settings = services.extensions.get(REPLAN_SETTINGS) as { delayMs?: number } | undefined;
  return settings?.delayMs ?? DEFAULT_REPLAN_DELAY_MS;
}

export const replanJobId = (personId: string): string => `replan-${personId}`;

export async function enqueueReplan(services: EngineServices, job: ReplanJob): Promise<string> {
  return services.jobs.enqueue(PLAN_QUEUE, REPLAN_JOB, job, {
    jobId: replanJobId(job.personId),
    delayMs: replanDelayMs(services),
    attempts: 3,
    backoffMs: 2_000,
  });
}

/** Runs one replan now (the job body). */
export async function runReplan(services: EngineServices, job: ReplanJob): Promise<StoredPlan> {
  await learnFromPastBlocks(services, job.workspaceId, job.personId);
  const now = services.now();
  const horizon = {
    start: now.toISOString(),
    end: new Date(now.getTime() + REPLAN_DAYS * 24 * 3_600_000).toISOString(),
  };
  return planAndStore(services, { ...job, horizon, trigger: `replan: ${job.reason}` });
}

/** Whether the person's tasks or calendar changed after `since` (database time, so any process's writes count). */
async function changedSince(services: EngineServices, job: ReplanJob, since: string): Promise<boolean> {
  return services.db.scoped(job.workspaceId, async (tx) => {
    const result = await tx.query<{ changed: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM tasks WHERE person_id = $1 AND updated_at > $2)
           OR EXISTS (SELECT 1 FROM calendar_events WHERE person_id = $1 AND updated_at > $2) AS changed`,
      [job.personId, since],
    );
    return result.rows[0]?.changed === true;
  });
}

export function replanHandler(services: EngineServices): JobHandler<ReplanJob> {
  return async (job) => {
    const startedAt = await services.db.scoped(job.data.workspaceId, async (tx) => {
      const result = await tx.query<{ now: Date | string }>("SELECT clock_timestamp() AS now");
      return new Date(result.rows[0]?.now ?? Date.now()).toISOString();
    });
    const plan = await runReplan(services, job.data);
    // A change that arrived while this job ran was deduplicated into it but may not be in its plan.
    if (await changedSince(services, job.data, startedAt)) {
      await services.jobs.enqueue(PLAN_QUEUE, REPLAN_JOB, job.data, {
        jobId: `${replanJobId(job.data.personId)}-after-${plan.version}`,
        delayMs: replanDelayMs(services),
        attempts: 3,
        backoffMs: 2_000,
      });
    }
    return { version: plan.version, blocks: plan.blocks.length };
  };
}

const REPLAN_KINDS = new Set<Change["kind"]>(["tasks", "calendar", "preferences"]);

/** The change-feed listener: which people to replan for a change. */
export function replanOnChange(services: EngineServices): (change: Change) => Promise<void> {
  return async (change) => {
    if (!REPLAN_KINDS.has(change.kind)) return;
    let people: string[] = [];
    if (change.personId) people = [change.personId];
    else if (change.kind === "calendar") {
      // A change without a person (e.g. a shared calendar): everyone in the workspace who has a plan.
      people = await services.db.scoped(change.workspaceId, async (tx) =>
        (await tx.query<{ person_id: string }>("SELECT DISTINCT person_id FROM plans")).rows.map(
          (r) => r.person_id,
        ),
      );
    }
    for (const personId of people) {
      await enqueueReplan(services, {
        workspaceId: change.workspaceId,
        personId,
        reason: `${change.kind} changed`,
      });
    }
  };
}
