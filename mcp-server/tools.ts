/**
 * Every action in the registry is an MCP tool: same name, title, description, JSON Schemas and hints.
 * Tool calls take the one path every face takes (`registry.invoke`: scope, input validation, output check);
 * this module only maps it onto MCP: progress notifications, `structuredContent` with a short text, and
 * engine errors as `isError` results the model can act on.
 */
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type {
  CallToolRequest,
  CallToolResult,
  ServerNotification,
  ServerRequest,
  Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { Actor, AnyAction, Progress } from "../engine/actions/define.ts";
import { jsonSchemaOf } from "../engine/actions/registry.ts";
import type { Engine } from "../engine/engine.ts";
import { asCairnError, CairnError, ErrorCode, rateLimited, statusFor } from "../engine/errors.ts";
import type { Logger } from "../engine/logger.ts";
import type { Limiter } from "../engine/security/rate-limiter.ts";
import { redactSecrets } from "./redact.ts";
import { callHash, keyedCall, metaIdempotencyKey, type SessionCalls } from "./redelivery.ts";
import { renderResult } from "./render.ts";

/** `_meta` key carrying the engine error code (and its HTTP equivalent) on an `isError` result. */
export const ERROR_META_KEY = "cairn/error";
/** Key wrapping outputs whose schema is not an object (MCP's structuredContent must be an object). */
const WRAP_KEY = "result";

type JsonSchema = Record<string, unknown>;
type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

interface ToolEntry {
  tool: Tool;
  /** The output is wrapped as `{result: output}` because its schema is not an object. */
  wrapped: boolean;
}

const entries = new WeakMap<AnyAction, ToolEntry>();

/** An object schema for `outputSchema`; anything else is wrapped under `result` (with `$defs` kept at the root). */
function objectOutputSchema(schema: JsonSchema): { schema: JsonSchema; wrapped: boolean } {
  if (schema.type === "object") return { schema, wrapped: false };
  const { $defs, ...rest } = schema;
  return {
    schema: {
      type: "object",
      properties: { [WRAP_KEY]: rest },
      required: [WRAP_KEY],
      ...($defs ? { $defs } : {}),
    },
    wrapped: true,
  };
}

/** The MCP tool for an action (computed once per action). */
export function toolEntry(action: AnyAction): ToolEntry {
  const cached = entries.get(action);
  if (cached) return cached;
  const output = objectOutputSchema(jsonSchemaOf(action.output, "output"));
  const admin = action.scope === "admin" ? " Needs a workspace admin." : "";
  const entry: ToolEntry = {
    wrapped: output.wrapped,
    tool: {
      name: action.name,
      title: action.title,
      description: `${action.description}${admin}`,
      // Boundary: jsonSchemaOf returns a JSON Schema object; the root of an action's input is always an object.
      inputSchema: jsonSchemaOf(action.input, "input") as Tool["inputSchema"],
      outputSchema: output.schema as Tool["outputSchema"],
      annotations: { title: action.title, ...action.annotations },
    },
  };
  entries.set(action, entry);
  return entry;
}

/** Whether this person sees the action among their tools (admin-only tools are hidden from members). */
export const visibleTo = (action: AnyAction, actor: Actor): boolean =>
  action.scope !== "admin" || actor.person.isAdmin;

export function listTools(engine: Engine, actor: Actor): Tool[] {
  return engine.registry
    .list()
    .filter((action) => visibleTo(action, actor))
    .map((action) => toolEntry(action).tool);
}

/** An engine error as a tool result: the code, what to fix, and machine-readable details in `_meta`. */
export function errorResult(error: CairnError): CallToolResult {
  const lines = [`${error.code}: ${error.message}`];
  for (const issue of error.details.issues ?? []) lines.push(`- ${issue.path}: ${issue.message}`);
  if (error.details.retryAfterSeconds) lines.push(`Retry after ${error.details.retryAfterSeconds} seconds.`);
  return {
    isError: true,
    content: [{ type: "text", text: lines.join("\n") }],
    _meta: {
      [ERROR_META_KEY]: {
        code: error.code,
        status: statusFor(error.code),
        ...(error.details.issues ? { issues: error.details.issues } : {}),
        ...(error.details.retryAfterSeconds ? { retryAfterSeconds: error.details.retryAfterSeconds } : {}),
      },
    },
  };
}

export interface CallContext {
  engine: Engine;
  actor: Actor;
  /** Rate-limit key: the token (or OAuth subject) that opened the session. */
  principal: string;
  limiter: Limiter;
  log: Logger;
  /** This session's calls by JSON-RPC id: a redelivered request acts once. */
  calls: SessionCalls;
}

function progressReporter(extra: Extra): ((progress: Progress) => Promise<void>) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  return async (progress) => {
    try {
      await extra.sendNotification({
        method: "notifications/progress",
        params: {
          progressToken: token,
          progress: progress.progress,
          ...(progress.total !== undefined ? { total: progress.total } : {}),
          ...(progress.message !== undefined ? { message: progress.message } : {}),
        },
      });
    } catch {
      // The client went away; the action itself carries on.
    }
  };
}

