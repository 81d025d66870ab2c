/**
 * A local fake of Google Calendar API v3 plus Google's OAuth token endpoint, for @googleapis/calendar with a
 * google-auth-library OAuth2Client.
 *
 * Speaks: GET /o/oauth2/v2/auth (a consent already given: straight back with a code), POST /token
 * (refresh_token and authorization_code grants), and under /calendar/v3:
 * users/me/calendarList, calendars/:id/events (list with singleEvents expansion, timeMin/timeMax, paging,
 * showDeleted, privateExtendedProperty, incremental syncToken → nextSyncToken and 410 fullSyncRequired),
 * insert / get / patch / update / delete of events (including single instances of recurring events),
 * events/watch, channels/stop and freeBusy. Bearer access tokens are checked and expire.
 *
 * Events are stored as `calendar_v3.Schema$Event` in a Map per calendar; each change stamps a global change
 * sequence, which is what sync tokens point at.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { calendar_v3 } from "@googleapis/calendar";
import type { Request, Response } from "express";
import { DateTime } from "luxon";
import { z } from "zod";
import {
  createFakeApp,
  decodeToken,
  encodeToken,
  type FailNextOptions,
  type FakeServerBase,
  type Fault,
  isRecord,
  listen,
  monotonicClock,
  pick,
  postRaw,
  seededRandom,
} from "./common.ts";

export type { RecordedRequest } from "./common.ts";

const require = createRequire(import.meta.url);
// rrule ships a UMD main without ESM named exports for Node; load it through require.
const { RRule } = require("rrule") as typeof import("rrule");

export type CalendarEvent = calendar_v3.Schema$Event;

export interface FakeCalendar {
  id: string;
  summary: string;
  timeZone: string;
  primary: boolean;
  accessRole: "owner" | "writer" | "reader" | "freeBusyReader";
  backgroundColor: string;
  /** Stored events: singles, recurring masters, and exceptions (instance overrides, id `<master>_<start>`). */
  events: Map<string, StoredEvent>;
}

export interface StoredEvent {
  json: CalendarEvent;
  /** Global change sequence of the last change (what sync tokens compare against). */
  seq: number;
}

export interface PushNotification {
  channelId: string;
  resourceId: string;
  resourceState: "sync" | "exists" | "not_exists";
  messageNumber: number;
  channelToken?: string;
  resourceUri?: string;
  /** Channel expiration (ms since epoch). */
  expiration?: number;
}

export interface WatchChannel {
  id: string;
  resourceId: string;
  calendarId: string;
  address: string;
  token?: string;
  expiration: number;
  messageNumber: number;
}

export interface GenerateEventsOptions {
  seed?: number;
  /** First day (default: today − 7 days, in the calendar's zone). */
  startDate?: string;
  /** Days to spread events over (default 28). */
  days?: number;
  /** Fractions (defaults): all-day 0.05, recurring weekly 0.05, declined by me 0.08, transparent 0.05. */
  allDayRate?: number;
  recurringRate?: number;
  declinedRate?: number;
  transparentRate?: number;
}

export interface FakeGoogleOptions {
  clientId?: string;
  clientSecret?: string;
  /** A refresh token that is valid from the start (default `1//fake-refresh-token`). */
  refreshToken?: string;
  /** The signed-in user and id of the primary calendar (default `me@example.com`). */
  userEmail?: string;
  /** Time zone of the primary calendar (default `Europe/Paris`). */
  timeZone?: string;
  accessTokenTtlSeconds?: number;
  now?: () => Date;
  recordRequests?: boolean;
  /** "auto": watch creation sends a "sync" push and every change sends "exists" to the calendar's channels. */
  pushNotifications?: "manual" | "auto";
  /** How far unbounded recurring series are expanded past now with singleEvents=true (default 365 days). */
  expansionDays?: number;
  /** Caps every events.list page at this many items, whatever maxResults asks (to force paging). */
  maxPageSize?: number;
  /** The consent endpoint answers access_denied, as when the person clicks Cancel. */
  denyConsent?: boolean;
}

export interface FakeGoogleState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly userEmail: string;
  readonly calendars: Map<string, FakeCalendar>;
  readonly channels: Map<string, WatchChannel>;
  readonly primaryCalendarId: string;
  addCalendar(input: {
    id?: string;
    summary?: string;
    timeZone?: string;
    accessRole?: FakeCalendar["accessRole"];
  }): FakeCalendar;
  /** Inserts like events.insert (same validation), without going through HTTP. */
  addEvent(calendarId: string, event: CalendarEvent): CalendarEvent;
  /** N realistic events over working hours, deterministic per seed. */
  generateEvents(calendarId: string, count: number, options?: GenerateEventsOptions): CalendarEvent[];
  /** Patches like events.patch (bumps updated / sequence / sync position). */
  updateEvent(calendarId: string, eventId: string, patch: CalendarEvent): CalendarEvent;
  /** Cancels like events.delete. */
  deleteEvent(calendarId: string, eventId: string): void;
  /** The event as events.get returns it (works for instance ids too). */
  getEvent(calendarId: string, eventId: string): CalendarEvent;
  /** Every sync token issued so far for the calendar (or all calendars) answers 410 from now on. */
  invalidateSyncTokens(calendarId?: string): void;
  /** A valid access token without the OAuth dance. */
  issueAccessToken(): string;
  /** Every access token issued so far answers 401 (clients then refresh). */
  expireAccessTokens(): void;
  addRefreshToken(token: string): void;
  /** The refresh token (default: all) answers invalid_grant from now on. */
  revokeRefreshToken(token?: string): void;
  /** A one-time code for the authorization_code grant (bound to `redirectUri` when given, as Google does). */
  createAuthorizationCode(redirectUri?: string): string;
  /** Sends a push notification to every live channel watching the calendar. */
  notifyWatchers(
    calendarId: string,
    resourceState?: PushNotification["resourceState"],
  ): Promise<{ channelId: string; status: number }[]>;
  /** Make the next matching /calendar requests fail (default: one 429 with Retry-After: 1). */
  failNext(options?: FailNextOptions & { reason?: string }): void;
  clearFaults(): void;
}

export interface FakeGoogle extends FakeServerBase {
  state: FakeGoogleState;
  /** OAuth token endpoint for OAuth2Client `endpoints.oauth2TokenUrl` (GOOGLE_TOKEN_URL). */
  tokenUrl: string;
  /** Consent endpoint for `endpoints.oauth2AuthBaseUrl` (GOOGLE_AUTH_URL): redirects back with a code at once. */
  authUrl: string;
}

