/**
 * Resources: today's plan, each task by URI, and the person's insights. Reads go through actions as the
 * session's person. Subscriptions and `list_changed` follow the engine's change feed, filtered to the
 * session's workspace (and person, for the personal views).
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  McpError,
  ErrorCode as McpErrorCode,
  type ReadResourceResult,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Actor } from "../engine/actions/define.ts";
import type { Change } from "../engine/changes.ts";
import type { Engine } from "../engine/engine.ts";
import { asCairnError, ErrorCode, rateLimited } from "../engine/errors.ts";
import type { Logger } from "../engine/logger.ts";
import { gatherer, insights, recentTasks, todayPlan } from "./context.ts";
import { redactSecrets } from "./redact.ts";

export const PLAN_TODAY_URI = "cairn://plan/today";
export const INSIGHTS_URI = "cairn://insights";
export const TASK_URI_TEMPLATE = "cairn://tasks/{id}";
export const taskUri = (id: string): string => `cairn://tasks/${id}`;
const LIST_CHANGED_DEBOUNCE_MS = 250;

const json = (uri: string, value: unknown): ReadResourceResult => ({
  contents: [{ uri, mimeType: "application/json", text: JSON.stringify(redactSecrets(value), null, 2) }],
});

/** JSON-RPC code the MCP spec gives "resource not found". */
const RESOURCE_NOT_FOUND = -32002;

/** JSON-RPC's implementation-defined server error, used for a read refused by the rate limit. */
const RATE_LIMITED = -32000;

/**
 * Engine errors on a resource read become JSON-RPC errors that keep the engine's code and message.
 * `throttle` takes one request from the session's rate limit (shared with tool calls) and returns the
 * seconds to wait, 0 when the read may go ahead.
 */
async function reading(
  uri: string,
  throttle: () => number | Promise<number>,
  read: () => Promise<unknown>,
): Promise<ReadResourceResult> {
  const wait = await throttle();
  if (wait > 0) {
    const refused = rateLimited("requests", wait);
    throw new McpError(RATE_LIMITED, `${refused.code}: ${refused.message}`, {
      code: refused.code,
      retryAfterSeconds: wait,
      uri,
    });
  }
  try {
    return json(uri, await read());
  } catch (error) {
    const coded = asCairnError(error);
    const code =
      coded.code === ErrorCode.NotFound
        ? RESOURCE_NOT_FOUND
        : coded.code === ErrorCode.InvalidInput
          ? McpErrorCode.InvalidParams
          : McpErrorCode.InternalError;
    throw new McpError(code, `${coded.code}: ${coded.message}`, { code: coded.code, uri });
  }
}

export interface ResourceWiring {
  /** Stops listening to the change feed. */
  close(): void;
}

export function registerResources(
  mcp: McpServer,
  engine: Engine,
  actor: Actor,
  log: Logger,
  throttle: () => number | Promise<number>,
): ResourceWiring {
  const g = gatherer(engine, actor);

  mcp.registerResource(
    "plan-today",
    PLAN_TODAY_URI,
    {
      title: "Today's plan",
      description:
        "Today's schedule (Cairn's focus and habit blocks beside your calendar events, and focus-goal progress, when planning is set up) and the tasks that matter today: in progress, overdue, due today, next up.",
      mimeType: "application/json",
    },
    (uri) => reading(uri.href, throttle, () => todayPlan(g)),
  );

  mcp.registerResource(
    "task",
    new ResourceTemplate(TASK_URI_TEMPLATE, {
      list: async () => ({
        resources: (await recentTasks(g)).map((task) => ({
          uri: taskUri(task.id),
          name: task.title,
          title: task.title,
          description: `${task.status}${task.due ? `, due ${task.due}` : ""} · ${task.source}`,
          mimeType: "application/json",
        })),
      }),
    }),
    {
      title: "Task",
      description:
        "One task by id, as get_task returns it. Listed: the 50 most recently created tasks of the person.",
      mimeType: "application/json",
    },
    (uri, variables) => {
      const id = Array.isArray(variables.id) ? variables.id[0] : variables.id;
      return reading(uri.href, throttle, () => g.call("get_task", { id }));
    },
  );

  mcp.registerResource(
    "insights",
    INSIGHTS_URI,
    {
      title: "Insights",
      description:
        "The person's numbers: open, overdue and due-soon tasks, estimated work left, completed this week and in the last 7 days, on-time rate.",
      mimeType: "application/json",
    },
    (uri) => reading(uri.href, throttle, () => insights(g)),
  );

  // Subscriptions: the SDK's McpServer answers list/read; subscribe/unsubscribe are ours.
  const subscribed = new Set<string>();
  mcp.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  mcp.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscribed.add(request.params.uri);
    return {};
  });
  mcp.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  let listTimer: NodeJS.Timeout | undefined;
  const listChanged = () => {
    if (listTimer) return;
    listTimer = setTimeout(() => {
      listTimer = undefined;
      if (mcp.isConnected()) mcp.sendResourceListChanged();
    }, LIST_CHANGED_DEBOUNCE_MS);
    listTimer.unref();
  };
  const updated = (uri: string) => {
    if (!subscribed.has(uri) || !mcp.isConnected()) return;
    mcp.server.sendResourceUpdated({ uri }).catch((error: unknown) => {
      log.debug({ err: error, uri }, "could not send resources/updated");
    });
  };

  const onChange = (change: Change) => {
    if (change.workspaceId !== actor.workspace.id) return;
    const personal =
      change.personId === undefined || change.personId === null || change.personId === actor.person.id;
    if (change.kind === "tasks") {
      for (const id of change.ids ?? []) updated(taskUri(id));
      if (personal) {
        listChanged();
        updated(INSIGHTS_URI);
        updated(PLAN_TODAY_URI);
      }
      return;
    }
    if (personal && (change.kind === "plan" || change.kind === "calendar" || change.kind === "preferences")) {
      updated(PLAN_TODAY_URI);
    }
  };
  const unsubscribe = engine.services.changes.subscribe(onChange);

  return {
    close() {
      unsubscribe();
      if (listTimer) clearTimeout(listTimer);
      subscribed.clear();
    },
  };
}
