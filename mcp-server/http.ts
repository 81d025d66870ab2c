/**
 * Streamable HTTP at /mcp (sessions per the SDK: `Mcp-Session-Id`, POST for messages, GET for the
 * server's SSE stream, DELETE to end) and the RFC 9728 protected-resource metadata.
 *
 * Every request is checked in this order: Host and Origin (403, DNS rebinding), the client address's
 * budget of failed authentications (429), bearer token (401 with `WWW-Authenticate` pointing at the
 * metadata; checked against the database on every request, so a revoked token is refused at once), then the
 * session: a session belongs to the principal that opened it, and a request with another token is refused
 * (403) even with the right session id. Revoking a token also ends its open sessions.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { revokedAmong } from "../engine/auth/api-tokens.ts";
import { type Authenticated, authenticateFromAddress } from "../engine/auth/authenticate.ts";
import type { Config } from "../engine/config.ts";
import type { Engine } from "../engine/engine.ts";
import { bodyReadError, CairnError, ErrorCode, statusFor } from "../engine/errors.ts";
import type { Logger } from "../engine/logger.ts";
import type { Limiter } from "../engine/security/rate-limiter.ts";
import {
  createMcpAuthenticator,
  type McpAuthenticator,
  PROTECTED_RESOURCE_PATH,
  protectedResourceMetadata,
  wwwAuthenticate,
} from "./auth.ts";
import { createOriginPolicy } from "./origin.ts";
import { type CairnMcpServer, createCairnMcpServer } from "./server.ts";

export const MCP_PATH = "/mcp";
const SWEEP_EVERY_MS = 60_000;

export interface McpHttpOptions {
  engine: Engine;
  config: Config;
  log: Logger;
  /** Tool-call limiter, keyed by principal. Default: the engine's, shared with the HTTP API. */
  limiter?: Limiter;
  authenticator?: McpAuthenticator;
  /** Sessions with no request (and no open SSE stream) for this long are closed. Default 30 minutes. */
  sessionIdleMs?: number;
  /** A principal opening more sessions than this closes its least recently used one. Default 100. */
  maxSessionsPerPrincipal?: number;
}

interface Session {
  id: string;
  principal: string;
  transport: StreamableHTTPServerTransport;
  server: CairnMcpServer;
  lastSeen: number;
  openStreams: number;
}

export interface McpHttp {
  router: Router;
  /** Number of open sessions (for tests, metrics and the benchmark). */
  sessionCount(): number;
  close(): Promise<void>;
}

function rpcError(
  res: Response,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.status(status).set(headers).json({ jsonrpc: "2.0", error: { code, message }, id: null });
}

const CORS_ALLOW_HEADERS = "authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id";
const CORS_EXPOSE_HEADERS = "mcp-session-id, www-authenticate";

