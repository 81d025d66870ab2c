/**
 * A chat face's place in the engine's messenger route. Workers send nudges as well as web processes, so a face
 * takes its place in every role (prepare) with a messenger that needs no HTTP surface; the web face then swaps in
 * the richer one it builds (token refresh through the installer, the same Bolt client) without adding a second
 * route entry.
 */
import type { Engine } from "../../engine/engine.ts";
import type { Messenger } from "../../engine/messaging/messenger.ts";
import { firstReachable } from "../../engine/messaging/route.ts";

const slots = new WeakMap<Engine, Map<string, { current: Messenger }>>();

/** Puts `messenger` in the route under `name`, or replaces the one already there. */
export function placeMessenger(engine: Engine, name: string, messenger: Messenger): void {
  let byName = slots.get(engine);
  if (!byName) {
    byName = new Map();
    slots.set(engine, byName);
  }
  const existing = byName.get(name);
  if (existing) {
    existing.current = messenger;
    return;
  }
  const slot = { current: messenger };
  byName.set(name, slot);
  const delegate: Messenger = {
    ...(messenger.medium ? { medium: messenger.medium } : {}),
    send: (to, message, options) => slot.current.send(to, message, options),
  };
  engine.services.messenger = firstReachable([engine.services.messenger, delegate]);
}
