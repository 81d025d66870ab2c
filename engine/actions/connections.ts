/**
 * Connections to Notion, Jira and calendars: connect, list, sync now, disconnect. The connectors themselves
 * live in connectors/ and reach these actions through the sync service bin/ registers; outputs never carry
 * credentials.
 */
import { z } from "zod";
import { type Config, publicUrl } from "../config.ts";
import {
  type ConnectionRecord,
  ConnectionStatuses,
  connectionCounts,
  getConnectionRecord,
  listConnectionRecords,
  openWebhookSetup,
  sealedSecrets,
  WebhookSecretSources,
} from "../db/repositories/connections.ts";
import { recordAudit } from "../db/repositories/event-log.ts";
import { loadScopeState } from "../db/repositories/sync-store.ts";
import { CairnError, conflict, ErrorCode, invalidInput, notFound } from "../errors.ts";
import { redactSecrets } from "../security/redact.ts";
import type { ConnectionSeed, SyncScope } from "../sync/connector.ts";
import { SCOPES_KEY } from "../sync/runner.ts";
import { displayedSourceUrl } from "../sync/secret-settings.ts";
import { DEFAULT_SYNC_INTERVAL_MINUTES, getSyncService } from "../sync/service.ts";
import { addStats, emptyStats, SyncStats } from "../sync/stats.ts";
import { type ActionContext, type AnyAction, defineAction } from "./define.ts";

/** An http(s) URL; file:, ftp:, gopher:, data: and other schemes are refused with a message naming the field. */
const HttpUrl = z.url({
  protocol: /^https?$/,
  error: "expected an http:// or https:// URL (file:, ftp:, gopher:, data: and other schemes are refused)",
});

const ConnectionId = z.uuid().describe("The connection's id, as returned by list_connections");

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
        "configured: given by env or connect_*; captured: Notion's verification token, waiting for its first signed event; verified: proven by a signed event",
      ),
    setupOpenUntil: z
      .string()
      .nullable()
      .describe("While an admin's webhook set-up window is open (open_notion_webhook_setup)"),
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

/** A seed from the connector's own env mapping, with the flat input laid over the config's variables. */
function seedFromEnv(
  ctx: ActionContext,
  kind: string,
  overlay: Partial<Record<keyof Config, unknown>>,
  cleared: (keyof Config)[],
) {
  const connector = getSyncService(ctx.services).connector(kind);
  if (!connector.fromEnv) return undefined;
  const config = { ...ctx.services.config } as Record<string, unknown>;
  for (const key of cleared) delete config[key];
  for (const [key, value] of Object.entries(overlay)) if (value !== undefined) config[key] = value;
  return connector.fromEnv(config as Config)[0];
}

function withOverrides(
  seed: ConnectionSeed,
  input: { credentials?: Record<string, unknown>; settings?: Record<string, unknown> },
) {
  return {
    ...seed,
    ...(input.credentials ? { credentials: input.credentials } : {}),
    ...(input.settings ? { settings: { ...(seed.settings as object), ...input.settings } } : {}),
  };
}

const connectAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

export const connectNotion = defineAction({
  name: "connect_notion",
  title: "Connect Notion",
  description:
    "Connects a Notion integration (internal integration token) so tasks from its data sources sync into Cairn. Without dataSourceIds or databaseIds, every data source shared with the integration is synced. Properties are detected (title, status or checkbox, date, priority select, estimate number, people, 'Blocked by' relation); override with propertyMap. Returns the connection (never the token).",
  input: z.object({
    ...common,
    token: z.string().min(1).optional().describe("The integration's secret (ntn_...)"),
    apiUrl: HttpUrl.optional().describe(
      "Notion API root; default https://api.notion.com (or NOTION_API_URL)",
    ),
    dataSourceIds: z.array(z.string().min(1)).optional(),
    databaseIds: z.array(z.string().min(1)).optional(),
    propertyMap: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        "Task field → Notion property name: title, status, done, due, start, priority, estimate, assignee, dependsOn, tags, link, description",
      ),
    estimateUnit: z
      .enum(["minutes", "hours"])
      .optional()
      .describe(
        "Unit of the estimate number; default: what the property's name or description says (min, minutes, (m) / h, hours, hrs), else hours",
      ),
    webhookSecret: z.string().min(1).optional().describe("The webhook subscription's verification token"),
  }),
  output: ConnectionSummary,
  scope: "admin",
  annotations: connectAnnotations,
  examples: ["connect notion"],
  async run(ctx, input) {
    if (!input.token && !input.credentials) {
      throw invalidInput("token is required", [
        { path: "token", message: "give the Notion integration secret" },
      ]);
    }
    const apiUrl = input.apiUrl ?? ctx.services.config.NOTION_API_URL;
    const seed: ConnectionSeed = {
      name: input.name ?? "Notion",
      credentials: { token: input.token },
      settings: {
        ...(apiUrl ? { apiUrl } : {}),
        ...(input.dataSourceIds ? { dataSourceIds: input.dataSourceIds } : {}),
        ...(input.databaseIds ? { databaseIds: input.databaseIds } : {}),
        ...(input.propertyMap ? { propertyMap: input.propertyMap } : {}),
        ...(input.estimateUnit ? { estimateUnit: input.estimateUnit } : {}),
      },
      ...(input.webhookSecret ? { webhookSecret: input.webhookSecret } : {}),
    };
    return connectWith(ctx, "notion", withOverrides(seed, input), input);
  },
});

