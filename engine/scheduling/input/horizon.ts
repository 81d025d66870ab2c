import { DateTime } from "luxon";
import { WEEKDAYS, type Weekday } from "../../domain.ts";
import type { PlanInputRaw, TimeRange } from "./plan-input.ts";
import { PlanInputError } from "./plan-input.ts";

function localDate(timezone: string, isoDate: string): DateTime {
  const date = DateTime.fromISO(isoDate, { zone: timezone });
  if (!date.isValid) {
    throw new PlanInputError(`date: "${isoDate}" is not a valid date in time zone "${timezone}"`, "date");
  }
  return date.startOf("day");
}

function range(from: DateTime, to: DateTime): TimeRange {
  return { start: from.toUTC().toISO() as string, end: to.toUTC().toISO() as string };
}

/** The local calendar day `isoDate` (YYYY-MM-DD) in `timezone`, midnight to midnight (23 or 25 h on DST days). */
export function localDayHorizon(timezone: string, isoDate: string): TimeRange {
  const day = localDate(timezone, isoDate);
  return range(day, day.plus({ days: 1 }).startOf("day"));
}

/** `days` local days starting on `isoDate` (midnight to midnight in `timezone`): "the coming week" is today + 6. */
export function localDaysHorizon(timezone: string, isoDate: string, days: number): TimeRange {
  const day = localDate(timezone, isoDate);
  return range(day, day.plus({ days }).startOf("day"));
}

/** The seven local days of the week containing `isoDate`, starting on `weekStartsOn` (default Monday). */
export function localWeekHorizon(
  timezone: string,
  isoDate: string,
  weekStartsOn: Weekday = "mon",
): TimeRange {
  const day = localDate(timezone, isoDate);
  const back = (day.weekday - 1 - WEEKDAYS.indexOf(weekStartsOn) + 7) % 7;
  const start = day.minus({ days: back }).startOf("day");
  return range(start, start.plus({ days: 7 }).startOf("day"));
}

/** The same scenario with a narrower horizon (clipped to the original one). */
export function narrowHorizon(input: PlanInputRaw, horizon: TimeRange): PlanInputRaw {
  const start = Math.max(Date.parse(horizon.start), Date.parse(input.horizon.start));
  const end = Math.min(Date.parse(horizon.end), Date.parse(input.horizon.end));
  const iso = (ms: number) => new Date(ms).toISOString();
  return { ...input, horizon: { start: iso(start), end: iso(Math.max(start, end)) } };
}
