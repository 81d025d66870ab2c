/**
 * The conversation core wired to the engine for one person in one conversation: actions run through the
 * registry as that person, memory lives in the engine's conversation store.
 */
import type { Actor, Face } from "../../engine/actions/define.ts";
import { jsonSchemaOf } from "../../engine/actions/registry.ts";
import { conversationStore } from "../../engine/conversations/memory-store.ts";
import type { Engine } from "../../engine/engine.ts";
import type { ConversationPort } from "./conversation.ts";
import { createLlmInterpreter } from "./llm.ts";
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
    llm: llmFor(engine, actor),
  };
}

/** The configured model with the actions this person may call as its tools; undefined without CAIRN_LLM_*. */
function llmFor(engine: Engine, actor: Actor): ConversationPort["llm"] {
  const { config, log } = engine.services;
  if (!config.CAIRN_LLM_URL || !config.CAIRN_LLM_MODEL) return undefined;
  const interpret = createLlmInterpreter({
    url: config.CAIRN_LLM_URL,
    apiKey: config.CAIRN_LLM_API_KEY,
    model: config.CAIRN_LLM_MODEL,
    timeoutMs: config.CAIRN_LLM_TIMEOUT_MS,
    onFailure: (reason) => log.warn({ reason }, "the LLM did not answer a chat message; the parser did"),
  });
  const tools = () =>
    engine.registry
      .list()
      .filter((action) => action.scope !== "admin" || actor.person.isAdmin)
      .map((action) => ({
        name: action.name,
        description: action.description,
        parameters: jsonSchemaOf(action.input, "input"),
      }));
  return { interpret, tools };
}