class GoogleError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = "global",
  ) {
    super(message);
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  410: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

export function googleErrorBody(status: number, reason: string, message: string, domain = "global") {
  const error: Record<string, unknown> = { code: status, message, errors: [{ domain, reason, message }] };
  const name = STATUS_NAMES[status];
  if (name) error.status = name;
  return { error };
}

function faultBody(fault: Fault): unknown {
  if (fault.status === 429 || fault.status === 403) {
    return googleErrorBody(fault.status, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits");
  }
  if (fault.status === 401) return googleErrorBody(401, "authError", "Invalid Credentials");
  if (fault.status === 503)
    return googleErrorBody(503, "backendError", "The service is currently unavailable.");
  return googleErrorBody(fault.status, "backendError", "Backend Error");
}

const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";

function eventId(random: () => number = Math.random): string {
  let s = "";
  for (let i = 0; i < 26; i++) s += BASE32HEX[Math.floor(random() * 32)] ?? "0";
  return s;
}

function utcBasic(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Event date-time input (zod, permissive like the API). */
const EventDateTime = z.object({
  date: z.string().nullable().optional(),
  dateTime: z.string().nullable().optional(),
  timeZone: z.string().nullable().optional(),
});

const EventBody = z
  .object({
    id: z.string().optional(),
    summary: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    location: z.string().nullable().optional(),
    start: EventDateTime.optional(),
    end: EventDateTime.optional(),
    recurrence: z.array(z.string()).nullable().optional(),
    attendees: z.array(z.record(z.string(), z.unknown())).nullable().optional(),
    transparency: z.enum(["opaque", "transparent"]).nullable().optional(),
    visibility: z.string().nullable().optional(),
    status: z.enum(["confirmed", "tentative", "cancelled"]).nullable().optional(),
    eventType: z.string().nullable().optional(),
    focusTimeProperties: z.record(z.string(), z.unknown()).nullable().optional(),
    outOfOfficeProperties: z.record(z.string(), z.unknown()).nullable().optional(),
    extendedProperties: z
      .object({
        private: z.record(z.string(), z.string()).nullable().optional(),
        shared: z.record(z.string(), z.string()).nullable().optional(),
      })
      .nullable()
      .optional(),
    reminders: z.record(z.string(), z.unknown()).nullable().optional(),
    colorId: z.string().nullable().optional(),
  })
  .loose();

const FreeBusyBody = z.object({
  timeMin: z.string(),
  timeMax: z.string(),
  timeZone: z.string().optional(),
  items: z.array(z.object({ id: z.string() })),
});

const WatchBody = z.object({
  id: z.string().min(1),
  type: z.string(),
  address: z.string().url(),
  token: z.string().optional(),
  params: z.object({ ttl: z.string().optional() }).optional(),
});

const StopBody = z.object({ id: z.string(), resourceId: z.string() });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new GoogleError(
      400,
      "invalid",
      `Invalid value for ${issue?.path.join(".") ?? "body"}: ${issue?.message ?? ""}`,
    );
  }
  return result.data;
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isRecord(value) && isRecord(out[key]))
      out[key] = deepMerge(out[key] as Record<string, unknown>, value);
    else out[key] = value;
  }
  return out;
}

