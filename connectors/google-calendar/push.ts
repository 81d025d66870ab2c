/**
 * Push notifications (events.watch). A channel watches one calendar and expires (Google caps the TTL); it cannot
 * be extended, so renewal opens a new channel before the old one lapses and then stops the old one. Incoming
 * notifications carry the channel's token in `X-Goog-Channel-Token`, compared in constant time with the secret.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { sameSecret } from "../../engine/security/constant-time.ts";
import type { PushChannel, SyncScope, WebhookOutcome, WebhookRequest } from "../../engine/sync/connector.ts";
import { GoogleApiError, type GoogleContext, sessionFor } from "./client.ts";
import { BUSY_SCOPE_PREFIX } from "./schemas.ts";

/** A live push channel; store it with the connection to renew and to route notifications. */
export interface GoogleWatchChannel {
  channelId: string;
  resourceId: string;
  calendarId: string;
  /** When Google stops delivering (ISO). */
  expiration: string;
}

export interface WatchOptions {
  /** Requested lifetime in seconds (Google may shorten it; default 7 days). */
  ttlSeconds?: number;
}

/** Opens a push channel on a calendar's events; notifications go to `webhookUrl` with `channelToken`. */
export async function watchCalendar(
  ctx: GoogleContext,
  calendarId: string,
  webhookUrl: string,
  channelToken: string,
  options: WatchOptions = {},
): Promise<GoogleWatchChannel> {
  const session = sessionFor(ctx);
  const id = randomUUID();
  const ttl = options.ttlSeconds ?? 7 * 86_400;
  const channel = await session.call("events.watch", (request) =>
    session.api.events.watch(
      {
        calendarId,
        requestBody: {
          id,
          type: "web_hook",
          address: webhookUrl,
          token: channelToken,
          params: { ttl: String(ttl) },
        },
      },
      request,
    ),
  );
  const expirationMs = Number(channel.expiration);
  return {
    channelId: channel.id ?? id,
    resourceId: channel.resourceId ?? "",
    calendarId,
    expiration: new Date(
      Number.isFinite(expirationMs) && expirationMs > 0 ? expirationMs : ctx.now().getTime() + ttl * 1000,
    ).toISOString(),
  };
}

/** Stops a channel; an already stopped or unknown one is fine. */
export async function stopChannel(
  ctx: GoogleContext,
  channel: Pick<GoogleWatchChannel, "channelId" | "resourceId">,
): Promise<void> {
  const session = sessionFor(ctx);
  try {
    await session.call("channels.stop", (request) =>
      session.api.channels.stop(
        { requestBody: { id: channel.channelId, resourceId: channel.resourceId } },
        request,
      ),
    );
  } catch (error) {
    if (error instanceof GoogleApiError && error.status === 404) return;
    throw error;
  }
}

export interface RenewOptions extends WatchOptions {
  /** Renew when the channel expires within this window (default 24 hours). */
  renewBeforeMs?: number;
}

/**
 * Keeps a calendar watched: when `channel` is missing or expires within `renewBeforeMs`, opens a new channel and
 * stops the old one (after, so no notification is lost). Returns the channel to store and whether it changed.
 */
export async function renewIfExpiring(
  ctx: GoogleContext,
  channel: GoogleWatchChannel | null,
  calendarId: string,
  webhookUrl: string,
  channelToken: string,
  options: RenewOptions = {},
): Promise<{ renewed: boolean; channel: GoogleWatchChannel }> {
  const renewBefore = options.renewBeforeMs ?? 86_400_000;
  if (channel && Date.parse(channel.expiration) - ctx.now().getTime() > renewBefore) {
    return { renewed: false, channel };
  }
  const next = await watchCalendar(ctx, calendarId, webhookUrl, channelToken, options);
  if (channel && Date.parse(channel.expiration) > ctx.now().getTime()) {
    try {
      await stopChannel(ctx, channel);
    } catch (error) {
      ctx.log.warn({ channelId: channel.channelId, err: error }, "could not stop the old google channel");
    }
  }
  return { renewed: true, channel: next };
}

function header(request: WebhookRequest, name: string): string | undefined {
  const direct = request.headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** True when the notification carries the channel token we registered (constant-time comparison). */
export function verifyGooglePush(request: WebhookRequest, secret: string): boolean {
  const token = header(request, "x-goog-channel-token");
  if (token === undefined || secret === "") return false;
  return sameSecret(token, secret);
}

/** The calendar id in a notification's resource URI (`.../calendars/<id>/events...`). */
export function calendarIdFromResourceUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  try {
    const match = /\/calendars\/([^/]+)\/events/.exec(new URL(uri).pathname);
    return match?.[1] ? decodeURIComponent(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function handleGooglePush(request: WebhookRequest): WebhookOutcome {
  const state = header(request, "x-goog-resource-state");
  if (state === "sync") return { kind: "ignore", reason: "channel created (sync message)" };
  if (state !== "exists" && state !== "not_exists") {
    return { kind: "ignore", reason: `unknown resource state ${state ?? "(none)"}` };
  }
  const calendarId = calendarIdFromResourceUri(header(request, "x-goog-resource-uri"));
  return calendarId ? { kind: "sync", scopeIds: [calendarId] } : { kind: "sync" };
}

export type MaintainOptions = RenewOptions;

/**
 * After a sync run: every events scope gets a live push channel to `ctx.webhookUrl`, renewed before it expires;
 * channels of scopes no longer synced are stopped. Channels (with their secret tokens) live in `ctx.channels`.
 * Without a public webhook URL or a channel store it does nothing (polling continues).
 */
export async function maintainGoogleChannels(
  ctx: GoogleContext,
  scopes: SyncScope[],
  options: MaintainOptions = {},
): Promise<void> {
  const store = ctx.channels;
  const webhookUrl = ctx.webhookUrl;
  if (!store || !webhookUrl) return;
  const renewBefore = options.renewBeforeMs ?? 86_400_000;
  const now = ctx.now().getTime();
  const existing = await store.list();
  const wanted = new Set(scopes.filter((s) => !s.id.startsWith(BUSY_SCOPE_PREFIX)).map((s) => s.id));
  const retire: PushChannel[] = [];
  for (const scopeId of wanted) {
    const mine = existing
      .filter((c) => c.scopeId === scopeId)
      .sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt));
    const newest = mine[0];
    if (newest && Date.parse(newest.expiresAt) - now > renewBefore) {
      retire.push(...mine.slice(1).filter((c) => Date.parse(c.expiresAt) <= now));
      continue;
    }
    const token = randomBytes(32).toString("base64url");
    const opened = await watchCalendar(ctx, scopeId, webhookUrl, token, options);
    await store.save({
      id: opened.channelId,
      token,
      scopeId,
      resourceId: opened.resourceId || null,
      expiresAt: opened.expiration,
    });
    ctx.log.info({ scope: scopeId, expiresAt: opened.expiration }, "google push channel opened");
    retire.push(...mine);
  }
  retire.push(...existing.filter((c) => !wanted.has(c.scopeId)));
  for (const channel of retire) {
    if (channel.resourceId && Date.parse(channel.expiresAt) > now) {
      try {
        await stopChannel(ctx, { channelId: channel.id, resourceId: channel.resourceId });
      } catch (error) {
        ctx.log.warn({ channelId: channel.id, err: error }, "could not stop a google push channel");
      }
    }
    await store.remove(channel.id);
  }
}
