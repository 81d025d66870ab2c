/**
 * The conversation core wired to the engine for one person in one conversation: actions run through the
 * registry as that person, memory lives in the engine's conversation store.
 */
import type { Actor, Face } from "../../engine/actions/define.ts";
import { conversationStore } from "../../engine/conversations/memory-store.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ConversationPort } from "./conversation.ts";
import type { ConversationMemory } from "./memory.ts";

export function enginePort(
  engine: Engine,
  actor: Actor,
  via: Face,
  conversation: string,
  memory: ConversationMemory = conversationStore(engine.services, actor, conversation),
): ConversationPort {
  return {
    call: (action, input) => engine.call(actor, via, action, input),
    has: (action) => {
      const found = engine.registry.get(action);
      return found !== undefined && (found.scope !== "admin" || actor.person.isAdmin);
    },
    memory,
    timezone: actor.person.timezone,
    now: engine.services.now,
  };
}
