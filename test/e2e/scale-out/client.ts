/**
 * The clients of the scale-out run: every request goes through the load balancer, is retried the way a
 * careful client retries (same Idempotency-Key, backoff, until a deadline), and every attempt is logged with
 * its time so the report can say what clients saw during each fault.
 */
import { randomUUID } from "node:crypto";

export interface Attempt {
  /** performance.now() when the attempt started and ended. */
  startedAt: number;
  endedAt: number;
  op: string;
  ok: boolean;
  /** HTTP status, or 0 for a connection error. */
  status: number;
}

export class AttemptLog {
  readonly attempts: Attempt[] = [];
  record(attempt: Attempt): void {
    this.attempts.push(attempt);
  }
  served(): number {
    return this.attempts.filter((attempt) => attempt.ok).length;
  }
}

export interface CallResult<T> {
  ok: boolean;
  status: number;
  body: T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A status worth retrying: the request may not have run, or ran and its answer was lost. */
const retryable = (status: number) => status === 0 || status === 409 || status === 429 || status >= 500;

export interface ApiClient {
  /**
   * POST /api/actions/:name through the load balancer, retried with the same Idempotency-Key until it is
   * acknowledged (2xx) or the deadline passes; a non-retryable 4xx ends it at once.
   */
  act<T = Record<string, unknown>>(
    name: string,
    input: unknown,
    options?: { key?: string | false; deadlineMs?: number },
  ): Promise<CallResult<T>>;
  /** POST a raw body (webhooks), retried like act. */
  post(path: string, body: string, headers: Record<string, string>, op: string): Promise<CallResult<string>>;
}

export function apiClient(baseUrl: string, token: string, log: AttemptLog): ApiClient {
  async function once(
    op: string,
    path: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    const startedAt = performance.now();
    let status = 0;
    let text = "";
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      text = await response.text();
    } catch {
      status = 0;
    }
    log.record({ startedAt, endedAt: performance.now(), op, ok: status >= 200 && status < 300, status });
    return { status, text };
  }

  async function withRetries(
    op: string,
    path: string,
    body: string,
    headers: Record<string, string>,
    deadlineMs: number,
  ): Promise<{ status: number; text: string }> {
    const deadline = performance.now() + deadlineMs;
    let backoff = 200;
    for (;;) {
      const answer = await once(op, path, body, headers);
      if (!retryable(answer.status)) return answer;
      if (performance.now() + backoff > deadline) return answer;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
  }

  return {
    async act<T>(name: string, input: unknown, options: { key?: string | false; deadlineMs?: number } = {}) {
      const key = options.key === false ? undefined : (options.key ?? randomUUID());
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...(key ? { "idempotency-key": key } : {}),
      };
      const answer = await withRetries(
        name,
        `/api/actions/${name}`,
        JSON.stringify(input),
        headers,
        options.deadlineMs ?? 90_000,
      );
      let parsed: unknown = answer.text;
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        // Not JSON (a proxy page): kept as text for the message.
      }
      return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, body: parsed as T };
    },
    async post(path, body, headers, op) {
      const answer = await withRetries(op, path, body, headers, 90_000);
      return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, body: answer.text };
    },
  };
}

// -- MCP over Streamable HTTP, by hand: what an assistant's client does, including a new session on 404 -----

const PROTOCOL = "2025-06-18";

/** The JSON-RPC answer from a JSON or an SSE body. */
function rpcAnswer(text: string): { result?: Record<string, unknown>; error?: unknown } | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return JSON.parse(trimmed) as { result?: Record<string, unknown> };
  for (const line of trimmed.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const data = JSON.parse(line.slice(5).trim()) as { id?: unknown; result?: Record<string, unknown> };
    if (data.id !== undefined) return data;
  }
  return undefined;
}

export interface McpClient {
  /** tools/call with a `cairn/idempotency-key`, retried (new session on 404) until answered or the deadline. */
  callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
  /** Sessions opened, counting the first one. */
  sessionsOpened(): number;
  close(): Promise<void>;
}

export function mcpClient(baseUrl: string, token: string, log: AttemptLog): McpClient {
  let sessionId: string | undefined;
  let sessions = 0;
  let nextId = 1;

  async function send(
    op: string,
    message: Record<string, unknown>,
  ): Promise<{ status: number; text: string; session?: string }> {
    const startedAt = performance.now();
    let status = 0;
    let text = "";
    let session: string | undefined;
    try {
      const response = await fetch(`${baseUrl}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": PROTOCOL,
          ...(sessionId && message.method !== "initialize" ? { "mcp-session-id": sessionId } : {}),
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      session = response.headers.get("mcp-session-id") ?? undefined;
      text = await response.text();
    } catch {
      status = 0;
    }
    log.record({ startedAt, endedAt: performance.now(), op, ok: status >= 200 && status < 300, status });
    return { status, text, ...(session ? { session } : {}) };
  }

  async function open(): Promise<boolean> {
    const answer = await send("mcp initialize", {
      jsonrpc: "2.0",
      id: nextId++,
      method: "initialize",
      params: {
        protocolVersion: PROTOCOL,
        capabilities: {},
        clientInfo: { name: "scale-out", version: "1" },
      },
    });
    if (answer.status !== 200 || !answer.session) return false;
    sessionId = answer.session;
    sessions++;
    const ready = await send("mcp initialized", { jsonrpc: "2.0", method: "notifications/initialized" });
    return ready.status >= 200 && ready.status < 300;
  }

  return {
    async callTool(name, args) {
      const key = randomUUID();
      const deadline = performance.now() + 90_000;
      let backoff = 200;
      while (performance.now() < deadline) {
        if (!sessionId && !(await open())) {
          sessionId = undefined;
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 2_000);
          continue;
        }
        const answer = await send(`mcp ${name}`, {
          jsonrpc: "2.0",
          id: nextId++,
          method: "tools/call",
          params: { name, arguments: args, _meta: { "cairn/idempotency-key": key } },
        });
        if (answer.status === 404) {
          // The process that held the session is gone: open a new one and send the call again.
          sessionId = undefined;
          continue;
        }
        if (answer.status === 200) {
          const rpc = rpcAnswer(answer.text);
          const result = rpc?.result;
          if (result && result.isError !== true)
            return (result.structuredContent as Record<string, unknown> | undefined) ?? result;
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2_000);
      }
      return undefined;
    },
    sessionsOpened: () => sessions,
    async close() {
      if (!sessionId) return;
      await fetch(`${baseUrl}/mcp`, {
        method: "DELETE",
        headers: {
          authorization: `Bearer ${token}`,
          "mcp-session-id": sessionId,
          "mcp-protocol-version": PROTOCOL,
        },
      }).catch(() => {});
    },
  };
}
