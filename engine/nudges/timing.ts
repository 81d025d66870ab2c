/**
 * Timing: when each candidate nudge may go. Inside the person's working hours (in their time zone), never
 * during a meeting or a focus block, never in their quiet hours, at most `dailyCap` a day (the most urgent
 * first), and, for the kinds whose moment is flexible, at the hour the pooled send-time bandit picks.
 */
import { DateTime, type Zone } from "luxon";
import type { Weekday } from "../domain.ts";
import { KIND_PRIORITY, type NudgeKind, type NudgePreferences, type QuietHours } from "./kinds.ts";
import { chooseSendHour, type SendTimeStats } from "./send-times.ts";
import { atClock, localDay, type NudgeCandidate } from "./triggers.ts";
import { zoneAround } from "./zone.ts";

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

type Span = { start: number; end: number };
type ZonedInput = TimingInput & { zone: Zone };

/** Removes `cut` from each span (both sorted or not; the result is sorted). */
function subtract(spans: Span[], cut: Span): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    if (cut.end <= span.start || cut.start >= span.end) {
      out.push(span);
      continue;
    }
    if (cut.start > span.start) out.push({ start: span.start, end: cut.start });
    if (cut.end < span.end) out.push({ start: cut.end, end: span.end });
  }
  return out;
}

/**
 * The moments in [from, to] a nudge (about `ownBlockId`, if any) may go: working hours of the local days the
 * window touches, minus quiet hours, minus meetings and focus blocks.
 */
function allowedSpans(input: ZonedInput, from: number, to: number, ownBlockId: string | null): Span[] {
  let spans: Span[] = [];
  const quiet = input.preferences.quietHours;
  let day = DateTime.fromMillis(from, { zone: input.zone }).startOf("day");
  while (day.toMillis() <= to) {
    const local = localDay(input.zone, day.toMillis() + 12 * 3_600_000, input.workingHours);
    let daySpans: Span[] = local.intervals.map((i) => ({ ...i }));
    if (quiet && quiet.start !== quiet.end) {
      const at = (clock: string) => atClock(input.zone, local.date, clock);
      const next = day.plus({ days: 1 }).toMillis();
      const cuts =
        minutesOfClock(quiet.start) < minutesOfClock(quiet.end)
          ? [{ start: at(quiet.start), end: at(quiet.end) }]
          : [
              { start: day.toMillis(), end: at(quiet.end) },
              { start: at(quiet.start), end: next },
            ];
      for (const cut of cuts) daySpans = subtract(daySpans, cut);
    }
    spans.push(...daySpans);
    day = day.plus({ days: 1 });
  }
  for (const busy of input.busy) {
    if (ownBlockId !== null && busy.blockId === ownBlockId) continue;
    spans = subtract(spans, { start: Date.parse(busy.start), end: Date.parse(busy.end) });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** The first allowed moment in [from, to], on the 5-minute grid that starts at `grid`. */
function firstAllowed(spans: readonly Span[], from: number, to: number, grid: number): number | undefined {
  for (const span of spans) {
    const earliest = Math.max(from, span.start);
    const at = grid + Math.ceil((earliest - grid) / STEP) * STEP;
    if (at > to) return undefined;
    if (at < span.end) return at;
  }
  return undefined;
}

/** Local hours whose start..end overlaps [from, to] and that have an allowed moment. */
function candidateHours(input: ZonedInput, spans: readonly Span[], from: number, to: number): number[] {
  const hours: number[] = [];
  let cursor = DateTime.fromMillis(from, { zone: input.zone }).startOf("hour");
  while (cursor.toMillis() <= to) {
    const start = Math.max(from, cursor.toMillis());
    const end = Math.min(to, cursor.toMillis() + 3_600_000 - 1);
    if (firstAllowed(spans, start, end, from) !== undefined && !hours.includes(cursor.hour))
      hours.push(cursor.hour);
    cursor = cursor.plus({ hours: 1 });
  }
  return hours;
}

export function scheduleNudges(candidates: readonly NudgeCandidate[], given: TimingInput): TimingResult {
  const input: ZonedInput = { ...given, zone: zoneAround(given.timezone, Date.parse(given.now)) };
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
    const spans = allowedSpans(input, earliest, latest, candidate.ownBlockId);
    let from = earliest;
    if (candidate.flexible) {
      const hours = candidateHours(input, spans, earliest, latest);
      const localDate = DateTime.fromMillis(earliest, { zone: input.zone }).toISODate();
      const hour = chooseSendHour(hours, input.sendTimes, [input.personId, localDate, candidate.dedupeKey]);
      if (hour !== undefined) {
        let start = DateTime.fromMillis(earliest, { zone: input.zone }).set({
          hour,
          minute: 0,
          second: 0,
          millisecond: 0,
        });
        // The hour already under way still counts (from `earliest`); an hour that is over means tomorrow's.
        if (start.toMillis() + 3_600_000 <= earliest) start = start.plus({ days: 1 });
        from = Math.max(earliest, Math.min(latest, start.toMillis()));
      }
    }
    const at = firstAllowed(spans, from, latest, from);
    if (at === undefined) {
      result.dropped.push({ id: candidate.id, kind: candidate.kind, reason: "no_time" });
      continue;
    }
    if (at > Date.parse(input.now) + (input.horizonMs ?? DEFAULT_HORIZON_MS)) {
      result.dropped.push({ id: candidate.id, kind: candidate.kind, reason: "later" });
      continue;
    }
    const local = DateTime.fromMillis(at, { zone: input.zone });
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
