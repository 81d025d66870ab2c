/**
 * iCalendar text → occurrences in a window. Every RRULE (their union), RDATE (dates, date-times with TZID or in
 * UTC, periods, lists) and EXDATE (the same forms) is honoured, RECURRENCE-ID overrides replace or cancel their
 * instance, TZIDs resolve through IANA, Windows names and the feed's own VTIMEZONEs (see ical-zones.ts), and
 * all-day dates are placed at midnight in the calendar's zone (end exclusive). An event that cannot be read is
 * never dropped silently: it comes back in `skipped` with its reason, and the sync stats count it.
 * Shared by the CalDAV and ICS connectors (connectors never import each other, so it lives here).
 */
import { z } from "zod";
import type { SkippedItem, SourceEvent } from "./connector.ts";
import {
  allProperties,
  findComponents,
  firstProperty,
  type IcalComponent,
  type IcalProperty,
  parseIcal,
  unescapeText,
} from "./ical-text.ts";
import { ianaNameOf, ianaZone, parseWall, RRule, UTC_ZONE, type Zone, ZoneResolver } from "./ical-zones.ts";

const DAY_MS = 86_400_000;
/** Instances of one rule looked at in a window, at most (a FREQ=MINUTELY rule cannot stall a sync). */
const MAX_INSTANCES_PER_RULE = 5_000;
/** Length of one period of the fixed-length frequencies (rrule's Frequency: WEEKLY 2 … SECONDLY 6), wall time. */
const PERIOD_MS: Partial<Record<number, number>> = {
  2: 7 * 86_400_000,
  3: 86_400_000,
  4: 3_600_000,
  5: 60_000,
  6: 1_000,
};

/** One occurrence of a VEVENT, as pull() hands it to normalize(). */
export const IcalOccurrence = z.object({
  kind: z.literal("ical#occurrence"),
  calendarId: z.string().min(1),
  uid: z.string().min(1),
  /** Original start of this instance (RECURRENCE-ID) for recurring events; null for single events. */
  recurrenceId: z.string().nullable(),
  summary: z.string(),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  allDay: z.boolean(),
  status: z.enum(["confirmed", "tentative", "cancelled"]),
  transparent: z.boolean(),
  declined: z.boolean(),
  cairnBlockId: z.string().nullable(),
  lastModified: z.iso.datetime({ offset: true }).nullable(),
});
export type IcalOccurrence = z.infer<typeof IcalOccurrence>;

export interface ExpandOptions {
  calendarId: string;
  from: Date;
  to: Date;
  /** Zone of all-day dates and floating times (IANA or Windows name; UTC when it names no zone). */
  timeZone: string;
  /** The person's address: an ATTENDEE with this address and PARTSTAT=DECLINED marks the event declined. */
  email?: string | undefined;
}

/** A DATE or DATE-TIME as written: floating times and dates are placed in the calendar's zone at expansion. */
export type IcalTime =
  | { kind: "date"; wall: number }
  | { kind: "floating"; wall: number }
  | { kind: "utc"; instant: number }
  | { kind: "zoned"; wall: number; zone: Zone };

interface Duration {
  days: number;
  ms: number;
}

interface RecurrenceDate {
  start: IcalTime;
  /** End of a PERIOD value (explicit end, or start + duration). */
  end: IcalTime | Duration | null;
}

/** One VEVENT, read. */
export interface IcalEvent {
  uid: string;
  recurrenceId: IcalTime | null;
  start: IcalTime;
  end: IcalTime | null;
  duration: Duration | null;
  rrules: string[];
  rdates: RecurrenceDate[];
  exdates: IcalTime[];
  summary: string | null;
  status: IcalOccurrence["status"];
  transparent: boolean;
  attendees: { address: string; partstat: string | undefined }[];
  cairnBlockId: string | null;
  lastModified: string | null;
  sequence: number;
}

export interface ParsedCalendar {
  events: IcalEvent[];
  /** VEVENTs (or parts of them: one RDATE, one EXDATE) that could not be read, with the reason. */
  skipped: SkippedItem[];
  /** The calendar's X-WR-TIMEZONE as an IANA name, when it names a zone. */
  timeZone: string | undefined;
}

class Unreadable extends Error {}

