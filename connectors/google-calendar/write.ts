/**
 * Write-back of Cairn focus blocks. Every event Cairn writes carries
 * `extendedProperties.private = { cairnBlockId, cairnOwned: "1" }` and a deterministic id derived from the block
 * id (so a retried insert cannot make a duplicate). Nothing is patched or deleted before a GET shows those marks:
 * events Cairn did not create are never touched.
 */
import { createHash } from "node:crypto";
import type { calendar_v3 } from "@googleapis/calendar";
import { forbidden } from "../../engine/errors.ts";
import type { BlockToWrite } from "../../engine/sync/connector.ts";
import { GoogleApiError, type GoogleContext, type GoogleSession, sessionFor } from "./client.ts";
import { CAIRN_BLOCK_ID, CAIRN_OWNED } from "./schemas.ts";

const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";

/** Google event ids are base32hex (a-v, 0-9), 5-1024 chars: `cairn` + 40 chars of SHA-256 of the block id. */
export function cairnEventId(blockId: string): string {
  const digest = createHash("sha256").update(blockId, "utf8").digest();
  let out = "";
  for (let i = 0; i < 40; i++) out += BASE32HEX[(digest[i % digest.length] ?? 0) % 32] ?? "0";
  return `cairn${out}`;
}

export function isCairnOwned(event: calendar_v3.Schema$Event): boolean {
  const marks = event.extendedProperties?.private;
  return (
    marks?.[CAIRN_OWNED] === "1" && typeof marks[CAIRN_BLOCK_ID] === "string" && marks[CAIRN_BLOCK_ID] !== ""
  );
}

/** The event, or null when it does not exist (404) or was deleted (410 / cancelled). */
async function getEvent(
  session: GoogleSession,
  calendarId: string,
  eventId: string,
): Promise<calendar_v3.Schema$Event | null> {
  try {
    return await session.call("events.get", (options) =>
      session.api.events.get({ calendarId, eventId }, options),
    );
  } catch (error) {
    if (error instanceof GoogleApiError && (error.status === 404 || error.status === 410)) return null;
    throw error;
  }
}

/** Primary calendars are addressed as "primary" or by the account's address; group calendars never are. */
function mayBePrimary(calendarId: string): boolean {
  return (
    calendarId === "primary" || (calendarId.includes("@") && !calendarId.endsWith(".calendar.google.com"))
  );
}

function blockBody(block: BlockToWrite): calendar_v3.Schema$Event {
  return {
    summary: block.title,
    description: block.description,
    start: { dateTime: new Date(block.start).toISOString() },
    end: { dateTime: new Date(block.end).toISOString() },
    transparency: "opaque",
    extendedProperties: { private: { [CAIRN_BLOCK_ID]: block.blockId, [CAIRN_OWNED]: "1" } },
  };
}

function refuse(calendarId: string, eventId: string, action: string): Error {
  return forbidden(
    `Refusing to ${action} Google Calendar event ${eventId} on ${calendarId}: it was not created by Cairn`,
  );
}

async function patchOwned(
  session: GoogleSession,
  calendarId: string,
  eventId: string,
  block: BlockToWrite,
  existing: calendar_v3.Schema$Event,
): Promise<string> {
  if (!isCairnOwned(existing)) throw refuse(calendarId, eventId, "move");
  const owner = existing.extendedProperties?.private?.[CAIRN_BLOCK_ID];
  if (owner !== block.blockId) {
    throw forbidden(`Google Calendar event ${eventId} belongs to Cairn block ${owner}, not ${block.blockId}`);
  }
  const requestBody: calendar_v3.Schema$Event = { ...blockBody(block), status: "confirmed" };
  const patched = await session.call("events.patch", (options) =>
    session.api.events.patch({ calendarId, eventId, requestBody }, options),
  );
  return patched.id ?? eventId;
}

async function insert(
  ctx: GoogleContext,
  session: GoogleSession,
  block: BlockToWrite,
  id: string,
): Promise<calendar_v3.Schema$Event> {
  const calendarId = block.calendarId;
  const body: calendar_v3.Schema$Event = { id, ...blockBody(block) };
  if (ctx.settings.focusTime && mayBePrimary(calendarId)) {
    try {
      return await session.call("events.insert", (options) =>
        session.api.events.insert(
          {
            calendarId,
            requestBody: {
              ...body,
              eventType: "focusTime",
              focusTimeProperties: { autoDeclineMode: "declineNone", chatStatus: "doNotDisturb" },
            },
          },
          options,
        ),
      );
    } catch (error) {
      // Focus time needs a primary calendar of a Workspace account; anything else takes a plain busy event.
      if (!(error instanceof GoogleApiError) || error.status !== 400) throw error;
      ctx.log.debug({ calendarId, reason: error.reason }, "focusTime not allowed here: writing a busy event");
    }
  }
  return session.call("events.insert", (options) =>
    session.api.events.insert({ calendarId, requestBody: body }, options),
  );
}

export async function upsertGoogleBlock(ctx: GoogleContext, block: BlockToWrite): Promise<string> {
  const session = sessionFor(ctx);
  const calendarId = block.calendarId;
  if (block.externalEventId) {
    const existing = await getEvent(session, calendarId, block.externalEventId);
    if (existing && existing.status !== "cancelled") {
      return patchOwned(session, calendarId, block.externalEventId, block, existing);
    }
    if (existing && !isCairnOwned(existing)) throw refuse(calendarId, block.externalEventId, "move");
    // Gone (deleted by the person or never there): write it again below.
  }
  const id = cairnEventId(block.blockId);
  try {
    const created = await insert(ctx, session, block, id);
    return created.id ?? id;
  } catch (error) {
    if (!(error instanceof GoogleApiError) || error.status !== 409) throw error;
    // Written before (a retried insert, or deleted and re-planned): restore and move that event.
    const existing = await getEvent(session, calendarId, id);
    if (!existing) throw error;
    return patchOwned(session, calendarId, id, block, existing);
  }
}

export async function deleteGoogleBlock(
  ctx: GoogleContext,
  calendarId: string,
  externalEventId: string,
): Promise<void> {
  const session = sessionFor(ctx);
  const existing = await getEvent(session, calendarId, externalEventId);
  if (!existing) return;
  if (!isCairnOwned(existing)) throw refuse(calendarId, externalEventId, "delete");
  if (existing.status === "cancelled") return;
  try {
    await session.call("events.delete", (options) =>
      session.api.events.delete({ calendarId, eventId: externalEventId }, options),
    );
  } catch (error) {
    if (error instanceof GoogleApiError && (error.status === 404 || error.status === 410)) return;
    throw error;
  }
}
