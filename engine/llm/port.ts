/**
 * The engine's optional language model. bin/ sets an adapter on the services when CAIRN_LLM_URL and
 * CAIRN_LLM_MODEL are configured; without one, features that could use a model answer from stored history.
 */
import type { z } from "zod";

export interface LlmMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface LlmPort {
  /** The model's text answer. */
  complete(messages: LlmMessage[]): Promise<string>;
  /** The model's JSON answer, validated against the schema; invalid JSON or shape throws LlmError "invalid". */
  complete<T>(messages: LlmMessage[], options: { schema: z.ZodType<T> }): Promise<T>;
}

/** Why a model gave no usable answer; the message never carries the key or the prompt. */
export class LlmError extends Error {
  constructor(
    readonly kind: "unavailable" | "invalid",
    message: string,
  ) {
    super(message);
    this.name = "LlmError";
  }
}