export const connectJira = defineAction({
  name: "connect_jira",
  title: "Connect Jira",
  description:
    "Connects a Jira Cloud site with an account email and API token; issues matching the JQL (default: assigned to that account) sync into Cairn with status, priority, due date, estimates and 'Blocks' links. Returns the connection (never the token).",
  input: z.object({
    ...common,
    host: HttpUrl.optional().describe("The site, e.g. https://acme.atlassian.net"),
    email: z.string().min(1).optional(),
    apiToken: z.string().min(1).optional(),
    jql: z.string().min(1).optional().describe("Which issues to sync; default: assignee = currentUser()"),
    webhookSecret: z
      .string()
      .min(1)
      .optional()
      .describe("Secret of the Jira admin webhook (X-Hub-Signature)"),
  }),
  output: ConnectionSummary,
  scope: "admin",
  annotations: connectAnnotations,
  examples: ["connect jira"],
  async run(ctx, input) {
    if (!input.credentials && (!input.email || !input.apiToken)) {
      throw invalidInput("email and apiToken are required", [
        ...(input.email ? [] : [{ path: "email", message: "the Atlassian account email" }]),
        ...(input.apiToken ? [] : [{ path: "apiToken", message: "an API token from id.atlassian.com" }]),
      ]);
    }
    if (!input.host && !input.settings) {
      throw invalidInput("host is required", [{ path: "host", message: "e.g. https://acme.atlassian.net" }]);
    }
    const seed: ConnectionSeed = {
      name: input.name ?? "Jira",
      credentials: { email: input.email, apiToken: input.apiToken },
      settings: { host: input.host, ...(input.jql ? { jql: input.jql } : {}) },
      ...(input.webhookSecret ? { webhookSecret: input.webhookSecret } : {}),
    };
    return connectWith(ctx, "jira", withOverrides(seed, input), input);
  },
});

function requireSeed(
  kind: string,
  seed: ConnectionSeed | undefined,
  input: { credentials?: unknown; settings?: unknown; name?: string },
) {
  if (seed) return seed;
  if (input.credentials) {
    return { name: input.name ?? kind, credentials: input.credentials, settings: input.settings ?? {} };
  }
  throw invalidInput(
    `Missing ${kind} details: give the fields this action lists, or credentials and settings objects.`,
  );
}

/** Calendar connections: the flat input laid over the connector's env mapping, then stored and scheduled. */
async function connectFromFields(
  ctx: ActionContext,
  kind: string,
  overlay: Partial<Record<keyof Config, unknown>>,
  cleared: (keyof Config)[],
  input: {
    name?: string;
    syncEveryMinutes: number;
    credentials?: Record<string, unknown>;
    settings?: Record<string, unknown>;
  },
): Promise<ConnectionSummary> {
  const chosen = requireSeed(kind, seedFromEnv(ctx, kind, overlay, cleared), input);
  return connectWith(ctx, kind, withOverrides({ ...chosen, name: input.name ?? chosen.name }, input), input);
}

