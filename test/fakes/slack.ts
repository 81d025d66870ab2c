/**
 * A local Slack Web API that answers like slack.com/api: `POST /api/<method>` with a bearer token, form or JSON
 * bodies, `{ok: true, ...}` or `{ok: false, error}` with HTTP 200, and 429 + Retry-After when rate-limited.
 * Enough of the API for a chat app: auth.test, users.info, users.lookupByEmail, conversations.open, chat.postMessage /
 * postEphemeral / update, views.publish / open / update, users.profile.set, dnd.setSnooze / endSnooze, auth.revoke and
 * oauth.v2.access (install and token rotation). Also signs requests the way Slack signs its deliveries.
 * Socket Mode too: apps.connections.open (app-level xapp- token only) hands out a ws:// URL on a local WebSocket
 * server that says hello, pushes envelopes (`events_api`, `interactive`, `slash_commands`) and records the acks.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Request, Response } from "express";
import WebSocket from "ws";
import { createFakeApp, type FailNextOptions, type FakeServerBase, isRecord, listen } from "./common.ts";

export interface SlackUser {
  id: string;
  teamId: string;
  name: string;
  realName: string;
  email?: string;
  tz: string;
  tzOffset: number;
  isBot?: boolean;
}

export interface PostedMessage {
  /** "response_url": a reply to a slash command or interaction posted to its response_url. */
  method: "chat.postMessage" | "chat.postEphemeral" | "chat.update" | "response_url";
  token: string;
  channel: string;
  user?: string;
  text?: string;
  blocks?: unknown[];
  threadTs?: string;
  ts: string;
}

export interface PublishedView {
  method: "views.publish" | "views.open" | "views.update";
  userId?: string;
  triggerId?: string;
  view: Record<string, unknown>;
}

export interface SlackInstallGrant {
  code: string;
  teamId: string;
  teamName: string;
  enterpriseId?: string;
  authedUserId: string;
  botScopes: string;
  userScopes?: string;
  /** Issue expiring tokens with refresh tokens (token rotation on). */
  rotate?: boolean;
}

/** What a Socket Mode client sent back for an envelope: `{envelope_id, payload?}`. */
export interface SocketAck {
  envelopeId: string;
  payload?: unknown;
}

/** The Socket Mode side: the WebSocket server apps.connections.open points clients to. */
export interface FakeSlackSocket {
  /** The app-level token apps.connections.open accepts. */
  appToken: string;
  /** Open WebSocket connections (said hello to). */
  readonly connections: number;
  acks: SocketAck[];
  /** Resolves when `count` clients are connected (a test starts pushing only then). */
  waitForConnections(count?: number, timeoutMs?: number): Promise<void>;
  /** Sends an envelope to one connected client; returns its envelope_id. */
  push(
    type: "events_api" | "interactive" | "slash_commands",
    payload: unknown,
    options?: { retryAttempt?: number },
  ): string;
  /** `events_api` with an `event_callback` body around `event` (event_id made up unless given). */
  pushEvent(event: Record<string, unknown>, eventId?: string): string;
  /** Resolves with the client's ack of this envelope. */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketAck>;
  /** Resolves when every client has gone (a Socket Mode app that stopped cleanly). */
  waitForNoConnections(timeoutMs?: number): Promise<void>;
  /** Cuts every client off without a goodbye, as a network blip would; clients are expected to reconnect. */
  dropAll(): void;
}

