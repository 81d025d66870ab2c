/**
 * What a source exchanges with the engine while syncing: the normalized items (SourceTask, SourceEvent), pages,
 * scopes and the context a connector runs in. Kept apart from the connector definition (connector.ts), which
 * also carries actions, so the Sync port can name these without importing the action registry.
 */
import { z } from "zod";
import type { Logger } from "../logger.ts";

/** An http(s) URL; file:, ftp:, gopher:, data: and other schemes are refused with a message naming the field. */
export const HttpUrl = z.url({
  protocol: /^https?$/,
  error: "expected an http:// or https:// URL (file:, ftp:, gopher:, data: and other schemes are refused)",
});

/** A connector's kind: the word in `connect_<kind>`, `cairn connect <kind>` and `/webhooks/<kind>`. */
export const ConnectorKind = z.string().regex(/^[a-z][a-z0-9]*$/, "a lowercase word, e.g. linear");
export type ConnectorKind = z.infer<typeof ConnectorKind>;

const Iso = z.iso.datetime({ offset: true });

/** A work item as every source reports it. */
export const SourceTask = z.object({
  externalId: z.string().min(1),
  title: z.string().min(1).max(500),
  description: z.string().default(""),
  status: z.enum(["todo", "in_progress", "done", "cancelled"]),
  priority: z.number().int().min(1).max(4).default(3),
  estimateMinutes: z.number().int().positive().nullable().default(null),
  due: Iso.nullable().default(null),
  earliestStart: Iso.nullable().default(null),
  /** External ids (same source) of items that must be done first. */
  dependsOnExternalIds: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
  url: z.string().nullable().default(null),
  assigneeEmail: z.string().nullable().default(null),
  parentExternalId: z.string().nullable().default(null),
  /** URLs of other systems' items this one links to (a Notion page's Jira link), for cross-source dedupe. */
  linkedUrls: z.array(z.string()).default([]),
  updatedAt: Iso,
  /** The item was deleted or archived at the source. */
  deleted: z.boolean().default(false),
});
export type SourceTask = z.output<typeof SourceTask>;

/** A calendar event as every calendar source reports it (recurring events already expanded). */
export const SourceEvent = z.object({
  externalId: z.string().min(1),
  calendarId: z.string().min(1),
  title: z.string().default(""),
  start: Iso,
  end: Iso,
  allDay: z.boolean().default(false),
  status: z.enum(["confirmed", "tentative", "cancelled"]).default("confirmed"),
  /** false for events marked free/transparent: they do not block planning. */
  busy: z.boolean().default(true),
  /** The person declined: it does not block planning. */
  declined: z.boolean().default(false),
  recurringEventId: z.string().nullable().default(null),
  /** Set when Cairn created this event for one of its blocks. */
  cairnBlockId: z.string().nullable().default(null),
  updatedAt: Iso.nullable().default(null),
  deleted: z.boolean().default(false),
});
export type SourceEvent = z.output<typeof SourceEvent>;

export interface SkippedItem {
  externalId: string;
  reason: string;
}

export type PulledItem = { type: "task"; task: SourceTask } | { type: "event"; event: SourceEvent };

export interface PullPage {
  /** Items as the provider returned them; the engine validates each one and skips (and reports) malformed ones. */
  items: unknown[];
  /** Items the connector already knew it could not normalize. */
  skipped?: SkippedItem[];
  /** Cursor to store once this page is saved; null leaves the stored cursor unchanged. */
  nextCursor: string | null;
  /** More pages follow in this run. */
  hasMore: boolean;
  /**
   * The provider said the stored cursor is no longer valid (Google's 410): the engine drops the scope's
   * local items that are not in the full resync that follows, instead of keeping stale ones.
   */
  resetScope?: boolean;
  /** Provider requests made for this page (for sync stats). */
  apiCalls: number;
}

/** How a scope's fields are read, as the connector chose from the scope's schema (shown by list_connections). */
export interface ScopeMapping {
  /** Task field → the source's property name. */
  fields: Record<string, string>;
  /** The number read as the estimate, its unit and why that unit was chosen. */
  estimate?: { property: string; unit: "minutes" | "hours"; reason: string };
  /** Properties deliberately not used, with why (e.g. story points are not time). */
  ignored?: { property: string; reason: string }[];
}

/** One thing a connection syncs: a data source, a JQL query, a calendar. */
export interface SyncScope {
  id: string;
  kind: "tasks" | "events";
  label: string;
  /** Set by connectors that read a schema; kept with the cached scopes and given back to normalize(). */
  mapping?: ScopeMapping;
}

export interface ConnectorContext<Credentials, Settings> {
  credentials: Credentials;
  settings: Settings;
  /** Persists refreshed OAuth tokens (sealed under the master key). */
  saveCredentials(next: Credentials): Promise<void>;
  /** fetch that validates outbound URLs (no private/metadata addresses unless allowed). */
  fetch: typeof fetch;
  log: Logger;
  signal?: AbortSignal;
  now(): Date;
  /** The connection being synced (for logs and push-channel bookkeeping). Set by the engine. */
  connectionId?: string;
  /**
   * Absolute URL where this connector's provider should deliver push notifications
   * (e.g. `https://cairn.example/webhooks/google`). Absent when Cairn has no public URL configured.
   */
  webhookUrl?: string;
  /** Push channels of this connection (Google `events.watch`), so `/webhooks/google` can route and verify them. */
  channels?: ChannelStore;
}

/** A push channel a connector registered with its provider (Google `events.watch`). */
export interface PushChannel {
  /** The channel id the provider echoes back (`X-Goog-Channel-ID`). */
  id: string;
  /** The secret token the provider echoes back (`X-Goog-Channel-Token`); stored sealed. */
  token: string;
  /** The sync scope a notification on this channel should sync (a calendar id). */
  scopeId: string;
  /** The provider's resource id (needed by Google to stop a channel). */
  resourceId: string | null;
  expiresAt: string;
}

/** Persistence of push channels, provided by the engine. */
export interface ChannelStore {
  list(): Promise<PushChannel[]>;
  save(channel: PushChannel): Promise<void>;
  remove(channelId: string): Promise<void>;
}

/** A connection a connector derives from environment settings (or from a `connect_*` action's flat input). */
export interface ConnectionSeed<Credentials = unknown, Settings = unknown> {
  /** Unique per workspace and kind, e.g. "Notion" or "Work calendar". */
  name: string;
  credentials: Credentials;
  settings: Settings;
  /** Secret that signs this connection's webhooks (Notion verification token, Jira webhook secret). */
  webhookSecret?: string;
}

/** A subtask made in Cairn, as a connector writes it under its parent at the source. */
export interface SubtaskToWrite {
  title: string;
  description: string;
  due: string | null;
  estimateMinutes: number | null;
  tags: string[];
}

export interface BlockToWrite {
  blockId: string;
  title: string;
  description: string;
  start: string;
  end: string;
  /** The provider's id when the block was written before (update instead of create). */
  externalEventId: string | null;
  calendarId: string;
}

export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /** Parsed JSON body when it is JSON. */
  body: unknown;
}

export type WebhookOutcome =
  | { kind: "handshake"; respond: { status: number; body: unknown }; verificationToken?: string }
  | { kind: "sync"; scopeIds?: string[]; externalIds?: string[] }
  | { kind: "ignore"; reason: string };