export const connectGoogle = defineAction({
  name: "connect_google",
  title: "Connect Google Calendar",
  description:
    "Connects a Google account's calendars with an OAuth client and refresh token, so meetings block planning time and focus blocks are written back. Returns the connection (never the tokens).",
  input: z.object({
    ...common,
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1).optional(),
    apiUrl: HttpUrl.optional().describe("Google API root (GOOGLE_API_URL)"),
    tokenUrl: HttpUrl.optional().describe("OAuth token endpoint (GOOGLE_TOKEN_URL)"),
    blockCalendarId: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe("The calendar focus blocks are written to (its id in Google Calendar); default primary"),
  }),
  output: ConnectionSummary,
  scope: "admin",
  annotations: connectAnnotations,
  async run(ctx, input) {
    return connectFromFields(
      ctx,
      "google",
      {
        GOOGLE_CLIENT_ID: input.clientId,
        GOOGLE_CLIENT_SECRET: input.clientSecret,
        GOOGLE_REFRESH_TOKEN: input.refreshToken,
        GOOGLE_API_URL: input.apiUrl,
        GOOGLE_TOKEN_URL: input.tokenUrl,
      },
      ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_REFRESH_TOKEN"],
      input.blockCalendarId
        ? { ...input, settings: { blockCalendarId: input.blockCalendarId, ...input.settings } }
        : input,
    );
  },
});

export const connectCaldav = defineAction({
  name: "connect_caldav",
  title: "Connect a CalDAV calendar",
  description:
    "Connects a CalDAV server (Nextcloud, Fastmail, Radicale, iCloud...) with a username and password: events block planning time and focus blocks are written back. Returns the connection (never the password).",
  input: z.object({
    ...common,
    url: HttpUrl.optional().describe("The CalDAV server or calendar URL"),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  }),
  output: ConnectionSummary,
  scope: "admin",
  annotations: connectAnnotations,
  async run(ctx, input) {
    return connectFromFields(
      ctx,
      "caldav",
      { CALDAV_URL: input.url, CALDAV_USERNAME: input.username, CALDAV_PASSWORD: input.password },
      ["CALDAV_URL", "CALDAV_USERNAME", "CALDAV_PASSWORD"],
      input,
    );
  },
});

export const connectIcs = defineAction({
  name: "connect_ics",
  title: "Subscribe to an ICS calendar",
  description:
    "Subscribes to calendars published as ICS URLs (read-only): their events block planning time. Returns the connection.",
  input: z.object({
    ...common,
    urls: z
      .array(
        z.url({
          protocol: /^(https?|webcals?)$/,
          error:
            "expected an http://, https:// or webcal:// URL (file:, ftp:, gopher:, data: and other schemes are refused)",
        }),
      )
      .min(1)
      .optional()
      .describe("One or more .ics URLs (http, https or webcal)"),
  }),
  output: ConnectionSummary,
  scope: "admin",
  annotations: connectAnnotations,
  async run(ctx, input) {
    return connectFromFields(ctx, "ics", { ICS_URLS: input.urls }, ["ICS_URLS"], input);
  },
});

