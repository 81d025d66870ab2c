/**
 * Turns "tomorrow afternoon", "next Monday 9-11", "friday 14:00-15:30" or "in 2 hours" into a time window in
 * the person's zone. chrono-node finds the date; an explicit hour range is read here (chrono does not parse
 * "9-11"); parts of the day map to fixed local windows.
 */

import * as chrono from "chrono-node";
import { DateTime } from "luxon";
import { WEEKDAYS } from "../../domain.ts";
import { invalidInput } from "../../errors.ts";
import type { PlanningProfile } from "./profile.ts";

export const DAY_PARTS = {
  morning: [8 * 60, 12 * 60],
  afternoon: [12 * 60, 17 * 60],
  evening: [17 * 60, 21 * 60],
} as const;

export interface TimeWindow {
  start: string;
  end: string;
  /** Human description in the person's zone, e.g. "Thu 5 Mar 12:00–17:00". */
  label: string;
}

const RANGE =
  /\b(?:from\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:-|–|to|until|till)\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/i;

function hour24(hour: number, meridiem: string | undefined, fallbackPm: boolean): number {
  const m = meridiem?.toLowerCase();
  if (m === "pm" && hour < 12) return hour + 12;
  if (m === "am" && hour === 12) return 0;
  if (!m && fallbackPm && hour >= 1 && hour <= 6) return hour + 12;
  return hour;
}

export function labelWindow(zone: string, startMs: number, endMs: number): string {
  const start = DateTime.fromMillis(startMs, { zone, locale: "en-GB" });
  const end = DateTime.fromMillis(endMs, { zone, locale: "en-GB" });
  const sameDay = start.hasSame(end, "day");
  return `${start.toFormat("ccc d LLL HH:mm")}–${sameDay ? end.toFormat("HH:mm") : end.toFormat("ccc d LLL HH:mm")}`;
}

/**
 * Parses a phrase into a window after `now`. A bare date means that day's working hours; a single time means
 * a window of `minutes` from it. Throws invalid_input (field `when`) when nothing usable is found.
 */
export function parseWindow(
  phrase: string,
  now: Date,
  profile: PlanningProfile,
  minutes: number,
): TimeWindow {
  // Read as written first ("this morning" stays today); a window that is over is read forward ("monday").
  const asWritten = windowOf(phrase, now, profile, minutes, false);
  if (asWritten.endMs > now.getTime() || /\b(yesterday|last|ago)\b/i.test(phrase))
    return finish(phrase, now, profile, asWritten);
  return finish(phrase, now, profile, windowOf(phrase, now, profile, minutes, true));
}

function finish(
  phrase: string,
  now: Date,
  profile: PlanningProfile,
  window: { startMs: number; endMs: number },
): TimeWindow {
  const zone = profile.timezone;
  const { endMs } = window;
  let { startMs } = window;
  if (endMs <= now.getTime()) {
    throw invalidInput(`"${phrase}" (${labelWindow(zone, startMs, endMs)}) is already over`, [
      { path: "when", message: "give a window in the future" },
    ]);
  }
  startMs = Math.max(startMs, now.getTime());
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    label: labelWindow(zone, startMs, endMs),
  };
}

function windowOf(
  phrase: string,
  now: Date,
  profile: PlanningProfile,
  minutes: number,
  forwardDate: boolean,
): { startMs: number; endMs: number } {
  const zone = profile.timezone;
  const localNow = DateTime.fromJSDate(now, { zone });
  // chrono works on a naive wall clock: hand it the local wall time as if it were UTC.
  const naive = new Date(
    Date.UTC(localNow.year, localNow.month - 1, localNow.day, localNow.hour, localNow.minute),
  );
  const range = RANGE.exec(phrase);
  const datePart = range ? phrase.replace(range[0], " ").trim() : phrase;
  const results = datePart ? chrono.parse(datePart, { instant: naive, timezone: 0 }, { forwardDate }) : [];
  const result = results[0];
  if (!result && !range) {
    throw invalidInput(`Could not find a time in "${phrase}"`, [
      { path: "when", message: 'try e.g. "tomorrow afternoon", "next Monday 9-11" or give start and end' },
    ]);
  }
  const at = result?.start;
  const day = at
    ? DateTime.fromObject(
        { year: at.get("year") ?? 0, month: at.get("month") ?? 1, day: at.get("day") ?? 1 },
        { zone },
      )
    : localNow.startOf("day");
  const local = (minuteOfDay: number) => day.startOf("day").plus({ minutes: minuteOfDay });
  let start: DateTime;
  let end: DateTime;
  const tags = result ? [...result.tags()] : [];
  const part = (["morning", "afternoon", "evening"] as const).find((p) =>
    tags.includes(`casualReference/${p}`),
  );
  if (range) {
    const fromH = hour24(Number(range[1]), range[3] ?? range[6], true);
    const toH = hour24(Number(range[4]), range[6], true);
    start = local(fromH * 60 + Number(range[2] ?? 0));
    end = local(toH * 60 + Number(range[5] ?? 0));
    if (end <= start) end = end.plus({ hours: 12 });
  } else if (part) {
    start = local(DAY_PARTS[part][0]);
    end = local(DAY_PARTS[part][1]);
  } else if (at?.isCertain("hour")) {
    start = DateTime.fromObject(
      {
        year: at.get("year") ?? 0,
        month: at.get("month") ?? 1,
        day: at.get("day") ?? 1,
        hour: at.get("hour") ?? 0,
        minute: at.get("minute") ?? 0,
      },
      { zone },
    );
    const chronoEnd = result?.end;
    end = chronoEnd?.isCertain("hour")
      ? DateTime.fromObject(
          {
            year: chronoEnd.get("year") ?? 0,
            month: chronoEnd.get("month") ?? 1,
            day: chronoEnd.get("day") ?? 1,
            hour: chronoEnd.get("hour") ?? 0,
            minute: chronoEnd.get("minute") ?? 0,
          },
          { zone },
        )
      : start.plus({ minutes });
  } else {
    // A whole day: its working hours (or 09:00-17:00 when none are set for that weekday).
    const hours = profile.workingHours[WEEKDAYS[day.weekday - 1] ?? "mon"] ?? [];
    const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
    const first = hours.length ? Math.min(...hours.map((h) => toMin(h.start))) : 9 * 60;
    const last = hours.length ? Math.max(...hours.map((h) => toMin(h.end))) : 17 * 60;
    start = local(first);
    end = local(last);
  }
  return { startMs: start.toMillis(), endMs: end.toMillis() };
}
