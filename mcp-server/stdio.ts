/**
 * `cairn mcp`: MCP over stdin/stdout for assistants that start Cairn as a subprocess. stdout carries only
 * MCP messages; every log line goes to stderr.
 *
 * Two ways to serve: directly on an engine this process opened, or — when a Cairn server already owns the
 * embedded database (PGlite allows one process) — as a bridge that relays each message to that server's
 * /mcp with the same token, so the running server does the work.
 */
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Actor } from "../engine/actions/define.ts";
import type { Engine } from "../engine/engine.ts";
import type { Logger } from "../engine/logger.ts";
import { createCairnMcpServer } from "./server.ts";

export interface StdioIo {
  stdin?: Readable;
  stdout?: Writable;
}

/** Resolves when stdin ends (the assistant closed the connection) or the transport closes. */
function untilClosed(stdin: Readable, onclose: (handler: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    stdin.once("end", resolve);
    stdin.once("close", resolve);
    onclose(resolve);
  });
}

export interface ServeStdioOptions extends StdioIo {
  engine: Engine;
  actor: Actor;
  principal: string;
  log: Logger;
  /**
   * Checked before each incoming message (the token may be revoked while the assistant keeps the process
   * open): false answers the request with an error and ends the connection.
   */
  authorize?: () => Promise<boolean>;
}

/** JSON-RPC error code for a credential that no longer holds (as on /mcp, where it is a 401). */
export const REVOKED_ERROR_CODE = -32001;

/** Delivers messages in order, each only while `authorize` still says yes. */
function guardMessages(
  transport: StdioServerTransport,
  authorize: () => Promise<boolean>,
  log: Logger,
): void {
  const deliver = transport.onmessage;
  let queue: Promise<void> = Promise.resolve();
  let refused = false;
  transport.onmessage = (message: JSONRPCMessage) => {
    queue = queue.then(async () => {
      if (refused) return;
      if (await authorize().catch(() => false)) {
        deliver?.(message);
        return;
      }
      refused = true;
      log.warn("CAIRN_TOKEN is no longer valid (revoked or deleted); closing the MCP connection");
      if ("id" in message && "method" in message) {
        await transport.send({
          jsonrpc: "2.0",
          id: message.id,
          error: {
            code: REVOKED_ERROR_CODE,
            message:
              "CAIRN_TOKEN was revoked: create a new one with cairn token create and restart the server.",
          },
        });
      }
      await transport.close();
    });
  };
}

/** Serves one MCP connection on stdio as the token's person until the client goes away. */
export async function serveStdio(options: ServeStdioOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const server = createCairnMcpServer({
    engine: options.engine,
    actor: options.actor,
    principal: options.principal,
    limiter: options.engine.services.limits.calls,
    log: options.log,
  });
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  transport.onerror = (error) => options.log.warn({ err: error }, "stdio transport error");
  const closed = untilClosed(stdin, (handler) => {
    server.mcp.server.onclose = handler;
  });
  await server.mcp.connect(transport);
  if (options.authorize) guardMessages(transport, options.authorize, options.log);
  options.log.info(
    { workspace: options.actor.workspace.slug, person: options.actor.person.email },
    "MCP on stdio",
  );
  await closed;
  await server.close();
}

export interface BridgeOptions extends StdioIo {
  /** The running server's base URL (from the data dir lock). */
  url: string;
  token: string;
  log: Logger;
}

/** The /mcp endpoint under a server's base URL (which may have a path, behind a proxy, or already end in /mcp). */
export function mcpEndpoint(base: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "").replace(/\/mcp$/, "")}/mcp`;
  url.search = "";
  url.hash = "";
  return url;
}

/** After stdin ends, how long relayed requests may take to answer before the bridge exits. */
const DRAIN_MS = 10_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

/** Relays MCP between stdio and a running server's Streamable HTTP endpoint until stdin ends. */
export async function bridgeStdioToHttp(options: BridgeOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const endpoint = mcpEndpoint(options.url);
  const upstream = new StreamableHTTPClientTransport(endpoint, {
    requestInit: { headers: { authorization: `Bearer ${options.token}` } },
  });
  const local = new StdioServerTransport(stdin, options.stdout ?? process.stdout);
  const pendingInitialize = new Set<string | number>();
  /** Requests relayed and not answered yet: on stdin's end they may finish before the session ends. */
  const inFlight = new Set<string | number>();

  const reply = (message: JSONRPCMessage, problem: string) => {
    if (!("id" in message) || !("method" in message)) return;
    void local.send({ jsonrpc: "2.0", id: message.id, error: { code: -32603, message: problem } });
  };

  /**
   * The session id arrives with the initialize answer. Messages a client writes before that answer (clients
   * may pipeline) wait for it, so every one carries the session id, as they would in direct mode.
   */
  let session: Promise<void> = Promise.resolve();
  const initializeAnswered = new Map<string | number, () => void>();

  const relayOne = async (message: JSONRPCMessage) => {
    try {
      await upstream.send(message);
    } catch (error) {
      if ("id" in message && message.id !== undefined) {
        inFlight.delete(message.id);
        initializeAnswered.get(message.id)?.();
      }
      options.log.warn(
        { err: { message: (error as Error).message }, endpoint: endpoint.href },
        "could not relay an MCP message to the server",
      );
      reply(
        message,
        `The Cairn server at ${endpoint.href} did not accept the message: ${(error as Error).message}`,
      );
    }
  };

  local.onmessage = (message) => {
    if ("method" in message && "id" in message) {
      inFlight.add(message.id);
      if (message.method === "initialize") {
        pendingInitialize.add(message.id);
        const id = message.id;
        session = session.then(
          () =>
            new Promise<void>((answered) => {
              initializeAnswered.set(id, answered);
              void relayOne(message);
            }),
        );
        return;
      }
    }
    void session.then(() => relayOne(message));
  };
  upstream.onmessage = (message) => {
    if (!("method" in message) && "id" in message && message.id !== undefined) {
      inFlight.delete(message.id);
      initializeAnswered.get(message.id)?.();
      initializeAnswered.delete(message.id);
    }
    // The bridge is not an SDK Client, so it tells the transport the negotiated version itself.
    if (
      "id" in message &&
      message.id !== undefined &&
      pendingInitialize.delete(message.id) &&
      "result" in message &&
      isRecord(message.result)
    ) {
      const version = message.result.protocolVersion;
      if (typeof version === "string") upstream.setProtocolVersion(version);
    }
    void local.send(message);
  };
  upstream.onerror = (error) => options.log.debug({ err: error }, "upstream MCP stream error");
  local.onerror = (error) => options.log.warn({ err: error }, "stdio transport error");

  const closed = untilClosed(stdin, (handler) => {
    local.onclose = handler;
  });
  await upstream.start();
  await local.start();
  options.log.info({ endpoint: endpoint.href }, "MCP on stdio, relayed to the running Cairn server");
  await closed;
  const deadline = Date.now() + DRAIN_MS;
  while (inFlight.size > 0 && Date.now() < deadline) await sleep(20);
  await upstream.terminateSession().catch(() => {});
  await upstream.close().catch(() => {});
}
