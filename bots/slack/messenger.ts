/**
 * Messages Cairn starts (nudges, plan changes) to a person on Slack, or to a known Slack conversation: the Slack
 * side of the engine's Messenger port. A person is found in Slack by their email (users.lookupByEmail) with the
 * bot token serving their workspace; delivery retries and records failures as send.ts does.
 */
import { findPersonById, findWorkspace } from "../../engine/db/repositories/workspaces.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import { type Messenger, notDelivered } from "../../engine/messaging/messenger.ts";
import type { Message } from "../conversation/message.ts";
import { type SlackSendResult, sendingClient, sendSlackMessage, withSlackRetries } from "./send.ts";

/** A person of a Cairn workspace, or a conversation Cairn already talks in (with the workspace it serves). */
export type SlackRecipient =
  | { workspaceId: string; personId: string }
  | { workspace: string; channel: string; threadTs?: string };

export interface SlackMessenger {
  send(to: SlackRecipient, message: Message): Promise<SlackSendResult>;
}

export interface SlackMessengerOptions {
  engine: Engine;
  log: Logger;
  apiUrl?: string;
  /** The bot token serving a Cairn workspace (by slug), refreshed when it rotates; undefined when none. */
  botTokenFor(workspace: string): Promise<string | undefined>;
  attempts?: number;
  backoffMs?: number;
}

export function createSlackMessenger(options: SlackMessengerOptions): SlackMessenger {
  const { engine, log } = options;
  const policy = {
    log,
    ...(options.attempts ? { attempts: options.attempts } : {}),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
  };
  const failed = (error: string, detail: Record<string, unknown>): SlackSendResult => {
    log.warn({ ...detail, slackError: error }, "slack delivery failed");
    return { ok: false, attempts: 0, error };
  };
  return {
    async send(to, message) {
      if ("channel" in to) {
        const token = await options.botTokenFor(to.workspace);
        if (!token) return failed("not_installed", { workspace: to.workspace });
        const target = { channel: to.channel, ...(to.threadTs ? { threadTs: to.threadTs } : {}) };
        return sendSlackMessage(sendingClient(token, options.apiUrl), target, message, policy);
      }
      const found = await engine.services.db.scoped(to.workspaceId, async (tx) => {
        const person = await findPersonById(tx, to.workspaceId, to.personId);
        const workspace = await findWorkspace(tx, to.workspaceId);
        return person && workspace ? { person, slug: workspace.slug } : undefined;
      });
      if (!found) return failed("person_not_found", { personId: to.personId });
      const token = await options.botTokenFor(found.slug);
      if (!token) return failed("not_installed", { workspace: found.slug });
      const client = sendingClient(token, options.apiUrl);
      const user = await withSlackRetries(
        () => client.users.lookupByEmail({ email: found.person.email }),
        policy,
        "users.lookupByEmail",
      );
      if (!user.ok) return { ok: false, attempts: user.attempts, error: user.error };
      const userId = user.value.user?.id;
      if (!userId) return failed("users_not_found", { personId: to.personId });
      return sendSlackMessage(client, { user: userId }, message, policy);
    },
  };
}

/** Slack as the engine's Messenger port: not delivered when the person has no Slack Cairn can reach. */
export function slackAsMessenger(slack: SlackMessenger): Messenger {
  const unreachable = new Set(["not_installed", "person_not_found", "users_not_found"]);
  return {
    async send(to, message) {
      const result = await slack.send({ workspaceId: to.workspaceId, personId: to.personId }, message);
      if (result.ok) return { delivered: true, channel: "slack" };
      if (result.error && unreachable.has(result.error)) return notDelivered;
      throw new Error(`Slack delivery failed after ${result.attempts} attempts: ${result.error}`);
    },
  };
}
