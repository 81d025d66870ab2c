/** What the conversation core needs from the engine, as one person: the faces build it, the core and its helpers use it. */
import type { Interpreter, ToolSpec } from "./llm.ts";
import type { ConversationMemory } from "./memory.ts";

export interface ConversationPort {
  /** Runs an action as the person (the registry checks scope and input). */
  call(action: string, input: Record<string, unknown>): Promise<unknown>;
  /** Whether this build has the action (some chat intents arrive with later features). */
  has(action: string): boolean;
  memory: ConversationMemory;
  timezone: string;
  now(): Date;
  /** The optional language model and the tools it may call (the person's actions); absent: the parser alone. */
  llm?: { interpret: Interpreter; tools(): ToolSpec[] };
}
