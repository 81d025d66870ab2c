/**
 * Several faces at once: a message goes to the first one that can reach the person. Chat faces are tried in the
 * order bin/ gives (e.g. Slack, then Teams, then an open terminal) and email after them, or email first when
 * the send prefers it. A face that throws is retried by its own delivery code; here the failure is passed on,
 * so the caller (a nudge job) can retry or record it. A face that refuses the message for good (with a reason)
 * lets the next one try; when none delivers, that refusal is the answer.
 */
import { type Medium, type MessageDelivery, type Messenger, notDelivered } from "./messenger.ts";

/** A route's own faces, so that a route of routes (each face adding itself) orders all faces together. */
const members = new WeakMap<Messenger, readonly Messenger[]>();

function flatten(messengers: readonly Messenger[]): Messenger[] {
  return messengers.flatMap((messenger) => members.get(messenger) ?? [messenger]);
}

const mediumOf = (messenger: Messenger): Medium => messenger.medium ?? "chat";

export function firstReachable(messengers: readonly Messenger[]): Messenger {
  const faces = flatten(messengers);
  const ordered = (prefer: Medium): Messenger[] => [
    ...faces.filter((face) => mediumOf(face) === prefer),
    ...faces.filter((face) => mediumOf(face) !== prefer),
  ];
  const route: Messenger = {
    async send(to, message, options = {}) {
      let refused: MessageDelivery | undefined;
      for (const messenger of ordered(options.prefer ?? "chat")) {
        const delivery = await messenger.send(to, message, options);
        if (delivery.delivered) return delivery;
        if (delivery.reason && !refused) refused = delivery;
      }
      return refused ?? notDelivered;
    },
  };
  members.set(route, faces);
  return route;
}
