/**
 * The evaluator's read side for a batch of people: one snapshot transaction of set-based queries gives each
 * person's day (profile, preferences, today's blocks and meetings, open tasks due soon, what they started and
 * finished, the latest plan's unfitted work) and how many nudges today already holds. The streak's 40-day look
 * back is read only for people who finished something today (nothing else can make a streak nudge).
 */
import { DateTime } from "luxon";
import type { Db } from "../db/port.ts";
import {
  activityOfPeople,
  blocksOfPeople,
  busyEventsOfPeople,
  latestUnscheduledOfPeople,
  nudgeCountsOn,
  openTasksDueBetween,
  peopleByIds,
  type SweepPersonRow,
} from "../db/repositories/nudge-sweep.ts";
import type { Person } from "../domain.ts";
import { profileFromRow } from "../scheduling/input/profile.ts";
import { type NudgePreferences, nudgePreferencesFrom } from "./kinds.ts";
import { type LoadedPerson, streakFrom } from "./snapshot.ts";
import { DEFAULT_TRIGGER_SETTINGS, type PersonSnapshot, type SnapshotBlock } from "./triggers.ts";
import { zoneAround } from "./zone.ts";

const DAY = 86_400_000;
export const STREAK_LOOKBACK_DAYS = 40;
const STARTED = ["task_started", "focus_started"];

export interface BatchPerson extends LoadedPerson {
  person: Person;
  /** The person's local date now (their daily cap counts per local day). */
  localDate: string;
  /** Nudges already scheduled or sent on that date. */
  alreadyToday: number;
}

const groupBy = <T extends { personId: string }>(rows: readonly T[]): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.personId);
    if (group) group.push(row);
    else groups.set(row.personId, [row]);
  }
  return groups;
};

interface PersonDay {
  row: SweepPersonRow;
  timezone: string;
  workingHours: PersonSnapshot["workingHours"];
  preferences: NudgePreferences;
  dayStart: string;
  dayEnd: string;
  localDate: string;
}

type Profile = { timezone: string; workingHours: PersonSnapshot["workingHours"] };

/**
 * Zone and working hours per distinct stored pair: most people share a handful, and reading a profile (zod, a
 * zone check through Intl) costs more than everything else the evaluator does for a person.
 */
const profiles = new Map<string, Profile>();

function profileOf(row: SweepPersonRow): Profile {
  const hours = typeof row.workingHours === "string" ? row.workingHours : JSON.stringify(row.workingHours);
  const key = `${row.timezone}\n${hours}`;
  let profile = profiles.get(key);
  if (!profile) {
    const full = profileFromRow({
      timezone: row.timezone,
      working_hours: row.workingHours,
      preferences: null,
    });
    profile = { timezone: full.timezone, workingHours: full.workingHours };
    if (profiles.size >= 10_000) profiles.clear();
    profiles.set(key, profile);
  }
  return profile;
}

type Bounds = Pick<PersonDay, "dayStart" | "dayEnd" | "localDate">;

function boundsOf(timezone: string, now: Date, seen: Map<string, Bounds>): Bounds {
  let bounds = seen.get(timezone);
  if (!bounds) {
    const local = DateTime.fromJSDate(now, { zone: zoneAround(timezone, now.getTime()) });
    bounds = {
      dayStart: local.startOf("day").toUTC().toISO() as string,
      dayEnd: local.endOf("day").toUTC().toISO() as string,
      localDate: local.toISODate() as string,
    };
    seen.set(timezone, bounds);
  }
  return bounds;
}

function dayOf(row: SweepPersonRow, now: Date, seen: Map<string, Bounds>): PersonDay {
  const profile = profileOf(row);
  const nudges =
    row.preferences && typeof row.preferences === "object"
      ? (row.preferences as Record<string, unknown>).nudges
      : undefined;
  return {
    row,
    timezone: profile.timezone,
    workingHours: profile.workingHours,
    preferences: nudgePreferencesFrom(nudges ?? null),
    ...boundsOf(profile.timezone, now, seen),
  };
}

/** Whether anything could be sent to this person today: some kind on and room under the cap. */
const mayNudge = (day: PersonDay, alreadyToday: number) =>
  day.preferences.enabledKinds.length > 0 && alreadyToday < day.preferences.dailyCap;

/**
 * Reads the batch's days as of `now`. People who cannot get a nudge today (every kind off, or the daily cap
 * reached) come back without their detail (`skipped`).
 */