export const listConnections = defineAction({
  name: "list_connections",
  title: "List connections",
  description:
    "Lists the workspace's connections to Notion, Jira and calendars with their status (active, needs_reconnect when a credential was rejected, error), when they last synced, the last error and how many tasks and events each brought in.",
  input: z.object({}),
  output: z.object({ connections: z.array(ConnectionSummary) }),
  annotations: { readOnlyHint: true },
  examples: ["list connections", "is jira connected"],
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
  examples: ["sync now", "sync jira"],
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

/** How long an admin's webhook set-up window stays open. */
export const WEBHOOK_SETUP_MINUTES = 10;

async function notionConnection(ctx: ActionContext, id: string | undefined): Promise<ConnectionRecord> {
  const all = await ctx.services.db.scoped(ctx.workspace.id, (tx) => listConnectionRecords(tx));
  const notion = all.filter((connection) => connection.kind === "notion");
  if (id) {
    const one = notion.find((connection) => connection.id === id);
    if (!one)
      throw notFound(`No Notion connection ${id} in this workspace. List them with list_connections.`);
    return one;
  }
  const [only, ...others] = notion;
  if (!only) throw notFound("No Notion connection in this workspace. Connect one first with connect_notion.");
  if (others.length > 0) {
    throw invalidInput(
      `This workspace has ${notion.length} Notion connections: say which one with connection (${notion.map((c) => `${c.id} "${c.name}"`).join(", ")}).`,
      [{ path: "connection", message: "one of the Notion connections' ids" }],
    );
  }
  return only;
}

const webhookUrlOf = (ctx: ActionContext, connection: ConnectionRecord) =>
  `${publicUrl(ctx.services.config)}/webhooks/${connection.kind}/${connection.id}`;

export const openNotionWebhookSetup = defineAction({
  name: "open_notion_webhook_setup",
  title: "Open the Notion webhook set-up window",
  description: `Lets Cairn receive Notion's webhook verification token for one Notion connection during the next ${WEBHOOK_SETUP_MINUTES} minutes. Create the webhook subscription in Notion's integration settings with the returned webhookUrl; Notion then sends a verification token, which get_notion_webhook_token shows to you to paste into Notion's Verify dialog. Outside such a window, unsigned requests are refused. Not needed when the connection's webhook secret is configured (NOTION_WEBHOOK_SECRET or connect_notion webhookSecret).`,
  input: z.object({
    connection: ConnectionId.optional().describe(
      "The Notion connection; may be left out when the workspace has one",
    ),
  }),
  output: z.object({ connectionId: z.uuid(), webhookUrl: z.string(), expiresAt: z.string() }),
  scope: "admin",
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(ctx, input) {
    const connection = await notionConnection(ctx, input.connection);
    if (connection.webhookSecretSource === "configured" || connection.webhookSecretSource === "verified") {
      throw conflict(
        connection.webhookSecretSource === "configured"
          ? `"${connection.name}" already has a configured webhook secret (NOTION_WEBHOOK_SECRET or connect_notion webhookSecret); Notion's events are verified with it and no set-up window is needed.`
          : `"${connection.name}" already has a verified webhook secret; a set-up window would not replace it. To use a new Notion subscription, give its token with connect_notion webhookSecret.`,
      );
    }
    const expiresAt = new Date(ctx.services.now().getTime() + WEBHOOK_SETUP_MINUTES * 60_000);
    await ctx.services.db.scoped(ctx.workspace.id, async (tx) => {
      await openWebhookSetup(tx, connection.id, ctx.person.id, expiresAt);
      await recordAudit(tx, {
        workspaceId: ctx.workspace.id,
        actorPersonId: ctx.person.id,
        actor: ctx.person.email,
        action: "open_notion_webhook_setup",
        target: connection.id,
        details: { expiresAt: expiresAt.toISOString() },
      });
    });
    return {
      connectionId: connection.id,
      webhookUrl: webhookUrlOf(ctx, connection),
      expiresAt: expiresAt.toISOString(),
    };
  },
});

export const getNotionWebhookToken = defineAction({
  name: "get_notion_webhook_token",
  title: "Show the captured Notion webhook token",
  description:
    "Shows where a Notion connection's webhook set-up stands: waiting (a set-up window is open and Notion has not sent its token yet), captured (the token arrived: paste it into Notion's Verify dialog; shown only to the admin who opened the window), verified (Notion's signed events match it), configured (given by env or connect_notion), or closed (no window open; open one with open_notion_webhook_setup).",
  input: z.object({
    connection: ConnectionId.optional().describe(
      "The Notion connection; may be left out when the workspace has one",
    ),
  }),
  output: z.object({
    connectionId: z.uuid(),
    state: z.enum(["waiting", "captured", "verified", "configured", "closed"]),
    token: z
      .string()
      .nullable()
      .describe(
        "The verification token to paste into Notion (state captured, for the admin who opened the window)",
      ),
    webhookUrl: z.string(),
    expiresAt: z.string().nullable().describe("When the open set-up window closes"),
    capturedAt: z.string().nullable(),
  }),
  scope: "admin",
  annotations: { readOnlyHint: true },
  async run(ctx, input) {
    const connection = await notionConnection(ctx, input.connection);
    const now = ctx.services.now().getTime();
    const open = connection.webhookSetupUntil !== null && Date.parse(connection.webhookSetupUntil) > now;
    const state = connection.webhookSecretSource ?? (open ? ("waiting" as const) : ("closed" as const));
    let token: string | null = null;
    if (state === "captured" && connection.webhookSetupBy === ctx.person.id) {
      const sealed = await ctx.services.db.scoped(ctx.workspace.id, (tx) => sealedSecrets(tx, connection.id));
      token = sealed?.webhookSecret ? ctx.services.secrets.open(sealed.webhookSecret) : null;
    }
    return {
      connectionId: connection.id,
      state,
      token,
      webhookUrl: webhookUrlOf(ctx, connection),
      expiresAt: open ? connection.webhookSetupUntil : null,
      capturedAt: connection.webhookCapturedAt,
    };
  },
});

export const connectionActions: AnyAction[] = [
  connectNotion,
  connectJira,
  connectGoogle,
  connectCaldav,
  connectIcs,
  listConnections,
  syncNow,
  disconnect,
  openNotionWebhookSetup,
  getNotionWebhookToken,
];
