/**
 * The optional language model: any OpenAI-compatible chat-completions endpoint reads the message with the
 * person's actions as function-calling tools and may pick one. Its pick runs through the same registry
 * checks as a parsed message. Slow, failing or unsure: the built-in parser answers instead.
 */
import { z } from "zod";

export interface ToolSpec {
  name: string;
  description: string;
  /** The action's input as JSON Schema (the registry's). */
  parameters: Record<string, unknown>;
}

export interface InterpretRequest {
  text: string;
  timezone: string;
  now: Date;
  tools: ToolSpec[];
  /** The task the conversation last talked about, so "it" can be resolved. */
  lastTask?: { id: string; title: string };
}

export type Interpretation = { action: string; input: Record<string, unknown> } | { say: string };

export type Interpreter = (request: InterpretRequest) => Promise<Interpretation | undefined>;

export interface LlmOptions {
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Why the model was not used for a message (never includes the key). */
  onFailure?: (reason: string) => void;
}

const Completion = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(z.object({ function: z.object({ name: z.string(), arguments: z.string() }) }))
            .optional(),
        }),
      }),
    )
    .min(1),
});

function systemPrompt(request: InterpretRequest): string {
  const last = request.lastTask
    ? ` The task the conversation last talked about is "${request.lastTask.title}" (id ${request.lastTask.id}); "it" means that task.`
    : "";
  return [
    "You are Cairn, a planning assistant in a chat. Turn the person's message into exactly one tool call when a tool fits;",
    "otherwise answer in one short sentence. Dates and times: ISO 8601 with the person's UTC offset. Durations: minutes.",
    "To refer to an existing task you do not know the id of, put its words in the id field.",
    `The person's time zone is ${request.timezone}; it is now ${request.now.toISOString()}.${last}`,
  ].join(" ");
}

export function createLlmInterpreter(options: LlmOptions): Interpreter {
  const send = options.fetch ?? fetch;
  const endpoint = `${options.url.replace(/\/$/, "")}/chat/completions`;
  const fail = (reason: string) => {
    options.onFailure?.(reason);
    return undefined;
  };
  return async (request) => {
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
          messages: [
            { role: "system", content: systemPrompt(request) },
            { role: "user", content: request.text },
          ],
          tools: request.tools.map((tool) => ({ type: "function", function: tool })),
          tool_choice: "auto",
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      return fail(
        timedOut ? `no answer within ${options.timeoutMs} ms` : `unreachable (${(error as Error).name})`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      return fail(`HTTP ${response.status}`);
    }
    const parsed = Completion.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) return fail("the answer is not a chat completion");
    const message = parsed.data.choices[0]?.message;
    const call = message?.tool_calls?.[0]?.function;
    if (call) {
      if (!request.tools.some((tool) => tool.name === call.name))
        return fail(`it called an unknown tool "${call.name}"`);
      const input = z.record(z.string(), z.unknown()).safeParse(safeJson(call.arguments));
      if (!input.success) return fail("its tool arguments are not a JSON object");
      return { action: call.name, input: input.data };
    }
    const text = message?.content?.trim();
    return text ? { say: text } : fail("it gave neither a tool call nor text");
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
