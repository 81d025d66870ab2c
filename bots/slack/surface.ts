/**
 * The Slack surface: a Bolt app whose receiver is mounted on Cairn's own HTTP server at /slack/events (Bolt's
 * ExpressReceiver: Bolt verifies the v0 signature with the signing secret and answers 401 otherwise), or Socket
 * Mode when an app-level token is given. DMs, app mentions, `/cairn`, buttons, the App Home tab, the "Create
 * task from message" shortcut and the task modal all go through the conversation core, as the person who wrote
 * or clicked. Everything is acknowledged first; the work runs after the ack, and a delivery Slack retries
 * (same event_id) is taken once, across processes, through the chat_deliveries table.
 */
import {
  App,
  type AuthorizeResult,
  type Logger as BoltLogger,
  ExpressReceiver,
  type Installation,
  LogLevel,
  SocketModeReceiver,
  type types,
  webApi,
} from "@slack/bolt";
import type { Router } from "express";
import { DateTime } from "luxon";
import type { Actor } from "../../engine/actions/define.ts";
import { personForIdentity } from "../../engine/auth/identities.ts";
import {
  claimChatDelivery,
  deleteExpiredChatDeliveries,
} from "../../engine/db/repositories/chat-deliveries.ts";
import type { Engine } from "../../engine/engine.ts";
import { CairnError } from "../../engine/errors.ts";
import type { Logger } from "../../engine/logger.ts";
import { respond, respondToClick } from "../conversation/conversation.ts";
import { enginePort } from "../conversation/engine-port.ts";
import { decodeCall, type Message, say } from "../conversation/message.ts";
import type { ChatPeople } from "../conversation/people.ts";
import { ACTION_ID_PREFIX, type SlackBlock } from "./block-kit.ts";
import {
  FOCUS_CONNECT_METADATA,
  FOCUS_CONNECT_PATH,
  type FocusStatusService,
  focusStatusService,
  isConnectFocusStatus,
  isStopFocusStatus,
  STOP_FOCUS_STATUS,
} from "./focus.ts";
import { buildHome, CONNECT_FOCUS_STATUS } from "./home.ts";
import { type SlackInstallations, slackInstallations } from "./installations.ts";
import { createSlackMessenger, type SlackMessenger } from "./messenger.ts";
import { type SlackTarget, sendingClient, sendSlackMessage } from "./send.ts";
import { type ReconnectGuard, type ReconnectOptions, retryFailedReconnects } from "./socket-reconnect.ts";
import {
  CREATE_FROM_MESSAGE,
  EDIT_TASK,
  OPEN_TASK_MODAL,
  readMetadata,
  TASK_MODAL,
  taskInputFromModal,
  taskModal,
} from "./views.ts";

type WebClient = InstanceType<typeof webApi.WebClient>;

/** Slack retries a delivery for a few minutes; keep event ids a day. */
const DELIVERY_TTL_SECONDS = 24 * 3600;

export const BOT_SCOPES = [
  "app_mentions:read",
  "channels:history",
  "chat:write",
  "commands",
  "groups:history",
  "im:history",
  "im:read",
  "im:write",
  "users:read",
  "users:read.email",
];
export const USER_SCOPES = ["users.profile:write", "dnd:write"];

export interface SlackSurfaceOptions {
  engine: Engine;
  people: ChatPeople;
  log: Logger;
  signingSecret?: string;
  /** Web API root (SLACK_API_URL), e.g. a local fake; default https://slack.com/api/. */
  apiUrl?: string;
  /** Single-workspace mode: the bot token and the Cairn workspace every Slack user belongs to. */
  botToken?: string;
  workspace: string;
  /** Multi-workspace OAuth install. */
  oauth?: { clientId: string; clientSecret: string; stateSecret: string; redirectUri?: string };
  /** Socket Mode (an app-level xapp- token): no HTTP endpoint needed. */
  appToken?: string;
  /** How a Socket Mode reconnect that failed is retried (defaults: 1 s, doubling to 60 s). */
  socketReconnect?: ReconnectOptions;
}

