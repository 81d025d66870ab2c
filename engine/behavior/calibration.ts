/**
 * Per-person effort calibration, learned online. Each finished task with an estimate and a known actual
 * duration (derived from its focus sessions and kept blocks, or its start→completion span, exactly as the
 * batch models derive it) adds one sample, log(actual/estimate), to the person's stored running totals: count,
 * sum and sum of squares, overall and per tag. The effort model turns the totals into the same shrunk
 * multiplier, per-tag multipliers and 80 % interval as `effort()` computes from the full history, so readers
 * (get_insights, estimate_task, planning) read a few rows instead of every finished task.
 *
 * Recording is keyed by (task, completion time): a task finished again is re-counted once, and one that was
 * reopened, reassigned or deleted has its sample taken back out, so the totals always match the batch
 * computation over the person's currently finished tasks.
 */
import type { Queryable } from "../db/port.ts";
import {
  ALL_TASKS_TAG,
  applyCalibrationChange,
  type CalibrationSample,
  type CalibrationTotals,
  doneTasksSignature,
  lockPersonCalibration,
  readCalibrationSignature,
  readCalibrationTotals,
  sameSignature,
  saveCalibrationSignature,
  staleSamples,
  type UnrecordedCompletion,
  unrecordedCompletions,
  type WorkEvidence,
  workEvidence,
} from "../db/repositories/person-calibration.ts";
import type { PersonCalibration } from "./calibration-totals.ts";
import { minutesPerTask } from "./effort.ts";
import { workIntervals } from "./history.ts";
import type { HistoryEvent, InsightsInput } from "./insights-input.ts";

/** Finished tasks folded in per step: bounds one query and one transaction for a person's first backlog. */
const BATCH = 2_000;
/**
 * Unrecorded completions folded in memory by a read-only reader. A backlog this long only exists before the
 * first learnCompletions for a person with a long history (it runs at every completion and before get_insights).
 */
const READ_ONLY_BACKLOG = 20_000;

/** Work intervals need no working hours or zone: a placeholder person for the per-task history. */
const NO_PERSON: InsightsInput["person"] = {
  timezone: "UTC",
  workingHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
};

/** A person's stored calibration: totals over all their samples and per tag. */
export type { PersonCalibration };

export const EMPTY_CALIBRATION: PersonCalibration = { samples: 0, sumLog: 0, sumSqLog: 0, tags: new Map() };

/** The totals of a set of log ratios (the batch computation the stored totals must equal). */
export function calibrationFromSamples(
  samples: readonly { logRatio: number; tags: readonly string[] }[],
): PersonCalibration {
  const out: PersonCalibration = { samples: 0, sumLog: 0, sumSqLog: 0, tags: new Map() };
  for (const s of samples) add(out, s.logRatio, s.tags, 1);
  return out;
}

function add(into: PersonCalibration, logRatio: number, tags: readonly string[], sign: 1 | -1): void {
  into.samples += sign;
  into.sumLog += sign * logRatio;
  into.sumSqLog += sign * logRatio * logRatio;
  for (const tag of new Set(tags)) {
    const t = into.tags.get(tag) ?? { samples: 0, sumLog: 0, sumSqLog: 0 };
    t.samples += sign;
    t.sumLog += sign * logRatio;
    t.sumSqLog += sign * logRatio * logRatio;
    into.tags.set(tag, t);
  }
}

function fromTotals(rows: readonly CalibrationTotals[]): PersonCalibration {
  const out: PersonCalibration = { samples: 0, sumLog: 0, sumSqLog: 0, tags: new Map() };
  for (const row of rows) {
    const totals = { samples: row.samples, sumLog: row.sumLog, sumSqLog: row.sumSqLog };
    if (row.tag === ALL_TASKS_TAG) Object.assign(out, totals);
    else if (row.samples > 0) out.tags.set(row.tag, totals);
  }
  return out;
}

function toDeltas(change: PersonCalibration): CalibrationTotals[] {
  if (change.samples === 0 && change.tags.size === 0) return [];
  return [
    { tag: ALL_TASKS_TAG, samples: change.samples, sumLog: change.sumLog, sumSqLog: change.sumSqLog },
    ...[...change.tags].map(([tag, t]) => ({ tag, ...t })),
  ];
}

/**
 * The sample each finished task gives: log(actual minutes / estimate), with the actual minutes derived from
 * the task's own focus sessions and kept blocks (or its start→completion span) as `workIntervals` derives them
 * for the batch models, as of `now`. Null when the task had no estimate or no tracked time.
 */
