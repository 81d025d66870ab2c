/**
 * One MCP server per connection (a stdio process, an HTTP session, an in-memory pair), bound to the person
 * who opened it. Tools come from the action registry; resources and prompts from ./resources and ./prompts.
 */
import { readFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type { Actor } from "../engine/actions/define.ts";
import type { Engine } from "../engine/engine.ts";
import type { Logger } from "../engine/logger.ts";
import type { Limiter } from "../engine/security/rate-limiter.ts";
import { registerPrompts } from "./prompts.ts";
import { SessionCalls } from "./redelivery.ts";
import { registerResources } from "./resources.ts";
import { callTool, listTools } from "./tools.ts";

export const SERVER_NAME = "cairn";

function packageVersion(): string {
  try {
    // Boundary: package.json is read for its version only.
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
export const SERVER_VERSION = packageVersion();

/** One validator for every session: the SDK would otherwise build an Ajv instance per connection. */
let sharedValidator: AjvJsonSchemaValidator | undefined;
function validator(): AjvJsonSchemaValidator {
  sharedValidator ??= new AjvJsonSchemaValidator();
  return sharedValidator;
}

export interface McpSessionOptions {
  engine: Engine;
  actor: Actor;
  /** The token (or OAuth subject) behind the connection: rate limits are per principal. */
  principal: string;
  limiter: Limiter;
  log: Logger;
}

export interface CairnMcpServer {
  mcp: McpServer;
  /** Closes the transport and stops listening to the change feed. */
  close(): Promise<void>;
}

function instructions(actor: Actor): string {
  return [
    `Cairn is ${actor.person.name}'s productivity agent (workspace ${actor.workspace.slug}): tasks from Cairn, Notion and Jira, calendars, focus-time planning.`,
    "Find task ids with list_tasks or search_tasks before get_task, update_task or complete_task.",
    "Dates are ISO 8601 with an offset. Tools marked destructive cannot be undone; confirm with the person first.",
    "Read cairn://plan/today and cairn://insights for context; the plan-my-day and weekly-review prompts gather it for you.",
  ].join(" ");
}

export function createCairnMcpServer(options: McpSessionOptions): CairnMcpServer {
  const { engine, actor } = options;
  const log = options.log.child({ face: "mcp", workspace: actor.workspace.slug });
  const mcp = new McpServer(
    { name: SERVER_NAME, title: "Cairn", version: SERVER_VERSION },
    {
      capabilities: { logging: {} },
      instructions: instructions(actor),
      jsonSchemaValidator: validator(),
    },
  );
  const call = {
    engine,
    actor,
    principal: options.principal,
    limiter: options.limiter,
    log,
    calls: new SessionCalls(),
  };
  // Tools are served from the registry with the low-level handlers: the registry already validates input
  // and output with the actions' zod schemas, and publishes the same JSON Schemas as the HTTP API.
  // Declared here rather than in the options, so McpServer does not install its own (empty) tool handlers.
  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools(engine, actor) }));
  mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) => callTool(call, request, extra));
  const resources = registerResources(mcp, engine, actor, log, () => options.limiter.take(options.principal));
  registerPrompts(mcp, engine, actor);
  let closed = false;
  return {
    mcp,
    async close() {
      if (closed) return;
      closed = true;
      resources.close();
      await mcp.close().catch(() => {});
    },
  };
}