export interface FakeSlack extends FakeServerBase {
  /** Socket Mode: apps.connections.open and the WebSocket server behind it. */
  socket: FakeSlackSocket;
  /** The Web API root, to give Bolt's `clientOptions.slackApiUrl` (ends with `/api/`). */
  apiUrl: string;
  botToken: string;
  teamId: string;
  botUserId: string;
  messages: PostedMessage[];
  views: PublishedView[];
  profiles: Map<string, Record<string, unknown>>;
  snoozes: Map<string, number | null>;
  addUser(user: Partial<SlackUser> & { id: string }): SlackUser;
  /** Accept another token (e.g. a user token from an install). */
  allowToken(token: string, owner: { teamId: string; userId: string; kind: "bot" | "user" }): void;
  revokeToken(token: string): void;
  /** A rotating token past its 12 hours: calls with it answer `token_expired` (its refresh token still works). */
  expireToken(token: string): void;
  addInstallGrant(grant: SlackInstallGrant): void;
  failNext(options?: FailNextOptions): void;
  /** Resolves when `count` views have been published or opened. */
  waitForViews(count: number, timeoutMs?: number): Promise<PublishedView[]>;
  /** Resolves when `count` messages have been posted (a test waits on this, never on a sleep). */
  waitForMessages(count: number, timeoutMs?: number): Promise<PostedMessage[]>;
  /** Resolves when `check` holds, tested after every status or snooze change (users.profile.set, dnd.*). */
  waitUntil(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Calls `listener` for every message posted from now on (benchmarks time replies with it). */
  onMessage(listener: (message: PostedMessage) => void): () => void;
  oauthClient: { id: string; secret: string };
  /** A response_url to put in a slash command or interaction payload; what is posted to it lands in messages. */
  responseUrl(channel: string): string;
}

/** Headers Slack puts on a delivery: `v0=` HMAC-SHA256 of `v0:<timestamp>:<body>` under the signing secret. */
export function slackSignatureHeaders(
  body: string,
  signingSecret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "x-slack-signature": `v0=${signature}`, "x-slack-request-timestamp": String(timestamp) };
}

