/**
 * Scheduling nudges as delayed jobs. The evaluator (a repeatable "sweep" job, every 5 minutes by default)
 * decides each person's nudges, records each one (its id derived from its dedupe key, insert-if-absent) and
 * enqueues its delivery as a delayed job whose jobId is the nudge id. A restart loses none (the sweep
 * re-enqueues every nudge still scheduled; the queue drops the duplicate) and none is sent twice (the
 * delivery job claims the row before sending).
 *
 * The sweep works in batches of people (SWEEP_BATCH): a few set-based reads per batch (batch.ts), the pure
 * triggers and timing per person, the costly completion probabilities only for people whose deadline-at-risk
 * nudge could go out now (and cached per data version, completion-cache.ts), and one insert per batch.
 */
import {
  type BatchNudge,
  dataVersions,
  insertNudges,
  waitingNudges,
} from "../db/repositories/nudge-sweep.ts";
import { existingNudgeIds, sendHourStats, systemListPeopleForNudges } from "../db/repositories/nudges.ts";
import type { EngineServices } from "../services.ts";
import { type BatchPerson, loadBatch } from "./batch.ts";
import { cachedProbabilities, cacheKey, computeProbabilities } from "./completion-cache.ts";
import { deliveryJobId } from "./ids.ts";
import type { HourStats } from "./send-times.ts";
import { scheduleNudges, type TimedNudge, type TimingResult } from "./timing.ts";
import { type NudgeCandidate, nudgeCandidates, type PersonSnapshot } from "./triggers.ts";

export const NUDGE_QUEUE = "nudges";
export const DELIVER_JOB = "deliver";
export const SWEEP_JOB = "sweep";
export const SWEEP_KEY = "nudges-sweep";
export const DEFAULT_SWEEP_EVERY_MS = 5 * 60_000;
/** Tries per delivery, the first included. */
export const DELIVERY_ATTEMPTS = 3;
export const DELIVERY_BACKOFF_MS = 1_000;

export interface DeliverJob {
  workspaceId: string;
  nudgeId: string;
}

export interface SweepJob {
  /** Only this workspace (tests); all when absent. */
  workspaceId?: string;
}

export async function enqueueDelivery(
  services: EngineServices,
  nudge: { workspaceId: string; id: string; scheduledFor: string; snoozeCount: number },
): Promise<void> {
  const delayMs = Math.max(0, Date.parse(nudge.scheduledFor) - services.now().getTime());
  await services.jobs.enqueue<DeliverJob>(
    NUDGE_QUEUE,
    DELIVER_JOB,
    { workspaceId: nudge.workspaceId, nudgeId: nudge.id },
    {
      jobId: deliveryJobId(nudge.id, nudge.snoozeCount),
      delayMs,
      attempts: DELIVERY_ATTEMPTS,
      backoffMs: DELIVERY_BACKOFF_MS,
    },
  );
}

/** People read and decided together: bounds the memory and the size of each set-based query. */
export const SWEEP_BATCH = 500;
/** Behaviour insights computed at once (each is its own read transaction). */
const INSIGHT_CONCURRENCY = 4;
/** Delayed jobs enqueued at once (each is a round trip to Redis with BullMQ). */
const ENQUEUE_CONCURRENCY = 16;

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

export interface BatchEvaluation {
  /** People whose day was read (the rest of the batch had every kind off or their daily cap reached). */
  evaluated: number;
  /** Nudges this evaluation recorded and enqueued. */
  scheduled: TimedNudge[];
  /** Behaviour insights computed, and answered from the cache, for deadline-at-risk nudges. */
  insightsComputed: number;
  insightsCached: number;
  failedPeople: number;
}

/**
 * The trigger snapshot as a probe: every task due soon counts as at risk, so the timing shows whether a
 * deadline-at-risk nudge could go out now at all. Only then are the real probabilities worth computing.
 */
const probeOf = (person: BatchPerson): PersonSnapshot => ({
  ...person.snapshot,
  tasks: person.preferences.enabledKinds.includes("deadline_at_risk")
    ? person.snapshot.tasks.map((t) => ({ ...t, probability: 0 }))
    : [],
});

