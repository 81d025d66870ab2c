/**
 * Connections to task and calendar sources: connect (one connect_<kind> action per registered connector, built
 * from its definition), list, sync now, disconnect. The connectors themselves live in connectors/ and reach
 * these actions through the sync service bin/ registers; outputs never carry credentials.
 */
import { z } from "zod";
import {
  type ConnectionRecord,
  ConnectionStatuses,
  connectionCounts,
  getConnectionRecord,
  listConnectionRecords,
  WebhookSecretSources,
} from "../db/repositories/connections.ts";
import { recordAudit } from "../db/repositories/event-log.ts";
import { loadScopeState } from "../db/repositories/sync-store.ts";
import { CairnError, ErrorCode, invalidInput, notFound } from "../errors.ts";
import { redactSecrets } from "../security/redact.ts";
import type {
  AdvancedInput,
  AnyConnector,
  ConnectHelpers,
  ConnectionSeed,
  SyncScope,
} from "../sync/connector.ts";
import { SCOPES_KEY } from "../sync/runner.ts";
import { displayedSourceUrl } from "../sync/secret-settings.ts";
import { DEFAULT_SYNC_INTERVAL_MINUTES, getSyncService } from "../sync/service.ts";
import { addStats, emptyStats, SyncStats } from "../sync/stats.ts";
import { type ActionContext, type AnyAction, defineAction } from "./define.ts";

export const ConnectionId = z.uuid().describe("The connection's id, as returned by list_connections");

export const ScopeMappingView = z.object({
  scope: z.string().describe("The data source (or query, calendar) id"),
  label: z.string(),
  fields: z.record(z.string(), z.string()).describe("Task field → source property name"),
  estimate: z
    .object({ property: z.string(), unit: z.enum(["minutes", "hours"]), reason: z.string() })
    .nullable(),
  ignored: z.array(z.object({ property: z.string(), reason: z.string() })),
});
export type ScopeMappingView = z.infer<typeof ScopeMappingView>;

export const ConnectionSummary = z.object({
  id: z.uuid(),
  kind: z.string(),
  name: z.string(),
  status: z.enum(ConnectionStatuses).describe("needs_reconnect: the credential was rejected; connect again"),
  personId: z.uuid().nullable(),
  syncEveryMinutes: z.number().int(),
  lastSyncedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  sourceUrl: z
    .string()
    .nullable()
    .describe("Where the connection reads from, with passwords, tokens and feed keys shown as ***"),
  webhook: z.object({
    url: z.string(),
    secretSet: z.boolean(),
    secretSource: z
      .enum(WebhookSecretSources)
      .nullable()
      .describe(
        "configured: given by env or connect_*; captured: the provider's verification token, waiting for its first signed event; verified: proven by a signed event",
      ),
    setupOpenUntil: z.string().nullable().describe("While an admin's webhook set-up window is open"),
  }),
  counts: z.object({ tasks: z.number().int(), events: z.number().int() }),
  mapping: z
    .array(ScopeMappingView)
    .describe(
      "Per synced data source: which source property feeds which task field, and the estimate's unit with why (known after the first sync)",
    ),
  createdAt: z.string(),
});
export type ConnectionSummary = z.infer<typeof ConnectionSummary>;

function mappingViews(scopes: SyncScope[] | undefined): ScopeMappingView[] {
  return (scopes ?? []).flatMap((scope) =>
    scope.mapping
      ? [
          {
            scope: scope.id,
            label: scope.label,
            fields: scope.mapping.fields,
            estimate: scope.mapping.estimate ?? null,
            ignored: scope.mapping.ignored ?? [],
          },
        ]
      : [],
  );
}

function summarize(
  ctx: ActionContext,
  connection: ConnectionRecord,
  counts?: { tasks: number; events: number },
  scopes?: SyncScope[],
) {
  const base = (ctx.services.config.CAIRN_PUBLIC_URL ?? "").replace(/\/$/, "");
  return {
    id: connection.id,
    kind: connection.kind,
    name: connection.name,
    status: connection.status,
    personId: connection.personId,
    syncEveryMinutes: connection.syncIntervalMinutes,
    lastSyncedAt: connection.lastSyncedAt,
    lastError: connection.lastError === null ? null : redactSecrets(connection.lastError),
    sourceUrl: displayedSourceUrl(connection.settings),
    webhook: {
      url: `${base}/webhooks/${connection.kind}/${connection.id}`,
      secretSet: connection.hasWebhookSecret,
      secretSource: connection.webhookSecretSource,
      setupOpenUntil:
        connection.webhookSetupUntil &&
        Date.parse(connection.webhookSetupUntil) > ctx.services.now().getTime()
          ? connection.webhookSetupUntil
          : null,
    },
    counts: counts ?? { tasks: 0, events: 0 },
    mapping: mappingViews(scopes),
    createdAt: connection.createdAt,
  };
}

