/**
 * A small HTTP load balancer for multi-process tests, doing what a production one (nginx, HAProxy, a cloud
 * LB) is configured to do in front of N × `cairn start --role web`:
 * - round-robin over the backends;
 * - a connection refused (nothing was sent) is retried on the next backend; a connection lost before the
 *   answer is retried only for idempotent requests (GET/HEAD/OPTIONS/DELETE/PUT, or any request carrying an
 *   Idempotency-Key), like nginx's `proxy_next_upstream error` without `non_idempotent`;
 * - MCP sessions live in the process that opened them, so a request carrying Mcp-Session-Id goes to the
 *   backend whose answer created that id (sticky); when that backend is gone it goes elsewhere, which
 *   answers 404 and the client opens a new session, as the MCP specification says;
 * - answers are streamed (SSE for MCP) without buffering.
 */
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export interface LoadBalancerStats {
  requests: number;
  /** Attempts retried on another backend after a connection error. */
  retried: number;
  /** Requests answered 502 because no backend could be reached. */
  unreachable: number;
}

export interface LoadBalancer {
  url: string;
  stats: LoadBalancerStats;
  close(): Promise<void>;
}

const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "DELETE", "PUT"]);
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

export async function startLoadBalancer(backends: readonly string[]): Promise<LoadBalancer> {
  const stats: LoadBalancerStats = { requests: 0, retried: 0, unreachable: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sessions = new Map<string, string>();
  let next = 0;

  /** Sends one attempt: "done" once the answer is being piped, "retry" or "failed" on a connection error. */
  const attempt = (
    backend: string,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    mayRetryAfterSend: boolean,
  ): Promise<"done" | "retry" | "failed"> =>
    new Promise((resolve) => {
      const target = new URL(req.url ?? "/", backend);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers["content-length"] = String(body.length);
      const forwarded = req.socket.remoteAddress ?? "127.0.0.1";
      headers["x-forwarded-for"] = req.headers["x-forwarded-for"]
        ? `${String(req.headers["x-forwarded-for"])}, ${forwarded}`
        : forwarded;
      let answered = false;
      const upstream = request(
        target,
        {
          method: req.method,
          headers,
          agent: req.headers.accept?.includes("text/event-stream") ? false : agent,
        },
        (answer) => {
          answered = true;
          const session = answer.headers["mcp-session-id"];
          if (typeof session === "string") sessions.set(session, backend);
          const outHeaders: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) outHeaders[name] = value;
          }
          res.writeHead(answer.statusCode ?? 502, outHeaders);
          answer.pipe(res);
          answer.once("error", () => res.destroy());
          res.once("close", () => {
            if (!answer.complete) upstream.destroy();
          });
          resolve("done");
        },
      );
      upstream.once("error", (error: NodeJS.ErrnoException) => {
        if (answered) {
          res.destroy();
          return;
        }
        // Refused: nothing reached the backend. Any other error: it may have run the request.
        resolve(error.code === "ECONNREFUSED" || mayRetryAfterSend ? "retry" : "failed");
      });
      upstream.end(body);
    });

  const server: Server = createServer(async (req, res) => {
    stats.requests++;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    const method = req.method ?? "GET";
    const mayRetryAfterSend = IDEMPOTENT_METHODS.has(method) || req.headers["idempotency-key"] !== undefined;
    const session = req.headers["mcp-session-id"];
    const sticky = typeof session === "string" ? sessions.get(session) : undefined;
    const order: string[] = [];
    if (sticky) order.push(sticky);
    const start = next++ % backends.length;
    for (let i = 0; i < backends.length; i++) {
      const backend = backends[(start + i) % backends.length] as string;
      if (!order.includes(backend)) order.push(backend);
    }
    for (const [index, backend] of order.entries()) {
      if (index > 0) stats.retried++;
      const outcome = await attempt(backend, req, body, res, mayRetryAfterSend);
      if (outcome === "done") return;
      if (outcome === "failed") break;
    }
    stats.unreachable++;
    if (!res.headersSent) {
      res.writeHead(502, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ title: "Bad gateway", status: 502, detail: "no backend answered" }));
    } else res.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
