/** Calendar API event (or freeBusy interval) → the contract's SourceEvent. */
import { DateTime } from "luxon";
import type { PulledItem, SourceEvent } from "../../engine/sync/connector.ts";
import {
  CAIRN_BLOCK_ID,
  type GoogleBusyItem,
  type GoogleEvent,
  type GoogleEventItem,
  GoogleRawItem,
} from "./schemas.ts";

type DateTimeField = NonNullable<GoogleEvent["start"]>;

/** An instant as UTC ISO; all-day `date`s are midnight in the calendar's zone. */
function instant(value: DateTimeField | null | undefined, zone: string): string | undefined {
  if (value?.dateTime) {
    const parsed = DateTime.fromISO(value.dateTime, { zone: value.timeZone ?? zone, setZone: true });
    return parsed.isValid ? (parsed.toUTC().toISO() ?? undefined) : undefined;
  }
  if (value?.date) {
    const parsed = DateTime.fromISO(value.date, { zone });
    return parsed.isValid ? (parsed.toUTC().toISO() ?? undefined) : undefined;
  }
  return undefined;
}

function iso(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function normalizeEvent(item: GoogleEventItem): SourceEvent {
  const { event, calendarId, timeZone } = item;
  const cancelled = event.status === "cancelled";
  const updatedAt = iso(event.updated);
  let start = instant(event.start, timeZone);
  let end = instant(event.end, timeZone);
  if (cancelled && (start === undefined || end === undefined)) {
    // Cancelled items in an incremental sync carry only id/status/updated (instances add originalStartTime).
    // Deleted rows keep their stored times; these placeholders only satisfy the shape.
    start = instant(event.originalStartTime, timeZone) ?? updatedAt ?? new Date(0).toISOString();
    end = start;
  }
  if (start === undefined || end === undefined) throw new Error(`event ${event.id} has no usable start/end`);
  const self = event.attendees?.find((attendee) => attendee.self === true);
  const status = event.status === "tentative" || event.status === "cancelled" ? event.status : "confirmed";
  return {
    externalId: event.id,
    calendarId,
    title: event.summary ?? "",
    start,
    end,
    allDay: Boolean(event.start?.date) && !event.start?.dateTime,
    status,
    busy: event.transparency !== "transparent" && event.eventType !== "workingLocation",
    declined: self?.responseStatus === "declined",
    recurringEventId: event.recurringEventId ?? null,
    cairnBlockId: event.extendedProperties?.private?.[CAIRN_BLOCK_ID] ?? null,
    updatedAt,
    deleted: cancelled,
  };
}

function normalizeBusy(item: GoogleBusyItem): SourceEvent {
  const start = new Date(item.start).toISOString();
  const end = new Date(item.end).toISOString();
  return {
    externalId: `busy:${item.calendarId}:${start}`,
    calendarId: item.calendarId,
    title: "Busy",
    start,
    end,
    allDay: false,
    status: "confirmed",
    busy: true,
    declined: false,
    recurringEventId: null,
    cairnBlockId: null,
    updatedAt: null,
    deleted: false,
  };
}

export function normalizeGoogleItem(raw: unknown): PulledItem {
  const item = GoogleRawItem.parse(raw);
  return { type: "event", event: item.kind === "google#event" ? normalizeEvent(item) : normalizeBusy(item) };
}