export interface SlackSurface {
  app: App;
  /** Routes for Cairn's server (/slack/events, and /slack/install + /slack/oauth_redirect with OAuth). */
  router?: Router;
  installations?: SlackInstallations;
  /** Messages Cairn starts, to a person or a conversation (the Messenger port's Slack side). */
  messenger: SlackMessenger;
  /** The focus status (OAuth install only: people connect their Slack status with a user-scopes grant). */
  focus?: FocusStatusService;
  start(): Promise<void>;
  /** Waits for the work in flight, then stops. */
  close(): Promise<void>;
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) =>
    msg
      .map((m) => (m instanceof Error ? m.message : typeof m === "string" ? m : JSON.stringify(m)))
      .join(" ");
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error({ err: msg.find((m) => m instanceof Error) }, text(msg)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** Removes `<@U123>` mentions of the app. */
function withoutMentions(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

interface SlackUserInfo {
  email?: string;
  name?: string;
  timezone?: string;
}

export function createSlackSurface(options: SlackSurfaceOptions): SlackSurface {
  const { engine, people, log } = options;
  // Calls made while handling a request (users.info, views.*, chat.update) retry briefly, not for half an hour.
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 4000 },
  };
  const logger = boltLogger(log);
  const focus = options.oauth
    ? focusStatusService(engine, {
        log,
        ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
        oauth: { clientId: options.oauth.clientId, clientSecret: options.oauth.clientSecret },
      })
    : undefined;
  const installations = options.oauth
    ? slackInstallations(engine, {
        userGrantMetadata: FOCUS_CONNECT_METADATA,
        async onUserGrant(grant) {
          const actor = await personForIdentity(engine.services.db, grant.workspace, {
            provider: "slack",
            tenant: grant.teamId,
            externalId: grant.userId,
          });
          if (!actor) throw new Error("Say hello to Cairn in Slack first, then connect your Slack status");
          await focus?.connect({
            workspaceId: actor.workspace.id,
            personId: actor.person.id,
            teamId: grant.teamId,
            slackUserId: grant.userId,
            token: grant.token,
            ...(grant.scopes ? { scopes: grant.scopes } : {}),
            ...(grant.refreshToken ? { refreshToken: grant.refreshToken } : {}),
            ...(grant.expiresAt ? { expiresAt: grant.expiresAt } : {}),
          });
        },
      })
    : undefined;
  /** Where a person grants the focus-status user scopes (OAuth install only). */
  const connectUrl = options.oauth?.redirectUri
    ? options.oauth.redirectUri.replace(/\/slack\/oauth_redirect$/, FOCUS_CONNECT_PATH)
    : undefined;
  const socketMode = Boolean(options.appToken);

  let receiver: ExpressReceiver | SocketModeReceiver;
  let reconnects: ReconnectGuard | undefined;
  if (socketMode) {
    receiver = new SocketModeReceiver({
      appToken: options.appToken as string,
      logger,
      // Bolt hands installerOptions.clientOptions to its SocketModeClient, whose WebClient asks
      // apps.connections.open for the socket URL: SLACK_API_URL applies to the socket too.
      installerOptions: { clientOptions },
    });
    reconnects = retryFailedReconnects(receiver.client, logger, options.socketReconnect);
  } else {
    if (!options.signingSecret) throw new Error("SLACK_SIGNING_SECRET is required for Slack's HTTP events");
    receiver = new ExpressReceiver({
      signingSecret: options.signingSecret,
      logger,
      endpoints: "/slack/events",
      processBeforeResponse: false,
      ...(options.oauth && installations
        ? {
            clientId: options.oauth.clientId,
            clientSecret: options.oauth.clientSecret,
            stateSecret: options.oauth.stateSecret,
            scopes: BOT_SCOPES,
            installationStore: installations,
            ...(options.oauth.redirectUri ? { redirectUri: options.oauth.redirectUri } : {}),
            installerOptions: {
              installPath: "/slack/install",
              redirectUriPath: "/slack/oauth_redirect",
              userScopes: USER_SCOPES,
              directInstall: true,
              clientOptions,
            },
          }
        : {}),
    });
  }

  // One workspace: the bot token, and who the bot is (auth.test), asked on the first request and kept; a
  // failed auth.test is asked again next time (Bolt's own eager call would outlive a stopped server).
  const botToken = options.oauth ? undefined : options.botToken;
  let identity: Promise<AuthorizeResult> | undefined;
  const authorizeBot = (token: string) => async (): Promise<AuthorizeResult> => {
    identity ??= new webApi.WebClient(token, { ...clientOptions, logger }).auth
      .test()
      .then((result) => ({
        botToken: token,
        ...(result.bot_id ? { botId: result.bot_id } : {}),
        ...(result.user_id ? { botUserId: result.user_id } : {}),
        ...(result.team_id ? { teamId: result.team_id } : {}),
      }))
      .catch((error: unknown) => {
        identity = undefined;
        throw error;
      });
    return identity;
  };
  const app = new App({
    receiver,
    logger,
    clientOptions,
    ...(botToken ? (socketMode ? { token: botToken } : { authorize: authorizeBot(botToken) }) : {}),
  });

  let inFlight = 0;
  let closed = false;
  let drained: (() => void) | undefined;
  const track = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    if (closed) return undefined;
    inFlight++;
    try {
      return await work();
    } catch (error) {
      log.error({ err: error }, "slack request failed");
      return undefined;
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  };

  // A retried or duplicated event (same event_id) is taken once, by one process.
  let claims = 0;
  app.use(async ({ body, context, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === "string") {
      const now = engine.services.now();
      const first = await engine.services.db.system((tx) =>
        claimChatDelivery(tx, { provider: "slack", id: eventId }, now, DELIVERY_TTL_SECONDS),
      );
      if (!first) {
        log.info({ eventId, retryNum: context.retryNum }, "slack delivery already handled");
        return;
      }
      if (++claims % 500 === 0)
        await engine.services.db.system((tx) => deleteExpiredChatDeliveries(tx, now)).catch(() => {});
    }
    await next();
  });

  app.error(async (error) => {
    log.error({ err: error }, "slack listener failed");
  });

  const workspaceFor = async (teamId: string | undefined, enterpriseId?: string) =>
    installations ? await installations.workspaceFor({ teamId, enterpriseId }) : options.workspace;

  async function userInfo(client: WebClient, userId: string): Promise<SlackUserInfo> {
    const result = await client.users.info({ user: userId });
    const user = result.user;
    return {
      email: user?.profile?.email,
      name: user?.real_name ?? user?.profile?.real_name ?? user?.name,
      timezone: user?.tz,
    };
  }

  /** The person behind a Slack user, or the polite refusal to send them. */
  async function personOf(
    client: WebClient,
    teamId: string | undefined,
    userId: string,
    enterpriseId?: string,
  ): Promise<{ actor: Actor } | { refused: string }> {
    const workspace = await workspaceFor(teamId, enterpriseId);
    if (!workspace) return { refused: "Cairn is not installed for this Slack workspace yet." };
    const tenant = teamId ?? enterpriseId ?? "";
    // A linked account needs no users.info call on every message.
    const known = await people.linked({ provider: "slack", tenant, userId }, workspace);
    if (known) return { actor: known };
    const info = await userInfo(client, userId);
    return people.resolve(
      {
        provider: "slack",
        tenant: teamId ?? enterpriseId ?? "",
        userId,
        ...(info.email ? { email: info.email } : {}),
        ...(info.name ? { name: info.name } : {}),
        ...(info.timezone ? { timezone: info.timezone } : {}),
      },
      workspace,
    );
  }

  const conversationKey = (team: string | undefined, channel: string, thread?: string) =>
    ["slack", team ?? "-", channel, ...(thread ? [thread] : [])].join(":");

  const friendly = (error: unknown): Message => {
    if (error instanceof CairnError) return say(error.message);
    log.error({ err: error }, "slack conversation failed");
    return say("Something went wrong on my side; it is in Cairn's log. Please try again in a moment.");
  };

  // Replies go through a client of our own per token: the retry policy on 429 and 5xx is send.ts's.
  const senders = new Map<string, WebClient>();
  const send = (client: WebClient, target: SlackTarget, message: Message) => {
    const token = client.token ?? "";
    let sender = senders.get(token);
    if (!sender) {
      if (senders.size > 1000) senders.clear();
      sender = sendingClient(token, options.apiUrl);
      senders.set(token, sender);
    }
    return sendSlackMessage(sender, target, message, { log, decorate: withEditButton });
  };

  /** A reply about one task (its Done button) also gets an Edit button that opens the task modal. */
  function withEditButton(blocks: SlackBlock[]): SlackBlock[] {
    return blocks.map((block) => {
      if (block.type !== "actions") return block;
      const elements = (block.elements ?? []) as { value?: string; action_id?: string }[];
      const done = elements
        .map((e) => (e.value && e.action_id?.startsWith(ACTION_ID_PREFIX) ? decodeCall(e.value) : undefined))
        .find((call) => call?.action === "complete_task" && typeof call.input.id === "string");
      if (!done || elements.length >= 25) return block;
      const edit = {
        type: "button",
        action_id: EDIT_TASK,
        text: { type: "plain_text", text: "Edit", emoji: true },
        value: String(done.input.id),
      };
      return { ...block, elements: [...elements, edit] };
    });
  }

  /** "connect my Slack status" / "stop changing my Slack status": the focus status opt-in and opt-out. */
  async function focusStatusReply(actor: Actor, text: string): Promise<Message | undefined> {
    if (isStopFocusStatus(text)) {
      if (!focus) return say("Cairn does not change Slack statuses in this workspace.");
      const had = await focus.disconnect(actor);
      refreshHome(actor.person.id);
      return say(
        had
          ? "Done: I will no longer change your Slack status or pause your notifications during focus time."
          : "I was not changing your Slack status.",
      );
    }
    if (isConnectFocusStatus(text)) {
      if (!focus || !connectUrl)
        return say("Slack focus status needs Cairn's Slack OAuth install; ask your admin to set it up.");
      return say(
        `During your focus blocks I can set your Slack status ("Focus time until 11:30") and pause your notifications until they end. <${connectUrl}|Connect my Slack status> to turn it on; say "stop changing my Slack status" to turn it off.`,
      );
    }
    return undefined;
  }

  /** A message in, the reply posted where it came from. */
  async function converse(args: {
    client: WebClient;
    teamId: string | undefined;
    enterpriseId?: string;
    userId: string;
    channel: string;
    threadTs?: string;
    text: string;
  }): Promise<void> {
    const { client, teamId, userId, channel, threadTs } = args;
    const target: SlackTarget = { channel, ...(threadTs ? { threadTs } : {}) };
    const who = await personOf(client, teamId, userId, args.enterpriseId);
    if ("refused" in who) {
      await send(client, target, say(who.refused));
      return;
    }
    const focusReply = await focusStatusReply(who.actor, args.text).catch(friendly);
    if (focusReply) {
      await send(client, target, focusReply);
      return;
    }
    const port = enginePort(engine, who.actor, "slack", conversationKey(teamId, channel, threadTs));
    const reply = await respond(port, args.text).catch(friendly);
    await send(client, target, reply);
    refreshHome(who.actor.person.id);
  }

  // Direct messages.
  app.event("message", async ({ event, client, context, body }) => {
    const message = event as {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      text?: string;
      channel: string;
      thread_ts?: string;
    };
    if (message.channel_type !== "im" || message.subtype || message.bot_id || !message.user) return;
    const text = message.text ?? "";
    await track(() =>
      converse({
        client,
        teamId: context.teamId ?? (body as { team_id?: string }).team_id,
        enterpriseId: context.enterpriseId,
        userId: message.user as string,
        channel: message.channel,
        ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
        text,
      }),
    );
  });

  // Mentions in channels: the reply goes in the thread.
  app.event("app_mention", async ({ event, client, context }) => {
    if (!event.user || event.bot_id) return;
    await track(() =>
      converse({
        client,
        teamId: context.teamId ?? event.team,
        enterpriseId: context.enterpriseId,
        userId: event.user as string,
        channel: event.channel,
        threadTs: event.thread_ts ?? event.ts,
        text: withoutMentions(event.text),
      }),
    );
  });

  // `/cairn <text>`: acknowledged at once, the reply sent to the response_url (visible to the person only).
  app.command("/cairn", async ({ command, ack, respond: reply, client, context }) => {
    await ack();
    await track(async () => {
      const who = await personOf(
        client,
        context.teamId ?? command.team_id,
        command.user_id,
        context.enterpriseId,
      );
      let message: Message;
      if ("refused" in who) message = say(who.refused);
      else {
        const port = enginePort(
          engine,
          who.actor,
          "slack",
          conversationKey(command.team_id, command.channel_id, `cmd-${command.user_id}`),
        );
        message =
          (await focusStatusReply(who.actor, command.text ?? "").catch(friendly)) ??
          (await respond(port, command.text || "help").catch(friendly));
        refreshHome(who.actor.person.id);
      }
      const { toBlockKit } = await import("./block-kit.ts");
      const { text, blocks } = toBlockKit(message);
      await reply({ response_type: "ephemeral", text, blocks } as Parameters<typeof reply>[0]);
    });
  });

  // Buttons on Cairn's messages and on the Home tab: the call they carry, as the person who clicked.
  app.action(new RegExp(`^${ACTION_ID_PREFIX}`), async ({ ack, body, action, client, context }) => {
    await ack();
    await track(async () => {
      const value = (action as { value?: string }).value;
      const call = value ? decodeCall(value) : undefined;
      const userId = body.user.id;
      const teamId = context.teamId ?? body.team?.id;
      const container = body as {
        channel?: { id: string };
        message?: { ts: string; thread_ts?: string; blocks?: Record<string, unknown>[] };
        view?: { type?: string };
      };
      const channel = container.channel?.id;
      const threadTs = container.message?.thread_ts;
      const target: SlackTarget = channel ? { channel, ...(threadTs ? { threadTs } : {}) } : { user: userId };
      if (!call) {
        await send(client, target, say("That button has expired. Ask me again."));
        return;
      }
      const who = await personOf(client, teamId, userId, context.enterpriseId);
      if ("refused" in who) {
        await send(client, target, say(who.refused));
        return;
      }
      const key = channel
        ? conversationKey(teamId, channel, threadTs)
        : conversationKey(teamId, `home-${userId}`);
      const port = enginePort(engine, who.actor, "slack", key);
      const reply = await respondToClick(port, call).catch(friendly);
      // The clicked message keeps its text; its buttons give way to what was done.
      if (channel && container.message?.blocks) {
        const label = (action as { text?: { text?: string } }).text?.text ?? "Done";
        const blocks = container.message.blocks.map((block) =>
          block.type === "actions" &&
          (block.elements as { action_id?: string }[] | undefined)?.some(
            (e) => e.action_id === (action as { action_id: string }).action_id,
          )
            ? { type: "context", elements: [{ type: "mrkdwn", text: `✓ ${label} — <@${userId}>` }] }
            : block,
        );
        await client.chat
          .update({
            channel,
            ts: container.message.ts,
            blocks: blocks as unknown as types.KnownBlock[],
            text: reply.text,
          })
          .catch((error: unknown) => log.warn({ err: error }, "slack message update failed"));
      }
      await send(client, target, reply);
      if (container.view?.type === "home" || !channel) await publishHome(client, userId, who.actor);
      else refreshHome(who.actor.person.id);
    });
  });

  // App Home: today's plan and what to do now.
  const homes = new Map<string, { client: WebClient; userId: string; actor: Actor }>();

  async function publishHome(client: WebClient, userId: string, actor: Actor): Promise<void> {
    homes.set(actor.person.id, { client, userId, actor });
    const view = await buildHome(engine, actor, userId, {
      log,
      ...(focus ? { focus } : {}),
      ...(connectUrl ? { connectUrl } : {}),
    });
    await client.views.publish({ user_id: userId, view: view as never });
  }

  /** The Home tab of someone who opened it here is redrawn when their plan or tasks change. */
  const pendingRefresh = new Set<string>();
  function refreshHome(personId: string): void {
    const home = homes.get(personId);
    if (!home || pendingRefresh.has(personId)) return;
    pendingRefresh.add(personId);
    setImmediate(() => {
      pendingRefresh.delete(personId);
      void track(() => publishHome(home.client, home.userId, home.actor));
    });
  }
  // With BullMQ a refresh job redraws the tab from whichever worker runs it (home.ts), for changes made in any
  // process; in one process (in-process jobs) the tabs opened here are redrawn directly.
  const unsubscribe = engine.services.changes.subscribe((change) => {
    if (engine.services.jobs.kind === "bullmq") return;
    if (change.kind !== "plan" && change.kind !== "tasks") return;
    if (change.personId) refreshHome(change.personId);
  });

  app.event("app_home_opened", async ({ event, client, context }) => {
    if (event.tab !== "home") return;
    await track(async () => {
      const who = await personOf(client, context.teamId, event.user, context.enterpriseId);
      if ("refused" in who) {
        await client.views.publish({
          user_id: event.user,
          view: { type: "home", blocks: [{ type: "section", text: { type: "mrkdwn", text: who.refused } }] },
        });
        return;
      }
      await publishHome(client, event.user, who.actor);
    });
  });

  // The focus status: "Stop changing my Slack status" on the Home tab; the connect button is a link (acked only).
  app.action(STOP_FOCUS_STATUS, async ({ ack, body, client, context }) => {
    await ack();
    await track(async () => {
      const userId = body.user.id;
      const who = await personOf(client, context.teamId ?? body.team?.id, userId, context.enterpriseId);
      if ("refused" in who) return;
      const reply = await focusStatusReply(who.actor, "stop changing my slack status");
      if (reply) await send(client, { user: userId }, reply);
      await publishHome(client, userId, who.actor);
    });
  });
  app.action(CONNECT_FOCUS_STATUS, async ({ ack }) => {
    await ack();
  });

  // The task modal, from the Home tab's button.
  app.action(OPEN_TASK_MODAL, async ({ ack, body, client }) => {
    await ack();
    const triggerId = (body as { trigger_id?: string }).trigger_id;
    if (!triggerId) return;
    // trigger_id lives 3 s: the modal opens before anything slow.
    await track(() => client.views.open({ trigger_id: triggerId, view: taskModal({}, {}) as never }));
  });

  // Edit on a task reply: the modal filled with the task as it is now.
  app.action(EDIT_TASK, async ({ ack, body, action, client, context }) => {
    await ack();
    await track(async () => {
      const triggerId = (body as { trigger_id?: string }).trigger_id;
      const taskId = (action as { value?: string }).value;
      if (!triggerId || !taskId) return;
      const userId = body.user.id;
      const teamId = context.teamId ?? body.team?.id;
      const container = body as { channel?: { id: string }; message?: { thread_ts?: string } };
      const who = await personOf(client, teamId, userId, context.enterpriseId);
      if ("refused" in who) {
        await send(client, { user: userId }, say(who.refused));
        return;
      }
      const port = enginePort(engine, who.actor, "slack", conversationKey(teamId, `modal-${userId}`));
      let task: {
        title: string;
        description?: string;
        due: string | null;
        estimateMinutes: number | null;
        priority: number;
      };
      try {
        task = (await port.call("get_task", { id: taskId })) as typeof task;
      } catch (error) {
        await send(client, { user: userId }, friendly(error));
        return;
      }
      const zone = who.actor.person.timezone;
      await client.views.open({
        trigger_id: triggerId,
        view: taskModal(
          {
            taskId,
            title: task.title,
            ...(task.description ? { description: task.description } : {}),
            ...(task.due ? { dueDate: DateTime.fromISO(task.due, { zone }).toISODate() ?? undefined } : {}),
            ...(task.estimateMinutes ? { estimateMinutes: task.estimateMinutes } : {}),
            priority: task.priority,
          },
          {
            taskId,
            ...(container.channel ? { channel: container.channel.id } : {}),
            ...(container.message?.thread_ts ? { threadTs: container.message.thread_ts } : {}),
          },
        ) as never,
      });
    });
  });

  // Message shortcut "Create task from message": the modal, prefilled with the message's text.
  app.shortcut(CREATE_FROM_MESSAGE, async ({ ack, shortcut, client }) => {
    await ack();
    const message = shortcut as {
      trigger_id: string;
      channel?: { id: string };
      message?: { text?: string; ts?: string; thread_ts?: string };
    };
    const text = withoutMentions(message.message?.text ?? "").slice(0, 500);
    await track(() =>
      client.views.open({
        trigger_id: message.trigger_id,
        view: taskModal(
          { title: text },
          {
            ...(message.channel ? { channel: message.channel.id } : {}),
            ...(message.message?.ts ? { threadTs: message.message.thread_ts ?? message.message.ts } : {}),
          },
        ) as never,
      }),
    );
  });

  // The modal submitted: create or update the task as the person, confirm where it came from (or in the DM).
  app.view(TASK_MODAL, async ({ ack, body, view, client, context }) => {
    const title = (view.state.values.title?.value?.value ?? "").toString().trim();
    if (!title) {
      await ack({ response_action: "errors", errors: { title: "Give the task a name." } });
      return;
    }
    await ack();
    await track(async () => {
      const userId = body.user.id;
      const teamId = context.teamId ?? body.team?.id;
      const metadata = readMetadata(view.private_metadata);
      const target: SlackTarget = metadata.channel
        ? { channel: metadata.channel, ...(metadata.threadTs ? { threadTs: metadata.threadTs } : {}) }
        : { user: userId };
      const who = await personOf(client, teamId, userId, context.enterpriseId);
      if ("refused" in who) {
        await send(client, { user: userId }, say(who.refused));
        return;
      }
      const { action, input } = taskInputFromModal(
        view.state.values as never,
        metadata,
        who.actor.person.timezone,
      );
      const port = enginePort(engine, who.actor, "slack", conversationKey(teamId, `modal-${userId}`));
      const reply = await respondToClick(port, { action, input }).catch(friendly);
      const sent = await send(client, target, reply);
      if (!sent.ok && "channel" in target) await send(client, { user: userId }, reply);
      refreshHome(who.actor.person.id);
    });
  });

  const messenger = createSlackMessenger({
    engine,
    log,
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    async botTokenFor(workspace) {
      if (!installations) return workspace === options.workspace ? options.botToken : undefined;
      const installation = await installations.forWorkspace(workspace);
      const installer = receiver instanceof ExpressReceiver ? receiver.installer : undefined;
      if (!installation || !installer) return installation?.bot?.token;
      // The installer's authorize refreshes a rotating token that is about to expire, and stores it.
      const authorized = await installer.authorize({
        teamId: installation.team?.id,
        enterpriseId: installation.enterprise?.id,
        isEnterpriseInstall: installation.isEnterpriseInstall ?? false,
      });
      return authorized.botToken;
    },
  });

  // "Connect my Slack status": the OAuth flow for the user scopes alone, marked so the grant is stored per person.
  if (receiver instanceof ExpressReceiver && receiver.installer && focus && options.oauth) {
    const installer = receiver.installer;
    const redirectUri = options.oauth.redirectUri;
    (receiver.router as Router).get(FOCUS_CONNECT_PATH, (req, res, next) => {
      installer
        .handleInstallPath(
          req,
          res,
          {},
          {
            scopes: [],
            userScopes: USER_SCOPES,
            metadata: FOCUS_CONNECT_METADATA,
            ...(redirectUri ? { redirectUri } : {}),
          },
        )
        .catch(next);
    });
  }

  return {
    app,
    messenger,
    ...(focus ? { focus } : {}),
    ...(receiver instanceof ExpressReceiver ? { router: receiver.router as Router } : {}),
    ...(installations ? { installations } : {}),
    async start() {
      if (socketMode) await app.start();
    },
    async close() {
      closed = true;
      unsubscribe();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, 5_000).unref();
        });
      }
      reconnects?.stop();
      if (socketMode) await app.stop();
    },
  };
}

export type { Installation };