export async function startFakeSlack(
  options: { teamId?: string; teamName?: string } = {},
): Promise<FakeSlack> {
  const teamId = options.teamId ?? `T${randomBytes(4).toString("hex").toUpperCase()}`;
  const teamName = options.teamName ?? "Acme";
  const botUserId = `U${randomBytes(4).toString("hex").toUpperCase()}BOT`;
  const botToken = `xoxb-${randomBytes(12).toString("hex")}`;
  const appToken = `xapp-1-A0FAKEAPP-${randomBytes(12).toString("hex")}`;
  const tickets = new Set<string>();
  const oauthClient = {
    id: `${randomBytes(4).readUInt32BE()}.${randomBytes(4).readUInt32BE()}`,
    secret: randomBytes(16).toString("hex"),
  };
  const tokens = new Map<string, { teamId: string; userId: string; kind: "bot" | "user" }>([
    [botToken, { teamId, userId: botUserId, kind: "bot" }],
  ]);
  const refreshTokens = new Map<string, SlackInstallGrant>();
  const expired = new Set<string>();
  const users = new Map<string, SlackUser>();
  const grants = new Map<string, SlackInstallGrant>();
  const messages: PostedMessage[] = [];
  const views: PublishedView[] = [];
  const profiles = new Map<string, Record<string, unknown>>();
  const snoozes = new Map<string, number | null>();
  const waiters: Array<{ count: number; resolve: (m: PostedMessage[]) => void }> = [];
  const viewWaiters: Array<{ count: number; resolve: (v: PublishedView[]) => void }> = [];
  let tsCounter = 0;
  const stateWaiters = new Set<() => void>();
  const stateChanged = () => {
    for (const waiter of [...stateWaiters]) waiter();
  };

  const { app, requests, faults } = createFakeApp({
    faultBody: (fault) => ({ ok: false, error: fault.status === 429 ? "ratelimited" : "internal_error" }),
  });

  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, "0")}`;
  const notifyViews = () => {
    for (const waiter of [...viewWaiters]) {
      if (views.length >= waiter.count) {
        viewWaiters.splice(viewWaiters.indexOf(waiter), 1);
        waiter.resolve(views.slice());
      }
    }
  };
  const listeners = new Set<(message: PostedMessage) => void>();
  const notify = () => {
    const latest = messages.at(-1);
    if (latest) for (const listener of listeners) listener(latest);
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(messages.slice());
      }
    }
  };

  function field(req: Request, name: string): unknown {
    const body = isRecord(req.body) ? req.body : {};
    const value = body[name] ?? (req.query as Record<string, unknown>)[name];
    // Bolt's WebClient sends form bodies; structured values (blocks, view) arrive as JSON strings.
    if (typeof value === "string" && (name === "blocks" || name === "view" || name === "profile")) {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    }
    return value;
  }

  function tokenOf(req: Request): string | undefined {
    const header = req.headers.authorization;
    if (header?.startsWith("Bearer ")) return header.slice(7);
    const body = isRecord(req.body) ? req.body : {};
    return typeof body.token === "string" ? body.token : undefined;
  }

  const ok = (res: Response, body: Record<string, unknown> = {}) => res.json({ ok: true, ...body });
  const fail = (res: Response, error: string) => res.json({ ok: false, error });

  function userJson(user: SlackUser) {
    return {
      id: user.id,
      team_id: user.teamId,
      name: user.name,
      real_name: user.realName,
      deleted: false,
      is_bot: user.isBot ?? false,
      tz: user.tz,
      tz_label: user.tz,
      tz_offset: user.tzOffset,
      profile: {
        real_name: user.realName,
        display_name: user.name,
        ...(user.email ? { email: user.email } : {}),
        ...profiles.get(user.id),
      },
    };
  }

  // response_url: JSON bodies ({text, blocks, response_type, replace_original}) posted by the app.
  app.post("/response/:channel/:id", (req, res) => {
    const body = isRecord(req.body) ? req.body : {};
    messages.push({
      method: "response_url",
      token: "",
      channel: req.params.channel ?? "",
      ts: nextTs(),
      ...(typeof body.text === "string" ? { text: body.text } : {}),
      ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}),
    });
    notify();
    res.type("text/plain").send("ok");
  });

  app.post("/api/oauth.v2.access", (req, res) => {
    const clientId = field(req, "client_id");
    const clientSecret = field(req, "client_secret");
    const basic = req.headers.authorization?.startsWith("Basic ")
      ? Buffer.from(req.headers.authorization.slice(6), "base64").toString().split(":")
      : undefined;
    const id = clientId ?? basic?.[0];
    const secret = clientSecret ?? basic?.[1];
    if (id !== oauthClient.id || secret !== oauthClient.secret) return fail(res, "invalid_client_id");
    const issue = (grant: SlackInstallGrant) => {
      const bot = `xoxb-${randomBytes(12).toString("hex")}`;
      tokens.set(bot, { teamId: grant.teamId, userId: `U${grant.teamId}BOT`, kind: "bot" });
      const user = grant.userScopes ? `xoxp-${randomBytes(12).toString("hex")}` : undefined;
      if (user) tokens.set(user, { teamId: grant.teamId, userId: grant.authedUserId, kind: "user" });
      const rotation = (token: string) => {
        if (!grant.rotate) return {};
        const refresh = `xoxe-1-${randomBytes(12).toString("hex")}`;
        refreshTokens.set(refresh, { ...grant, code: token });
        return { refresh_token: refresh, expires_in: 43200 };
      };
      return { bot, user, rotation };
    };
    if (field(req, "grant_type") === "refresh_token") {
      const refresh = String(field(req, "refresh_token") ?? "");
      const grant = refreshTokens.get(refresh);
      if (!grant) return fail(res, "invalid_refresh_token");
      refreshTokens.delete(refresh);
      const previous = grant.code;
      tokens.delete(previous);
      const isUser = previous.startsWith("xoxp-");
      const fresh = `${isUser ? "xoxp" : "xoxb"}-${randomBytes(12).toString("hex")}`;
      tokens.set(fresh, {
        teamId: grant.teamId,
        userId: isUser ? grant.authedUserId : `U${grant.teamId}BOT`,
        kind: isUser ? "user" : "bot",
      });
      const next = `xoxe-1-${randomBytes(12).toString("hex")}`;
      refreshTokens.set(next, { ...grant, code: fresh });
      return ok(res, {
        access_token: fresh,
        token_type: isUser ? "user" : "bot",
        refresh_token: next,
        expires_in: 43200,
        team: { id: grant.teamId, name: grant.teamName },
      });
    }
    const grant = grants.get(String(field(req, "code") ?? ""));
    if (!grant) return fail(res, "invalid_code");
    grants.delete(grant.code);
    const { bot, user, rotation } = issue(grant);
    return ok(res, {
      app_id: "A0FAKEAPP",
      authed_user: {
        id: grant.authedUserId,
        ...(user
          ? { scope: grant.userScopes, access_token: user, token_type: "user", ...rotation(user) }
          : {}),
      },
      scope: grant.botScopes,
      token_type: "bot",
      access_token: bot,
      bot_user_id: `U${grant.teamId}BOT`,
      team: { id: grant.teamId, name: grant.teamName },
      enterprise: grant.enterpriseId ? { id: grant.enterpriseId, name: "Enterprise" } : null,
      is_enterprise_install: false,
      ...rotation(bot),
    });
  });

  app.post("/api/apps.connections.open", (req, res) => {
    const token = tokenOf(req);
    if (!token) return fail(res, "not_authed");
    if (token !== appToken) return fail(res, tokens.has(token) ? "not_allowed_token_type" : "invalid_auth");
    const ticket = randomBytes(12).toString("hex");
    tickets.add(ticket);
    return ok(res, { url: `ws://127.0.0.1:${socketPort}/link/?ticket=${ticket}&app_id=A0FAKEAPP` });
  });

  app.post("/api/:method", (req, res) => {
    const method = req.params.method ?? "";
    const token = tokenOf(req);
    if (!token) return fail(res, "not_authed");
    if (expired.has(token)) return fail(res, "token_expired");
    const owner = tokens.get(token);
    if (!owner) return fail(res, token === appToken ? "not_allowed_token_type" : "invalid_auth");
    switch (method) {
      case "auth.test":
        return ok(res, {
          url: `https://${teamName.toLowerCase()}.slack.com/`,
          team: teamName,
          user: owner.kind === "bot" ? "cairn" : users.get(owner.userId)?.name,
          team_id: owner.teamId,
          user_id: owner.userId,
          ...(owner.kind === "bot" ? { bot_id: "B0FAKEBOT" } : {}),
        });
      case "auth.revoke":
        tokens.delete(token);
        return ok(res, { revoked: true });
      case "users.info": {
        const user = users.get(String(field(req, "user") ?? ""));
        return user ? ok(res, { user: userJson(user) }) : fail(res, "user_not_found");
      }
      case "users.lookupByEmail": {
        const email = String(field(req, "email") ?? "").toLowerCase();
        const user = [...users.values()].find((u) => u.email?.toLowerCase() === email);
        return user ? ok(res, { user: userJson(user) }) : fail(res, "users_not_found");
      }
      case "conversations.open": {
        const ids = String(field(req, "users") ?? "")
          .split(",")
          .filter(Boolean);
        if (ids.length === 0) return fail(res, "users_list_not_supplied");
        return ok(res, { channel: { id: `D${ids.join("").slice(1, 11)}` } });
      }
      case "chat.postMessage":
      case "chat.postEphemeral":
      case "chat.update": {
        const channel = String(field(req, "channel") ?? "");
        if (!channel) return fail(res, "channel_not_found");
        const text = field(req, "text");
        const blocks = field(req, "blocks");
        if (!text && !blocks) return fail(res, "no_text");
        const ts = method === "chat.update" ? String(field(req, "ts") ?? "") : nextTs();
        const user = field(req, "user");
        const threadTs = field(req, "thread_ts");
        messages.push({
          method,
          token,
          channel,
          ts,
          ...(typeof text === "string" ? { text } : {}),
          ...(Array.isArray(blocks) ? { blocks } : {}),
          ...(typeof user === "string" ? { user } : {}),
          ...(typeof threadTs === "string" ? { threadTs } : {}),
        });
        notify();
        if (method === "chat.postEphemeral") return ok(res, { message_ts: ts });
        return ok(res, { channel, ts, message: { type: "message", text, ts, bot_id: "B0FAKEBOT" } });
      }
      case "views.publish":
      case "views.open":
      case "views.update": {
        const view = field(req, "view");
        if (!isRecord(view)) return fail(res, "invalid_arguments");
        const userId = field(req, "user_id");
        const triggerId = field(req, "trigger_id");
        if (method === "views.open" && typeof triggerId !== "string") return fail(res, "invalid_trigger_id");
        views.push({
          method,
          view,
          ...(typeof userId === "string" ? { userId } : {}),
          ...(typeof triggerId === "string" ? { triggerId } : {}),
        });
        notifyViews();
        return ok(res, { view: { id: `V${views.length}`, ...view } });
      }
      case "users.profile.set": {
        if (owner.kind !== "user") return fail(res, "not_allowed_token_type");
        const profile = field(req, "profile");
        if (!isRecord(profile)) return fail(res, "invalid_profile");
        profiles.set(owner.userId, { ...profiles.get(owner.userId), ...profile });
        stateChanged();
        return ok(res, { profile: profiles.get(owner.userId) });
      }
      case "dnd.setSnooze": {
        if (owner.kind !== "user") return fail(res, "not_allowed_token_type");
        const minutes = Number(field(req, "num_minutes"));
        if (!Number.isFinite(minutes) || minutes <= 0) return fail(res, "invalid_arguments");
        const end = Math.floor(Date.now() / 1000) + minutes * 60;
        snoozes.set(owner.userId, end);
        stateChanged();
        return ok(res, { snooze_enabled: true, snooze_endtime: end, snooze_remaining: minutes * 60 });
      }
      case "dnd.endSnooze":
        if (owner.kind !== "user") return fail(res, "not_allowed_token_type");
        snoozes.set(owner.userId, null);
        stateChanged();
        return ok(res, { dnd_enabled: true, snooze_enabled: false });
      default:
        return fail(res, "unknown_method");
    }
  });

  // Socket Mode: a WebSocket server of its own; a client comes with a ticket apps.connections.open issued.
  const wss = new WebSocket.Server({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const socketPort = (wss.address() as AddressInfo).port;
  const sockets = new Set<WebSocket>();
  const acks: SocketAck[] = [];
  const socketWaiters = new Set<() => void>();
  const socketChanged = () => {
    for (const waiter of [...socketWaiters]) waiter();
  };
  wss.on("connection", (ws, req) => {
    const ticket = new URL(req.url ?? "/", "ws://127.0.0.1").searchParams.get("ticket") ?? "";
    if (!tickets.delete(ticket)) {
      ws.close(1008, "invalid ticket");
      return;
    }
    sockets.add(ws);
    ws.on("message", (data) => {
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (isRecord(message) && typeof message.envelope_id === "string") {
        acks.push({
          envelopeId: message.envelope_id,
          ...(message.payload !== undefined ? { payload: message.payload } : {}),
        });
        socketChanged();
      }
    });
    ws.on("close", () => {
      sockets.delete(ws);
      socketChanged();
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: "fake-slack", approximate_connection_time: 18060 },
        connection_info: { app_id: "A0FAKEAPP" },
      }),
    );
    socketChanged();
  });
  /** Resolves when `check` holds, tested after every socket change (connect, ack, close). */
  const socketWait = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> => {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter = () => {
        const value = check();
        if (value === undefined) return;
        socketWaiters.delete(waiter);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        socketWaiters.delete(waiter);
        reject(new Error(`the fake Slack socket never saw ${what}`));
      }, timeoutMs);
      socketWaiters.add(waiter);
    });
  };
  const push: FakeSlackSocket["push"] = (type, payload, options = {}) => {
    const [ws] = sockets;
    if (!ws) throw new Error("no Socket Mode client is connected to the fake Slack");
    const envelopeId = randomBytes(8).toString("hex");
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        ...(options.retryAttempt ? { retry_attempt: options.retryAttempt, retry_reason: "timeout" } : {}),
      }),
    );
    return envelopeId;
  };
  const socket: FakeSlackSocket = {
    appToken,
    get connections() {
      return sockets.size;
    },
    acks,
    waitForConnections: (count = 1, timeoutMs = 10_000) =>
      socketWait(() => (sockets.size >= count ? true : undefined), `${count} connection(s)`, timeoutMs).then(
        () => {},
      ),
    push,
    pushEvent(event, eventId = `Ev${randomBytes(5).toString("hex").toUpperCase()}`) {
      return push("events_api", {
        token: "legacy",
        team_id: teamId,
        api_app_id: "A0FAKEAPP",
        type: "event_callback",
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: teamId, user_id: botUserId, is_bot: true }],
        event,
      });
    },
    waitForAck: (envelopeId, timeoutMs = 10_000) =>
      socketWait(() => acks.find((a) => a.envelopeId === envelopeId), `an ack of ${envelopeId}`, timeoutMs),
    waitForNoConnections: (timeoutMs = 10_000) =>
      socketWait(() => (sockets.size === 0 ? true : undefined), "every client gone", timeoutMs).then(
        () => {},
      ),
    dropAll() {
      for (const ws of sockets) ws.terminate();
    },
  };
  const closeSocket = () =>
    new Promise<void>((resolve) => {
      for (const ws of sockets) ws.terminate();
      wss.close(() => resolve());
    });

  const server = await listen(
    app,
    () => ({ status: 404, body: { ok: false, error: "unknown_method" } }),
    () => ({ status: 500, body: { ok: false, error: "internal_error" } }),
  );

  return {
    url: server.url,
    apiUrl: `${server.url}/api/`,
    botToken,
    teamId,
    botUserId,
    requests,
    messages,
    views,
    profiles,
    snoozes,
    oauthClient,
    responseUrl(channel) {
      return `${server.url}/response/${channel}/${randomBytes(6).toString("hex")}`;
    },
    addUser(partial) {
      const user: SlackUser = {
        teamId,
        name: partial.id.toLowerCase(),
        realName: partial.id,
        tz: "Europe/Berlin",
        tzOffset: 3600,
        ...partial,
      };
      users.set(user.id, user);
      return user;
    },
    allowToken(token, owner) {
      tokens.set(token, owner);
    },
    revokeToken(token) {
      tokens.delete(token);
    },
    expireToken(token) {
      expired.add(token);
    },
    waitUntil(check, what, timeoutMs = 10_000) {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = () => {
          if (!check()) return;
          stateWaiters.delete(waiter);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          stateWaiters.delete(waiter);
          reject(new Error(`the fake Slack never saw ${what}`));
        }, timeoutMs);
        stateWaiters.add(waiter);
      });
    },
    addInstallGrant(grant) {
      grants.set(grant.code, grant);
    },
    failNext(options) {
      faults.push(options);
    },
    waitForViews(count, timeoutMs = 10_000) {
      if (views.length >= count) return Promise.resolve(views.slice());
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: (v: PublishedView[]) => {
            clearTimeout(timer);
            resolve(v);
          },
        };
        const timer = setTimeout(() => {
          viewWaiters.splice(viewWaiters.indexOf(waiter), 1);
          reject(new Error(`expected ${count} Slack views, saw ${views.length}`));
        }, timeoutMs);
        viewWaiters.push(waiter);
      });
    },
    waitForMessages(count, timeoutMs = 10_000) {
      if (messages.length >= count) return Promise.resolve(messages.slice());
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: (m: PostedMessage[]) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`expected ${count} Slack messages, saw ${messages.length}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    socket,
    async close() {
      await closeSocket();
      await server.close();
    },
  };
}
