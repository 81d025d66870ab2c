/**
 * The Microsoft Teams surface on the engine: the bot (conversation core as the person who wrote), its
 * messaging endpoint, and the proactive Messenger. botbuilder is only imported inside bots/teams/.
 */
import type { Router } from "express";
import { conversationStore } from "../../engine/conversations/memory-store.ts";
import {
  claimChatDelivery,
  deleteExpiredChatDeliveries,
} from "../../engine/db/repositories/chat-deliveries.ts";
import {
  findTeamsConversation,
  saveTeamsConversation,
} from "../../engine/db/repositories/teams-conversations.ts";
import { findPersonById, findWorkspace } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import { rememberNudge } from "../conversation/conversation.ts";
import { enginePeople } from "../conversation/engine-people.ts";
import { enginePort } from "../conversation/engine-port.ts";
import type { ChatPeople } from "../conversation/people.ts";
import { TeamsAdapter, type TeamsSettings } from "./adapter.ts";
import { CairnTeamsBot, conversationKey, type TeamsBotLog } from "./bot.ts";
import { MESSAGES_PATH, teamsRouter } from "./http.ts";
import { TeamsMessenger, type TeamsMessengerOptions } from "./messenger.ts";

export type { TeamsSettings } from "./adapter.ts";
export { teamsAppPackage, teamsManifest } from "./app-package.ts";
export { MESSAGES_PATH } from "./http.ts";
export type { DeliveryFailure, PersonRef, SendResult } from "./messenger.ts";

export interface TeamsFaceOptions {
  engine: Engine;
  settings: TeamsSettings;
  /** CAIRN_WORKSPACE. */
  workspace: string;
  /** CAIRN_CHAT_AUTO_PROVISION. */
  autoProvision: boolean;
  log: TeamsBotLog;
  /** Replaces the engine-backed directory (tests). */
  people?: ChatPeople;
  messenger?: Partial<Pick<TeamsMessengerOptions, "maxAttempts" | "baseDelayMs" | "maxDelayMs" | "sleep">>;
}

export interface TeamsFace {
  router: Router;
  adapter: TeamsAdapter;
  bot: CairnTeamsBot;
  messenger: TeamsMessenger;
  path: string;
}

/** How long a Teams activity id is remembered (Teams resends within minutes). */
const DELIVERY_TTL_SECONDS = 24 * 3600;

export function createTeamsFace(options: TeamsFaceOptions): TeamsFace {
  const { engine, log } = options;
  const adapter = new TeamsAdapter(options.settings);
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, type: context.activity.type }, "Teams: the turn failed");
    if (context.activity.type === "message")
      await context
        .sendActivity("Something went wrong on my side; it is in Cairn's log. Try again in a moment.")
        .catch(() => {});
  };
  const bot = new CairnTeamsBot({
    people: options.people ?? enginePeople(engine, { autoProvision: options.autoProvision }),
    workspace: options.workspace,
    portFor: (actor, key) => enginePort(engine, actor, "teams", key),
    rememberConversation: (actor, tenant, reference) =>
      engine.services.db.scoped(actor.workspace.id, (tx) =>
        saveTeamsConversation(tx, {
          workspaceId: actor.workspace.id,
          personId: actor.person.id,
          tenantId: tenant,
          conversationId: String((reference.conversation as { id?: unknown } | undefined)?.id ?? ""),
          reference,
        }),
      ),
    log,
  });
  const messenger = new TeamsMessenger({
    adapter,
    log,
    findReference: async ({ workspaceId, personId }) =>
      (await engine.services.db.scoped(workspaceId, (tx) => findTeamsConversation(tx, workspaceId, personId)))
        ?.reference,
    onNudgeDelivered: async ({ workspaceId, personId }, reference, nudgeId) => {
      const actor = await engine.services.db.scoped(workspaceId, async (tx) => {
        const workspace = await findWorkspace(tx, workspaceId);
        const person = await findPersonById(tx, workspaceId, personId);
        return workspace && person ? { workspace, person } : undefined;
      });
      const conversation = reference.conversation;
      if (!actor || !conversation?.id) return;
      const key = conversationKey(conversation.tenantId ?? "unknown", conversation.id);
      await rememberNudge(conversationStore(engine.services, actor, key), nudgeId);
    },
    ...options.messenger,
  });
  let claims = 0;
  const claim = async (id: string) => {
    const now = engine.services.now();
    const first = await engine.services.db.system((tx) =>
      claimChatDelivery(tx, { provider: "teams", id }, now, DELIVERY_TTL_SECONDS),
    );
    if (first && ++claims % 500 === 0)
      await engine.services.db.system((tx) => deleteExpiredChatDeliveries(tx, now)).catch(() => {});
    return first;
  };
  return { router: teamsRouter(adapter, bot, log, claim), adapter, bot, messenger, path: MESSAGES_PATH };
}
