/**
 * Scopes and pulls. An events scope (one calendar) is synced the way Google documents: a first full list with
 * singleEvents=true (recurring events expanded) from `timeMin = now - pastDays`, paged with pageToken; the last
 * page's nextSyncToken becomes the cursor; later runs list only changes since it. 410 Gone means the sync token
 * is dead: the same call restarts a full sync and flags `resetScope`. A busy-only scope is read through freeBusy
 * as a snapshot of merged busy intervals.
 */
import type { calendar_v3 } from "@googleapis/calendar";
import type { PullPage, SyncScope } from "../../engine/sync/connector.ts";
import { TransientProviderError } from "../../engine/sync/connector.ts";
import { GoogleApiError, type GoogleContext, type GoogleSession, sessionFor } from "./client.ts";
import {
  BUSY_SCOPE_PREFIX,
  type GoogleBusyItem,
  GoogleCursor,
  GoogleEvent,
  type GoogleEventItem,
} from "./schemas.ts";

const DAY_MS = 86_400_000;

export async function listCalendars(session: GoogleSession): Promise<calendar_v3.Schema$CalendarListEntry[]> {
  const out: calendar_v3.Schema$CalendarListEntry[] = [];
  let pageToken: string | undefined;
  do {
    const token = pageToken;
    const page = await session.call("calendarList.list", (options) =>
      session.api.calendarList.list({ maxResults: 250, ...(token ? { pageToken: token } : {}) }, options),
    );
    out.push(...(page.items ?? []));
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return out;
}

export async function googleScopes(ctx: GoogleContext): Promise<SyncScope[]> {
  const session = sessionFor(ctx);
  const calendars = await listCalendars(session);
  const byId = new Map(calendars.flatMap((c) => (c.id ? [[c.id, c] as const] : [])));
  const primary = calendars.find((c) => c.primary === true);
  const label = (id: string) => byId.get(id)?.summaryOverride ?? byId.get(id)?.summary ?? id;
  const resolve = (id: string) => (id === "primary" ? (primary?.id ?? "primary") : id);
  const scopes: SyncScope[] = [];
  const seen = new Set<string>();
  const add = (scope: SyncScope) => {
    if (seen.has(scope.id)) return;
    seen.add(scope.id);
    scopes.push(scope);
  };
  if (ctx.settings.includePrimary) {
    const id = primary?.id ?? "primary";
    add({ id, kind: "events", label: label(id) });
  }
  for (const raw of ctx.settings.calendarIds) {
    const id = resolve(raw);
    add({ id, kind: "events", label: label(id) });
  }
  for (const raw of ctx.settings.busyOnlyCalendarIds) {
    const id = resolve(raw);
    if (seen.has(id)) continue; // already synced in full
    add({ id: `${BUSY_SCOPE_PREFIX}${id}`, kind: "events", label: `${label(id)} (busy only)` });
  }
  return scopes;
}

function parseCursor(text: string | null): GoogleCursor | null {
  if (text === null) return null;
  try {
    const parsed = GoogleCursor.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function freshFull(ctx: GoogleContext): GoogleCursor {
  const timeMin = new Date(ctx.now().getTime() - ctx.settings.pastDays * DAY_MS).toISOString();
  return { v: 1, mode: "full", timeMin };
}

async function listPage(
  session: GoogleSession,
  calendarId: string,
  cursor: GoogleCursor,
  pageSize: number,
): Promise<calendar_v3.Schema$Events> {
  const params: calendar_v3.Params$Resource$Events$List = {
    calendarId,
    singleEvents: true,
    maxResults: pageSize,
  };
  if (cursor.mode === "full") params.timeMin = cursor.timeMin;
  else params.syncToken = cursor.syncToken;
  if (cursor.pageToken) params.pageToken = cursor.pageToken;
  return session.call("events.list", (options) => session.api.events.list(params, options));
}

export async function pullEvents(
  ctx: GoogleContext,
  scope: SyncScope,
  cursorText: string | null,
): Promise<PullPage> {
  const session = sessionFor(ctx);
  const before = session.requests;
  const calendarId = scope.id;
  const stored = parseCursor(cursorText);
  if (cursorText !== null && stored === null)
    ctx.log.warn({ scope: scope.id }, "unreadable google cursor: full resync");
  let cursor = stored ?? freshFull(ctx);
  let resetScope = cursorText !== null && stored === null;
  let page: calendar_v3.Schema$Events;
  try {
    page = await listPage(session, calendarId, cursor, ctx.settings.pageSize);
  } catch (error) {
    if (!(error instanceof GoogleApiError)) throw error;
    if (error.status === 410) {
      ctx.log.info({ scope: scope.id }, "google sync token expired (410): full resync");
      cursor = freshFull(ctx);
      resetScope = true;
    } else if (error.status === 400 && cursor.pageToken) {
      // A stale page token: restart the batch (an interrupted full sync restarts from scratch).
      ctx.log.info(
        { scope: scope.id, mode: cursor.mode },
        "google page token rejected: restarting the batch",
      );
      if (cursor.mode === "full") {
        cursor = freshFull(ctx);
        resetScope = true;
      } else {
        cursor = { v: 1, mode: "incremental", syncToken: cursor.syncToken };
      }
    } else {
      throw error;
    }
    page = await listPage(session, calendarId, cursor, ctx.settings.pageSize);
  }
  const timeZone = page.timeZone ?? "UTC";
  const items: GoogleEventItem[] = [];
  const skipped: { externalId: string; reason: string }[] = [];
  for (const raw of page.items ?? []) {
    const parsed = GoogleEvent.safeParse(raw);
    if (parsed.success) items.push({ kind: "google#event", calendarId, timeZone, event: parsed.data });
    else
      skipped.push({
        externalId: typeof raw.id === "string" ? raw.id : "(no id)",
        reason: "malformed event",
      });
  }
  let next: GoogleCursor;
  let hasMore: boolean;
  if (page.nextPageToken) {
    next = { ...cursor, pageToken: page.nextPageToken };
    hasMore = true;
  } else if (page.nextSyncToken) {
    next = { v: 1, mode: "incremental", syncToken: page.nextSyncToken };
    hasMore = false;
  } else {
    throw new TransientProviderError(
      `Google returned neither nextPageToken nor nextSyncToken for ${calendarId}`,
    );
  }
  return {
    items,
    ...(skipped.length > 0 ? { skipped } : {}),
    nextCursor: JSON.stringify(next),
    hasMore,
    ...(resetScope ? { resetScope: true } : {}),
    apiCalls: session.requests - before,
  };
}

/** A busy-only calendar: one freeBusy query, a snapshot of busy intervals (replaces what was stored). */
export async function pullBusy(ctx: GoogleContext, scope: SyncScope): Promise<PullPage> {
  const session = sessionFor(ctx);
  const before = session.requests;
  const calendarId = scope.id.slice(BUSY_SCOPE_PREFIX.length);
  const now = ctx.now().getTime();
  const timeMin = new Date(now - DAY_MS).toISOString();
  const timeMax = new Date(now + ctx.settings.busyDays * DAY_MS).toISOString();
  const answer = await session.call("freebusy.query", (options) =>
    session.api.freebusy.query({ requestBody: { timeMin, timeMax, items: [{ id: calendarId }] } }, options),
  );
  const entry = answer.calendars?.[calendarId];
  const problems = entry?.errors ?? [];
  if (!entry || problems.length > 0) {
    const reason = problems[0]?.reason ?? "missing";
    if (reason === "backendError")
      throw new TransientProviderError(`Google freeBusy backend error for ${calendarId}`);
    throw new GoogleApiError(404, reason, `Google freeBusy cannot read ${calendarId} (${reason})`);
  }
  const items: GoogleBusyItem[] = [];
  for (const busy of entry.busy ?? []) {
    if (busy.start && busy.end)
      items.push({ kind: "google#busy", calendarId, start: busy.start, end: busy.end });
  }
  return { items, nextCursor: null, hasMore: false, resetScope: true, apiCalls: session.requests - before };
}
