/** A Messenger for tests: keeps what was sent and lets a test wait for the next message instead of sleeping. */
import type { Message } from "../../engine/messaging/message.ts";
import type { MessageDelivery, MessageRecipient, Messenger } from "../../engine/messaging/messenger.ts";

export interface SentMessage {
  to: MessageRecipient;
  message: Message;
}

export class RecordingMessenger implements Messenger {
  readonly sent: SentMessage[] = [];
  /** Tests waiting for the message at an index. */
  private readonly waiting = new Map<number, Array<(sent: SentMessage) => void>>();

  constructor(private readonly channel = "test") {}

  async send(to: MessageRecipient, message: Message): Promise<MessageDelivery> {
    const entry = { to, message };
    this.sent.push(entry);
    const index = this.sent.length - 1;
    for (const resolve of this.waiting.get(index) ?? []) resolve(entry);
    this.waiting.delete(index);
    return { delivered: true, channel: this.channel };
  }

  /** The n-th message sent (0-based), now or when it is sent. */
  nth(index: number): Promise<SentMessage> {
    const already = this.sent[index];
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiting.set(index, [...(this.waiting.get(index) ?? []), resolve]));
  }

  /** The next message sent after this call. */
  next(): Promise<SentMessage> {
    return this.nth(this.sent.length);
  }
}
