/**
 * Time zones of an iCalendar feed. A TZID is read, in order, as an IANA zone, a Windows zone (the CLDR mapping),
 * an IANA zone behind a vendor prefix ("/mozilla.org/20050126_1/Europe/Berlin"), and finally through the feed's
 * own VTIMEZONE, whose STANDARD/DAYLIGHT observances give the offsets (how Outlook's "(UTC+01:00) Amsterdam,
 * Berlin, ..." and custom zones are defined).
 *
 * Times are handled as "wall" milliseconds: the local date and time written as if it were UTC, so that recurrence
 * rules expand on the calendar the event was written in and only the final instants depend on the zone.
 */
import { IANAZone } from "luxon";
import * as rruleModule from "rrule";
import { allProperties, firstProperty, type IcalComponent, unescapeText } from "./ical-text.ts";
import { WINDOWS_ZONES } from "./windows-zones.ts";

/** rrule is CommonJS that Node's ESM loader sees only as a default export; a CommonJS build sees it named. */
export const { RRule } =
  "RRule" in rruleModule ? rruleModule : (rruleModule as unknown as { default: typeof rruleModule }).default;

export interface Zone {
  /** The IANA name, or the TZID for a zone computed from a VTIMEZONE. */
  readonly id: string;
  /** Wall time → instant. A time in a gap (spring forward) uses the offset before it; an ambiguous one, the first. */
  toInstant(wall: number): number;
  /** Instant → wall time. */
  toWall(instant: number): number;
}

const MINUTE_MS = 60_000;

export const UTC_ZONE: Zone = { id: "UTC", toInstant: (wall) => wall, toWall: (instant) => instant };

const ianaCache = new Map<string, Zone>();

const QUARTER_HOUR_MS = 15 * MINUTE_MS;
const DAY_MS = 86_400_000;

/**
 * Wall time → instant given an offset function (minutes east at an instant), as RFC 5545 reads local times:
 * a time repeated when clocks go back means the first one; a time skipped when they go forward uses the offset
 * before the gap. Assumes at most one transition within a day of the time, true of every zone in use.
 */
function wallToInstant(wall: number, offsetAt: (instant: number) => number): number {
  const before = offsetAt(wall - DAY_MS);
  const after = offsetAt(wall + DAY_MS);
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const instant = wall - offset * MINUTE_MS;
    if (offsetAt(instant) === offset) return instant;
  }
  return wall - before * MINUTE_MS;
}

/** The IANA zone `name` (validated), cached, with its offsets memoized per quarter hour without a transition. */
export function ianaZone(name: string): Zone | undefined {
  const cached = ianaCache.get(name);
  if (cached) return cached;
  if (!IANAZone.isValidZone(name)) return undefined;
  const zone = new IANAZone(name);
  const quarters = new Map<number, number>();
  const offsetAt = (instant: number): number => {
    const quarter = Math.floor(instant / QUARTER_HOUR_MS);
    const known = quarters.get(quarter);
    if (known !== undefined) return known;
    const first = zone.offset(quarter * QUARTER_HOUR_MS);
    // A quarter hour with a transition inside is never cached.
    if (zone.offset((quarter + 1) * QUARTER_HOUR_MS - 1) !== first) return zone.offset(instant);
    if (quarters.size > 100_000) quarters.clear();
    quarters.set(quarter, first);
    return first;
  };
  const made: Zone = {
    id: zone.name,
    toInstant: (wall) => wallToInstant(wall, offsetAt),
    toWall: (instant) => instant + offsetAt(instant) * MINUTE_MS,
  };
  ianaCache.set(name, made);
  return made;
}

const windowsByLowerName = new Map(
  Object.entries(WINDOWS_ZONES).map(([windows, iana]) => [windows.toLowerCase(), iana]),
);

/** The IANA name of a TZID that names one (directly, as a Windows zone, or behind a vendor prefix). */
export function ianaNameOf(tzid: string): string | undefined {
  const name = tzid.trim().replace(/^"(.*)"$/, "$1");
  if (name === "") return undefined;
  if (IANAZone.isValidZone(name) && !/^[+-]?\d/.test(name)) return new IANAZone(name).name;
  const windows = windowsByLowerName.get(name.toLowerCase());
  if (windows) return windows;
  // "/Europe/Berlin", "/mozilla.org/20050126_1/Europe/Berlin", "/citadel.org/20190914_1/America/New_York"
  const parts = name.split("/").filter((p) => p !== "");
  for (let i = 0; i < parts.length - 1; i++) {
    const candidate = parts.slice(i).join("/");
    if (candidate.includes("/") && IANAZone.isValidZone(candidate)) return new IANAZone(candidate).name;
  }
  return undefined;
}

/** "+0100", "-0800", "+013000" → minutes east of UTC. */
function parseUtcOffset(value: string): number | undefined {
  const match = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(value.trim());
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]) + Number(match[4] ?? 0) / 60;
  return match[1] === "-" ? -minutes : minutes;
}

/** "20261130T090000" (or a date) → wall milliseconds; undefined when it is not a valid date. */
export function parseWall(value: string): { wall: number; dateOnly: boolean; utc: boolean } | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // Reject what Date would roll over (month 13, day 32, 25:00; 24:00:00 too).
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    second > 60
  )
    return undefined;
  return { wall: date.getTime(), dateOnly: match[4] === undefined, utc: match[7] !== undefined };
}

/** Enough for a yearly rule from 1601 to far beyond any calendar; a frantic rule cannot stall a sync. */
const MAX_TRANSITIONS_PER_OBSERVANCE = 20_000;

