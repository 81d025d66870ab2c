/**
 * The terminal as a Messenger: while `cairn chat` runs as a person, messages for that person (a nudge, a plan
 * that changed) are printed into the session.
 */
import type { Message } from "../../engine/messaging/message.ts";
import type { MessageRecipient, Messenger } from "../../engine/messaging/messenger.ts";

export interface TerminalMessenger extends Messenger {
  /** Opens the session of one person; returns the function that closes it. */
  attach(personId: string, print: (message: Message) => void): () => void;
}

export function terminalMessenger(): TerminalMessenger {
  const sessions = new Map<string, (message: Message) => void>();
  return {
    attach(personId, print) {
      sessions.set(personId, print);
      return () => {
        if (sessions.get(personId) === print) sessions.delete(personId);
      };
    },
    async send(to: MessageRecipient, message: Message) {
      const print = sessions.get(to.personId);
      if (!print) return { delivered: false, channel: null };
      print(message);
      return { delivered: true, channel: "terminal" };
    },
  };
}