/**
 * A tools/call, acting once per delivery: a redelivered JSON-RPC id on this session, or a repeated
 * `_meta["cairn/idempotency-key"]` of this token, gets the first call's result.
 */
export async function callTool(
  context: CallContext,
  request: CallToolRequest,
  extra: Extra,
): Promise<CallToolResult> {
  const hash = callHash(request.params.name, request.params.arguments);
  const once = context.calls.once(extra.requestId, hash, async () => {
    try {
      const key = metaIdempotencyKey(request.params._meta);
      if (key === undefined) return await runTool(context, request, extra);
      const scope = { workspaceId: context.actor.workspace.id, principal: context.principal, key };
      const action = context.engine.registry.get(request.params.name);
      const result = await keyedCall(
        context.engine,
        scope,
        { name: request.params.name, hash },
        () => runTool(context, request, extra),
        (output) => (action ? successResult(action, action.output.parse(output)) : { content: [] }),
      );
      return result instanceof CairnError ? errorResult(result) : result;
    } catch (error) {
      return errorResult(asCairnError(error));
    }
  });
  return once instanceof CairnError ? errorResult(once) : once;
}

/** A tool's result for an action output that passed the registry's output check. */
function successResult(action: AnyAction, checked: unknown): CallToolResult {
  const output = redactSecrets(checked);
  const { wrapped } = toolEntry(action);
  // Boundary: an object-schema output is a plain JSON object after the registry's output check.
  const structured = (wrapped ? { [WRAP_KEY]: output } : output) as Record<string, unknown>;
  return {
    content: [{ type: "text", text: renderResult(action.title, output) }],
    structuredContent: structured,
  };
}

async function runTool(
  context: CallContext,
  request: CallToolRequest,
  extra: Extra,
): Promise<CallToolResult> {
  const { engine, actor, principal, limiter, log } = context;
  const name = request.params.name;
  const action = engine.registry.get(name);
  if (!action) {
    return errorResult(
      new CairnError(ErrorCode.NotFound, `No tool named "${name}". List the tools with tools/list.`),
    );
  }
  const wait = await limiter.take(principal);
  if (wait > 0) {
    return errorResult(rateLimited("tool calls", wait));
  }
  const started = performance.now();
  try {
    const ctx = engine.context(actor, "mcp", {
      reportProgress: progressReporter(extra),
      signal: extra.signal,
    });
    return successResult(action, await engine.registry.invoke(ctx, name, request.params.arguments ?? {}));
  } catch (error) {
    const coded = asCairnError(error);
    log.debug(
      { tool: name, code: coded.code, ms: Math.round(performance.now() - started) },
      "tool call failed",
    );
    return errorResult(coded);
  }
}
