/**
 * The Messenger port: sends a message to a person on the channel they use (Slack, Teams, the terminal). The
 * chat faces implement it and bin/ installs one on the engine's services; nudges use it. Until a chat face is
 * wired the engine carries `silentMessenger`, which delivers nothing and says so.
 */
import type { Message } from "./message.ts";

export interface MessageRecipient {
  workspaceId: string;
  personId: string;
}

export interface MessageDelivery {
  delivered: boolean;
  /** Where it went ("slack", "teams", "terminal"...), null when it was not delivered. */
  channel: string | null;
}

export interface Messenger {
  /** Resolves with delivered: false when the person has no channel Cairn can reach; throws on a failed send. */
  send(to: MessageRecipient, message: Message): Promise<MessageDelivery>;
}

export const notDelivered: MessageDelivery = { delivered: false, channel: null };

/** The messenger of an engine without chat faces. */
export const silentMessenger: Messenger = {
  async send() {
    return notDelivered;
  },
};