export async function loadBatch(
  db: Db,
  workspaceId: string,
  personIds: readonly string[],
  now: Date,
): Promise<{ people: BatchPerson[]; skipped: number }> {
  const nowIso = now.toISOString();
  const horizon = new Date(now.getTime() + DEFAULT_TRIGGER_SETTINGS.riskHorizonDays * DAY).toISOString();
  return db.scoped(
    workspaceId,
    async (tx) => {
      const seen = new Map<string, Bounds>();
      const days = (await peopleByIds(tx, personIds)).map((row) => dayOf(row, now, seen));
      const counts = await nudgeCountsOn(
        tx,
        days.map((d) => d.row.id),
        days.map((d) => d.localDate),
      );
      const countOf = new Map(counts.map((c) => [`${c.personId}/${c.localDate}`, c.count]));
      const already = (d: PersonDay) => countOf.get(`${d.row.id}/${d.localDate}`) ?? 0;
      const live = days.filter((d) => mayNudge(d, already(d)));
      if (live.length === 0) return { people: [], skipped: days.length };
      const ids = live.map((d) => d.row.id);
      const from = live.reduce((min, d) => (d.dayStart < min ? d.dayStart : min), nowIso);
      const to = live.reduce((max, d) => (d.dayEnd > max ? d.dayEnd : max), nowIso);
      const blocks = groupBy(await blocksOfPeople(tx, workspaceId, ids, from, to));
      const meetings = groupBy(await busyEventsOfPeople(tx, workspaceId, ids, from, to));
      const dueSoon = groupBy(await openTasksDueBetween(tx, ids, nowIso, horizon));
      const activity = groupBy(
        await activityOfPeople(tx, workspaceId, ids, from, nowIso, [...STARTED, "task_completed"]),
      );
      const unscheduled = groupBy(await latestUnscheduledOfPeople(tx, ids));
      const todayOf = (d: PersonDay) => (activity.get(d.row.id) ?? []).filter((e) => e.at >= d.dayStart);
      const finishedToday = live.filter((d) => todayOf(d).some((e) => e.type === "task_completed"));
      const completions =
        finishedToday.length === 0
          ? new Map<string, { at: string }[]>()
          : groupBy(
              await activityOfPeople(
                tx,
                workspaceId,
                finishedToday.map((d) => d.row.id),
                new Date(now.getTime() - STREAK_LOOKBACK_DAYS * DAY).toISOString(),
                nowIso,
                ["task_completed"],
              ),
            );
      const people = live.map((d): BatchPerson => {
        const id = d.row.id;
        const today = todayOf(d);
        const own = (blocks.get(id) ?? []).filter((b) => b.end > d.dayStart && b.start < d.dayEnd);
        const snapshot: PersonSnapshot = {
          workspaceId,
          personId: id,
          timezone: d.timezone,
          workingHours: d.workingHours,
          now: nowIso,
          blocks: own.map(
            (b): SnapshotBlock => ({
              id: b.id,
              taskId: b.taskId,
              title: b.title ?? "Focus time",
              kind: b.kind,
              status: b.status,
              start: b.start,
              end: b.end,
            }),
          ),
          meetings: (meetings.get(id) ?? [])
            .filter((m) => m.end > d.dayStart && m.start < d.dayEnd)
            .map((m) => ({ start: m.start, end: m.end })),
          tasks: (dueSoon.get(id) ?? []).map((t) => ({
            id: t.id,
            title: t.title,
            due: t.due,
            probability: null,
          })),
          startedTaskIds: today
            .filter((e) => STARTED.includes(e.type) && e.taskId)
            .map((e) => e.taskId as string),
          unscheduled: (unscheduled.get(id) ?? []).map((u) => ({ taskId: u.taskId, title: u.title })),
          completedToday: today.filter((e) => e.type === "task_completed").length,
          streakDays: streakFrom(
            (completions.get(id) ?? []).map((e) => e.at),
            d.timezone,
            now,
          ),
        };
        const busy = [
          ...snapshot.meetings,
          ...snapshot.blocks
            .filter((b) => (b.status === "planned" || b.status === "accepted") && b.kind !== "habit")
            .map((b) => ({ start: b.start, end: b.end, blockId: b.id })),
        ];
        return {
          person: {
            id,
            email: d.row.email,
            name: d.row.name,
            timezone: d.row.timezone,
            isAdmin: d.row.isAdmin,
          },
          snapshot,
          preferences: d.preferences,
          busy,
          localDate: d.localDate,
          alreadyToday: already(d),
        };
      });
      return { people, skipped: days.length - live.length };
    },
    { snapshot: true },
  );
}
