/** A Messenger for tests: keeps what was sent and lets a test wait for the next message instead of sleeping. */
import type { Message } from "../../engine/messaging/message.ts";
import type { MessageDelivery, MessageRecipient, Messenger } from "../../engine/messaging/messenger.ts";

export interface SentMessage {
  to: MessageRecipient;
  message: Message;
}

export class RecordingMessenger implements Messenger {
  readonly sent: SentMessage[] = [];
  private readonly waiting: Array<{ index: number; resolve: (sent: SentMessage) => void }> = [];

  constructor(private readonly channel = "test") {}

  async send(to: MessageRecipient, message: Message): Promise<MessageDelivery> {
    const entry = { to, message };
    this.sent.push(entry);
    const index = this.sent.length - 1;
    for (const waiter of this.waiting.filter((w) => w.index === index)) waiter.resolve(entry);
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((w) => w.index !== index));
    return { delivered: true, channel: this.channel };
  }

  /** The n-th message sent (0-based), now or when it is sent. */
  nth(index: number): Promise<SentMessage> {
    const already = this.sent[index];
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiting.push({ index, resolve }));
  }

  /** The next message sent after this call. */
  next(): Promise<SentMessage> {
    return this.nth(this.sent.length);
  }
}
