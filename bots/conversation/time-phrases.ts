/**
 * Dates, times and durations in what people type, read in the person's own time zone.
 * chrono-node finds the phrase; the wall-clock fields it read are then placed in the IANA zone with luxon, so
 * "friday 3pm" is 15:00 where the person lives even across a DST change. Durations are read here first,
 * because chrono would take "2h" or "45 min" for a time of day.
 */
import * as chrono from "chrono-node";
import { DateTime } from "luxon";

export interface ParseClock {
  timezone: string;
  now: Date;
}

/** A deadline phrase with no time of day ("by friday") means the end of that working day. */
export const DEFAULT_DUE_HOUR = 17;

const UNIT_MINUTES: Record<string, number> = {
  m: 1,
  min: 1,
  mins: 1,
  minute: 1,
  minutes: 1,
  h: 60,
  hr: 60,
  hrs: 60,
  hour: 60,
  hours: 60,
  d: 480,
  day: 480,
  days: 480,
};

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  "forty-five": 45,
  fifty: 50,
  ninety: 90,
};

export interface Found<T> {
  value: T;
  /** The text with the phrase taken out. */
  rest: string;
}

function cut(text: string, index: number, length: number): string {
  return `${text.slice(0, index)} ${text.slice(index + length)}`.replace(/\s+/g, " ").trim();
}

const NUMBER = String.raw`(\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|forty-five|fifty|ninety)`;
const UNIT = String.raw`(minutes|minute|mins|min|m|hours|hour|hrs|hr|h)`;
const COMPOUND = /\b(\d+)\s*h(?:ours?|rs?)?\s*(?:and\s+)?(\d{1,2})\s*(?:m(?:in(?:ute)?s?)?)?(?![\w:])/i;
const COLON = /\b(\d+):(\d{2})\s*h(?:ours?|rs?)?\b/i;
const SIMPLE = new RegExp(String.raw`(?<![\w:])${NUMBER}\s*-?\s*${UNIT}\b`, "i");
const HALF_HOUR = /\b(?:half an hour|half hour|30 minutes?)\b/i;
const HOUR_AND_HALF = /\b(?:an?|one|1) hour and a half\b|\b(?:an?|one|1) and a half hours?\b/i;
const N_AND_HALF = /\b(\d+|two|three|four|five|six) and a half hours\b/i;
const COUPLE_HOURS = /\ba couple(?: of)? hours\b/i;
/** "in 2 hours", "2 hours from now", "for 2 hours" (a start, not a length) are left for the date reader. */
const RELATIVE_BEFORE = /\b(?:in|within|after)\s+$/i;
const RELATIVE_AFTER = /^\s*(?:from now|later|ago)\b/i;

function toNumber(word: string): number {
  const lower = word.toLowerCase().replace(",", ".");
  return NUMBER_WORDS[lower] ?? Number(lower);
}

/** A length of work: "2h", "45 min", "1h30", "1.5 hours", "90m", "half an hour", "an hour". */
export function extractDuration(text: string): Found<number> | undefined {
  const candidates: Array<{ index: number; length: number; minutes: number }> = [];
  const push = (match: RegExpExecArray | null, minutes: (m: RegExpExecArray) => number) => {
    if (!match) return;
    const before = text.slice(0, match.index);
    const after = text.slice(match.index + match[0].length);
    if (RELATIVE_BEFORE.test(before) || RELATIVE_AFTER.test(after)) return;
    candidates.push({ index: match.index, length: match[0].length, minutes: minutes(match) });
  };
  push(HOUR_AND_HALF.exec(text), () => 90);
  push(N_AND_HALF.exec(text), (m) => toNumber(m[1] ?? "0") * 60 + 30);
  push(COUPLE_HOURS.exec(text), () => 120);
  push(COMPOUND.exec(text), (m) => Number(m[1]) * 60 + Number(m[2]));
  push(COLON.exec(text), (m) => Number(m[1]) * 60 + Number(m[2]));
  push(HALF_HOUR.exec(text), () => 30);
  push(SIMPLE.exec(text), (m) => {
    const unit = (m[2] ?? "").toLowerCase();
    return Math.round(toNumber(m[1] ?? "0") * (UNIT_MINUTES[unit] ?? 1));
  });
  const valid = candidates.filter((c) => Number.isFinite(c.minutes) && c.minutes > 0);
  if (valid.length === 0) return undefined;
  // The longest phrase wins ("1 hour and a half" over "1 hour").
  valid.sort((a, b) => b.length - a.length || a.index - b.index);
  const best = valid[0];
  if (!best) return undefined;
  return { value: best.minutes, rest: cut(text, best.index, best.length) };
}

export interface DatePhrase {
  /** ISO 8601 with the zone's offset. */
  iso: string;
  /** Local date YYYY-MM-DD. */
  date: string;
  /** Whether the phrase named a time of day. */
  hasTime: boolean;
  /** The words that were read, e.g. "next tuesday". */
  text: string;
  /** The end of a range, when the phrase had one ("9-11", "from 2 to 4pm"). */
  endIso?: string;
}

