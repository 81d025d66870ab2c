/**
 * Scheduling nudges as delayed jobs. The evaluator (a repeatable "sweep" job, every 5 minutes by default)
 * decides each person's nudges, records each one (its id derived from its dedupe key, insert-if-absent) and
 * enqueues its delivery as a delayed job whose jobId is the nudge id. A restart loses none (the sweep
 * re-enqueues every nudge still scheduled; the queue drops the duplicate) and none is sent twice (the
 * delivery job claims the row before sending).
 */
import { DateTime } from "luxon";
import {
  countNudgesOn,
  existingNudgeIds,
  insertNudge,
  scheduledNudges,
  sendHourStats,
  systemListPeopleForNudges,
} from "../db/repositories/nudges.ts";
import type { EngineServices } from "../services.ts";
import { deliveryJobId } from "./ids.ts";
import type { HourStats } from "./send-times.ts";
import { loadPerson } from "./snapshot.ts";
import { scheduleNudges, type TimedNudge } from "./timing.ts";
import { nudgeCandidates } from "./triggers.ts";

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

export interface PersonEvaluation {
  /** Nudges this evaluation recorded and enqueued. */
  scheduled: TimedNudge[];
  /** Decided earlier (same dedupe key) and left alone. */
  known: number;
  dropped: number;
}

/** Decides, records and enqueues one person's nudges as of `now`. */
export async function evaluatePerson(
  services: EngineServices,
  workspaceId: string,
  personId: string,
  sendTimes: ReadonlyMap<number, HourStats>,
): Promise<PersonEvaluation> {
  const now = services.now();
  const loaded = await loadPerson(services.db, workspaceId, personId, now);
  if (!loaded) return { scheduled: [], known: 0, dropped: 0 };
  const candidates = nudgeCandidates(loaded.snapshot);
  const localDate = DateTime.fromJSDate(now, { zone: loaded.snapshot.timezone }).toISODate() as string;
  const { known, alreadyToday } = await services.db.scoped(workspaceId, async (tx) => ({
    known: await existingNudgeIds(
      tx,
      candidates.map((c) => c.id),
    ),
    alreadyToday: await countNudgesOn(tx, personId, localDate),
  }));
  const fresh = candidates.filter((c) => !known.has(c.id));
  const timing = scheduleNudges(fresh, {
    personId,
    timezone: loaded.snapshot.timezone,
    workingHours: loaded.snapshot.workingHours,
    now: now.toISOString(),
    preferences: loaded.preferences,
    busy: loaded.busy,
    alreadyToday,
    sendTimes,
  });
  const recorded: TimedNudge[] = [];
  if (timing.scheduled.length > 0) {
    await services.db.scoped(workspaceId, async (tx) => {
      for (const nudge of timing.scheduled) {
        const created = await insertNudge(tx, {
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
        });
        if (created) recorded.push(nudge);
      }
    });
  }
  for (const nudge of recorded) {
    await enqueueDelivery(services, {
      workspaceId,
      id: nudge.id,
      scheduledFor: nudge.sendAt,
      snoozeCount: 0,
    });
  }
  return { scheduled: recorded, known: known.size, dropped: timing.dropped.length };
}

/** Re-enqueues the person's nudges still waiting to be sent: a no-op while their jobs exist. */
export async function requeueScheduled(
  services: EngineServices,
  workspaceId: string,
  personId: string,
): Promise<number> {
  const waiting = await services.db.scoped(workspaceId, (tx) => scheduledNudges(tx, personId));
  for (const nudge of waiting) await enqueueDelivery(services, { workspaceId, ...nudge });
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
}

/** Evaluates everyone (or one workspace); one person's failure is logged and does not stop the sweep. */
export async function sweep(services: EngineServices, job: SweepJob = {}): Promise<SweepResult> {
  const everyone = await services.db.system(systemListPeopleForNudges);
  const people = job.workspaceId ? everyone.filter((p) => p.workspaceId === job.workspaceId) : everyone;
  const stats = new Map<string, Map<number, HourStats>>();
  const result: SweepResult = { people: 0, scheduled: 0, failedPeople: 0 };
  for (const { workspaceId, personId } of people) {
    try {
      let sendTimes = stats.get(workspaceId);
      if (!sendTimes) {
        sendTimes = await workspaceSendTimes(services, workspaceId);
        stats.set(workspaceId, sendTimes);
      }
      await requeueScheduled(services, workspaceId, personId);
      const evaluation = await evaluatePerson(services, workspaceId, personId, sendTimes);
      result.scheduled += evaluation.scheduled.length;
    } catch (error) {
      result.failedPeople += 1;
      services.log.warn({ err: error, workspaceId, personId }, "nudges: could not evaluate a person");
    }
    result.people += 1;
  }
  return result;
}