export function createMcpHttp(options: McpHttpOptions): McpHttp {
  const { engine, config } = options;
  const log = options.log.child({ module: "mcp-http" });
  const limiter = options.limiter ?? engine.services.limits.calls;
  const authenticator =
    options.authenticator ?? createMcpAuthenticator({ db: engine.services.db, config, log });
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxPerPrincipal = options.maxSessionsPerPrincipal ?? 100;
  const policy = createOriginPolicy(config);
  const sessions = new Map<string, Session>();

  const drop = async (id: string, reason: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    log.debug({ session: id, reason }, "MCP session closed");
    await session.server.close();
  };

  // Tokens revoked by another process (a CLI on the same Postgres, another web process) end their
  // sessions here within a sweep; revocations in this process end them at once (below).
  const dropRevoked = async () => {
    const ids = [...new Set([...sessions.values()].map((s) => s.principal))]
      .filter((principal) => principal.startsWith("token:"))
      .map((principal) => principal.slice("token:".length));
    const revoked = new Set((await revokedAmong(engine.services.db, ids)).map((id) => `token:${id}`));
    for (const session of sessions.values())
      if (revoked.has(session.principal)) void drop(session.id, "token revoked");
  };

  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleMs;
    for (const session of sessions.values()) {
      if (session.openStreams === 0 && session.lastSeen < cutoff) void drop(session.id, "idle");
    }
    dropRevoked().catch((error: unknown) =>
      log.warn({ err: error }, "could not check MCP sessions for revoked tokens"),
    );
  }, SWEEP_EVERY_MS);
  sweep.unref();

  const evictBeyondLimit = (principal: string) => {
    const own = [...sessions.values()]
      .filter((s) => s.principal === principal)
      .sort((a, b) => a.lastSeen - b.lastSeen);
    for (const session of own.slice(0, Math.max(0, own.length - maxPerPrincipal + 1)))
      void drop(session.id, "too many sessions");
  };

  const router = express.Router();

  const metadata = (_req: Request, res: Response) => {
    res.set("access-control-allow-origin", "*").json(protectedResourceMetadata(config));
  };
  router.get(PROTECTED_RESOURCE_PATH, metadata);
  router.get(`${PROTECTED_RESOURCE_PATH}${MCP_PATH}`, metadata);

  // DNS-rebinding guard and CORS, before anything else touches the request.
  router.use(MCP_PATH, (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get("origin");
    const refused = policy.check(req.get("host"), origin);
    if (refused) {
      log.warn({ host: req.get("host"), origin }, "refused an MCP request (Host/Origin)");
      rpcError(res, 403, -32000, refused);
      return;
    }
    if (origin) {
      res.set({
        "access-control-allow-origin": origin,
        "access-control-expose-headers": CORS_EXPOSE_HEADERS,
        vary: "Origin",
      });
    }
    if (req.method === "OPTIONS") {
      res
        .status(204)
        .set({
          "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
          "access-control-allow-headers": CORS_ALLOW_HEADERS,
          "access-control-max-age": "600",
        })
        .end();
      return;
    }
    next();
  });

  const revoked = engine.services.changes.subscribe((change) => {
    if (change.kind !== "tokens") return;
    const principals = new Set((change.ids ?? []).map((id) => `token:${id}`));
    for (const session of sessions.values())
      if (principals.has(session.principal)) void drop(session.id, "token revoked");
  });

  const authenticate = async (req: Request, res: Response): Promise<Authenticated | undefined> => {
    const header = req.get("authorization");
    try {
      return await authenticateFromAddress(engine.services.limits.authFailures, req.ip, () =>
        authenticator.authenticate(header),
      );
    } catch (error) {
      if (error instanceof CairnError && error.code === ErrorCode.Unauthorized) {
        rpcError(res, 401, -32001, error.message, {
          "www-authenticate": wwwAuthenticate(config, header !== undefined, error.message),
        });
        return undefined;
      }
      if (error instanceof CairnError && error.code === ErrorCode.RateLimited) {
        rpcError(res, 429, -32000, error.message, {
          "retry-after": String(error.details.retryAfterSeconds ?? 60),
        });
        return undefined;
      }
      throw error;
    }
  };

  const trackStream = (session: Session, req: Request, res: ServerResponse) => {
    if (req.method !== "GET") return;
    session.openStreams += 1;
    res.once("close", () => {
      session.openStreams -= 1;
      session.lastSeen = Date.now();
    });
  };

  const handle = async (req: Request, res: Response) => {
    const auth = await authenticate(req, res);
    if (!auth) return;
    const body: unknown = req.body;
    const sessionId = req.get("mcp-session-id");

    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) {
        rpcError(
          res,
          404,
          -32001,
          "Session not found (it ended or the server restarted); start a new one with initialize.",
        );
        return;
      }
      if (session.principal !== auth.principal) {
        log.warn({ session: sessionId }, "refused a request for an MCP session opened by another token");
        rpcError(
          res,
          403,
          -32000,
          "This MCP session was opened with another token; start your own session with initialize.",
        );
        return;
      }
      session.lastSeen = Date.now();
      trackStream(session, req, res);
      await session.transport.handleRequest(req, res, body);
      return;
    }

    if (req.method !== "POST" || !isInitializeRequest(body)) {
      rpcError(
        res,
        400,
        -32000,
        "Missing Mcp-Session-Id header: open a session with an initialize request first.",
      );
      return;
    }

    evictBeyondLimit(auth.principal);
    const server = createCairnMcpServer({ engine, actor: auth, principal: auth.principal, limiter, log });
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { id, principal: auth.principal, transport, server, lastSeen: Date.now(), openStreams: 0 };
        sessions.set(id, session);
        log.debug({ session: id, workspace: auth.workspace.slug }, "MCP session opened");
      },
      onsessionclosed: (id) => drop(id, "client ended it"),
    });
    transport.onclose = () => {
      if (transport.sessionId) void drop(transport.sessionId, "transport closed");
    };
    await server.mcp.connect(transport);
    await transport.handleRequest(req, res, body);
    if (!session) await server.close();
  };

  router.post(MCP_PATH, express.json({ limit: "4mb" }), handle);
  router.get(MCP_PATH, handle);
  router.delete(MCP_PATH, handle);
  router.all(MCP_PATH, (_req, res) =>
    rpcError(res, 405, -32000, "Method not allowed on /mcp: use POST, GET or DELETE."),
  );

  router.use(MCP_PATH, (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof SyntaxError && "body" in error) {
      rpcError(res, 400, -32700, `Parse error: ${error.message}`);
      return;
    }
    const status = (error as { status?: number }).status;
    if (status === 413) {
      rpcError(res, 413, -32600, "Request body too large (limit 4 MB).");
      return;
    }
    const unreadable = bodyReadError(error);
    if (unreadable) {
      rpcError(res, statusFor(unreadable.code), -32600, unreadable.message);
      return;
    }
    log.error({ err: error }, "MCP request failed");
    rpcError(res, 500, -32603, "Internal error in Cairn's MCP endpoint; the server log has the details.");
  });

  return {
    router,
    sessionCount: () => sessions.size,
    async close() {
      clearInterval(sweep);
      revoked();
      await Promise.all([...sessions.keys()].map((id) => drop(id, "server stopping")));
    },
  };
}