function readTimeValue(
  name: string,
  value: string,
  params: Record<string, string>,
  zones: ZoneResolver,
): IcalTime {
  const parsed = parseWall(value);
  if (!parsed) throw new Unreadable(`${name} "${value}" is not a date or date-time`);
  if (parsed.dateOnly) return { kind: "date", wall: parsed.wall };
  if (parsed.utc) return { kind: "utc", instant: parsed.wall };
  const tzid = params.TZID;
  if (tzid === undefined || tzid.trim() === "") return { kind: "floating", wall: parsed.wall };
  const zone = zones.resolve(tzid);
  if (typeof zone === "string") throw new Unreadable(`${name}: ${zone}`);
  return { kind: "zoned", wall: parsed.wall, zone };
}

function readTime(property: IcalProperty, zones: ZoneResolver): IcalTime {
  return readTimeValue(property.name, property.value.trim(), property.params, zones);
}

/** "P1W", "PT1H30M", "-P1DT2H" → days and milliseconds (days stay nominal for all-day arithmetic). */
function readDuration(text: string): Duration | undefined {
  const match = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text.trim());
  if (!match || text.trim().replace(/^[+-]/, "").length <= 1) return undefined;
  const sign = match[1] === "-" ? -1 : 1;
  const n = (i: number) => Number(match[i] ?? 0);
  return { days: sign * (n(2) * 7 + n(3)), ms: sign * ((n(4) * 60 + n(5)) * 60 + n(6)) * 1000 };
}

/** RRULE syntax check (rrule.js is lenient: FREQ=BOGUS parses to nothing). */
function checkRule(text: string): void {
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(text.replace(/(^|;)UNTIL=[^;]*/i, ""));
  } catch (error) {
    throw new Unreadable(`RRULE "${text}" could not be read: ${(error as Error).message}`);
  }
  const until = /(?:^|;)UNTIL=([^;]*)/i.exec(text)?.[1];
  const bad =
    options.freq === undefined ||
    (options.interval !== undefined && !(Number.isInteger(options.interval) && options.interval > 0)) ||
    (options.count !== undefined &&
      options.count !== null &&
      !(Number.isInteger(options.count) && options.count >= 0)) ||
    (until !== undefined && parseWall(until) === undefined);
  if (bad) throw new Unreadable(`RRULE "${text}" could not be read`);
}

function textOf(component: IcalComponent, name: string): string | null {
  const property = firstProperty(component, name);
  return property === undefined ? null : unescapeText(property.value);
}

function statusOf(component: IcalComponent): IcalOccurrence["status"] {
  const value = (textOf(component, "STATUS") ?? "CONFIRMED").trim().toUpperCase();
  if (value === "CANCELLED") return "cancelled";
  if (value === "TENTATIVE") return "tentative";
  return "confirmed";
}

function utcIso(property: IcalProperty | undefined): string | null {
  const parsed = parseWall(property?.value ?? "");
  return parsed && !parsed.dateOnly ? new Date(parsed.wall).toISOString() : null;
}

/** Each value of a multi-valued RDATE/EXDATE, read; the unreadable ones reported (the event keeps the rest). */
function readList<T>(
  properties: IcalProperty[],
  read: (value: string, property: IcalProperty) => T,
  problems: string[],
): T[] {
  const out: T[] = [];
  for (const property of properties) {
    for (const value of property.value.split(",")) {
      if (value.trim() === "") continue;
      try {
        out.push(read(value.trim(), property));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        problems.push(`${reason}; that ${property.name} value was ignored`);
      }
    }
  }
  return out;
}

