/**
 * Notion (API version 2025-09-03, data sources) through @notionhq/client v5.
 * Pull: each data source shared with the integration is a scope, queried by `last_edited_time` (on_or_after
 * the cursor minus an overlap, since Notion rounds edit times to the minute), 100 per page. Pages moved to
 * the trash are picked up by a trash pass every `trashCheckMinutes`, by webhooks, and by the engine's full
 * resync. Push: marks a page Done (status option of the "Complete" group, or the Done checkbox).
 */

import { createHmac } from "node:crypto";
import {
  APIResponseError,
  Client,
  isHTTPResponseError,
  LogLevel,
  RequestTimeoutError,
} from "@notionhq/client";
import { z } from "zod";
import type { Config } from "../../engine/config.ts";
import { sameSecret } from "../../engine/security/constant-time.ts";
import {
  type Connector,
  type ConnectorContext,
  type PullPage,
  type ScopeMapping,
  type SubtaskToWrite,
  type SyncScope,
  TransientProviderError,
} from "../../engine/sync/connector.ts";
import { errorForStatus, retryAfterMs } from "../../engine/sync/http.ts";
import { notionActions } from "./actions.ts";
import { notionCli, notionConnect, notionDocs, notionEnv, notionVariables } from "./connect.ts";
import {
  detectProperties,
  inferEstimateUnit,
  NotionPage,
  PropertyMap,
  pageToTask,
  resolveEstimateUnit,
  sizeProperties,
} from "./properties.ts";

export const NOTION_VERSION = "2025-09-03";
const DEFAULT_API_URL = "https://api.notion.com";

export const NotionCredentials = z.object({
  token: z.string().min(1, "the Notion integration secret is required"),
});
export type NotionCredentials = z.infer<typeof NotionCredentials>;

export const NotionSettings = z.object({
  /** API root (NOTION_API_URL), for proxies and tests. */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Sync only these data sources; default: every data source shared with the integration. */
  dataSourceIds: z.array(z.string().min(1)).optional(),
  /** Sync the data sources of these databases. */
  databaseIds: z.array(z.string().min(1)).optional(),
  /** Task field → property name, overriding detection. */
  propertyMap: PropertyMap.optional(),
  /** The status option that means done, when it is not named like "Done". */
  doneStatus: z.string().min(1).optional(),
  /**
   * Unit of the estimate number property. Default: what the property's name or description says ("min",
   * "minutes", "(m)" / "h", "hours", "hrs"), else hours.
   */
  estimateUnit: z.enum(["hours", "minutes"]).optional(),
  /** Re-read this many minutes before the cursor (edit times are minute-precise). Default 2. */
  overlapMinutes: z.number().int().min(0).max(1440).default(2),
  /** How often an incremental sync also looks for pages moved to the trash. Default 60 minutes. */
  trashCheckMinutes: z.number().int().min(0).max(10080).default(60),
});
export type NotionSettings = z.infer<typeof NotionSettings>;

const Cursor = z.object({
  since: z.string().nullable(),
  next: z.string().nullable(),
  maxEdited: z.string().nullable(),
  phase: z.enum(["live", "trash"]),
  trashCheckedAt: z.string().nullable(),
  passStartedAt: z.string().nullable().default(null),
});
type Cursor = z.infer<typeof Cursor>;

const initialCursor: Cursor = {
  since: null,
  next: null,
  maxEdited: null,
  phase: "live",
  trashCheckedAt: null,
  passStartedAt: null,
};

type Ctx = ConnectorContext<NotionCredentials, NotionSettings>;

