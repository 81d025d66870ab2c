/**
 * iCalendar text → occurrences in a window, with node-ical: RRULE expanded, EXDATE removed, RECURRENCE-ID
 * overrides applied, all-day dates placed at midnight in the calendar's zone (end exclusive).
 * Shared by the CalDAV and ICS connectors (connectors never import each other, so it lives here).
 */
import { DateTime } from "luxon";
import ical from "node-ical";
import { z } from "zod";
import type { SourceEvent } from "./connector.ts";

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
  /** Zone of all-day dates (and of floating times' days). */
  timeZone: string;
  /** The person's address: an ATTENDEE with this address and PARTSTAT=DECLINED marks the event declined. */
  email?: string | undefined;
}

type VEvent = ical.VEvent;

function text(value: ical.ParameterValue | undefined): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : value.val;
}

function attendeeAddress(attendee: ical.Attendee): { address: string; partstat: string | undefined } {
  if (typeof attendee === "string") return { address: attendee, partstat: undefined };
  const partstat = attendee.params.PARTSTAT;
  return { address: attendee.val, partstat: typeof partstat === "string" ? partstat : undefined };
}

function isDeclined(event: VEvent, email: string | undefined): boolean {
  if (!email || event.attendee === undefined) return false;
  const wanted = email.toLowerCase();
  const list = Array.isArray(event.attendee) ? event.attendee : [event.attendee];
  return list.some((a) => {
    const { address, partstat } = attendeeAddress(a);
    return address.toLowerCase().replace(/^mailto:/, "") === wanted && partstat?.toUpperCase() === "DECLINED";
  });
}

/** node-ical puts date-only values at local midnight of this process: read the date back, place it in `zone`. */
function allDayWall(date: Date, zone: string): DateTime {
  return DateTime.fromObject(
    { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate() },
    { zone },
  );
}

function allDayInstant(date: Date, zone: string): string {
  return allDayWall(date, zone).toUTC().toISO() ?? date.toISOString();
}

function status(event: VEvent): IcalOccurrence["status"] {
  const value = typeof event.status === "string" ? event.status.toUpperCase() : "CONFIRMED";
  if (value === "CANCELLED") return "cancelled";
  if (value === "TENTATIVE") return "tentative";
  return "confirmed";
}

/** X-CAIRN-BLOCK-ID (node-ical drops the "X-" prefix of custom properties). */
export function cairnBlockIdOf(event: Record<string, unknown>): string | null {
  const value = event["CAIRN-BLOCK-ID"] ?? event["X-CAIRN-BLOCK-ID"];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "object" && value !== null && "val" in value && typeof value.val === "string")
    return value.val;
  return null;
}

function isoOrNull(value: Date | undefined): string | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
}

/** Every VEVENT in `icsText` (masters with their overrides), keyed by UID. */
export function parseEvents(icsText: string): { events: VEvent[]; timeZone: string | undefined } {
  const data = ical.sync.parseICS(icsText);
  const events: VEvent[] = [];
  for (const [key, component] of Object.entries(data)) {
    if (key === "vcalendar" || !component || component.type !== "VEVENT") continue;
    events.push(component as VEvent);
  }
  const zone = data.vcalendar?.["WR-TIMEZONE"];
  return { events, timeZone: typeof zone === "string" && zone !== "" ? zone : undefined };
}

/** The occurrences of `events` that overlap [from, to). */
export function expandEvents(events: VEvent[], options: ExpandOptions): IcalOccurrence[] {
  const out: IcalOccurrence[] = [];
  const fromMs = options.from.getTime();
  const toMs = options.to.getTime();
  for (const event of events) {
    if (!event.start) continue;
    const recurring = event.rrule !== undefined;
    const instances = ical.expandRecurringEvent(event, {
      from: options.from,
      to: options.to,
      expandOngoing: true,
    });
    for (const instance of instances) {
      const source = instance.event;
      const allDay = instance.isFullDay;
      let start: string;
      let end: string;
      if (allDay) {
        // Whole calendar days (a date-only event without DTEND lasts one day), counted in days, not hours,
        // so a DST change in this process's zone cannot shift the end date.
        const days = Math.max(
          1,
          Math.round((instance.end.getTime() - instance.start.getTime()) / 86_400_000),
        );
        const wall = allDayWall(instance.start, options.timeZone);
        start = wall.toUTC().toISO() ?? instance.start.toISOString();
        end = wall.plus({ days }).toUTC().toISO() ?? start;
      } else {
        start = instance.start.toISOString();
        end = instance.end.getTime() >= instance.start.getTime() ? instance.end.toISOString() : start;
      }
      const startMs = Date.parse(start);
      const endMs = Date.parse(end);
      if (!(endMs > fromMs || (endMs === startMs && startMs >= fromMs)) || startMs >= toMs) continue;
      let recurrenceId: string | null = null;
      if (recurring) {
        const original = instance.isOverride && source.recurrenceid ? source.recurrenceid : instance.start;
        recurrenceId = allDay ? allDayInstant(original, options.timeZone) : original.toISOString();
      }
      out.push({
        kind: "ical#occurrence",
        calendarId: options.calendarId,
        uid: event.uid,
        recurrenceId,
        summary: text(source.summary ?? event.summary),
        start,
        end,
        allDay,
        status: status(source),
        transparent: (source.transparency ?? event.transparency) === "TRANSPARENT",
        declined: isDeclined(source, options.email),
        cairnBlockId: cairnBlockIdOf(source) ?? cairnBlockIdOf(event),
        lastModified: isoOrNull(source.lastmodified ?? source.dtstamp),
      });
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start) || a.uid.localeCompare(b.uid));
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