export async function startFakeGoogle(options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const clientId = options.clientId ?? "cairn-test.apps.googleusercontent.com";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  const userEmail = options.userEmail ?? "me@example.com";
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const expansionDays = options.expansionDays ?? 365;
  const maxPageSize = options.maxPageSize ?? 2500;
  const autoPush = options.pushNotifications === "auto";
  const now = options.now ?? (() => new Date());
  const clock = monotonicClock(now);
  const { app, requests, faults } = createFakeApp({
    faultBody,
    ...(options.recordRequests === undefined ? {} : { recordRequests: options.recordRequests }),
  });
  let baseUrl = "";

  const calendars = new Map<string, FakeCalendar>();
  const channels = new Map<string, WatchChannel>();
  const refreshTokens = new Map<string, { revoked: boolean }>();
  const accessTokens = new Map<string, number>();
  /** One-time codes, with the redirect_uri the consent was given for (the exchange must name the same). */
  const authCodes = new Map<string, string | undefined>();
  const epochs = new Map<string, number>();
  const listSnapshots = new Map<
    string,
    { items: CalendarEvent[]; offset: number; nextSyncToken?: string; meta: Record<string, unknown> }
  >();
  let seq = 0;
  refreshTokens.set(options.refreshToken ?? "1//fake-refresh-token", { revoked: false });

  // -- calendars & time ------------------------------------------------------------------------------

  function resolveCalendar(id: string): FakeCalendar {
    const calendar = calendars.get(id === "primary" ? userEmail : id);
    if (!calendar) throw new GoogleError(404, "notFound", "Not Found");
    return calendar;
  }

  function zoneOf(dt: calendar_v3.Schema$EventDateTime | undefined, calendar: FakeCalendar): string {
    return dt?.timeZone ?? calendar.timeZone;
  }

  /** Instant (ms) of a start/end; all-day dates are midnight in the calendar's zone. */
  function instant(dt: calendar_v3.Schema$EventDateTime | undefined, calendar: FakeCalendar): number {
    if (dt?.dateTime) return DateTime.fromISO(dt.dateTime, { zone: zoneOf(dt, calendar) }).toMillis();
    if (dt?.date) return DateTime.fromISO(dt.date, { zone: calendar.timeZone }).toMillis();
    return Number.NaN;
  }

  function normalizeDateTime(
    dt: z.infer<typeof EventDateTime> | undefined,
    calendar: FakeCalendar,
    which: "start" | "end",
  ): calendar_v3.Schema$EventDateTime {
    if (!dt || (!dt.date && !dt.dateTime)) {
      throw new GoogleError(400, "required", which === "end" ? "Missing end time." : "Missing start time.");
    }
    if (dt.date) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(dt.date))
        throw new GoogleError(400, "invalid", `Invalid ${which} date.`);
      return { date: dt.date };
    }
    const zone = dt.timeZone ?? calendar.timeZone;
    const hasOffset = /([zZ]|[+-]\d{2}:?\d{2})$/.test(dt.dateTime ?? "");
    if (!hasOffset && !dt.timeZone) {
      throw new GoogleError(400, "invalid", "Missing time zone definition for start time.");
    }
    const parsed = DateTime.fromISO(dt.dateTime ?? "", { zone });
    if (!parsed.isValid) throw new GoogleError(400, "invalid", `Invalid ${which} time.`);
    const out: calendar_v3.Schema$EventDateTime = {
      dateTime: parsed.setZone(zone).toISO({ suppressMilliseconds: true }),
    };
    if (dt.timeZone) out.timeZone = dt.timeZone;
    return out;
  }

  function parseInstant(value: string, name: string): number {
    if (!/([zZ]|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
      throw new GoogleError(
        400,
        "badRequest",
        `Bad Request: ${name} must be an RFC3339 timestamp with a time zone offset.`,
      );
    }
    return Date.parse(value);
  }

  // -- recurrence ------------------------------------------------------------------------------------

  interface Occurrence {
    id: string;
    startMs: number;
    start: calendar_v3.Schema$EventDateTime;
    end: calendar_v3.Schema$EventDateTime;
    originalStartTime: calendar_v3.Schema$EventDateTime;
  }

  /** Occurrences of a recurring master overlapping [fromMs, toMs). */
  function occurrences(
    master: CalendarEvent,
    calendar: FakeCalendar,
    fromMs: number,
    toMs: number,
  ): Occurrence[] {
    const lines = master.recurrence ?? [];
    const allDay = Boolean(master.start?.date);
    const zone = allDay ? "UTC" : zoneOf(master.start, calendar);
    const startWall = allDay
      ? DateTime.fromISO(master.start?.date ?? "", { zone: "UTC" })
      : DateTime.fromISO(master.start?.dateTime ?? "", { zone }).setZone(zone);
    const durationMs = instant(master.end, calendar) - instant(master.start, calendar);
    const floating = (wall: DateTime): Date =>
      new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
    const dtstart = floating(startWall);
    const excluded = new Set<number>();
    for (const line of lines) {
      if (!line.startsWith("EXDATE")) continue;
      const [head, values] = line.split(":", 2);
      const tzid = /TZID=([^;:]+)/.exec(head ?? "")?.[1] ?? zone;
      for (const v of (values ?? "").split(",")) {
        const wall = v.endsWith("Z")
          ? DateTime.fromFormat(v, "yyyyMMdd'T'HHmmss'Z'", { zone: "UTC" }).setZone(zone)
          : v.length === 8
            ? DateTime.fromFormat(v, "yyyyMMdd", { zone: "UTC" })
            : DateTime.fromFormat(v, "yyyyMMdd'T'HHmmss", { zone: tzid }).setZone(zone);
        if (wall.isValid) excluded.add(floating(wall).getTime());
      }
    }
    const fromWall = DateTime.fromMillis(fromMs - Math.max(durationMs, 0), { zone });
    const toWall = DateTime.fromMillis(toMs, { zone });
    const out: Occurrence[] = [];
    for (const line of lines) {
      if (!line.startsWith("RRULE:")) continue;
      const rule = new RRule({ ...RRule.parseString(line.slice(6)), dtstart, tzid: null });
      const dates = rule.between(floating(fromWall), floating(toWall), true, (_d, i) => i < 2000);
      for (const f of dates) {
        if (excluded.has(f.getTime())) continue;
        const wall = DateTime.fromObject(
          {
            year: f.getUTCFullYear(),
            month: f.getUTCMonth() + 1,
            day: f.getUTCDate(),
            hour: f.getUTCHours(),
            minute: f.getUTCMinutes(),
            second: f.getUTCSeconds(),
          },
          { zone },
        );
        if (allDay) {
          const days = Math.round(durationMs / 86400000) || 1;
          const date = wall.toISODate() ?? "";
          const startMs = DateTime.fromISO(date, { zone: calendar.timeZone }).toMillis();
          if (startMs >= toMs || startMs + days * 86400000 <= fromMs) continue;
          out.push({
            id: `${master.id}_${date.replaceAll("-", "")}`,
            startMs,
            start: { date },
            end: { date: wall.plus({ days }).toISODate() ?? "" },
            originalStartTime: { date },
          });
        } else {
          const startMs = wall.toMillis();
          if (startMs >= toMs || startMs + durationMs <= fromMs) continue;
          const tzField = master.start?.timeZone ? { timeZone: master.start.timeZone } : {};
          const startIso = wall.toISO({ suppressMilliseconds: true }) ?? "";
          out.push({
            id: `${master.id}_${utcBasic(startMs)}`,
            startMs,
            start: { dateTime: startIso, ...tzField },
            end: {
              dateTime: wall.plus({ milliseconds: durationMs }).toISO({ suppressMilliseconds: true }) ?? "",
              ...(master.end?.timeZone ? { timeZone: master.end.timeZone } : {}),
            },
            originalStartTime: { dateTime: startIso, ...tzField },
          });
        }
      }
    }
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  function instanceFrom(master: CalendarEvent, occ: Occurrence): CalendarEvent {
    const { recurrence: _recurrence, ...rest } = master;
    return {
      ...rest,
      id: occ.id,
      recurringEventId: master.id ?? null,
      originalStartTime: occ.originalStartTime,
      start: occ.start,
      end: occ.end,
    };
  }

  /** Minimal body Google returns for a cancelled event in lists. */
  function cancelledView(event: CalendarEvent): CalendarEvent {
    const out: CalendarEvent = {
      kind: "calendar#event",
      etag: event.etag ?? null,
      id: event.id ?? null,
      status: "cancelled",
      updated: event.updated ?? null,
    };
    if (event.recurringEventId) {
      out.recurringEventId = event.recurringEventId;
      if (event.originalStartTime) out.originalStartTime = event.originalStartTime;
    }
    return out;
  }

  /** Instance id `<master>_<suffix>` → its master and occurrence, if it is one. */
  function findOccurrence(
    calendar: FakeCalendar,
    instanceId: string,
  ): { master: StoredEvent; occ: Occurrence } | undefined {
    const cut = instanceId.lastIndexOf("_");
    if (cut < 0) return undefined;
    const master = calendar.events.get(instanceId.slice(0, cut));
    if (!master?.json.recurrence || master.json.status === "cancelled") return undefined;
    const suffix = instanceId.slice(cut + 1);
    let at: number;
    if (/^\d{8}$/.test(suffix))
      at = DateTime.fromFormat(suffix, "yyyyMMdd", { zone: calendar.timeZone }).toMillis();
    else if (/^\d{8}T\d{6}Z$/.test(suffix))
      at = DateTime.fromFormat(suffix, "yyyyMMdd'T'HHmmss'Z'", { zone: "UTC" }).toMillis();
    else return undefined;
    const occ = occurrences(master.json, calendar, at, at + 1).find((o) => o.id === instanceId);
    return occ ? { master, occ } : undefined;
  }

  // -- mutations -------------------------------------------------------------------------------------

  function stamp(stored: StoredEvent): void {
    const t = clock();
    stored.seq = ++seq;
    stored.json.updated = t.toISOString();
    stored.json.etag = `"${t.getTime() * 1000}"`;
  }

  function changed(calendar: FakeCalendar): void {
    if (autoPush) void state.notifyWatchers(calendar.id, "exists").catch(() => undefined);
  }

  function validateEvent(event: CalendarEvent, calendar: FakeCalendar): void {
    const startMs = instant(event.start ?? undefined, calendar);
    const endMs = instant(event.end ?? undefined, calendar);
    if (Boolean(event.start?.date) !== Boolean(event.end?.date)) {
      throw new GoogleError(
        400,
        "invalid",
        "Start and end times must either both be date or both be dateTime.",
      );
    }
    if (!(endMs > startMs))
      throw new GoogleError(400, "timeRangeEmpty", "The specified time range is empty.");
    if (event.eventType === "focusTime" || event.eventType === "outOfOffice") {
      if (!calendar.primary) {
        throw new GoogleError(
          400,
          "invalid",
          `${event.eventType === "focusTime" ? "Focus time" : "Out of office"} events can only be created on the primary calendar.`,
        );
      }
      if (event.start?.date) {
        throw new GoogleError(400, "invalid", `${event.eventType} events cannot be all-day events.`);
      }
    } else if (event.focusTimeProperties) {
      throw new GoogleError(400, "invalid", "focusTimeProperties can only be set on focusTime events.");
    }
    for (const line of event.recurrence ?? []) {
      if (line.startsWith("RRULE:")) {
        try {
          RRule.parseString(line.slice(6));
        } catch {
          throw new GoogleError(400, "invalid", "Invalid recurrence rule.");
        }
      }
    }
  }

  function materialize(
    body: z.infer<typeof EventBody>,
    calendar: FakeCalendar,
    base: CalendarEvent,
  ): CalendarEvent {
    const event: CalendarEvent = { ...base };
    const copy = [
      "summary",
      "description",
      "location",
      "transparency",
      "visibility",
      "status",
      "eventType",
      "focusTimeProperties",
      "outOfOfficeProperties",
      "extendedProperties",
      "reminders",
      "colorId",
      "recurrence",
    ] as const;
    for (const key of copy) {
      const value = body[key];
      if (value !== undefined) Object.assign(event, { [key]: value });
    }
    if (body.start !== undefined) event.start = normalizeDateTime(body.start, calendar, "start");
    if (body.end !== undefined) event.end = normalizeDateTime(body.end, calendar, "end");
    if (body.attendees !== undefined) {
      event.attendees = (body.attendees ?? []).map((a) => {
        const email = typeof a.email === "string" ? a.email : "";
        const attendee: calendar_v3.Schema$EventAttendee = {
          ...a,
          email,
          responseStatus: typeof a.responseStatus === "string" ? a.responseStatus : "needsAction",
        };
        if (email === userEmail || a.self === true) attendee.self = true;
        if (email === calendar.id) attendee.organizer = true;
        return attendee;
      });
    }
    if (event.eventType === "focusTime") {
      event.focusTimeProperties ??= { autoDeclineMode: "declineNone", chatStatus: "doNotDisturb" };
      event.transparency ??= "opaque";
    }
    return event;
  }

  function insertEvent(calendar: FakeCalendar, rawBody: unknown): CalendarEvent {
    const body = parseBody(EventBody, rawBody);
    if (body.start === undefined) throw new GoogleError(400, "required", "Missing start time.");
    if (body.end === undefined) throw new GoogleError(400, "required", "Missing end time.");
    let id = body.id;
    if (id !== undefined) {
      if (!/^[a-v0-9]{5,1024}$/.test(id)) throw new GoogleError(400, "invalid", "Invalid resource id value.");
      if (calendar.events.has(id))
        throw new GoogleError(409, "duplicate", "The requested identifier already exists.");
    } else {
      id = eventId();
    }
    const created = clock().toISOString();
    const base: CalendarEvent = {
      kind: "calendar#event",
      id,
      status: "confirmed",
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendar.id}`).toString("base64url")}`,
      created,
      updated: created,
      creator: { email: userEmail, self: true },
      organizer: {
        email: calendar.id,
        self: true,
        ...(calendar.primary ? {} : { displayName: calendar.summary }),
      },
      iCalUID: `${id}@google.com`,
      sequence: 0,
      reminders: { useDefault: true },
      eventType: "default",
    };
    const event = materialize(body, calendar, base);
    validateEvent(event, calendar);
    const stored: StoredEvent = { json: event, seq: 0 };
    stamp(stored);
    calendar.events.set(id, stored);
    changed(calendar);
    return event;
  }

  /** Stored event for an id, creating an exception from the occurrence for instance ids. */
  function storedForWrite(calendar: FakeCalendar, id: string): StoredEvent {
    const existing = calendar.events.get(id);
    if (existing) return existing;
    const found = findOccurrence(calendar, id);
    if (!found) throw new GoogleError(404, "notFound", "Not Found");
    const exception: StoredEvent = { json: instanceFrom(found.master.json, found.occ), seq: 0 };
    calendar.events.set(id, exception);
    return exception;
  }

  function updateEvent(
    calendar: FakeCalendar,
    id: string,
    rawBody: unknown,
    mode: "patch" | "put",
  ): CalendarEvent {
    const stored = storedForWrite(calendar, id);
    const body = parseBody(EventBody, rawBody);
    const server: CalendarEvent = {
      kind: "calendar#event",
      id: stored.json.id ?? id,
      htmlLink: stored.json.htmlLink ?? null,
      created: stored.json.created ?? null,
      creator: stored.json.creator ?? null,
      organizer: stored.json.organizer ?? null,
      iCalUID: stored.json.iCalUID ?? null,
      recurringEventId: stored.json.recurringEventId ?? null,
      ...(stored.json.originalStartTime ? { originalStartTime: stored.json.originalStartTime } : {}),
      eventType: stored.json.eventType ?? "default",
      status: "confirmed",
    };
    let next: CalendarEvent;
    if (mode === "patch") {
      const { start, end, attendees, id: _id, ...plain } = body;
      const merged = deepMerge(stored.json as Record<string, unknown>, plain) as CalendarEvent;
      const partial: z.infer<typeof EventBody> = {};
      if (start !== undefined) partial.start = start;
      if (end !== undefined) partial.end = end;
      if (attendees !== undefined) partial.attendees = attendees;
      next = materialize(partial, calendar, merged);
    } else {
      next = materialize(body, calendar, server);
      if (!next.start || !next.end) throw new GoogleError(400, "required", "Missing start or end time.");
    }
    if (!next.recurringEventId) delete next.recurringEventId;
    if (!next.originalStartTime) delete next.originalStartTime;
    validateEvent(next, calendar);
    const timeChanged =
      JSON.stringify([next.start, next.end]) !== JSON.stringify([stored.json.start, stored.json.end]);
    next.sequence = (stored.json.sequence ?? 0) + (timeChanged ? 1 : 0);
    stored.json = next;
    stamp(stored);
    changed(calendar);
    return next;
  }

  function deleteEvent(calendar: FakeCalendar, id: string): void {
    const stored = storedForWrite(calendar, id);
    if (stored.json.status === "cancelled")
      throw new GoogleError(410, "deleted", "Resource has been deleted");
    stored.json = { ...stored.json, status: "cancelled" };
    stamp(stored);
    changed(calendar);
  }

  function getEvent(calendar: FakeCalendar, id: string): CalendarEvent {
    const stored = calendar.events.get(id);
    if (stored) return stored.json;
    const found = findOccurrence(calendar, id);
    if (!found) throw new GoogleError(404, "notFound", "Not Found");
    return instanceFrom(found.master.json, found.occ);
  }

  // -- listing ---------------------------------------------------------------------------------------

  function syncTokenFor(calendar: FakeCalendar): string {
    return encodeToken({ c: calendar.id, s: seq, e: epochs.get(calendar.id) ?? 0 });
  }

  function readSyncToken(calendar: FakeCalendar, token: string): number {
    const decoded = decodeToken(token);
    if (
      !isRecord(decoded) ||
      decoded.c !== calendar.id ||
      typeof decoded.s !== "number" ||
      decoded.e !== (epochs.get(calendar.id) ?? 0)
    ) {
      throw new GoogleError(
        410,
        "fullSyncRequired",
        "Sync token is no longer valid, a full sync is required.",
        "calendar",
      );
    }
    return decoded.s;
  }

  interface ListParams {
    singleEvents: boolean;
    showDeleted: boolean;
    timeMin?: number;
    timeMax?: number;
    updatedMin?: number;
    orderBy?: "startTime" | "updated";
    q?: string;
    iCalUID?: string;
    privateExtendedProperty: [string, string][];
    sharedExtendedProperty: [string, string][];
    sinceSeq?: number;
  }

  function listEvents(calendar: FakeCalendar, params: ListParams): CalendarEvent[] {
    const incremental = params.sinceSeq !== undefined;
    const since = params.sinceSeq ?? -1;
    const includeCancelled = incremental || params.showDeleted;
    const nowMs = now().getTime();
    const from = params.timeMin ?? Number.NEGATIVE_INFINITY;
    const to = params.timeMax ?? Number.POSITIVE_INFINITY;
    const out: { event: CalendarEvent; startMs: number }[] = [];

    const passes = (event: CalendarEvent, startMs: number, endMs: number): boolean => {
      if (!incremental) {
        if (!(endMs > from && startMs < to)) return false;
        if (params.updatedMin !== undefined && Date.parse(event.updated ?? "") < params.updatedMin)
          return false;
        if (params.iCalUID !== undefined && event.iCalUID !== params.iCalUID) return false;
        if (params.q !== undefined) {
          const text =
            `${event.summary ?? ""} ${event.description ?? ""} ${event.location ?? ""}`.toLowerCase();
          if (!text.includes(params.q.toLowerCase())) return false;
        }
        for (const [k, v] of params.privateExtendedProperty) {
          if (event.extendedProperties?.private?.[k] !== v) return false;
        }
        for (const [k, v] of params.sharedExtendedProperty) {
          if (event.extendedProperties?.shared?.[k] !== v) return false;
        }
      }
      return true;
    };
    const push = (event: CalendarEvent, startMs: number) => {
      out.push({ event: event.status === "cancelled" ? cancelledView(event) : event, startMs });
    };

    for (const stored of calendar.events.values()) {
      const event = stored.json;
      const cancelled = event.status === "cancelled";
      const startMs = instant(event.start ?? undefined, calendar);
      const endMs = instant(event.end ?? undefined, calendar);
      if (event.recurrence && params.singleEvents) {
        // Expand the series: changed series (incremental) or any series (full).
        if (incremental && stored.seq <= since) continue;
        if (cancelled) {
          if (includeCancelled) push(event, startMs);
          continue;
        }
        const windowFrom = incremental || params.timeMin === undefined ? startMs : from;
        const windowTo = params.timeMax ?? nowMs + expansionDays * 86400000;
        for (const occ of occurrences(event, calendar, windowFrom, windowTo)) {
          if (calendar.events.has(occ.id)) continue; // the exception is listed on its own
          const instance = instanceFrom(event, occ);
          const instEnd = instant(occ.end, calendar);
          if (passes(instance, occ.startMs, instEnd)) push(instance, occ.startMs);
        }
        continue;
      }
      if (incremental) {
        if (stored.seq > since) push(event, startMs);
        continue;
      }
      if (cancelled && !includeCancelled) continue;
      if (event.recurrence && !params.singleEvents) {
        // A master is listed when any of its occurrences overlaps the window.
        if (params.timeMin !== undefined || params.timeMax !== undefined) {
          const probeTo = params.timeMax ?? nowMs + expansionDays * 86400000;
          if (occurrences(event, calendar, params.timeMin ?? startMs, probeTo).length === 0) continue;
        }
        if (passes(event, startMs, Number.POSITIVE_INFINITY)) push(event, startMs);
        continue;
      }
      if (passes(event, startMs, endMs)) push(event, startMs);
    }
    if (params.orderBy === "updated") {
      out.sort((a, b) => Date.parse(a.event.updated ?? "") - Date.parse(b.event.updated ?? ""));
    } else {
      out.sort((a, b) => a.startMs - b.startMs || ((a.event.id ?? "") < (b.event.id ?? "") ? -1 : 1));
    }
    return out.map((o) => o.event);
  }

  // -- state API ------------------------------------------------------------------------------------

  const state: FakeGoogleState = {
    clientId,
    clientSecret,
    userEmail,
    calendars,
    channels,
    primaryCalendarId: userEmail,
    addCalendar(input) {
      const id = input.id ?? `${eventId().slice(0, 20)}@group.calendar.google.com`;
      const calendar: FakeCalendar = {
        id,
        summary: input.summary ?? id,
        timeZone: input.timeZone ?? options.timeZone ?? "Europe/Paris",
        primary: id === userEmail,
        accessRole: input.accessRole ?? "owner",
        backgroundColor: "#9fe1e7",
        events: new Map(),
      };
      calendars.set(id, calendar);
      return calendar;
    },
    addEvent(calendarId, event) {
      return insertEvent(resolveCalendar(calendarId), event);
    },
    generateEvents(calendarId, count, opts = {}) {
      const calendar = resolveCalendar(calendarId);
      const random = seededRandom(opts.seed ?? 1);
      const days = opts.days ?? 28;
      const first = opts.startDate
        ? DateTime.fromISO(opts.startDate, { zone: calendar.timeZone })
        : DateTime.fromJSDate(now(), { zone: calendar.timeZone }).startOf("day").minus({ days: 7 });
      const titles = [
        "Standup",
        "1:1",
        "Design review",
        "Planning",
        "Customer call",
        "Interview",
        "Lunch",
        "Sync",
      ];
      const made: CalendarEvent[] = [];
      for (let i = 0; i < count; i++) {
        const day = first.plus({ days: Math.floor(random() * days) });
        const event: CalendarEvent = { id: eventId(random), summary: `${pick(random, titles)} ${i + 1}` };
        if (random() < (opts.allDayRate ?? 0.05)) {
          event.start = { date: day.toISODate() };
          event.end = { date: day.plus({ days: 1 }).toISODate() };
          event.transparency = "transparent";
        } else {
          const start = day.set({
            hour: 9 + Math.floor(random() * 9),
            minute: pick(random, [0, 15, 30, 45]),
          });
          const minutes = pick(random, [15, 30, 30, 45, 60, 60, 90]);
          event.start = {
            dateTime: start.toISO({ suppressMilliseconds: true }),
            timeZone: calendar.timeZone,
          };
          event.end = {
            dateTime: start.plus({ minutes }).toISO({ suppressMilliseconds: true }),
            timeZone: calendar.timeZone,
          };
          if (random() < (opts.transparentRate ?? 0.05)) event.transparency = "transparent";
          if (random() < (opts.recurringRate ?? 0.05)) {
            event.recurrence = [`RRULE:FREQ=WEEKLY;COUNT=${4 + Math.floor(random() * 8)}`];
          }
        }
        if (random() < 0.6) {
          event.attendees = [
            {
              email: userEmail,
              responseStatus: random() < (opts.declinedRate ?? 0.08) ? "declined" : "accepted",
            },
            { email: `colleague${1 + Math.floor(random() * 20)}@example.com`, responseStatus: "accepted" },
          ];
        }
        made.push(insertEvent(calendar, event));
      }
      return made;
    },
    updateEvent(calendarId, id, patch) {
      return updateEvent(resolveCalendar(calendarId), id, patch, "patch");
    },
    deleteEvent(calendarId, id) {
      deleteEvent(resolveCalendar(calendarId), id);
    },
    getEvent(calendarId, id) {
      return getEvent(resolveCalendar(calendarId), id);
    },
    invalidateSyncTokens(calendarId) {
      const ids = calendarId === undefined ? [...calendars.keys()] : [resolveCalendar(calendarId).id];
      for (const id of ids) epochs.set(id, (epochs.get(id) ?? 0) + 1);
    },
    issueAccessToken() {
      const token = `ya29.fake-${randomBytes(16).toString("base64url")}`;
      accessTokens.set(token, now().getTime() + ttl * 1000);
      return token;
    },
    expireAccessTokens() {
      for (const token of accessTokens.keys()) accessTokens.set(token, 0);
    },
    addRefreshToken(token) {
      refreshTokens.set(token, { revoked: false });
    },
    revokeRefreshToken(token) {
      for (const [t, entry] of refreshTokens) if (token === undefined || t === token) entry.revoked = true;
    },
    createAuthorizationCode(redirectUri) {
      const code = `4/fake-${randomBytes(12).toString("base64url")}`;
      authCodes.set(code, redirectUri);
      return code;
    },
    async notifyWatchers(calendarId, resourceState = "exists") {
      const calendar = resolveCalendar(calendarId);
      const results: { channelId: string; status: number }[] = [];
      for (const channel of channels.values()) {
        if (channel.calendarId !== calendar.id || channel.expiration < now().getTime()) continue;
        channel.messageNumber += 1;
        const notification: PushNotification = {
          channelId: channel.id,
          resourceId: channel.resourceId,
          resourceState,
          messageNumber: channel.messageNumber,
          resourceUri: `${baseUrl}/calendar/v3/calendars/${encodeURIComponent(calendar.id)}/events?alt=json`,
          expiration: channel.expiration,
        };
        if (channel.token !== undefined) notification.channelToken = channel.token;
        const { status } = await sendGooglePushNotification(channel.address, notification);
        results.push({ channelId: channel.id, status });
      }
      return results;
    },
    failNext(opts = {}) {
      const { reason, ...rest } = opts;
      const status = rest.status ?? 429;
      faults.push({
        ...rest,
        match: rest.match ?? /^\S+ \/calendar\//,
        ...(rest.body === undefined && reason !== undefined
          ? { body: googleErrorBody(status, reason, "Rate Limit Exceeded", "usageLimits") }
          : {}),
      });
    },
    clearFaults() {
      faults.clear();
    },
  };

  state.addCalendar({
    id: userEmail,
    summary: userEmail,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });

  // -- HTTP: OAuth -----------------------------------------------------------------------------------

  app.post("/token", (req: Request, res: Response) => {
    const body: Record<string, unknown> = isRecord(req.body) ? req.body : {};
    const basic = req.header("authorization");
    let id = typeof body.client_id === "string" ? body.client_id : undefined;
    let secret = typeof body.client_secret === "string" ? body.client_secret : undefined;
    if (basic?.startsWith("Basic ")) {
      const [u, p] = Buffer.from(basic.slice(6), "base64").toString("utf8").split(":");
      id = u;
      secret = p;
    }
    if (id !== clientId || secret !== clientSecret) {
      res.status(401).json({ error: "invalid_client", error_description: "Unauthorized" });
      return;
    }
    const scope = "https://www.googleapis.com/auth/calendar";
    if (body.grant_type === "refresh_token") {
      const token = typeof body.refresh_token === "string" ? body.refresh_token : "";
      const entry = refreshTokens.get(token);
      if (!entry || entry.revoked) {
        res
          .status(400)
          .json({ error: "invalid_grant", error_description: "Token has been expired or revoked." });
        return;
      }
      res.json({ access_token: state.issueAccessToken(), expires_in: ttl, scope, token_type: "Bearer" });
      return;
    }
    if (body.grant_type === "authorization_code") {
      const code = typeof body.code === "string" ? body.code : "";
      if (!authCodes.has(code)) {
        res.status(400).json({ error: "invalid_grant", error_description: "Malformed auth code." });
        return;
      }
      const boundTo = authCodes.get(code);
      authCodes.delete(code);
      if (boundTo !== undefined && body.redirect_uri !== boundTo) {
        res.status(400).json({ error: "redirect_uri_mismatch", error_description: "Bad Request" });
        return;
      }
      const refreshToken = `1//fake-${randomBytes(16).toString("base64url")}`;
      refreshTokens.set(refreshToken, { revoked: false });
      res.json({
        access_token: state.issueAccessToken(),
        expires_in: ttl,
        refresh_token: refreshToken,
        scope,
        token_type: "Bearer",
      });
      return;
    }
    res.status(400).json({ error: "unsupported_grant_type", error_description: "Invalid grant_type." });
  });

  /**
   * The consent screen, already agreed to: checks the request as Google does (client, response type, a
   * calendar scope, an http(s) redirect URI) and sends the browser straight back with a code and the state.
   * Errors are shown on the page (Google never redirects to an unchecked URI).
   */
  app.get("/o/oauth2/v2/auth", (req: Request, res: Response) => {
    const query = (name: string) => (typeof req.query[name] === "string" ? req.query[name] : undefined);
    const redirectUri = query("redirect_uri");
    const problem =
      query("client_id") !== clientId
        ? "invalid_client: The OAuth client was not found."
        : !redirectUri || !/^https?:\/\//.test(redirectUri)
          ? "invalid_request: Missing or invalid redirect_uri."
          : query("response_type") !== "code"
            ? "unsupported_response_type"
            : !(query("scope") ?? "").split(" ").some((scope) => scope.includes("/auth/calendar"))
              ? "invalid_scope: Some requested scopes were invalid."
              : undefined;
    if (problem || !redirectUri) {
      res.status(400).type("text/plain").send(`Error 400: ${problem}`);
      return;
    }
    const back = new URL(redirectUri);
    if (query("denied") === "1" || options.denyConsent) back.searchParams.set("error", "access_denied");
    else back.searchParams.set("code", state.createAuthorizationCode(redirectUri));
    const given = query("state");
    if (given !== undefined) back.searchParams.set("state", given);
    res.redirect(302, back.toString());
  });

  // -- HTTP: Calendar --------------------------------------------------------------------------------

  app.use("/calendar/v3", (req: Request, res: Response, next) => {
    const header = req.header("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    const expiresAt = accessTokens.get(token);
    if (expiresAt === undefined || expiresAt <= now().getTime()) {
      res
        .status(401)
        .set("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", error="invalid_token"')
        .json(
          googleErrorBody(
            401,
            "authError",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
          ),
        );
      return;
    }
    next();
  });

  const route = (handler: (req: Request) => unknown) => (req: Request, res: Response) => {
    try {
      const result = handler(req);
      if (result === undefined) res.status(204).end();
      else res.json(result);
    } catch (error) {
      if (error instanceof GoogleError) {
        res
          .status(error.status)
          .json(googleErrorBody(error.status, error.reason, error.message, error.domain));
        return;
      }
      throw error;
    }
  };
  const param = (req: Request, name: string): string => {
    const value = req.params[name];
    return typeof value === "string" ? value : "";
  };
  const queryAll = (req: Request, name: string): string[] => {
    const value = req.query[name];
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
    return [];
  };
  const queryOne = (req: Request, name: string): string | undefined => queryAll(req, name)[0];

  function pageOut(
    items: CalendarEvent[],
    offset: number,
    maxResults: number,
    nextSyncToken: string | undefined,
    meta: Record<string, unknown>,
  ) {
    const slice = items.slice(offset, offset + maxResults);
    const out: Record<string, unknown> = { ...meta, items: slice };
    if (offset + maxResults < items.length) {
      const token = randomUUID();
      listSnapshots.set(token, {
        items,
        offset: offset + maxResults,
        meta,
        ...(nextSyncToken === undefined ? {} : { nextSyncToken }),
      });
      out.nextPageToken = token;
    } else if (nextSyncToken !== undefined) {
      out.nextSyncToken = nextSyncToken;
    }
    return out;
  }

  app.get(
    "/calendar/v3/users/me/calendarList",
    route((req) => {
      const maxResults = Math.min(Number(queryOne(req, "maxResults") ?? 100) || 100, 250);
      const all = [...calendars.values()].map((c) => ({
        kind: "calendar#calendarListEntry",
        etag: `"${c.id.length}000"`,
        id: c.id,
        summary: c.summary,
        timeZone: c.timeZone,
        colorId: "14",
        backgroundColor: c.backgroundColor,
        foregroundColor: "#000000",
        selected: true,
        accessRole: c.accessRole,
        defaultReminders: c.primary ? [{ method: "popup", minutes: 10 }] : [],
        conferenceProperties: { allowedConferenceSolutionTypes: ["hangoutsMeet"] },
        ...(c.primary ? { primary: true } : {}),
      }));
      const pageToken = queryOne(req, "pageToken");
      const offset = pageToken ? Number(decodeToken(pageToken)) : 0;
      if (!Number.isInteger(offset)) throw new GoogleError(400, "invalid", "Invalid page token value.");
      const items = all.slice(offset, offset + maxResults);
      const out: Record<string, unknown> = { kind: "calendar#calendarList", etag: `"p${seq}"`, items };
      if (offset + maxResults < all.length) out.nextPageToken = encodeToken(offset + maxResults);
      else out.nextSyncToken = encodeToken({ calendarList: seq });
      return out;
    }),
  );

  app.get(
    "/calendar/v3/calendars/:calendarId/events",
    route((req) => {
      const calendar = resolveCalendar(param(req, "calendarId"));
      const maxResults = Math.min(Number(queryOne(req, "maxResults") ?? 250) || 250, 2500, maxPageSize);
      const pageToken = queryOne(req, "pageToken");
      if (pageToken !== undefined) {
        const snapshot = listSnapshots.get(pageToken);
        if (!snapshot) throw new GoogleError(400, "invalid", "Invalid page token value.");
        listSnapshots.delete(pageToken);
        return pageOut(snapshot.items, snapshot.offset, maxResults, snapshot.nextSyncToken, snapshot.meta);
      }
      const syncToken = queryOne(req, "syncToken");
      const singleEvents = queryOne(req, "singleEvents") === "true";
      const orderBy = queryOne(req, "orderBy");
      if (orderBy !== undefined && orderBy !== "startTime" && orderBy !== "updated") {
        throw new GoogleError(400, "invalid", "Invalid value for orderBy.");
      }
      if (orderBy === "startTime" && !singleEvents) {
        throw new GoogleError(
          400,
          "badRequest",
          "The requested ordering is not available for the particular query.",
        );
      }
      const params: ListParams = {
        singleEvents,
        showDeleted: queryOne(req, "showDeleted") === "true",
        privateExtendedProperty: [],
        sharedExtendedProperty: [],
      };
      for (const [name, target] of [
        ["privateExtendedProperty", params.privateExtendedProperty],
        ["sharedExtendedProperty", params.sharedExtendedProperty],
      ] as const) {
        for (const pair of queryAll(req, name)) {
          const eq = pair.indexOf("=");
          if (eq <= 0)
            throw new GoogleError(400, "invalid", `Invalid ${name} value: expected propertyName=value.`);
          target.push([pair.slice(0, eq), pair.slice(eq + 1)]);
        }
      }
      const timeMin = queryOne(req, "timeMin");
      const timeMax = queryOne(req, "timeMax");
      const updatedMin = queryOne(req, "updatedMin");
      const q = queryOne(req, "q");
      const iCalUID = queryOne(req, "iCalUID");
      if (syncToken !== undefined) {
        const incompatible = [
          timeMin !== undefined && "timeMin",
          timeMax !== undefined && "timeMax",
          updatedMin !== undefined && "updatedMin",
          q !== undefined && "q",
          iCalUID !== undefined && "iCalUID",
          orderBy !== undefined && "orderBy",
          params.privateExtendedProperty.length > 0 && "privateExtendedProperty",
          params.sharedExtendedProperty.length > 0 && "sharedExtendedProperty",
        ].filter((x): x is string => typeof x === "string");
        if (incompatible.length > 0) {
          throw new GoogleError(
            400,
            "invalid",
            `syncToken cannot be combined with ${incompatible.join(", ")}.`,
          );
        }
        params.sinceSeq = readSyncToken(calendar, syncToken);
      }
      if (timeMin !== undefined) params.timeMin = parseInstant(timeMin, "timeMin");
      if (timeMax !== undefined) params.timeMax = parseInstant(timeMax, "timeMax");
      if (params.timeMin !== undefined && params.timeMax !== undefined && params.timeMax <= params.timeMin) {
        throw new GoogleError(400, "timeRangeEmpty", "The specified time range is empty.");
      }
      if (updatedMin !== undefined) params.updatedMin = parseInstant(updatedMin, "updatedMin");
      if (q !== undefined) params.q = q;
      if (iCalUID !== undefined) params.iCalUID = iCalUID;
      if (orderBy === "startTime" || orderBy === "updated") params.orderBy = orderBy;
      const nextSyncToken = syncTokenFor(calendar);
      const items = listEvents(calendar, params);
      const meta = {
        kind: "calendar#events",
        etag: `"${seq}"`,
        summary: calendar.summary,
        description: "",
        updated: now().toISOString(),
        timeZone: calendar.timeZone,
        accessRole: calendar.accessRole,
        defaultReminders: calendar.primary ? [{ method: "popup", minutes: 10 }] : [],
      };
      return pageOut(items, 0, maxResults, nextSyncToken, meta);
    }),
  );

  app.post(
    "/calendar/v3/calendars/:calendarId/events/watch",
    route((req) => {
      const calendar = resolveCalendar(param(req, "calendarId"));
      const body = parseBody(WatchBody, req.body);
      if (body.type !== "web_hook" && body.type !== "webhook") {
        throw new GoogleError(400, "invalid", "Invalid channel type: expected web_hook.");
      }
      if (channels.has(body.id))
        throw new GoogleError(400, "channelIdNotUnique", `Channel id ${body.id} not unique`);
      const ttlSeconds = Math.min(Number(body.params?.ttl ?? 604800) || 604800, 2592000);
      const channel: WatchChannel = {
        id: body.id,
        resourceId: randomBytes(14).toString("base64url"),
        calendarId: calendar.id,
        address: body.address,
        expiration: now().getTime() + ttlSeconds * 1000,
        messageNumber: 0,
      };
      if (body.token !== undefined) channel.token = body.token;
      channels.set(channel.id, channel);
      if (autoPush) {
        channel.messageNumber = 1;
        const sync: PushNotification = {
          channelId: channel.id,
          resourceId: channel.resourceId,
          resourceState: "sync",
          messageNumber: 1,
          expiration: channel.expiration,
          ...(channel.token === undefined ? {} : { channelToken: channel.token }),
        };
        void sendGooglePushNotification(channel.address, sync).catch(() => undefined);
      }
      return {
        kind: "api#channel",
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: `${baseUrl}/calendar/v3/calendars/${encodeURIComponent(calendar.id)}/events?alt=json`,
        ...(channel.token === undefined ? {} : { token: channel.token }),
        expiration: String(channel.expiration),
      };
    }),
  );

  app.post(
    "/calendar/v3/channels/stop",
    route((req) => {
      const body = parseBody(StopBody, req.body);
      const channel = channels.get(body.id);
      if (!channel || channel.resourceId !== body.resourceId) {
        throw new GoogleError(404, "notFound", `Channel '${body.id}' not found for project`);
      }
      channels.delete(body.id);
      return undefined;
    }),
  );

  app.post(
    "/calendar/v3/calendars/:calendarId/events",
    route((req) => insertEvent(resolveCalendar(param(req, "calendarId")), req.body)),
  );

  app.get(
    "/calendar/v3/calendars/:calendarId/events/:eventId",
    route((req) => getEvent(resolveCalendar(param(req, "calendarId")), param(req, "eventId"))),
  );

  app.patch(
    "/calendar/v3/calendars/:calendarId/events/:eventId",
    route((req) =>
      updateEvent(resolveCalendar(param(req, "calendarId")), param(req, "eventId"), req.body, "patch"),
    ),
  );

  app.put(
    "/calendar/v3/calendars/:calendarId/events/:eventId",
    route((req) =>
      updateEvent(resolveCalendar(param(req, "calendarId")), param(req, "eventId"), req.body, "put"),
    ),
  );

  app.delete(
    "/calendar/v3/calendars/:calendarId/events/:eventId",
    route((req) => {
      deleteEvent(resolveCalendar(param(req, "calendarId")), param(req, "eventId"));
      return undefined;
    }),
  );

  app.post(
    "/calendar/v3/freeBusy",
    route((req) => {
      const body = parseBody(FreeBusyBody, req.body);
      const from = parseInstant(body.timeMin, "timeMin");
      const to = parseInstant(body.timeMax, "timeMax");
      const result: Record<string, unknown> = {};
      for (const { id } of body.items) {
        const calendar = calendars.get(id === "primary" ? userEmail : id);
        if (!calendar) {
          result[id] = { errors: [{ domain: "global", reason: "notFound" }], busy: [] };
          continue;
        }
        const intervals: [number, number][] = [];
        const events = listEvents(calendar, {
          singleEvents: true,
          showDeleted: false,
          timeMin: from,
          timeMax: to,
          privateExtendedProperty: [],
          sharedExtendedProperty: [],
        });
        for (const event of events) {
          if (event.status === "cancelled" || event.transparency === "transparent") continue;
          if (event.attendees?.some((a) => a.self && a.responseStatus === "declined")) continue;
          const s = Math.max(instant(event.start ?? undefined, calendar), from);
          const e = Math.min(instant(event.end ?? undefined, calendar), to);
          if (e > s) intervals.push([s, e]);
        }
        intervals.sort((a, b) => a[0] - b[0]);
        const merged: [number, number][] = [];
        for (const iv of intervals) {
          const last = merged[merged.length - 1];
          if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
          else merged.push([iv[0], iv[1]]);
        }
        const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
        result[id] = { busy: merged.map(([s, e]) => ({ start: iso(s), end: iso(e) })) };
      }
      return {
        kind: "calendar#freeBusy",
        timeMin: new Date(from).toISOString(),
        timeMax: new Date(to).toISOString(),
        calendars: result,
      };
    }),
  );

  const { url, close } = await listen(
    app,
    () => ({ status: 404, body: googleErrorBody(404, "notFound", "Not Found") }),
    (error) =>
      isRecord(error) && error.status === 400
        ? { status: 400, body: googleErrorBody(400, "parseError", "Parse Error") }
        : { status: 500, body: googleErrorBody(500, "backendError", "Backend Error") },
  );
  baseUrl = url;
  return { url, tokenUrl: `${url}/token`, authUrl: `${url}/o/oauth2/v2/auth`, state, requests, close };
}

/**
 * Sends a Calendar push notification to `address` the way Google does: an empty POST with X-Goog-* headers.
 */
export async function sendGooglePushNotification(
  address: string,
  notification: PushNotification,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {
    "X-Goog-Channel-ID": notification.channelId,
    "X-Goog-Resource-ID": notification.resourceId,
    "X-Goog-Resource-State": notification.resourceState,
    "X-Goog-Message-Number": String(notification.messageNumber),
    "User-Agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)",
  };
  if (notification.channelToken !== undefined) headers["X-Goog-Channel-Token"] = notification.channelToken;
  if (notification.resourceUri !== undefined) headers["X-Goog-Resource-URI"] = notification.resourceUri;
  if (notification.expiration !== undefined) {
    headers["X-Goog-Channel-Expiration"] = new Date(notification.expiration).toUTCString();
  }
  return postRaw(address, "", headers);
}
