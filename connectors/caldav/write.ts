/**
 * Focus blocks written to a CalDAV calendar as VEVENTs Cairn owns: UID `cairn-<blockId>@cairn`, an
 * `X-CAIRN-BLOCK-ID` property, stored at `<calendar>/cairn-<blockId>.ics`. An object is only replaced or deleted
 * after reading it back and finding both marks; anything else on the calendar is never touched.
 */
import { createCalendarObject, deleteCalendarObject, updateCalendarObject } from "tsdav";
import { forbidden } from "../../engine/errors.ts";
import type { BlockToWrite } from "../../engine/sync/connector.ts";
import { parseEvents } from "../../engine/sync/ical.ts";
import { type CaldavContext, DavSession, expectOk } from "./dav.ts";

const UID_PATTERN = /^cairn-(.+)@cairn$/;

export function cairnUid(blockId: string): string {
  return `cairn-${blockId}@cairn`;
}

/** The block id a Cairn UID stands for, or null for anyone else's UID. */
export function blockIdOfUid(uid: string): string | null {
  return UID_PATTERN.exec(uid)?.[1] ?? null;
}

function objectUrl(calendarUrl: string, blockId: string): string {
  const base = calendarUrl.endsWith("/") ? calendarUrl : `${calendarUrl}/`;
  return new URL(`cairn-${encodeURIComponent(blockId)}.ics`, base).href;
}

/** RFC 5545 TEXT escaping. */
function escapeText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** Folds a content line at 75 octets (continuation lines start with a space), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const bytes = Buffer.from(line, "utf8");
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = "";
  let size = 0;
  let limit = 75;
  for (const char of line) {
    const n = Buffer.byteLength(char, "utf8");
    if (size + n > limit) {
      parts.push(current);
      current = "";
      size = 0;
      limit = 74;
    }
    current += char;
    size += n;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

function utc(value: string | Date): string {
  return `${new Date(value).toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

export function blockToICalendar(block: BlockToWrite, now: Date, sequence: number): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Cairn//Focus blocks//EN",
    "CALSCALE:GREGORIAN",
    "BEGIN:VEVENT",
    `UID:${cairnUid(block.blockId)}`,
    `DTSTAMP:${utc(now)}`,
    `LAST-MODIFIED:${utc(now)}`,
    `DTSTART:${utc(block.start)}`,
    `DTEND:${utc(block.end)}`,
    `SUMMARY:${escapeText(block.title)}`,
    ...(block.description ? [`DESCRIPTION:${escapeText(block.description)}`] : []),
    "STATUS:CONFIRMED",
    "TRANSP:OPAQUE",
    "CATEGORIES:Focus",
    `SEQUENCE:${sequence}`,
    `X-CAIRN-BLOCK-ID:${escapeText(block.blockId)}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}

/** Cairn's mark on a stored object: its only VEVENT has our UID and the matching X-CAIRN-BLOCK-ID. */
function ownedBlock(data: string): { blockId: string; sequence: number } | null {
  const { events, skipped } = parseEvents(data);
  if (events.length !== 1 || skipped.length > 0) return null;
  const [event] = events;
  if (!event) return null;
  const fromUid = blockIdOfUid(event.uid);
  const fromProp = event.cairnBlockId;
  if (fromUid === null || fromProp === null || fromUid !== fromProp) return null;
  return { blockId: fromUid, sequence: event.sequence };
}

function refuse(what: string, action: string): Error {
  return forbidden(`Refusing to ${action} CalDAV event ${what}: it was not created by Cairn`);
}

export async function upsertCaldavBlock(ctx: CaldavContext, block: BlockToWrite): Promise<string> {
  const uid = cairnUid(block.blockId);
  if (block.externalEventId !== null && block.externalEventId !== uid)
    throw refuse(block.externalEventId, "move");
  const session = new DavSession(ctx);
  const calendarUrl = block.calendarId || ctx.settings.calendarUrl;
  if (!calendarUrl) throw new Error("CalDAV focus block without a calendar URL");
  const url = objectUrl(calendarUrl, block.blockId);
  const existing = await session.getObject(url);
  if (existing === null) {
    const response = await createCalendarObject({
      calendar: { url: calendarUrl },
      filename: new URL(url).pathname.split("/").pop() ?? "",
      iCalString: blockToICalendar(block, ctx.now(), 0),
      headers: session.headers,
      fetch: session.fetch,
    });
    await expectOk(response, `create ${uid}`);
    return uid;
  }
  const owned = ownedBlock(existing.data);
  if (owned === null || owned.blockId !== block.blockId) throw refuse(new URL(url).pathname, "overwrite");
  const response = await updateCalendarObject({
    calendarObject: {
      url,
      data: blockToICalendar(block, ctx.now(), owned.sequence + 1),
      ...(existing.etag ? { etag: existing.etag } : {}),
    },
    headers: session.headers,
    fetch: session.fetch,
  });
  await expectOk(response, `update ${uid}`);
  return uid;
}

export async function deleteCaldavBlock(
  ctx: CaldavContext,
  calendarId: string,
  externalEventId: string,
): Promise<void> {
  const blockId = blockIdOfUid(externalEventId);
  if (blockId === null) throw refuse(externalEventId, "delete");
  const session = new DavSession(ctx);
  const calendarUrl = calendarId || ctx.settings.calendarUrl;
  if (!calendarUrl) throw new Error("CalDAV focus block without a calendar URL");
  const url = objectUrl(calendarUrl, blockId);
  const existing = await session.getObject(url);
  if (existing === null) return; // already gone
  const owned = ownedBlock(existing.data);
  if (owned === null || owned.blockId !== blockId) throw refuse(new URL(url).pathname, "delete");
  const response = await deleteCalendarObject({
    calendarObject: { url, ...(existing.etag ? { etag: existing.etag } : {}) },
    headers: session.headers,
    fetch: session.fetch,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return;
  }
  await expectOk(response, `delete ${externalEventId}`);
}