function readEvent(component: IcalComponent, zones: ZoneResolver, problems: string[]): IcalEvent {
  const dtstart = firstProperty(component, "DTSTART");
  if (!dtstart) throw new Unreadable("no DTSTART");
  const start = readTime(dtstart, zones);
  const dtend = firstProperty(component, "DTEND") ?? firstProperty(component, "DUE");
  const end = dtend ? readTime(dtend, zones) : null;
  const durationText = firstProperty(component, "DURATION")?.value;
  const duration = durationText === undefined ? null : (readDuration(durationText) ?? null);
  if (durationText !== undefined && duration === null && end === null)
    throw new Unreadable(`DURATION "${durationText}" is not a duration`);
  const rrules = allProperties(component, "RRULE").map((p) => p.value.trim());
  for (const rule of rrules) checkRule(rule);
  const rdates = readList(
    allProperties(component, "RDATE"),
    (value, property): RecurrenceDate => {
      const [first = "", second] = value.split("/");
      const begin = readTimeValue("RDATE", first, property.params, zones);
      if (second === undefined) return { start: begin, end: null };
      const asDuration = readDuration(second);
      return { start: begin, end: asDuration ?? readTimeValue("RDATE", second, property.params, zones) };
    },
    problems,
  );
  const exdates = readList(
    allProperties(component, "EXDATE"),
    (value, property) => readTimeValue("EXDATE", value, property.params, zones),
    problems,
  );
  const recurrence = firstProperty(component, "RECURRENCE-ID");
  const attendees = allProperties(component, "ATTENDEE").map((p) => ({
    address: p.value.trim(),
    partstat: p.params.PARTSTAT,
  }));
  const sequence = Number.parseInt(textOf(component, "SEQUENCE") ?? "0", 10);
  return {
    uid: "",
    recurrenceId: recurrence ? readTime(recurrence, zones) : null,
    start,
    end,
    duration,
    rrules,
    rdates,
    exdates,
    summary: textOf(component, "SUMMARY"),
    status: statusOf(component),
    transparent: (textOf(component, "TRANSP") ?? "").trim().toUpperCase() === "TRANSPARENT",
    attendees,
    cairnBlockId: textOf(component, "X-CAIRN-BLOCK-ID")?.trim() || null,
    lastModified: utcIso(firstProperty(component, "LAST-MODIFIED") ?? firstProperty(component, "DTSTAMP")),
    sequence: Number.isFinite(sequence) ? sequence : 0,
  };
}

/** Every VEVENT in `icsText` (masters and their overrides), and the ones that could not be read. */
export function parseEvents(icsText: string): ParsedCalendar {
  const roots = parseIcal(icsText);
  const zones = new ZoneResolver(findComponents(roots, "VTIMEZONE"));
  const events: IcalEvent[] = [];
  const skipped: SkippedItem[] = [];
  let index = 0;
  for (const component of findComponents(roots, "VEVENT")) {
    index += 1;
    const uid = textOf(component, "UID")?.trim() ?? "";
    const recurrence = firstProperty(component, "RECURRENCE-ID")?.value.trim();
    const label = uid === "" ? `VEVENT #${index} (no UID)` : recurrence ? `${uid}#${recurrence}` : uid;
    const problems: string[] = [];
    try {
      if (uid === "") throw new Unreadable("no UID");
      const event = readEvent(component, zones, problems);
      events.push({ ...event, uid });
    } catch (error) {
      // Whatever went wrong, this event is reported and the others are still read.
      skipped.push({
        externalId: label,
        reason: (error instanceof Error && error.message) || "could not be read",
      });
    }
    for (const reason of problems) skipped.push({ externalId: label, reason });
  }
  const calendar = roots.find((root) => root.name === "VCALENDAR");
  const declared = calendar ? textOf(calendar, "X-WR-TIMEZONE")?.trim() : undefined;
  return { events, skipped, timeZone: declared ? ianaNameOf(declared) : undefined };
}

/** The IANA zone a calendar's declared zone (an IANA or Windows name) stands for, if any. */
export function calendarZoneName(declared: string | undefined): string | undefined {
  return declared ? ianaNameOf(declared) : undefined;
}

/** One instance before its fields are filled: its key (to match EXDATE and RECURRENCE-ID) and its times. */
interface Instance {
  key: string;
  start: number;
  end: number;
  /** Wall midnight of an all-day instance (for its RECURRENCE-ID). */
  dayWall: number | null;
}

const dayKey = (wall: number) => `d:${new Date(wall).toISOString().slice(0, 10)}`;
const startOfDay = (wall: number) => Math.floor(wall / DAY_MS) * DAY_MS;

/** Places an event's times: the zone of its DTSTART (its "frame") and the calendar's zone. */
class Placement {
  readonly frame: Zone;
  readonly allDay: boolean;