/** Dashed lowercase UUID form, as Notion returns ids. */
export function notionId(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return id;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function clientFor(ctx: Ctx): Client {
  return new Client({
    auth: ctx.credentials.token,
    baseUrl: (ctx.settings.apiUrl ?? DEFAULT_API_URL).replace(/\/$/, ""),
    notionVersion: NOTION_VERSION,
    fetch: ctx.fetch as unknown as NonNullable<ConstructorParameters<typeof Client>[0]>["fetch"],
    retry: false,
    logLevel: LogLevel.WARN,
    logger: (level, message, extraInfo) => {
      const safe = { ...extraInfo };
      delete safe.headers;
      if (level === LogLevel.ERROR) ctx.log.warn({ notion: safe }, message);
      else ctx.log.debug({ notion: safe }, message);
    },
  });
}

/** Notion client errors → the engine's provider errors. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RequestTimeoutError) throw new TransientProviderError("Notion timed out");
    if (isHTTPResponseError(error)) {
      const header =
        error.headers && typeof (error.headers as Headers).get === "function"
          ? (error.headers as Headers).get("retry-after")
          : undefined;
      throw errorForStatus("Notion", error.status, error.message, retryAfterMs(header));
    }
    throw error;
  }
}

const minutesBefore = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) - minutes * 60_000).toISOString();

const isStartCursorError = (error: unknown) =>
  error instanceof APIResponseError && error.status === 400 && /start_cursor/i.test(error.message);

async function queryPage(
  ctx: Ctx,
  client: Client,
  dataSourceId: string,
  options: { since: string | null; next: string | null; trash: boolean },
) {
  const filter = options.since
    ? {
        timestamp: "last_edited_time" as const,
        last_edited_time: { on_or_after: minutesBefore(options.since, ctx.settings.overlapMinutes) },
      }
    : undefined;
  return client.dataSources.query({
    data_source_id: dataSourceId,
    ...(filter ? { filter } : {}),
    sorts: [{ timestamp: "last_edited_time", direction: "ascending" }],
    page_size: 100,
    ...(options.next ? { start_cursor: options.next } : {}),
    ...(options.trash ? { in_trash: true } : {}),
  });
}

function maxIso(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function lastEdited(results: readonly unknown[]): string | null {
  let max: string | null = null;
  for (const item of results) {
    const edited = (item as { last_edited_time?: unknown }).last_edited_time;
    if (typeof edited === "string") max = maxIso(max, edited);
  }
  return max;
}

async function pull(ctx: Ctx, scope: SyncScope, rawCursor: string | null): Promise<PullPage> {
  const client = clientFor(ctx);
  let cursor: Cursor = initialCursor;
  if (rawCursor) {
    try {
      cursor = Cursor.parse(JSON.parse(rawCursor));
    } catch {
      cursor = initialCursor;
    }
  }
  const trash = cursor.phase === "trash";
  const since = trash ? cursor.trashCheckedAt : cursor.since;
  let response: Awaited<ReturnType<typeof queryPage>>;
  try {
    response = await call(() => queryPage(ctx, client, scope.id, { since, next: cursor.next, trash }));
  } catch (error) {
    if (!cursor.next || !isStartCursorError(error)) throw error;
    // The saved start_cursor expired: re-read this pass from its beginning (the overlap makes it safe).
    ctx.log.info({ scope: scope.id }, "Notion start_cursor expired; restarting the pass");
    cursor = { ...cursor, next: null };
    response = await call(() => queryPage(ctx, client, scope.id, { since, next: null, trash }));
  }
  const items = response.results;
  const now = ctx.now().toISOString();
  const encode = (next: Cursor) => JSON.stringify(next);
  if (response.has_more && response.next_cursor) {
    return {
      items,
      nextCursor: encode({
        ...cursor,
        next: response.next_cursor,
        maxEdited: maxIso(cursor.maxEdited, lastEdited(items)),
      }),
      hasMore: true,
      apiCalls: 1,
    };
  }
  if (trash) {
    return {
      items,
      nextCursor: encode({
        ...cursor,
        phase: "live",
        next: null,
        maxEdited: null,
        trashCheckedAt: cursor.passStartedAt ?? now,
      }),
      hasMore: false,
      apiCalls: 1,
    };
  }
  const newSince = maxIso(cursor.maxEdited, lastEdited(items)) ?? cursor.since;
  const incremental = cursor.since !== null;
  const trashDue =
    incremental &&
    (cursor.trashCheckedAt === null ||
      Date.parse(now) - Date.parse(cursor.trashCheckedAt) >= ctx.settings.trashCheckMinutes * 60_000);
  if (trashDue) {
    return {
      items,
      nextCursor: encode({
        since: newSince,
        next: null,
        maxEdited: null,
        phase: "trash",
        trashCheckedAt: cursor.trashCheckedAt,
        passStartedAt: now,
      }),
      hasMore: true,
      apiCalls: 1,
    };
  }
  return {
    items,
    nextCursor: encode({
      since: newSince,
      next: null,
      maxEdited: null,
      phase: "live",
      trashCheckedAt: incremental ? cursor.trashCheckedAt : now,
      passStartedAt: null,
    }),
    hasMore: false,
    apiCalls: 1,
  };
}

const SchemaProperties = z.record(
  z.string(),
  z.looseObject({ type: z.string(), description: z.string().nullish() }),
);

/** Which property feeds which task field, and the estimate's unit with why, from a data source's schema. */
export function mappingOf(properties: unknown, settings: NotionSettings): ScopeMapping | undefined {
  const parsed = SchemaProperties.safeParse(properties);
  if (!parsed.success) return undefined;
  const schema = parsed.data;
  const fields = detectProperties(schema, settings.propertyMap);
  const mapping: ScopeMapping = { fields: { ...fields } };
  if (fields.estimate) {
    const estimate = resolveEstimateUnit(
      settings.estimateUnit,
      fields.estimate,
      schema[fields.estimate]?.description,
    );
    mapping.estimate = { property: fields.estimate, ...estimate };
  }
  const ignored = sizeProperties(schema, settings.propertyMap).map((property) => ({
    property,
    reason: "measures size, not time: not read as an estimate unless propertyMap.estimate names it",
  }));
  if (ignored.length > 0) mapping.ignored = ignored;
  return mapping;
}

async function scopes(ctx: Ctx): Promise<SyncScope[]> {
  const client = clientFor(ctx);
  const out = new Map<string, SyncScope>();
  const add = (id: string, label: string, properties?: unknown) => {
    const mapping = properties ? mappingOf(properties, ctx.settings) : undefined;
    out.set(notionId(id), { id: notionId(id), kind: "tasks", label, ...(mapping ? { mapping } : {}) });
  };
  const titleOf = (source: unknown): string => {
    const title = (source as { title?: { plain_text?: string }[] }).title;
    return Array.isArray(title) ? title.map((part) => part.plain_text ?? "").join("") : "";
  };
  for (const id of ctx.settings.dataSourceIds ?? []) {
    const source = await call(() => client.dataSources.retrieve({ data_source_id: notionId(id) }));
    add(source.id, titleOf(source) || source.id, "properties" in source ? source.properties : undefined);
  }
  for (const id of ctx.settings.databaseIds ?? []) {
    const database = await call(() => client.databases.retrieve({ database_id: notionId(id) }));
    const sources = "data_sources" in database ? database.data_sources : [];
    for (const source of sources) {
      // The database lists its data sources without their schemas; the estimate's unit needs the schema.
      const full = await call(() => client.dataSources.retrieve({ data_source_id: source.id }));
      add(source.id, source.name || source.id, "properties" in full ? full.properties : undefined);
    }
  }
  if (!ctx.settings.dataSourceIds && !ctx.settings.databaseIds) {
    let start: string | undefined;
    do {
      const page = await call(() =>
        client.search({
          filter: { property: "object", value: "data_source" },
          page_size: 100,
          ...(start ? { start_cursor: start } : {}),
        }),
      );
      for (const result of page.results) {
        if (result.object === "data_source")
          add(
            result.id,
            titleOf(result) || result.id,
            "properties" in result ? result.properties : undefined,
          );
      }
      start = page.has_more && page.next_cursor ? page.next_cursor : undefined;
    } while (start);
  }
  return [...out.values()];
}

async function fetchItems(ctx: Ctx, scope: SyncScope, externalIds: string[]): Promise<PullPage> {
  const client = clientFor(ctx);
  const items: unknown[] = [];
  for (const id of externalIds) {
    try {
      const page = await call(() => client.pages.retrieve({ page_id: notionId(id) }));
      const parent = (page as { parent?: { data_source_id?: string } }).parent?.data_source_id;
      if (parent && notionId(parent) !== scope.id) continue;
      items.push(page);
    } catch (error) {
      if (error instanceof Error && /HTTP 404/.test(error.message)) {
        items.push({
          id: notionId(id),
          in_trash: true,
          last_edited_time: ctx.now().toISOString(),
          properties: {},
          url: null,
        });
        continue;
      }
      throw error;
    }
  }
  return { items, nextCursor: null, hasMore: false, apiCalls: externalIds.length };
}

async function completeTask(ctx: Ctx, externalId: string): Promise<void> {
  const client = clientFor(ctx);
  const page = NotionPage.parse(await call(() => client.pages.retrieve({ page_id: notionId(externalId) })));
  const fields = detectProperties(page.properties, ctx.settings.propertyMap);
  const properties: Record<string, unknown> = {};
  const statusName = fields.status;
  const statusValue = statusName ? page.properties[statusName] : undefined;
  if (statusName && statusValue) {
    const sourceId = page.parent?.data_source_id;
    let done = ctx.settings.doneStatus;
    if (!done && sourceId) {
      const source = await call(() => client.dataSources.retrieve({ data_source_id: sourceId }));
      const schema = ("properties" in source ? source.properties : {})[statusName] as
        | {
            type: string;
            status?: {
              options: { id: string; name: string }[];
              groups: { name: string; option_ids: string[] }[];
            };
            select?: { options: { name: string }[] };
          }
        | undefined;
      const options = schema?.status?.options ?? schema?.select?.options ?? [];
      const completeGroup = schema?.status?.groups.find((group) => /complete|done/i.test(group.name));
      const inGroup = completeGroup
        ? schema?.status?.options.find((option) => completeGroup.option_ids.includes(option.id))?.name
        : undefined;
      done =
        inGroup ?? options.find((option) => /^(done|complete|completed|finished)$/i.test(option.name))?.name;
    }
    if (done)
      properties[statusName] =
        statusValue.type === "select" ? { select: { name: done } } : { status: { name: done } };
  }
  if (fields.done) properties[fields.done] = { checkbox: true };
  if (Object.keys(properties).length === 0) {
    throw new Error(
      `Notion page ${externalId} has no status or checkbox property Cairn can set to done; set propertyMap.status or propertyMap.done.`,
    );
  }
  await call(() =>
    client.pages.update({
      page_id: notionId(externalId),
      properties: properties as Parameters<Client["pages"]["update"]>[0]["properties"],
    }),
  );
}

/** A due instant as Notion shows it: the end of a UTC day is that date (how date-only values are read). */
function notionDate(due: string): string {
  return /T23:59:59(\.0+)?Z$/.test(due) ? due.slice(0, 10) : due;
}

/** A sub-item: a page in the parent's data source whose "Parent item" relation names the parent. */
async function createSubtask(
  ctx: Ctx,
  parent: { externalId: string; scope: SyncScope },
  subtask: SubtaskToWrite,
): Promise<{ externalId: string; url: string | null }> {
  const client = clientFor(ctx);
  const parentPage = NotionPage.parse(
    await call(() => client.pages.retrieve({ page_id: notionId(parent.externalId) })),
  );
  const dataSourceId = parentPage.parent?.data_source_id ?? parent.scope.id;
  const source = await call(() => client.dataSources.retrieve({ data_source_id: dataSourceId }));
  const schema = SchemaProperties.parse("properties" in source ? source.properties : {});
  const fields = detectProperties(schema, ctx.settings.propertyMap);
  if (!fields.title) throw new Error(`Notion data source ${dataSourceId} has no title property.`);
  if (!fields.parent) {
    throw new Error(
      `Notion data source ${dataSourceId} has no "Parent item" relation: turn on sub-items for it, or set propertyMap.parent.`,
    );
  }
  const properties: Record<string, unknown> = {
    [fields.title]: { title: [{ type: "text", text: { content: subtask.title.slice(0, 2000) } }] },
    [fields.parent]: { relation: [{ id: parentPage.id }] },
  };
  if (subtask.due && fields.due) properties[fields.due] = { date: { start: notionDate(subtask.due) } };
  if (subtask.estimateMinutes && fields.estimate) {
    const { unit } = resolveEstimateUnit(
      ctx.settings.estimateUnit,
      fields.estimate,
      schema[fields.estimate]?.description,
    );
    properties[fields.estimate] = {
      number:
        unit === "hours" ? Math.round((subtask.estimateMinutes / 60) * 100) / 100 : subtask.estimateMinutes,
    };
  }
  if (subtask.tags.length && fields.tags) {
    properties[fields.tags] = {
      multi_select: subtask.tags.map((name) => ({ name: name.replaceAll(",", " ") })),
    };
  }
  if (subtask.description && fields.description) {
    properties[fields.description] = {
      rich_text: [{ type: "text", text: { content: subtask.description.slice(0, 2000) } }],
    };
  }
  const created = NotionPage.parse(
    await call(() =>
      client.pages.create({
        parent: { type: "data_source_id", data_source_id: dataSourceId },
        properties: properties as Parameters<Client["pages"]["create"]>[0]["properties"],
      }),
    ),
  );
  return { externalId: created.id, url: created.url ?? null };
}

function verify(
  request: { headers: Record<string, string | undefined>; rawBody: Buffer },
  secret: string,
): boolean {
  const given = request.headers["x-notion-signature"];
  if (!given) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(request.rawBody).digest("hex")}`;
  return sameSecret(given, expected);
}

const WebhookEvent = z.looseObject({
  type: z.string(),
  entity: z.looseObject({ id: z.string(), type: z.string() }).optional(),
  data: z
    .looseObject({
      parent: z
        .looseObject({
          id: z.string().optional(),
          type: z.string().optional(),
          data_source_id: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
});

function fromEnv(config: Config) {
  const env = notionVariables(config);
  if (!env.NOTION_TOKEN) return [];
  return [
    {
      name: "Notion",
      credentials: { token: env.NOTION_TOKEN },
      settings: NotionSettings.parse({
        ...(env.NOTION_API_URL ? { apiUrl: env.NOTION_API_URL } : {}),
        ...(env.NOTION_DATA_SOURCE_ID ? { dataSourceIds: [env.NOTION_DATA_SOURCE_ID] } : {}),
        ...(env.NOTION_DATABASE_ID ? { databaseIds: [env.NOTION_DATABASE_ID] } : {}),
        ...(env.NOTION_ESTIMATE_UNIT ? { estimateUnit: env.NOTION_ESTIMATE_UNIT } : {}),
      }),
      ...(env.NOTION_WEBHOOK_SECRET ? { webhookSecret: env.NOTION_WEBHOOK_SECRET } : {}),
    },
  ];
}

/** The connection's setting, else the unit the scope's schema states, else the page's property name, else hours. */
function estimateUnitFor(page: NotionPage, scope: SyncScope, settings: NotionSettings): "minutes" | "hours" {
  if (settings.estimateUnit) return settings.estimateUnit;
  if (scope.mapping?.estimate) return scope.mapping.estimate.unit;
  const property = detectProperties(page.properties, settings.propertyMap).estimate;
  return (property ? inferEstimateUnit(property, undefined)?.unit : undefined) ?? "hours";
}

/** A Notion page's URL names it by its id after a title slug that changes: the id is the identity. */
export function notionPageIdentity(url: URL): string | undefined {
  const host = url.hostname.toLowerCase().replace(/^www\./, "");
  if (host !== "notion.so" && !host.endsWith(".notion.so") && !host.endsWith(".notion.site"))
    return undefined;
  const id = /([0-9a-f]{32})(?:[?#/]|$)/i.exec(url.pathname.replaceAll("-", ""))?.[1];
  return id ? `notion:${id.toLowerCase()}` : undefined;
}

export const notionConnector: Connector<NotionCredentials, NotionSettings> = {
  kind: "notion",
  linkIdentity: notionPageIdentity,
  title: "Notion",
  /** Notion documents an average of 3 requests/s per integration. */
  limits: { perSecond: 3, burst: 6 },
  env: notionEnv,
  connect: notionConnect,
  cli: notionCli,
  docs: notionDocs,
  actions: notionActions,
  credentials: NotionCredentials,
  settings: NotionSettings,
  scopes,
  reusablePageCursors: true,
  pull,
  fetchItems,
  normalize(raw, scope, settings) {
    const page = NotionPage.safeParse(raw);
    if (!page.success) {
      throw new Error(
        `not a Notion page: ${page.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    return {
      type: "task",
      task: pageToTask(page.data, {
        ...(settings.propertyMap ? { propertyMap: settings.propertyMap } : {}),
        ...(settings.doneStatus ? { doneStatus: settings.doneStatus } : {}),
        estimateUnit: estimateUnitFor(page.data, scope, settings),
      }),
    };
  },
  completeTask,
  createSubtask,
  fromEnv,
  webhook: {
    verify,
    handle(request) {
      const body = request.body as Record<string, unknown> | undefined;
      if (body && typeof body.verification_token === "string" && body.type === undefined) {
        return {
          kind: "handshake",
          respond: { status: 200, body: {} },
          verificationToken: body.verification_token,
        };
      }
      const event = WebhookEvent.safeParse(body);
      if (!event.success) return { kind: "ignore", reason: "not a Notion event" };
      if (!event.data.type.startsWith("page.") || !event.data.entity) {
        return { kind: "ignore", reason: `event ${event.data.type} needs no sync` };
      }
      const parent = event.data.data?.parent;
      const sourceId = parent?.data_source_id ?? (parent?.type === "data_source" ? parent.id : undefined);
      return {
        kind: "sync",
        ...(sourceId ? { scopeIds: [notionId(sourceId)] } : {}),
        externalIds: [notionId(event.data.entity.id)],
      };
    },
  },
};

export default notionConnector;