export function samplesFor(
  completions: readonly UnrecordedCompletion[],
  evidence: WorkEvidence,
  now: Date,
): CalibrationSample[] {
  const byTask = new Map<string, HistoryEvent[]>();
  const push = (taskId: string, event: HistoryEvent) => {
    const list = byTask.get(taskId);
    if (list) list.push(event);
    else byTask.set(taskId, [event]);
  };
  for (const e of evidence.events) push(e.taskId, { type: e.type, at: e.occurredAt, taskId: e.taskId });
  for (const b of evidence.blocks) {
    push(b.taskId, { type: "focus_started", at: b.start, taskId: b.taskId });
    push(b.taskId, { type: "focus_ended", at: b.end, taskId: b.taskId });
  }
  return completions.map((task) => {
    const events = byTask.get(task.taskId) ?? [];
    let logRatio: number | null = null;
    if (task.estimateMinutes && events.length > 0) {
      const work = workIntervals({
        person: NO_PERSON,
        now: now.toISOString(),
        tasks: [],
        events,
        busy: [],
      });
      const actual = minutesPerTask(work).get(task.taskId);
      if (actual && actual > 0) logRatio = Math.log(actual / task.estimateMinutes);
    }
    return { taskId: task.taskId, completedAt: task.completedAt, logRatio, tags: task.tags };
  });
}

interface PendingChange {
  removed: CalibrationSample[];
  added: CalibrationSample[];
  delta: PersonCalibration;
}

async function pendingChange(
  tx: Queryable,
  personId: string,
  now: Date,
  limit: number,
): Promise<PendingChange | null> {
  const removed = await staleSamples(tx, personId);
  const completions = await unrecordedCompletions(tx, personId, limit);
  if (removed.length === 0 && completions.length === 0) return null;
  const evidence = await workEvidence(
    tx,
    personId,
    completions.map((c) => c.taskId),
  );
  const added = samplesFor(completions, evidence, now);
  const delta: PersonCalibration = { samples: 0, sumLog: 0, sumSqLog: 0, tags: new Map() };
  for (const s of removed) if (s.logRatio !== null) add(delta, s.logRatio, s.tags, -1);
  for (const s of added) if (s.logRatio !== null) add(delta, s.logRatio, s.tags, 1);
  return { removed, added, delta };
}

/**
 * Folds the person's completions not yet recorded (and takes out samples that no longer stand) into their
 * stored calibration, in the caller's (read-write) transaction. With `whenChanged`, first compares one
 * aggregate over the person's finished tasks (count, latest completion, latest update) with the one stored at
 * the last reconciliation and stops there when nothing changed; the completion hooks reconcile in full.
 */
export async function learnCompletions(
  tx: Queryable,
  workspaceId: string,
  personId: string,
  now: Date,
  options: { whenChanged?: boolean } = {},
): Promise<void> {
  await lockPersonCalibration(tx, personId);
  const signature = await doneTasksSignature(tx, personId);
  if (options.whenChanged) {
    const stored = await readCalibrationSignature(tx, personId);
    if (stored && sameSignature(stored, signature)) return;
  }
  for (;;) {
    const change = await pendingChange(tx, personId, now, BATCH);
    if (!change) break;
    await applyCalibrationChange(tx, workspaceId, personId, {
      removed: change.removed,
      added: change.added,
      deltas: toDeltas(change.delta),
    });
    if (change.added.length < BATCH) break;
  }
  await saveCalibrationSignature(tx, workspaceId, personId, signature);
}

/**
 * The person's calibration as of now without writing (safe in a read-only snapshot): the stored totals, plus
 * whatever is not recorded yet folded in memory when the finished tasks changed since the last reconciliation.
 */
export async function currentCalibration(
  tx: Queryable,
  personId: string,
  now: Date,
): Promise<PersonCalibration> {
  const stored = fromTotals(await readCalibrationTotals(tx, personId));
  const [signature, checked] = [
    await doneTasksSignature(tx, personId),
    await readCalibrationSignature(tx, personId),
  ];
  if (checked && sameSignature(checked, signature)) return stored;
  const change = await pendingChange(tx, personId, now, READ_ONLY_BACKLOG);
  if (!change) return stored;
  for (const s of change.removed) if (s.logRatio !== null) add(stored, s.logRatio, s.tags, -1);
  for (const s of change.added) if (s.logRatio !== null) add(stored, s.logRatio, s.tags, 1);
  for (const [tag, t] of stored.tags) if (t.samples <= 0) stored.tags.delete(tag);
  return stored;
}