  constructor(
    readonly event: IcalEvent,
    readonly calendar: Zone,
  ) {
    this.allDay = event.start.kind === "date";
    const start = event.start;
    this.frame = start.kind === "zoned" ? start.zone : start.kind === "utc" ? UTC_ZONE : calendar;
  }

  instant(time: IcalTime): number {
    if (time.kind === "utc") return time.instant;
    if (time.kind === "zoned") return time.zone.toInstant(time.wall);
    return this.calendar.toInstant(time.wall);
  }

  /** The time as a wall time in this event's frame. */
  wall(time: IcalTime): number {
    if (time.kind === "date" || time.kind === "floating") return time.wall;
    if (time.kind === "zoned" && time.zone === this.frame) return time.wall;
    return this.frame.toWall(this.instant(time));
  }

  /** The key an EXDATE or RECURRENCE-ID value matches an instance by. */
  key(time: IcalTime): string {
    if (this.allDay || time.kind === "date") return dayKey(this.wall(time));
    return `t:${this.instant(time)}`;
  }

  /** Days (all-day) or milliseconds (timed) an instance lasts. */
  length(): number {
    const { start, end, duration } = this.event;
    if (this.allDay) {
      const days = end
        ? Math.ceil((this.wall(end) - this.wall(start)) / DAY_MS)
        : duration
          ? duration.days + Math.ceil(duration.ms / DAY_MS)
          : 1;
      return Math.max(1, days);
    }
    const ms = end
      ? this.instant(end) - this.instant(start)
      : duration
        ? duration.days * DAY_MS + duration.ms
        : 0;
    return Math.max(0, ms);
  }

  /** The instance starting at `wall` (in the frame), lasting the event's length or ending at `end`. */
  instance(wall: number, end: RecurrenceDate["end"] = null): Instance {
    if (this.allDay) {
      const day = startOfDay(wall);
      let days = this.length();
      if (end && "kind" in end) days = Math.max(1, Math.ceil((this.wall(end) - day) / DAY_MS));
      else if (end) days = Math.max(1, end.days + Math.ceil(end.ms / DAY_MS));
      return {
        key: dayKey(day),
        start: this.calendar.toInstant(day),
        end: this.calendar.toInstant(day + days * DAY_MS),
        dayWall: day,
      };
    }
    const start = this.frame.toInstant(wall);
    let stop = start + this.length();
    if (end && "kind" in end) stop = Math.max(start, this.instant(end));
    else if (end) stop = start + Math.max(0, end.days * DAY_MS + end.ms);
    return { key: `t:${start}`, start, end: stop, dayWall: null };
  }

  /** The wall times of one RRULE in [fromWall, toWall], with DTSTART as the rule's start. */
  ruleWalls(text: string, fromWall: number, toWall: number): { walls: number[]; truncated: boolean } {
    const startWall = this.wall(this.event.start);
    const untilText = /(?:^|;)UNTIL=([^;]*)/i.exec(text)?.[1];
    const options = RRule.parseString(text.replace(/(^|;)UNTIL=[^;]*/i, ""));
    let until: Date | null = null;
    if (untilText !== undefined) {
      const parsed = parseWall(untilText);
      if (!parsed) throw new Unreadable(`RRULE "${text}" could not be read`);
      const wall = parsed.utc
        ? this.frame.toWall(parsed.wall)
        : parsed.dateOnly && !this.allDay
          ? parsed.wall + DAY_MS - 1
          : parsed.wall;
      until = new Date(wall);
    }
    // A rule without COUNT repeats every `period`: start it a whole number of periods before the window, so
    // a years-old hourly series costs the window's instances, not every one since DTSTART (DTSTART itself is
    // added by the caller).
    let ruleStart = startWall;
    const unit = options.freq === undefined ? undefined : PERIOD_MS[options.freq];
    if (unit !== undefined && (options.count === undefined || options.count === null)) {
      const period = unit * (options.interval ?? 1);
      const skip = Math.floor((fromWall - startWall) / period) - 1;
      if (skip > 0) ruleStart = startWall + skip * period;
    }
    const rule = new RRule({ ...options, dtstart: new Date(ruleStart), until, tzid: null });
    const walls = rule
      .between(new Date(fromWall), new Date(toWall), true, (_, i) => i < MAX_INSTANCES_PER_RULE)
      .map((date) => date.getTime());
    return { walls, truncated: walls.length >= MAX_INSTANCES_PER_RULE };
  }
}