interface Transition {
  /** Instant the observance starts. */
  at: number;
  from: number;
  to: number;
}

interface Observance {
  start: number;
  from: number;
  to: number;
  rule: InstanceType<typeof RRule> | null;
  rdates: number[];
}

/** Wall time, UNTIL of a VTIMEZONE rule (UTC by RFC 5545) moved to the observance's wall clock. */
function observanceRule(text: string, start: number, from: number): InstanceType<typeof RRule> | null {
  const untilMatch = /(?:^|;)UNTIL=([^;]+)/i.exec(text);
  const options = RRule.parseString(text.replace(/(^|;)UNTIL=[^;]+/i, ""));
  if (options.freq === undefined) return null;
  let until: Date | null = null;
  if (untilMatch?.[1]) {
    const parsed = parseWall(untilMatch[1]);
    if (!parsed) return null;
    until = new Date(parsed.utc ? parsed.wall + from * MINUTE_MS : parsed.wall);
  }
  return new RRule({ ...options, dtstart: new Date(start), until, tzid: null });
}

function readObservance(component: IcalComponent): Observance | undefined {
  const start = parseWall(firstProperty(component, "DTSTART")?.value ?? "");
  const to = parseUtcOffset(firstProperty(component, "TZOFFSETTO")?.value ?? "");
  if (!start || to === undefined) return undefined;
  const from = parseUtcOffset(firstProperty(component, "TZOFFSETFROM")?.value ?? "") ?? to;
  const ruleText = firstProperty(component, "RRULE")?.value;
  let rule: InstanceType<typeof RRule> | null = null;
  if (ruleText) {
    try {
      rule = observanceRule(ruleText, start.wall, from);
    } catch {
      rule = null;
    }
  }
  const rdates = allProperties(component, "RDATE")
    .flatMap((p) => p.value.split(","))
    .flatMap((v) => {
      const parsed = parseWall(v.split("/")[0] ?? "");
      return parsed ? [parsed.wall] : [];
    });
  return { start: start.wall, from, to, rule, rdates };
}

/** A zone computed from a VTIMEZONE's observances; undefined when it has none that can be read. */
export function vtimezoneZone(tzid: string, vtimezone: IcalComponent): Zone | undefined {
  const observances = vtimezone.components
    .filter((c) => c.name === "STANDARD" || c.name === "DAYLIGHT")
    .map(readObservance)
    .filter((o): o is Observance => o !== undefined);
  if (observances.length === 0) return undefined;
  const earliest = observances.reduce((a, b) => (b.start < a.start ? b : a));
  let transitions: Transition[] = [];
  let computedTo = Number.NEGATIVE_INFINITY;

  // Transitions are expanded lazily, a few years past the latest wall time asked about.
  const ensure = (wall: number) => {
    if (wall < computedTo) return;
    const limit = Date.UTC(new Date(wall).getUTCFullYear() + 5, 0, 1);
    const all: Transition[] = [];
    for (const o of observances) {
      const walls = new Set<number>([o.start, ...o.rdates]);
      if (o.rule)
        for (const date of o.rule.between(
          new Date(o.start),
          new Date(limit),
          true,
          (_, i) => i < MAX_TRANSITIONS_PER_OBSERVANCE,
        ))
          walls.add(date.getTime());
      for (const w of walls) if (w <= limit) all.push({ at: w - o.from * MINUTE_MS, from: o.from, to: o.to });
    }
    transitions = all.sort((a, b) => a.at - b.at);
    computedTo = limit;
  };

  const offsetAt = (instant: number): number => {
    ensure(instant + 14 * 3_600_000);
    // The last transition at or before `instant` (binary search).
    let lo = 0;
    let hi = transitions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((transitions[mid]?.at ?? 0) <= instant) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? earliest.from : (transitions[lo - 1]?.to ?? earliest.from);
  };

  return {
    id: tzid,
    toInstant: (wall) => wallToInstant(wall, offsetAt),
    toWall: (instant) => instant + offsetAt(instant) * MINUTE_MS,
  };
}

/** Resolves the TZIDs of one calendar: IANA, Windows, prefixed IANA, then the calendar's VTIMEZONEs. */
export class ZoneResolver {
  private readonly definitions = new Map<string, IcalComponent>();
  private readonly resolved = new Map<string, Zone | string>();

  constructor(vtimezones: IcalComponent[]) {
    for (const vtimezone of vtimezones) {
      const tzid = firstProperty(vtimezone, "TZID")
        ?.value.trim()
        .replace(/^"(.*)"$/, "$1");
      if (!tzid) continue;
      // Written as TEXT ("Amsterdam\, Berlin") here, but unescaped in the TZID parameters that name it.
      this.definitions.set(tzid, vtimezone);
      this.definitions.set(unescapeText(tzid), vtimezone);
    }
  }

  /** The zone, or the reason it cannot be read. */
  resolve(tzid: string): Zone | string {
    const key = tzid.trim().replace(/^"(.*)"$/, "$1");
    const cached = this.resolved.get(key);
    if (cached !== undefined) return cached;
    let result: Zone | string;
    const iana = ianaNameOf(key);
    const definition = this.definitions.get(key);
    if (iana) result = ianaZone(iana) ?? `time zone "${key}" is not supported by this Node.js`;
    else if (definition)
      result =
        vtimezoneZone(key, definition) ??
        `time zone "${key}": its VTIMEZONE has no STANDARD or DAYLIGHT part that can be read`;
    else
      result = `time zone "${key}" is neither an IANA nor a Windows zone, and the feed has no VTIMEZONE for it`;
    this.resolved.set(key, result);
    return result;
  }
}