const common = {
  name: z.string().trim().min(1).max(100).optional().describe("A name for this connection, unique per kind"),
  syncEveryMinutes: z
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(DEFAULT_SYNC_INTERVAL_MINUTES)
    .describe("How often to sync in the background; 0 syncs only on demand and on webhooks"),
  credentials: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Advanced: the connector's credentials object as is (overrides the flat fields)"),
  settings: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Advanced: the connector's settings object as is (overrides the flat fields)"),
};

async function connectWith(
  ctx: ActionContext,
  kind: string,
  seed: ConnectionSeed,
  input: { syncEveryMinutes: number },
): Promise<ConnectionSummary> {
  const sync = getSyncService(ctx.services);
  const { connection, created } = await sync.connect({
    workspaceId: ctx.workspace.id,
    personId: ctx.person.id,
    kind,
    seed,
    syncIntervalMinutes: input.syncEveryMinutes,
  });
  await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
    recordAudit(tx, {
      workspaceId: ctx.workspace.id,
      actorPersonId: ctx.person.id,
      actor: ctx.person.email,
      action: created ? `connect_${kind}` : `reconnect_${kind}`,
      target: connection.id,
      details: { name: connection.name },
    }),
  );
  return summarize(ctx, connection);
}

/** The seeds of the connector's own env mapping, with the flat input laid over the config's variables. */
function seedsFromEnv(
  ctx: ActionContext,
  connector: AnyConnector,
  overlay: Record<string, unknown>,
  cleared: readonly string[],
): ConnectionSeed[] {
  if (!connector.fromEnv) return [];
  const unset = Object.fromEntries(cleared.map((key) => [key, undefined]));
  const given = Object.fromEntries(Object.entries(overlay).filter(([, value]) => value !== undefined));
  return connector.fromEnv({ ...ctx.services.config, ...unset, ...given });
}

/** A name given to several connections at once: the first keeps it, the others are numbered. */
const nthName = (name: string, index: number) => (index === 0 ? name : `${name} (${index + 1})`);

function withOverrides(seed: ConnectionSeed, advanced: AdvancedInput) {
  return {
    ...seed,
    ...(advanced.credentials ? { credentials: advanced.credentials } : {}),
    ...(advanced.settings ? { settings: { ...(seed.settings as object), ...advanced.settings } } : {}),
  };
}

function requireSeeds(
  kind: string,
  seed: ConnectionSeed | ConnectionSeed[] | undefined,
  advanced: AdvancedInput,
): ConnectionSeed[] {
  const seeds = seed === undefined ? [] : Array.isArray(seed) ? seed : [seed];
  if (seeds.length > 0) return seeds;
  if (advanced.credentials) {
    return [
      {
        name: advanced.name ?? kind,
        credentials: advanced.credentials,
        settings: advanced.settings ?? {},
      },
    ];
  }
  throw invalidInput(
    `Missing ${kind} details: give the fields this action lists, or credentials and settings objects.`,
  );
}

const connectAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

/** connect_<kind>: the connector's flat input (plus name, interval and the advanced objects) → a stored, scheduled connection. */
export function connectActionOf(connector: AnyConnector): AnyAction {
  const spec = connector.connect;
  return defineAction({
    name: `connect_${connector.kind}`,
    title: spec.title,
    description: spec.description,
    input: z.object({ ...common, ...spec.input }),
    output: ConnectionSummary.extend({
      connections: z
        .array(ConnectionSummary)
        .optional()
        .describe("Every connection stored, when the input named several (one per feed URL, say)"),
    }),
    scope: "admin",
    annotations: connectAnnotations,
    ...(spec.examples ? { examples: spec.examples } : {}),
    async run(ctx, input) {
      const helpers: ConnectHelpers = {
        config: ctx.services.config,
        fromEnv: (overlay, cleared) => seedsFromEnv(ctx, connector, overlay, cleared)[0],
        allFromEnv: (overlay, cleared) => seedsFromEnv(ctx, connector, overlay, cleared),
      };
      const advanced: AdvancedInput = spec.advanced?.(input) ?? {
        ...(input.name ? { name: input.name } : {}),
        ...(input.credentials ? { credentials: input.credentials } : {}),
        ...(input.settings ? { settings: input.settings } : {}),
      };
      const chosen = requireSeeds(connector.kind, spec.seed(input, helpers), advanced);
      const stored: ConnectionSummary[] = [];
      for (const [index, one] of chosen.entries()) {
        const name = input.name === undefined ? one.name : nthName(input.name, index);
        stored.push(await connectWith(ctx, connector.kind, withOverrides({ ...one, name }, advanced), input));
      }
      const [first] = stored as [ConnectionSummary, ...ConnectionSummary[]];
      return stored.length > 1 ? { ...first, connections: stored } : first;
    },
  });
}

/** The actions the registered connectors bring: each one's connect_<kind>, then its own. */
export function connectorActions(connectors: readonly AnyConnector[]): AnyAction[] {
  return connectors.flatMap((connector) => [connectActionOf(connector), ...(connector.actions ?? [])]);
}

