/**
 * The engine's LLM port over any OpenAI-compatible chat-completions API (CAIRN_LLM_URL, _API_KEY, _MODEL,
 * _TIMEOUT_MS, the settings the chat face's interpreter uses). Set on the services for every role.
 */
import { z } from "zod";
import type { Config } from "../engine/config.ts";
import { LlmError, type LlmMessage, type LlmPort } from "../engine/llm/port.ts";
import type { FaceModule } from "./modules/types.ts";

export interface OpenAiCompatibleOptions {
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const Completion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }) })).min(1),
});

/** Models often wrap JSON in a Markdown fence even when asked not to. */
function jsonText(text: string): string {
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(text.trim());
  return fenced ? (fenced[1] as string) : text.trim();
}

export function createOpenAiCompatibleLlm(options: OpenAiCompatibleOptions): LlmPort {
  const send = options.fetch ?? fetch;
  const endpoint = `${options.url.replace(/\/$/, "")}/chat/completions`;

  async function text(messages: LlmMessage[], json: boolean): Promise<string> {
    let response: Response;
    try {
      response = await send(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }),
        },
        body: JSON.stringify({
          model: options.model,
          temperature: 0,
          messages,
          ...(json && { response_format: { type: "json_object" } }),
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      throw new LlmError(
        "unavailable",
        timedOut ? `no answer within ${options.timeoutMs} ms` : `unreachable (${(error as Error).name})`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new LlmError("unavailable", `HTTP ${response.status}`);
    }
    const parsed = Completion.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new LlmError("unavailable", "the answer is not a chat completion");
    const content = parsed.data.choices[0]?.message.content?.trim();
    if (!content) throw new LlmError("invalid", "the model answered no text");
    return content;
  }

  async function complete(messages: LlmMessage[]): Promise<string>;
  async function complete<T>(messages: LlmMessage[], options: { schema: z.ZodType<T> }): Promise<T>;
  async function complete<T>(
    messages: LlmMessage[],
    options?: { schema: z.ZodType<T> },
  ): Promise<string | T> {
    if (!options) return text(messages, false);
    const answer = await text(messages, true);
    let value: unknown;
    try {
      value = JSON.parse(jsonText(answer));
    } catch {
      throw new LlmError("invalid", "the model's answer is not JSON");
    }
    const checked = options.schema.safeParse(value);
    if (!checked.success) {
      const where = checked.error.issues[0]?.path.join(".") || "(root)";
      throw new LlmError("invalid", `the model's JSON does not fit the schema at ${where}`);
    }
    return checked.data;
  }

  return { complete };
}

export function engineLlmFromConfig(config: Config): LlmPort | undefined {
  if (!config.CAIRN_LLM_URL || !config.CAIRN_LLM_MODEL) return undefined;
  return createOpenAiCompatibleLlm({
    url: config.CAIRN_LLM_URL,
    apiKey: config.CAIRN_LLM_API_KEY,
    model: config.CAIRN_LLM_MODEL,
    timeoutMs: config.CAIRN_LLM_TIMEOUT_MS,
  });
}

/** Gives engine features (break_down_task) the configured model in every role. */
export const engineLlmModule: FaceModule = {
  name: "llm",
  prepare(engine, config) {
    engine.services.llm ??= engineLlmFromConfig(config);
  },
};