/** chrono's offset for the zone at `now`: relative phrases ("in 2 days") count from the right wall clock. */
function referenceFor(clock: ParseClock): chrono.ParsingReference {
  const offset = DateTime.fromJSDate(clock.now, { zone: clock.timezone }).offset;
  return { instant: clock.now, timezone: offset };
}

function inZone(
  components: chrono.ParsedComponents,
  clock: ParseClock,
  defaultHour: number,
  partOfDay = false,
): DateTime {
  const hasTime = components.isCertain("hour") || partOfDay;
  const local = DateTime.fromObject(
    {
      year: components.get("year") ?? undefined,
      month: components.get("month") ?? undefined,
      day: components.get("day") ?? undefined,
      hour: hasTime ? (components.get("hour") ?? 0) : defaultHour,
      minute: hasTime ? (components.get("minute") ?? 0) : 0,
    },
    { zone: clock.timezone },
  );
  return local;
}

const EXTRA_PHRASES: Array<{
  pattern: RegExp;
  resolve: (clock: ParseClock, match: RegExpExecArray) => DateTime;
}> = [
  {
    pattern:
      /\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/i,
    resolve: (c, m) => {
      const local = DateTime.fromJSDate(c.now, { zone: c.timezone });
      const day = Number(m[1]);
      let at = local.set({ day: Math.min(day, local.daysInMonth ?? 28), hour: DEFAULT_DUE_HOUR, minute: 0 });
      if (at < local) {
        const next = local.plus({ months: 1 });
        at = next.set({ day: Math.min(day, next.daysInMonth ?? 28), hour: DEFAULT_DUE_HOUR, minute: 0 });
      }
      return at;
    },
  },
  {
    pattern: /\b(?:by\s+)?(?:the\s+)?(?:eod|end of (?:the )?day|end of today|close of business|cob)\b/i,
    resolve: (c) =>
      DateTime.fromJSDate(c.now, { zone: c.timezone }).set({ hour: DEFAULT_DUE_HOUR, minute: 0 }),
  },
  {
    pattern: /\b(?:eow|end of (?:the )?week|end of this week)\b/i,
    resolve: (c) => {
      const local = DateTime.fromJSDate(c.now, { zone: c.timezone });
      const friday = local.plus({ days: (5 - local.weekday + 7) % 7 });
      return friday.set({ hour: DEFAULT_DUE_HOUR, minute: 0, second: 0, millisecond: 0 });
    },
  },
];

const PART_OF_DAY = /\b(?:morning|afternoon|evening|tonight|night|noon|midday|midnight|lunch(?:time)?)\b/i;

/**
 * The first date or time phrase in the text. `defaultHour` applies when only a day was named
 * (17:00 for a deadline, 9:00 for a start).
 */
export function extractDate(
  text: string,
  clock: ParseClock,
  defaultHour = DEFAULT_DUE_HOUR,
): Found<DatePhrase> | undefined {
  for (const extra of EXTRA_PHRASES) {
    const match = extra.pattern.exec(text);
    if (match) {
      const at = extra.resolve(clock, match).set({ second: 0, millisecond: 0 });
      return {
        value: { iso: isoOf(at), date: at.toISODate() ?? "", hasTime: false, text: match[0] },
        rest: cut(text, match.index, match[0].length),
      };
    }
  }
  const results = chrono.parse(text, referenceFor(clock), { forwardDate: true });
  const first = results.find((r) => !/^\d{1,2}$/.test(r.text.trim()));
  if (!first) return undefined;
  // "tonight", "this afternoon": chrono implies an hour for the part of the day; keep it.
  const partOfDay = PART_OF_DAY.test(first.text);
  const hasTime = first.start.isCertain("hour") || partOfDay;
  const start = inZone(first.start, clock, defaultHour, partOfDay);
  if (!start.isValid) return undefined;
  let endIso: string | undefined;
  if (first.end?.isCertain("hour")) {
    const end = inZone(first.end, clock, defaultHour);
    if (end.isValid) endIso = isoOf(end);
  }
  return {
    value: {
      iso: isoOf(start),
      date: start.toISODate() ?? "",
      hasTime,
      text: first.text,
      ...(endIso ? { endIso } : {}),
    },
    rest: cut(text, first.index, first.text.length),
  };
}

/** ISO 8601 to the second, with the zone's offset ("2026-03-20T17:00:00+01:00"). */
export function isoOf(at: DateTime): string {
  return at.toISO({ suppressMilliseconds: true, includeOffset: true }) ?? "";
}

/** Today's local date, or the date a phrase names. */
export function localDate(clock: ParseClock, phrase?: DatePhrase): string {
  if (phrase) return phrase.date;
  return DateTime.fromJSDate(clock.now, { zone: clock.timezone }).toISODate() ?? "";
}

/** The local start and end of a day, as ISO with offset. */
export function dayBounds(clock: ParseClock, date: string, days = 1): { from: string; to: string } {
  const start = DateTime.fromISO(date, { zone: clock.timezone }).startOf("day");
  return { from: isoOf(start), to: isoOf(start.plus({ days })) };
}