function overlaps(instance: Instance, fromMs: number, toMs: number): boolean {
  const { start, end } = instance;
  return (end > fromMs || (end === start && start >= fromMs)) && start < toMs;
}

function occurrence(
  source: IcalEvent,
  master: IcalEvent,
  instance: Instance,
  allDay: boolean,
  recurrenceId: string | null,
  options: ExpandOptions,
): IcalOccurrence {
  const wanted = options.email?.toLowerCase();
  return {
    kind: "ical#occurrence",
    calendarId: options.calendarId,
    uid: master.uid,
    recurrenceId,
    summary: source.summary ?? master.summary ?? "",
    start: new Date(instance.start).toISOString(),
    end: new Date(instance.end).toISOString(),
    allDay,
    status: source.status,
    transparent: source.transparent,
    declined:
      wanted !== undefined &&
      wanted !== "" &&
      source.attendees.some(
        (a) =>
          a.address.toLowerCase().replace(/^mailto:/, "") === wanted &&
          a.partstat?.toUpperCase() === "DECLINED",
      ),
    cairnBlockId: source.cairnBlockId ?? master.cairnBlockId,
    lastModified: source.lastModified,
  };
}

/** The instances of a master event (DTSTART, every RRULE, every RDATE; EXDATEs removed), around the window. */
function masterInstances(
  place: Placement,
  fromMs: number,
  toMs: number,
  report: (reason: string) => void,
): Instance[] {
  const event = place.event;
  const first = place.instance(place.wall(event.start));
  if (event.rrules.length === 0 && event.rdates.length === 0) return [first];
  const excluded = new Set(event.exdates.map((time) => place.key(time)));
  // Date-only EXDATEs on a timed series remove that day's instance.
  const excludedDays = new Set(event.exdates.filter((t) => t.kind === "date").map((t) => dayKey(t.wall)));
  const longest = Math.max(first.end - first.start, DAY_MS);
  const fromWall = fromMs - longest - 2 * DAY_MS;
  const toWall = toMs + 2 * DAY_MS;
  const byKey = new Map<string, Instance>([[first.key, first]]);
  for (const rule of event.rrules) {
    const { walls, truncated } = place.ruleWalls(rule, fromWall, toWall);
    if (truncated)
      report(
        `RRULE "${rule}" repeats more than ${MAX_INSTANCES_PER_RULE} times in the window: the rest were not read`,
      );
    for (const wall of walls) {
      const instance = place.instance(wall);
      if (!byKey.has(instance.key)) byKey.set(instance.key, instance);
    }
  }
  const startWall = place.wall(event.start);
  for (const rdate of event.rdates) {
    // A DATE in a timed series keeps DTSTART's time of day.
    const wall =
      rdate.start.kind === "date" && !place.allDay
        ? rdate.start.wall + (startWall - startOfDay(startWall))
        : place.wall(rdate.start);
    const instance = place.instance(wall, rdate.end);
    byKey.set(instance.key, instance);
  }
  return [...byKey.values()].filter((instance) => {
    if (excluded.has(instance.key)) return false;
    if (excludedDays.size > 0 && !place.allDay) {
      if (excludedDays.has(dayKey(place.frame.toWall(instance.start)))) return false;
    }
    return true;
  });
}