function decide(
  person: BatchPerson,
  candidates: readonly NudgeCandidate[],
  known: ReadonlySet<string>,
  sendTimes: ReadonlyMap<number, HourStats>,
  now: Date,
): TimingResult {
  return scheduleNudges(
    candidates.filter((c) => !known.has(c.id)),
    {
      personId: person.snapshot.personId,
      timezone: person.snapshot.timezone,
      workingHours: person.snapshot.workingHours,
      now: now.toISOString(),
      preferences: person.preferences,
      busy: person.busy,
      alreadyToday: person.alreadyToday,
      sendTimes,
    },
  );
}

/** Decides, records and enqueues the nudges of these people (one workspace) as of now. */
export async function evaluateBatch(
  services: EngineServices,
  workspaceId: string,
  personIds: readonly string[],
  sendTimes: ReadonlyMap<number, HourStats>,
): Promise<BatchEvaluation> {
  const now = services.now();
  const { people } = await loadBatch(services.db, workspaceId, personIds, now);
  const probes = people.map((person) => ({ person, candidates: nudgeCandidates(probeOf(person)) }));
  const ids = probes.flatMap((p) => p.candidates.map((c) => c.id));
  // The real candidates are a subset of the probe's (same ids): one look-up covers both.
  const known = await services.db.scoped(workspaceId, (tx) => existingNudgeIds(tx, ids));
  const decided = new Map<string, TimedNudge[]>();
  const atRisk: BatchPerson[] = [];
  for (const { person, candidates } of probes) {
    const timing = decide(person, candidates, known, sendTimes, now);
    // A deadline-at-risk nudge left out by the probe would be left out with any probability; removing it
    // frees no room for the others (only scheduled nudges take room under the cap).
    if (timing.scheduled.some((n) => n.kind === "deadline_at_risk")) atRisk.push(person);
    else decided.set(person.snapshot.personId, timing.scheduled);
  }
  const result: BatchEvaluation = {
    evaluated: people.length,
    scheduled: [],
    insightsComputed: 0,
    insightsCached: 0,
    failedPeople: 0,
  };
  if (atRisk.length > 0) {
    const versions = await services.db.scoped(workspaceId, (tx) =>
      dataVersions(
        tx,
        workspaceId,
        atRisk.map((p) => p.person.id),
      ),
    );
    await eachLimited(atRisk, INSIGHT_CONCURRENCY, async (person) => {
      const key = cacheKey(versions.get(person.person.id) ?? "", now);
      try {
        let probabilities = cachedProbabilities(services, person.person.id, key);
        if (probabilities) result.insightsCached += 1;
        else {
          probabilities = await computeProbabilities(services, workspaceId, person.person, key, now);
          result.insightsComputed += 1;
        }
        const snapshot: PersonSnapshot = {
          ...person.snapshot,
          tasks: person.snapshot.tasks.map((t) => ({ ...t, probability: probabilities.get(t.id) ?? null })),
        };
        decided.set(
          person.person.id,
          decide(person, nudgeCandidates(snapshot), known, sendTimes, now).scheduled,
        );
      } catch (error) {
        result.failedPeople += 1;
        services.log.warn(
          { err: error, workspaceId, personId: person.person.id },
          "nudges: could not evaluate a person",
        );
      }
    });
  }
  const timed = [...decided.entries()].flatMap(([personId, nudges]) =>
    nudges.map((nudge) => ({ personId, nudge })),
  );
  // One order for every worker: two sweeps inserting the same rows wait on each other instead of deadlocking.
  timed.sort((a, b) => a.nudge.id.localeCompare(b.nudge.id));
  const rows = timed.map(
    ({ personId, nudge }): BatchNudge => ({
      id: nudge.id,
      workspaceId,
      personId,
      kind: nudge.kind,
      text: nudge.message.text,
      message: nudge.message,
      dedupeKey: nudge.dedupeKey,
      taskId: nudge.taskId,
      blockId: nudge.blockId,
      localDate: nudge.localDate,
      sendHour: nudge.sendHour,
      scheduledFor: nudge.sendAt,
      expiresAt: nudge.latest,
    }),
  );
  const created =
    rows.length === 0
      ? new Set<string>()
      : await services.db.scoped(workspaceId, (tx) => insertNudges(tx, rows));
  result.scheduled = timed.map((t) => t.nudge).filter((nudge) => created.has(nudge.id));
  await eachLimited(result.scheduled, ENQUEUE_CONCURRENCY, (nudge) =>
    enqueueDelivery(services, { workspaceId, id: nudge.id, scheduledFor: nudge.sendAt, snoozeCount: 0 }),
  );
  return result;
}

