/**
 * The Messenger port: sends a message to a person on the channel they use (Slack, Teams, the terminal, email).
 * The faces implement it and bin/ installs one on the engine's services; nudges use it. Until a face is wired
 * the engine carries `silentMessenger`, which delivers nothing and says so.
 */
import type { Message } from "./message.ts";

export interface MessageRecipient {
  workspaceId: string;
  personId: string;
}

/** Chat (Slack, Teams, the terminal) or email: how a messenger reaches people. */
export type Medium = "chat" | "email";

export interface SendOptions {
  /**
   * The medium to try first. Chat is tried first by default; a message meant to be read at leisure (the weekly
   * review) asks for "email", and still goes by chat when no email channel reaches the person.
   */
  prefer?: Medium;
}

export interface MessageDelivery {
  delivered: boolean;
  /** Where it went ("slack", "teams", "terminal", "email"...), or where it was refused; null when unreachable. */
  channel: string | null;
  /**
   * Why it was not delivered, when the channel refused the message for good (a mail server rejecting the
   * address): retrying would not help, so the caller records it instead.
   */
  reason?: string;
}

export interface Messenger {
  /** How this messenger reaches people (default "chat"); routes order by it. */
  readonly medium?: Medium;
  /**
   * Resolves with delivered: false when the person has no channel Cairn can reach (or a channel refused the
   * message for good, with a reason); throws on a failure worth retrying.
   */
  send(to: MessageRecipient, message: Message, options?: SendOptions): Promise<MessageDelivery>;
}

export const notDelivered: MessageDelivery = { delivered: false, channel: null };

/** The messenger of an engine without chat faces. */
export const silentMessenger: Messenger = {
  async send() {
    return notDelivered;
  },
};
