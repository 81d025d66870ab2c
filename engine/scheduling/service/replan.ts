/**
 * Debounced replanning: every change to a person's tasks, estimates, calendar or preferences enqueues one
 * job `replan-<personId>` on the "plan" queue, delayed by a few seconds; further changes while it waits are
 * deduplicated into it (or, when it is already running, into one run after it). The job first learns from
 * blocks whose time has passed (implicitly kept), then plans the next 7 days from now and stores a version.
 */
import type { Change } from "../../changes.ts";
import { peopleWithPlans } from "../../db/repositories/plans.ts";
import type { JobHandler } from "../../jobs/port.ts";
import type { EngineServices } from "../../services.ts";
import { learnFromPastBlocks } from "../learning/feedback.ts";
import { planAndStore, type StoredPlan } from "./planning-service.ts";

export const PLAN_QUEUE = "plan";
export const REPLAN_JOB = "replan";
export const DEFAULT_REPLAN_DELAY_MS = 5_000;
export const REPLAN_DAYS = 7;

export interface ReplanJob {
  workspaceId: string;
  personId: string;
  reason: string;
}

export const replanJobId = (personId: string): string => `replan-${personId}`;

export async function enqueueReplan(services: EngineServices, job: ReplanJob): Promise<string> {
  return services.jobs.enqueue(PLAN_QUEUE, REPLAN_JOB, job, {
    jobId: replanJobId(job.personId),
    // A change that arrives while a replan runs may not be in its plan: plan once more after it.
    rerunIfActive: true,
    delayMs: services.replan.delayMs,
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

export function replanHandler(services: EngineServices): JobHandler<ReplanJob> {
  return async (job) => {
    const plan = await runReplan(services, job.data);
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
      people = await services.db.scoped(change.workspaceId, peopleWithPlans);
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
