/** Credentials, settings and raw item shapes of the Google Calendar connector (zod at the boundary). */
import { z } from "zod";

/** Public Google endpoints; tests and proxies set `apiUrl` / `tokenUrl` (from GOOGLE_API_URL / GOOGLE_TOKEN_URL). */
export const DEFAULT_GOOGLE_API_URL = "https://www.googleapis.com/";
export const DEFAULT_GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

/** An instant: ISO string with offset, or milliseconds since the epoch (what google-auth-library reports). */
const Instant = z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]);

export const GoogleCredentials = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  /** Last access token; reused until shortly before `expiresAt`. */
  accessToken: z.string().min(1).optional(),
  /** When `accessToken` expires: epoch milliseconds (as engine/sync/oauth.ts's TokenSet); ISO is accepted too. */
  expiresAt: Instant.optional(),
});
export type GoogleCredentials = z.infer<typeof GoogleCredentials>;

export const GoogleSettings = z.object({
  /** Sync the signed-in user's primary calendar (default true). */
  includePrimary: z.boolean().default(true),
  /** More calendars whose events are synced in full (ids as in calendarList). */
  calendarIds: z.array(z.string().min(1)).default([]),
  /** Calendars only read through freeBusy (busy intervals, no titles): other people's or shared ones. */
  busyOnlyCalendarIds: z.array(z.string().min(1)).default([]),
  /** The calendar focus blocks are written to (an id as in calendarList); default the primary calendar. */
  blockCalendarId: z.string().min(1).optional(),
  /** Write focus blocks as Google "focusTime" events on the primary calendar where allowed (default true). */
  focusTime: z.boolean().default(true),
  /** API root (default https://www.googleapis.com/; fromEnv sets GOOGLE_API_URL). */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** OAuth token endpoint (default https://oauth2.googleapis.com/token; fromEnv sets GOOGLE_TOKEN_URL). */
  tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The first full sync starts this many days back (default 30). */
  pastDays: z.number().int().min(0).max(365).default(30),
  /** freeBusy scopes look this many days ahead (default 56; Google caps a freeBusy query's range). */
  busyDays: z.number().int().min(1).max(90).default(56),
  /** Events per list page (default 2500, Google's maximum). */
  pageSize: z.number().int().min(1).max(2500).default(2500),
});
export type GoogleSettings = z.output<typeof GoogleSettings>;

const EventDateTime = z
  .object({
    date: z.string().nullish(),
    dateTime: z.string().nullish(),
    timeZone: z.string().nullish(),
  })
  .loose();

/** The fields of a Calendar API event the connector reads (the rest passes through untouched). */
export const GoogleEvent = z
  .object({
    id: z.string().min(1),
    status: z.string().nullish(),
    summary: z.string().nullish(),
    start: EventDateTime.nullish(),
    end: EventDateTime.nullish(),
    originalStartTime: EventDateTime.nullish(),
    recurringEventId: z.string().nullish(),
    transparency: z.string().nullish(),
    eventType: z.string().nullish(),
    updated: z.string().nullish(),
    attendees: z
      .array(z.object({ self: z.boolean().nullish(), responseStatus: z.string().nullish() }).loose())
      .nullish(),
    extendedProperties: z
      .object({
        private: z.record(z.string(), z.string()).nullish(),
        shared: z.record(z.string(), z.string()).nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export type GoogleEvent = z.infer<typeof GoogleEvent>;

/**
 * A raw item of an events scope: the event as the API returned it, plus the calendar's time zone
 * (all-day dates are midnight there) — normalize() has no other way to learn it.
 */
export const GoogleEventItem = z.object({
  kind: z.literal("google#event"),
  calendarId: z.string().min(1),
  timeZone: z.string().min(1),
  event: GoogleEvent,
});
export type GoogleEventItem = z.infer<typeof GoogleEventItem>;

/** A raw item of a busy-only scope: one merged busy interval from freeBusy. */
export const GoogleBusyItem = z.object({
  kind: z.literal("google#busy"),
  calendarId: z.string().min(1),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
});
export type GoogleBusyItem = z.infer<typeof GoogleBusyItem>;

export const GoogleRawItem = z.discriminatedUnion("kind", [GoogleEventItem, GoogleBusyItem]);
export type GoogleRawItem = z.infer<typeof GoogleRawItem>;

/** Stored cursor of an events scope. */
export const GoogleCursor = z.discriminatedUnion("mode", [
  /** A full sync in progress: resume from `pageToken` (none on the first page). */
  z.object({
    v: z.literal(1),
    mode: z.literal("full"),
    timeMin: z.string(),
    pageToken: z.string().optional(),
  }),
  /** Incremental: changes since `syncToken`; `pageToken` while paging through one batch of changes. */
  z.object({
    v: z.literal(1),
    mode: z.literal("incremental"),
    syncToken: z.string(),
    pageToken: z.string().optional(),
  }),
]);
export type GoogleCursor = z.infer<typeof GoogleCursor>;

/** Extended property keys Cairn writes on the events it owns. */
export const CAIRN_BLOCK_ID = "cairnBlockId";
export const CAIRN_OWNED = "cairnOwned";

/** Scope id prefix of busy-only (freeBusy) calendars; plain calendar ids are event scopes. */
export const BUSY_SCOPE_PREFIX = "busy:";
