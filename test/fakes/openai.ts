/**
 * A local OpenAI-compatible chat-completions server (POST /v1/chat/completions): each test says what the model
 * answers — a tool call, text, an error, or nothing until the client gives up — and reads what was sent.
 */
import { createFakeApp, type FakeServerBase, listen } from "./common.ts";

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  tools?: {
    type: string;
    function: { name: string; description: string; parameters: Record<string, unknown> };
  }[];
}

export type ModelAnswer =
  | { toolCall: { name: string; arguments: Record<string, unknown> | string } }
  | { text: string }
  | { status: number }
  /** Never answers: the client's timeout decides. */
  | { hang: true };

export interface FakeOpenAi extends FakeServerBase {
  /** What the model answers next; the default answers every request with `{text: "ok"}`. */
  answer(next: (request: ChatRequest) => ModelAnswer): void;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const { app, requests } = createFakeApp({
    faultBody: (fault) => ({ error: { message: `fault ${fault.status}` } }),
  });
  let decide: (request: ChatRequest) => ModelAnswer = () => ({ text: "ok" });
  const hanging = new Set<() => void>();
  app.post("/v1/chat/completions", (req, res) => {
    const body = req.body as ChatRequest;
    const answer = decide(body);
    if ("hang" in answer) {
      // Released when the server closes, so no socket outlives the test.
      hanging.add(() => res.destroy());
      return;
    }
    if ("status" in answer) {
      res
        .status(answer.status)
        .json({ error: { message: "the model is unavailable", type: "server_error" } });
      return;
    }
    const message =
      "toolCall" in answer
        ? {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: {
                  name: answer.toolCall.name,
                  arguments:
                    typeof answer.toolCall.arguments === "string"
                      ? answer.toolCall.arguments
                      : JSON.stringify(answer.toolCall.arguments),
                },
              },
            ],
          }
        : { role: "assistant", content: answer.text };
    res.json({
      id: "chatcmpl-1",
      object: "chat.completion",
      model: body.model,
      choices: [{ index: 0, message, finish_reason: "toolCall" in answer ? "tool_calls" : "stop" }],
    });
  });
  const server = await listen(
    app,
    () => ({ status: 404, body: { error: { message: "not found" } } }),
    () => ({ status: 500, body: { error: { message: "internal" } } }),
  );
  return {
    url: server.url,
    requests,
    answer(next) {
      decide = next;
    },
    async close() {
      for (const release of hanging) release();
      await server.close();
    },
  };
}