/** Workspaces whose waiting nudges this process has re-enqueued once (per engine). */
const requeued = new WeakMap<EngineServices, Set<string>>();
/** A waiting nudge this late has lost its job (a queue cleared, an enqueue that failed after the insert). */
export const OVERDUE_MS = 2 * 60_000;

/**
 * Re-enqueues the workspace's nudges still waiting to be sent, a no-op while their jobs exist: all of them on
 * this process's first sweep (an in-process queue starts empty after a restart), then only the overdue ones,
 * so a steady sweep does not touch every waiting job again.
 */
export async function requeueWaiting(services: EngineServices, workspaceId: string): Promise<number> {
  let done = requeued.get(services);
  if (!done) {
    done = new Set();
    requeued.set(services, done);
  }
  const dueBefore = done.has(workspaceId)
    ? new Date(services.now().getTime() - OVERDUE_MS).toISOString()
    : undefined;
  const waiting = await services.db.scoped(workspaceId, (tx) => waitingNudges(tx, dueBefore));
  done.add(workspaceId);
  await eachLimited(waiting, ENQUEUE_CONCURRENCY, (nudge) =>
    enqueueDelivery(services, { workspaceId, ...nudge }),
  );
  return waiting.length;
}

export async function workspaceSendTimes(
  services: EngineServices,
  workspaceId: string,
): Promise<Map<number, HourStats>> {
  const rows = await services.db.scoped(workspaceId, sendHourStats);
  return new Map(rows.map((row) => [row.hour, { sent: row.sent, acted: row.acted }]));
}

export interface SweepResult {
  people: number;
  scheduled: number;
  failedPeople: number;
  /** People whose day was read; the others could get no nudge today (kinds off, daily cap reached). */
  evaluated: number;
  /** Behaviour insights computed, and answered from the cache, for deadline-at-risk nudges. */
  insightsComputed: number;
  insightsCached: number;
}

/**
 * Evaluates everyone (or one workspace), batch by batch; a batch that fails is logged and does not stop the
 * sweep (nor does one person's failure stop their batch).
 */
export async function sweep(services: EngineServices, job: SweepJob = {}): Promise<SweepResult> {
  const everyone = await services.db.system(systemListPeopleForNudges);
  const byWorkspace = new Map<string, string[]>();
  for (const { workspaceId, personId } of everyone) {
    if (job.workspaceId && workspaceId !== job.workspaceId) continue;
    const ids = byWorkspace.get(workspaceId);
    if (ids) ids.push(personId);
    else byWorkspace.set(workspaceId, [personId]);
  }
  const result: SweepResult = {
    people: 0,
    scheduled: 0,
    failedPeople: 0,
    evaluated: 0,
    insightsComputed: 0,
    insightsCached: 0,
  };
  for (const [workspaceId, ids] of byWorkspace) {
    let sendTimes: Map<number, HourStats>;
    try {
      await requeueWaiting(services, workspaceId);
      sendTimes = await workspaceSendTimes(services, workspaceId);
    } catch (error) {
      result.people += ids.length;
      result.failedPeople += ids.length;
      services.log.warn({ err: error, workspaceId }, "nudges: could not sweep a workspace");
      continue;
    }
    for (let at = 0; at < ids.length; at += SWEEP_BATCH) {
      const batch = ids.slice(at, at + SWEEP_BATCH);
      result.people += batch.length;
      try {
        const evaluation = await evaluateBatch(services, workspaceId, batch, sendTimes);
        result.scheduled += evaluation.scheduled.length;
        result.failedPeople += evaluation.failedPeople;
        result.evaluated += evaluation.evaluated;
        result.insightsComputed += evaluation.insightsComputed;
        result.insightsCached += evaluation.insightsCached;
      } catch (error) {
        result.failedPeople += batch.length;
        services.log.warn(
          { err: error, workspaceId, people: batch.length },
          "nudges: could not evaluate a batch",
        );
      }
    }
  }
  return result;
}