/** The occurrences of `events` that overlap [from, to), and the events that could not be expanded. */
export function expandEvents(
  events: IcalEvent[],
  options: ExpandOptions,
): { occurrences: IcalOccurrence[]; skipped: SkippedItem[] } {
  const calendar = ianaZone(calendarZoneName(options.timeZone) ?? "UTC") ?? UTC_ZONE;
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  const masters = new Map<string, IcalEvent>();
  const overrides = new Map<string, IcalEvent[]>();
  const out: IcalOccurrence[] = [];
  const skipped: SkippedItem[] = [];
  for (const event of events) {
    if (event.recurrenceId !== null) {
      overrides.set(event.uid, [...(overrides.get(event.uid) ?? []), event]);
      continue;
    }
    // Two VEVENTs with one UID would share an id: the higher SEQUENCE (else the later one) wins, the other is reported.
    const earlier = masters.get(event.uid);
    const [kept, dropped] =
      earlier && earlier.sequence > event.sequence ? [earlier, event] : [event, earlier];
    masters.set(event.uid, kept);
    if (dropped)
      skipped.push({
        externalId: event.uid,
        reason: `another VEVENT has the same UID and replaces this one (SEQUENCE ${dropped.sequence})`,
      });
  }

  for (const master of masters.values()) {
    const place = new Placement(master, calendar);
    const recurring = master.rrules.length > 0 || master.rdates.length > 0 || overrides.has(master.uid);
    let instances: Instance[];
    try {
      instances = masterInstances(place, fromMs, toMs, (reason) =>
        skipped.push({ externalId: master.uid, reason }),
      );
    } catch (error) {
      skipped.push({ externalId: master.uid, reason: (error as Error).message || "could not be expanded" });
      continue;
    }
    const replaced = new Set(
      (overrides.get(master.uid) ?? []).map((o) => (o.recurrenceId ? place.key(o.recurrenceId) : "")),
    );
    for (const instance of instances) {
      if (replaced.has(instance.key) || !overlaps(instance, fromMs, toMs)) continue;
      const recurrenceId = !recurring
        ? null
        : new Date(
            instance.dayWall !== null ? calendar.toInstant(instance.dayWall) : instance.start,
          ).toISOString();
      out.push(occurrence(master, master, instance, place.allDay, recurrenceId, options));
    }
  }

  for (const [uid, list] of overrides) {
    const master = masters.get(uid);
    const frame = master ? new Placement(master, calendar) : undefined;
    const byOriginal = new Map<string, IcalEvent>();
    for (const override of list) {
      if (override.recurrenceId === null) continue;
      // The RECURRENCE-ID names the original instance in the master's terms (an all-day series by its date).
      const place = frame ?? new Placement(override, calendar);
      const original = place.allDay
        ? calendar.toInstant(startOfDay(place.wall(override.recurrenceId)))
        : place.instant(override.recurrenceId);
      const recurrenceId = new Date(original).toISOString();
      const earlier = byOriginal.get(recurrenceId);
      const [kept, dropped] =
        earlier && earlier.sequence > override.sequence ? [earlier, override] : [override, earlier];
      byOriginal.set(recurrenceId, kept);
      if (dropped)
        skipped.push({
          externalId: `${uid}#${recurrenceId}`,
          reason: `another VEVENT overrides the same instance and replaces this one (SEQUENCE ${dropped.sequence})`,
        });
    }
    for (const [recurrenceId, override] of byOriginal) {
      const own = new Placement(override, calendar);
      const instance = own.instance(own.wall(override.start));
      if (!overlaps(instance, fromMs, toMs)) continue;
      out.push(occurrence(override, master ?? override, instance, own.allDay, recurrenceId, options));
    }
  }
  out.sort((a, b) => a.start.localeCompare(b.start) || a.uid.localeCompare(b.uid));
  return { occurrences: out, skipped };
}

/** The SourceEvent id of an occurrence: the UID, plus the original start for instances of a series. */
export function occurrenceExternalId(occurrence: Pick<IcalOccurrence, "uid" | "recurrenceId">): string {
  return occurrence.recurrenceId === null ? occurrence.uid : `${occurrence.uid}#${occurrence.recurrenceId}`;
}

/** An occurrence as the contract's SourceEvent. */
export function normalizeOccurrence(raw: unknown): SourceEvent {
  const occurrence = IcalOccurrence.parse(raw);
  return {
    externalId: occurrenceExternalId(occurrence),
    calendarId: occurrence.calendarId,
    title: occurrence.summary,
    start: occurrence.start,
    end: occurrence.end,
    allDay: occurrence.allDay,
    status: occurrence.status,
    busy: !occurrence.transparent,
    declined: occurrence.declined,
    recurringEventId: occurrence.recurrenceId === null ? null : occurrence.uid,
    cairnBlockId: occurrence.cairnBlockId,
    updatedAt: occurrence.lastModified,
    deleted: occurrence.status === "cancelled",
  };
}