export const listConnections = defineAction({
  name: "list_connections",
  title: "List connections",
  description:
    "Lists the workspace's connections to task sources and calendars with their status (active, needs_reconnect when a credential was rejected, error), when they last synced, the last error and how many tasks and events each brought in.",
  input: z.object({}),
  output: z.object({ connections: z.array(ConnectionSummary) }),
  annotations: { readOnlyHint: true },
  examples: ["list connections", "is my calendar connected"],
  async run(ctx) {
    return ctx.services.db.scoped(
      ctx.workspace.id,
      async (tx) => {
        const [connections, counts] = [await listConnectionRecords(tx), await connectionCounts(tx)];
        const out: ConnectionSummary[] = [];
        for (const connection of connections) {
          const cached = await loadScopeState(tx, connection.id, SCOPES_KEY);
          out.push(summarize(ctx, connection, counts.get(connection.id), cached.details.scopes));
        }
        return { connections: out };
      },
      { snapshot: true },
    );
  },
});

const SyncResult = z.object({
  connectionId: z.uuid(),
  kind: z.string(),
  name: z.string(),
  ok: z.boolean(),
  stats: SyncStats,
  error: z.string().nullable(),
});

export const syncNow = defineAction({
  name: "sync_now",
  title: "Sync now",
  description:
    "Syncs one connection (or all of them) right away instead of waiting for the background schedule, and returns what changed: created, updated, deleted, unchanged and skipped items, API calls and duration. full: true re-reads everything and marks items missing at the source as deleted there.",
  input: z.object({
    connection: ConnectionId.optional().describe("Only this connection; all active ones when omitted"),
    full: z.boolean().default(false),
    wait: z.boolean().default(true).describe("false queues the sync as a background job and returns at once"),
  }),
  output: z.object({
    results: z.array(SyncResult),
    totals: SyncStats,
    queued: z.array(z.string()),
    pages: z.array(
      z.object({
        connectionId: z.uuid(),
        scope: z.string(),
        page: z.number().int(),
        items: z.number().int(),
      }),
    ),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  examples: ["sync now", "sync my calendars"],
  async run(ctx, input) {
    const sync = getSyncService(ctx.services);
    const connections = await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      if (input.connection) {
        const one = await getConnectionRecord(tx, input.connection);
        if (!one)
          throw notFound(
            `No connection ${input.connection} in this workspace. List them with list_connections.`,
          );
        return [one];
      }
      return (await listConnectionRecords(tx)).filter((connection) => connection.status !== "disabled");
    });
    const totals = emptyStats();
    const results: z.input<typeof SyncResult>[] = [];
    const queued: string[] = [];
    const pages: { connectionId: string; scope: string; page: number; items: number }[] = [];
    let pagesDone = 0;
    for (const connection of connections) {
      if (!input.wait) {
        queued.push(
          await sync.enqueueSync({
            workspaceId: ctx.workspace.id,
            connectionId: connection.id,
            ...(input.full ? { full: true } : {}),
          }),
        );
        continue;
      }
      let stats: SyncStats = emptyStats();
      let error: string | null = null;
      try {
        stats = await sync.sync({
          workspaceId: ctx.workspace.id,
          connectionId: connection.id,
          full: input.full,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          onPage: async (progress) => {
            pagesDone += 1;
            if (pages.length < 1000) {
              pages.push({
                connectionId: connection.id,
                scope: progress.scope.label,
                page: progress.page,
                items: progress.items,
              });
            }
            await ctx.reportProgress?.({
              progress: pagesDone,
              message: `${connection.name} · ${progress.scope.label} · page ${progress.page}: ${progress.items} items (created ${progress.totals.created}, updated ${progress.totals.updated}, unchanged ${progress.totals.unchanged})`,
            });
          },
        });
      } catch (failure) {
        if (failure instanceof CairnError && failure.code !== ErrorCode.Internal && connections.length === 1)
          throw failure;
        error = redactSecrets(failure instanceof Error ? failure.message : String(failure));
      }
      addStats(totals, stats);
      results.push({
        connectionId: connection.id,
        kind: connection.kind,
        name: connection.name,
        ok: error === null,
        stats,
        error,
      });
    }
    return { results, totals, queued, pages };
  },
});

export const disconnect = defineAction({
  name: "disconnect",
  title: "Disconnect a source",
  description:
    "Removes a connection and its stored credentials and stops its syncs. Tasks it brought in stay in Cairn (without the link to their source); its calendar events are removed. This cannot be undone; connect again to resume.",
  input: z.object({ connection: ConnectionId }),
  output: z.object({ id: z.uuid(), disconnected: z.literal(true) }),
  scope: "admin",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run(ctx, input) {
    const removed = await getSyncService(ctx.services).disconnect(ctx.workspace.id, input.connection);
    if (!removed)
      throw notFound(`No connection ${input.connection} in this workspace. List them with list_connections.`);
    await ctx.services.db.scoped(ctx.workspace.id, (tx) =>
      recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "disconnect",
        target: input.connection,
      }),
    );
    return { id: input.connection, disconnected: true as const };
  },
});

export const connectionActions: AnyAction[] = [listConnections, syncNow, disconnect];
