/**
 * The baseline for the nudge-sweep benchmark: the evaluator as it was before the batched sweep, kept here so
 * one run measures both on the same data. Per person: re-enqueue their waiting nudges, read their day
 * (engine/nudges/snapshot.ts: about ten queries), behaviour insights whenever a deadline is close, look up known
 * nudges and today's count, insert each nudge on its own. Not used by Cairn itself.
 */
import { DateTime } from "luxon";
import {
  countNudgesOn,
  existingNudgeIds,
  insertNudge,
  scheduledNudges,
  systemListPeopleForNudges,
} from "../../../engine/db/repositories/nudges.ts";
import { enqueueDelivery, workspaceSendTimes } from "../../../engine/nudges/scheduler.ts";
import type { HourStats } from "../../../engine/nudges/send-times.ts";
import { loadPerson } from "../../../engine/nudges/snapshot.ts";
import { scheduleNudges } from "../../../engine/nudges/timing.ts";
import { nudgeCandidates } from "../../../engine/nudges/triggers.ts";
import type { EngineServices } from "../../../engine/services.ts";

async function evaluatePerson(
  services: EngineServices,
  workspaceId: string,
  personId: string,
  sendTimes: ReadonlyMap<number, HourStats>,
): Promise<string[]> {
  const now = services.now();
  const loaded = await loadPerson(services.db, workspaceId, personId, now);
  if (!loaded) return [];
  const candidates = nudgeCandidates(loaded.snapshot);
  const localDate = DateTime.fromJSDate(now, { zone: loaded.snapshot.timezone }).toISODate() as string;
  const { known, alreadyToday } = await services.db.scoped(workspaceId, async (tx) => ({
    known: await existingNudgeIds(
      tx,
      candidates.map((c) => c.id),
    ),
    alreadyToday: await countNudgesOn(tx, personId, localDate),
  }));
  const timing = scheduleNudges(
    candidates.filter((c) => !known.has(c.id)),
    {
      personId,
      timezone: loaded.snapshot.timezone,
      workingHours: loaded.snapshot.workingHours,
      now: now.toISOString(),
      preferences: loaded.preferences,
      busy: loaded.busy,
      alreadyToday,
      sendTimes,
    },
  );
  const recorded: string[] = [];
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
      if (created) recorded.push(nudge.id);
    }
  });
  for (const nudge of timing.scheduled.filter((n) => recorded.includes(n.id))) {
    await enqueueDelivery(services, {
      workspaceId,
      id: nudge.id,
      scheduledFor: nudge.sendAt,
      snoozeCount: 0,
    });
  }
  return recorded;
}

/** The old sweep over one workspace; returns the ids of the nudges it recorded. */
export async function perPersonSweep(services: EngineServices, workspaceId: string): Promise<string[]> {
  const people = (await services.db.system(systemListPeopleForNudges)).filter(
    (p) => p.workspaceId === workspaceId,
  );
  const sendTimes = await workspaceSendTimes(services, workspaceId);
  const recorded: string[] = [];
  for (const { personId } of people) {
    const waiting = await services.db.scoped(workspaceId, (tx) => scheduledNudges(tx, personId));
    for (const nudge of waiting) await enqueueDelivery(services, { workspaceId, ...nudge });
    recorded.push(...(await evaluatePerson(services, workspaceId, personId, sendTimes)));
  }
  return recorded;
}
