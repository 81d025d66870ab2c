/**
 * Timing: when each candidate nudge may go. Inside the person's working hours (in their time zone), never
 * during a meeting or a focus block, never in their quiet hours, at most `dailyCap` a day (the most urgent
 * first), and, for the kinds whose moment is flexible, at the hour the pooled send-time bandit picks.
 */
import { DateTime } from "luxon";
import type { Weekday } from "../domain.ts";
import { KIND_PRIORITY, type NudgeKind, type NudgePreferences, type QuietHours } from "./kinds.ts";
import { chooseSendHour, type SendTimeStats } from "./send-times.ts";
import { localDay, type NudgeCandidate } from "./triggers.ts";

const MINUTE = 60_000;
const STEP = 5 * MINUTE;
export const DEFAULT_HORIZON_MS = 60 * MINUTE;

export interface TimingInput {
  personId: string;
  timezone: string;
  workingHours: Partial<Record<Weekday, { start: string; end: string }[]>>;
  now: string;
  preferences: NudgePreferences;
  /** Meetings and focus blocks (with their ids, so a nudge about a block may go inside it). */
  busy: { start: string; end: string; blockId?: string | null }[];
  /** Nudges already scheduled or sent on the person's local today (they count toward the cap). */
  alreadyToday: number;
  sendTimes: SendTimeStats;
  /**
   * Only nudges due within this long are scheduled now (default an hour); later ones are decided by a later
   * evaluation, so they do not take the daily cap from more urgent nudges that come up in between.
   */
  horizonMs?: number;
}

export interface TimedNudge extends NudgeCandidate {
  sendAt: string;
  /** The local hour it goes in (the bandit's arm). */
  sendHour: number;
  localDate: string;
}

export type DropReason = "kind_off" | "no_time" | "daily_cap" | "later";

export interface TimingResult {
  scheduled: TimedNudge[];
  dropped: { id: string; kind: NudgeKind; reason: DropReason }[];
}

function minutesOfClock(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function inQuietHours(quiet: QuietHours | null, localMinutes: number): boolean {
  if (!quiet) return false;
  const start = minutesOfClock(quiet.start);
  const end = minutesOfClock(quiet.end);
  if (start === end) return false;
  return start < end
    ? localMinutes >= start && localMinutes < end
    : localMinutes >= start || localMinutes < end;
}

/** May a nudge (about `ownBlockId`, if any) go at `at`? */
function allowedAt(input: TimingInput, at: number, ownBlockId: string | null): boolean {
  const local = DateTime.fromMillis(at, { zone: input.timezone });
  if (inQuietHours(input.preferences.quietHours, local.hour * 60 + local.minute)) return false;
  const day = localDay(input.timezone, at, input.workingHours);
  if (!day.intervals.some((i) => at >= i.start && at < i.end)) return false;
  return !input.busy.some(
    (b) =>
      (ownBlockId === null || b.blockId !== ownBlockId) &&
      at >= Date.parse(b.start) &&
      at < Date.parse(b.end),
  );
}

/** The first allowed moment in [from, to], in 5-minute steps. */
function firstAllowed(
  input: TimingInput,
  from: number,
  to: number,
  ownBlockId: string | null,
): number | undefined {
  for (let at = from; at <= to; at += STEP) if (allowedAt(input, at, ownBlockId)) return at;
  return undefined;
}

/** Local hours whose start..end overlaps [from, to] and that have an allowed moment. */
function candidateHours(input: TimingInput, from: number, to: number, ownBlockId: string | null): number[] {
  const hours: number[] = [];
  let cursor = DateTime.fromMillis(from, { zone: input.timezone }).startOf("hour");
  while (cursor.toMillis() <= to) {
    const start = Math.max(from, cursor.toMillis());
    const end = Math.min(to, cursor.plus({ hours: 1 }).toMillis() - 1);
    if (firstAllowed(input, start, end, ownBlockId) !== undefined && !hours.includes(cursor.hour))
      hours.push(cursor.hour);
    cursor = cursor.plus({ hours: 1 });
  }
  return hours;
}

export function scheduleNudges(candidates: readonly NudgeCandidate[], input: TimingInput): TimingResult {
  const result: TimingResult = { scheduled: [], dropped: [] };
  const enabled = new Set(input.preferences.enabledKinds);
  const ordered = [...candidates].sort(
    (a, b) => KIND_PRIORITY[b.kind] - KIND_PRIORITY[a.kind] || a.earliest.localeCompare(b.earliest),
  );
  let room = Math.max(0, input.preferences.dailyCap - input.alreadyToday);
  for (const candidate of ordered) {
    if (!enabled.has(candidate.kind)) {
      result.dropped.push({ id: candidate.id, kind: candidate.kind, reason: "kind_off" });
      continue;
    }
    if (room <= 0) {
      result.dropped.push({ id: candidate.id, kind: candidate.kind, reason: "daily_cap" });
      continue;
    }
    const earliest = Date.parse(candidate.earliest);
    const latest = Date.parse(candidate.latest);
    let from = earliest;
    if (candidate.flexible) {
      const hours = candidateHours(input, earliest, latest, candidate.ownBlockId);
      const localDate = DateTime.fromMillis(earliest, { zone: input.timezone }).toISODate();
      const hour = chooseSendHour(hours, input.sendTimes, [input.personId, localDate, candidate.dedupeKey]);
      if (hour !== undefined) {
        let start = DateTime.fromMillis(earliest, { zone: input.timezone }).set({
          hour,
          minute: 0,
          second: 0,
          millisecond: 0,
        });
        if (start.toMillis() < earliest) start = start.plus({ days: 1 });
        from = Math.max(earliest, Math.min(latest, start.toMillis()));
      }
    }
    const at = firstAllowed(input, from, latest, candidate.ownBlockId);
    if (at === undefined) {
      result.dropped.push({ id: candidate.id, kind: candidate.kind, reason: "no_time" });
      continue;
    }
    if (at > Date.parse(input.now) + (input.horizonMs ?? DEFAULT_HORIZON_MS)) {
      result.dropped.push({ id: candidate.id, kind: candidate.kind, reason: "later" });
      continue;
    }
    const local = DateTime.fromMillis(at, { zone: input.timezone });
    result.scheduled.push({
      ...candidate,
      sendAt: new Date(at).toISOString(),
      sendHour: local.hour,
      localDate: local.toISODate() as string,
    });
    room -= 1;
  }
  return result;
}
