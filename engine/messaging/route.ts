/**
 * Several chat faces at once: a message goes to the first one that can reach the person (the order bin/ gives,
 * e.g. Slack, then Teams, then an open terminal). A face that throws is retried by its own delivery code; here
 * the failure is passed on, so the caller (a nudge job) can retry or record it.
 */
import { type Messenger, notDelivered } from "./messenger.ts";

export function firstReachable(messengers: readonly Messenger[]): Messenger {
  return {
    async send(to, message) {
      for (const messenger of messengers) {
        const delivery = await messenger.send(to, message);
        if (delivery.delivered) return delivery;
      }
      return notDelivered;
    },
  };
}
