/**
 * A local fake of the Notion API (version 2025-09-03, the data-sources model) for @notionhq/client v5.
 *
 * Speaks: POST /v1/search, GET /v1/databases/:id, GET /v1/data_sources/:id, POST /v1/data_sources/:id/query,
 * GET|PATCH /v1/pages/:id, POST /v1/pages, GET /v1/users/me. Bearer auth, `Notion-Version` required,
 * Notion's error body `{object:"error", status, code, message, request_id}`, cursor pagination with
 * `start_cursor` / `next_cursor` / `has_more` (page_size ≤ 100), and `last_edited_time` truncated to the
 * minute as the real API does (so incremental filters must use `on_or_after` and tolerate overlap).
 *
 * Data lives in Maps keyed by id; values are stored as plain values and rendered into Notion's property
 * value shapes on read, so 5,000+ pages stay cheap.
 */
import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import { z } from "zod";
import {
  createFakeApp,
  type FailNextOptions,
  type FakeServerBase,
  type Fault,
  hmacSha256Signature,
  isRecord,
  listen,
  monotonicClock,
  pick,
  postRaw,
  seededRandom,
  uuidFrom,
} from "./common.ts";

export type { RecordedRequest } from "./common.ts";

export const NOTION_VERSION = "2025-09-03";

// ---------------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------------

export type NotionPropertyType =
  | "title"
  | "rich_text"
  | "status"
  | "select"
  | "multi_select"
  | "checkbox"
  | "date"
  | "number"
  | "people"
  | "relation"
  | "url"
  | "created_time"
  | "last_edited_time";

export interface NotionDateValue {
  start: string;
  end?: string | null;
  time_zone?: string | null;
}

/**
 * A page property value in its plain form (what seeds and `editPage` accept):
 * title/rich_text/url → string, status/select → option name, multi_select → names, checkbox → boolean,
 * date → `{start, end?}` or an ISO string, number → number, people → user ids, relation → page ids.
 */
export type PlainValue = string | number | boolean | null | string[] | NotionDateValue;

export interface SelectOption {
  id: string;
  name: string;
  color: string;
  description: string | null;
}

export interface PropertySchema {
  id: string;
  name: string;
  type: NotionPropertyType;
  /** Options for status / select / multi_select. */
  options?: SelectOption[];
  /** Status groups (status only). */
  groups?: { id: string; name: string; color: string; option_ids: string[] }[];
  /** Target data source of a relation (defaults to the data source itself). */
  relationDataSourceId?: string;
  /**
   * A two-way ("dual_property") relation: the name of its twin in the target data source, kept in step
   * (sub-items: "Parent item" is synced with "Sub-item").
   */
  syncedPropertyName?: string;
  /** The property's description, as people write it in Notion ("Minutes", "in hours"). */
  description?: string | null;
}

/** A short schema spec: property name → type, or type + option names. */
export type SchemaSpec = Record<
  string,
  | NotionPropertyType
  | {
      type: NotionPropertyType;
      options?: string[];
      relationDataSourceId?: string;
      description?: string;
      /** Relations only: the twin property of a two-way relation (e.g. "Sub-item" for "Parent item"). */
      syncedWith?: string;
    }
>;

export interface NotionUser {
  id: string;
  name: string;
  email: string;
}

export interface FakeDatabase {
  id: string;
  title: string;
  dataSourceIds: string[];
  createdTime: Date;
  lastEditedTime: Date;
}

export interface FakeDataSource {
  id: string;
  databaseId: string;
  name: string;
  properties: Map<string, PropertySchema>;
  createdTime: Date;
  lastEditedTime: Date;
  inTrash: boolean;
}

export interface FakePage {
  id: string;
  dataSourceId: string;
  createdTime: Date;
  lastEditedTime: Date;
  inTrash: boolean;
  values: Map<string, PlainValue>;
  createdBy: string;
  lastEditedBy: string;
}

export interface AddPageInput {
  id?: string;
  properties?: Record<string, PlainValue>;
  createdTime?: Date | string;
  lastEditedTime?: Date | string;
  inTrash?: boolean;
}

export interface GeneratePagesOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** created/last_edited times start here and advance `stepMinutes` per page (default now − n×step). */
  startTime?: Date | string;
  stepMinutes?: number;
  /** Fraction of pages with a "Blocked by" relation to an earlier page (default 0.1). */
  relationRate?: number;
}

export interface FakeNotionOptions {
  /** Accepted bearer token (default `ntn_fake_token`). */
  token?: string;
  /** Clock for created/edited stamps (default real time). Made monotonic internally. */
  now?: () => Date;
  /**
   * Precision of `last_edited_time` / `created_time` in responses and filters: "minute" like the real API
   * (default) or "millisecond".
   */
  timestampPrecision?: "minute" | "millisecond";
  /** Record requests in `requests` (default true). */
  recordRequests?: boolean;
  /** Name of the workspace the bot belongs to (default "Cairn Test Workspace"). */
  workspaceName?: string;
  /** Caps every page the API returns at this many results, whatever page_size asks (to force paging). */
  maxPageSize?: number;
}

export interface FakeNotionState {
  readonly token: string;
  readonly users: Map<string, NotionUser>;
  readonly databases: Map<string, FakeDatabase>;
  readonly dataSources: Map<string, FakeDataSource>;
  readonly pages: Map<string, FakePage>;
  /** The bot user the token belongs to. */
  readonly botId: string;
  addUser(user: Partial<NotionUser>): NotionUser;
  /** A database with one data source per entry (default: one "Tasks" data source with `defaultTaskSchema`). */
  addDatabase(input?: {
    id?: string;
    title?: string;
    dataSources?: { id?: string; name?: string; schema?: SchemaSpec }[];
  }): { database: FakeDatabase; dataSources: FakeDataSource[] };
  addDataSource(
    databaseId: string,
    input?: { id?: string; name?: string; schema?: SchemaSpec },
  ): FakeDataSource;
  addPage(dataSourceId: string, input?: AddPageInput): FakePage;
  /** N realistic task pages with every property filled in, deterministic for a given seed. */
  generatePages(dataSourceId: string, count: number, options?: GeneratePagesOptions): FakePage[];
  /** Sets plain values (by property name or id) and bumps last_edited_time. */
  editPage(pageId: string, values: Record<string, PlainValue>): FakePage;
  /** Moves a page to the trash (in_trash/archived true), bumping last_edited_time. */
  trashPage(pageId: string): FakePage;
  restorePage(pageId: string): FakePage;
  /** Removes a page entirely (later GETs answer 404). */
  deletePage(pageId: string): void;
  /** The integration's token is revoked: every request answers 401 `unauthorized` from now on. */
  revokeToken(): void;
  /** The page as GET /v1/pages/:id would return it. */
  renderPage(pageId: string): NotionPageJson;
  /** Make the next matching requests fail (default: one 429 with Retry-After: 1 and `rate_limited`). */
  failNext(options?: FailNextOptions): void;
  /** Forget queued faults. */
  clearFaults(): void;
}

export interface FakeNotion extends FakeServerBase {
  state: FakeNotionState;
}

/** Property value as rendered in a page response. */
export type NotionPropertyValueJson = { id: string; type: NotionPropertyType } & Record<string, unknown>;

export interface NotionPageJson {
  object: "page";
  id: string;
  created_time: string;
  last_edited_time: string;
  created_by: { object: "user"; id: string };
  last_edited_by: { object: "user"; id: string };
  cover: null;
  icon: null;
  parent: { type: "data_source_id"; data_source_id: string; database_id: string };
  in_trash: boolean;
  archived: boolean;
  is_locked: boolean;
  properties: Record<string, NotionPropertyValueJson>;
  url: string;
  public_url: null;
}

/** The task schema Cairn expects by default. */
export const defaultTaskSchema: SchemaSpec = {
  Name: "title",
  Status: { type: "status", options: ["Not started", "In progress", "Done"] },
  Priority: { type: "select", options: ["High", "Medium", "Low"] },
  Tags: { type: "multi_select", options: ["deep-work", "admin", "review", "writing", "errand"] },
  Done: "checkbox",
  Due: "date",
  Estimate: "number",
  Assignee: "people",
  "Blocked by": "relation",
  Link: "url",
  Notes: "rich_text",
  "Last edited": "last_edited_time",
};

const COLORS = ["default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"];

class NotionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function errorBody(status: number, code: string, message: string) {
  return { object: "error", status, code, message, request_id: randomUUID() };
}

function faultBody(fault: Fault): unknown {
  switch (fault.status) {
    case 429:
      return errorBody(429, "rate_limited", "You have been rate limited. Please try again in a few minutes.");
    case 401:
      return errorBody(401, "unauthorized", "API token is invalid.");
    case 409:
      return errorBody(409, "conflict_error", "Conflict occurred while saving. Please try again.");
    case 502:
      return errorBody(502, "bad_gateway", "Bad gateway.");
    case 503:
      return errorBody(503, "service_unavailable", "Notion is unavailable, please try again later.");
    case 504:
      return errorBody(504, "gateway_timeout", "Notion timed out while processing the request.");
    default:
      return errorBody(fault.status, "internal_server_error", "Unexpected error occurred.");
  }
}

function toDate(value: Date | string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  return value instanceof Date ? value : new Date(value);
}

function richText(content: string) {
  return {
    type: "text",
    text: { content, link: null },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: "default",
    },
    plain_text: content,
    href: null,
  };
}

function shortId(random: () => number): string {
  // Notion property ids are short URL-encoded strings like "%3AUPp".
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < 4; i++) s += alphabet[Math.floor(random() * alphabet.length)] ?? "x";
  return s;
}

function compact(id: string): string {
  return id.replaceAll("-", "");
}

/** Accepts dashed or undashed UUIDs, like the real API. */
function normalizeId(id: string): string {
  const s = id.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(s)) return id;
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function asDateValue(value: PlainValue | undefined): NotionDateValue | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return { start: value, end: null, time_zone: null };
  if (typeof value === "object" && !Array.isArray(value) && typeof value.start === "string") {
    return { start: value.start, end: value.end ?? null, time_zone: value.time_zone ?? null };
  }
  return null;
}

function asStringList(value: PlainValue | undefined): string[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string" && value !== "") return [value];
  return [];
}

function asString(value: PlainValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** Milliseconds for an ISO date or date-time string (date-only means UTC midnight). */
function dateMs(value: string): number {
  return new Date(value.length === 10 ? `${value}T00:00:00.000Z` : value).getTime();
}

// ---------------------------------------------------------------------------------------------------
// Request schemas (zod)
// ---------------------------------------------------------------------------------------------------

const SortSchema = z.union([
  z.object({ property: z.string(), direction: z.enum(["ascending", "descending"]) }),
  z.object({
    timestamp: z.enum(["created_time", "last_edited_time"]),
    direction: z.enum(["ascending", "descending"]),
  }),
]);

const QueryBody = z.object({
  filter: z.unknown().optional(),
  sorts: z.array(SortSchema).optional(),
  start_cursor: z.string().optional(),
  page_size: z.number().int().min(1).max(100).optional(),
  in_trash: z.boolean().optional(),
  archived: z.boolean().optional(),
  result_type: z.string().optional(),
});

const SearchBody = z.object({
  query: z.string().optional(),
  filter: z.object({ property: z.literal("object"), value: z.enum(["page", "data_source"]) }).optional(),
  sort: z
    .object({ timestamp: z.literal("last_edited_time"), direction: z.enum(["ascending", "descending"]) })
    .optional(),
  start_cursor: z.string().optional(),
  page_size: z.number().int().min(1).max(100).optional(),
});

const PageUpdateBody = z.object({
  properties: z.record(z.string(), z.unknown()).optional(),
  in_trash: z.boolean().optional(),
  archived: z.boolean().optional(),
  icon: z.unknown().optional(),
  cover: z.unknown().optional(),
  is_locked: z.boolean().optional(),
});

const PageCreateBody = z.object({
  parent: z.union([
    z.object({ data_source_id: z.string(), type: z.literal("data_source_id").optional() }),
    z.object({ database_id: z.string(), type: z.literal("database_id").optional() }),
  ]),
  properties: z.record(z.string(), z.unknown()).default({}),
  icon: z.unknown().optional(),
  cover: z.unknown().optional(),
  children: z.array(z.unknown()).optional(),
});

const RichTextInput = z.array(
  z.union([z.object({ text: z.object({ content: z.string() }) }), z.object({ plain_text: z.string() })]),
);
const OptionRef = z.union([z.object({ name: z.string() }), z.object({ id: z.string() })]);
const IdRef = z.object({ id: z.string() });
const DateInput = z
  .object({
    start: z.string(),
    end: z.string().nullable().optional(),
    time_zone: z.string().nullable().optional(),
  })
  .nullable();

function validationError(message: string): NotionError {
  return new NotionError(400, "validation_error", message);
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue ? [what, ...issue.path.map(String)].join(".") : what;
    throw validationError(`${path} ${issue?.message ?? "is invalid"}.`);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------------

export async function startFakeNotion(options: FakeNotionOptions = {}): Promise<FakeNotion> {
  const token = options.token ?? "ntn_fake_token";
  const clock = monotonicClock(options.now ?? (() => new Date()));
  const precision = options.timestampPrecision ?? "minute";
  const workspaceName = options.workspaceName ?? "Cairn Test Workspace";
  const maxPageSize = options.maxPageSize ?? 100;
  let tokenRevoked = false;
  const idRandom = seededRandom(0x5eed);
  const { app, requests, faults } = createFakeApp({
    faultBody,
    ...(options.recordRequests === undefined ? {} : { recordRequests: options.recordRequests }),
  });

  const users = new Map<string, NotionUser>();
  const databases = new Map<string, FakeDatabase>();
  const dataSources = new Map<string, FakeDataSource>();
  const pages = new Map<string, FakePage>();
  /** Page ids per data source, in insertion order. */
  const pagesBySource = new Map<string, string[]>();
  const botId = uuidFrom(idRandom);

  const stamp = (d: Date): number =>
    precision === "minute" ? Math.floor(d.getTime() / 60000) * 60000 : d.getTime();
  const iso = (d: Date): string => new Date(stamp(d)).toISOString();

  // -- schema helpers --------------------------------------------------------------------------------

  function makeOptions(names: string[]): SelectOption[] {
    return names.map((name, i) => ({
      id: shortId(idRandom),
      name,
      color: COLORS[(i + 1) % COLORS.length] ?? "default",
      description: null,
    }));
  }

  function buildSchema(spec: SchemaSpec, dataSourceId: string): Map<string, PropertySchema> {
    const out = new Map<string, PropertySchema>();
    let hasTitle = false;
    for (const [name, entry] of Object.entries(spec)) {
      const type = typeof entry === "string" ? entry : entry.type;
      const optionNames = typeof entry === "string" ? undefined : entry.options;
      const schema: PropertySchema = { id: type === "title" ? "title" : shortId(idRandom), name, type };
      if (typeof entry !== "string" && entry.description !== undefined)
        schema.description = entry.description;
      if (type === "title") hasTitle = true;
      if (type === "status") {
        const opts = makeOptions(optionNames ?? ["Not started", "In progress", "Done"]);
        const first = opts[0];
        const last = opts[opts.length - 1];
        const middle = opts.slice(1, -1);
        schema.options = opts;
        schema.groups = [
          { id: shortId(idRandom), name: "To-do", color: "gray", option_ids: first ? [first.id] : [] },
          { id: shortId(idRandom), name: "In progress", color: "blue", option_ids: middle.map((o) => o.id) },
          { id: shortId(idRandom), name: "Complete", color: "green", option_ids: last ? [last.id] : [] },
        ];
      } else if (type === "select" || type === "multi_select") {
        schema.options = makeOptions(optionNames ?? []);
      } else if (type === "relation") {
        schema.relationDataSourceId =
          (typeof entry === "string" ? undefined : entry.relationDataSourceId) ?? dataSourceId;
        if (typeof entry !== "string" && entry.syncedWith) schema.syncedPropertyName = entry.syncedWith;
      }
      out.set(name, schema);
    }
    if (!hasTitle) throw new Error("A Notion data source needs exactly one title property");
    return out;
  }

  function renderSchema(schema: PropertySchema): Record<string, unknown> {
    const base = {
      id: schema.id,
      name: schema.name,
      type: schema.type,
      description: schema.description ?? null,
    };
    switch (schema.type) {
      case "status":
        return { ...base, status: { options: schema.options ?? [], groups: schema.groups ?? [] } };
      case "select":
        return { ...base, select: { options: schema.options ?? [] } };
      case "multi_select":
        return { ...base, multi_select: { options: schema.options ?? [] } };
      case "number":
        return { ...base, number: { format: "number" } };
      case "relation": {
        const target = dataSources.get(schema.relationDataSourceId ?? "");
        return {
          ...base,
          relation: {
            database_id: target?.databaseId ?? "",
            data_source_id: schema.relationDataSourceId ?? "",
            ...(schema.syncedPropertyName
              ? {
                  type: "dual_property",
                  dual_property: {
                    synced_property_name: schema.syncedPropertyName,
                    synced_property_id:
                      dataSources
                        .get(schema.relationDataSourceId ?? "")
                        ?.properties.get(schema.syncedPropertyName)?.id ?? "",
                  },
                }
              : { type: "single_property", single_property: {} }),
          },
        };
      }
      default:
        return { ...base, [schema.type]: {} };
    }
  }

  function findProperty(source: FakeDataSource, key: string): PropertySchema | undefined {
    const byName = source.properties.get(key);
    if (byName) return byName;
    const decoded = safeDecode(key);
    for (const p of source.properties.values()) if (p.id === key || p.id === decoded) return p;
    return undefined;
  }

  function titleProperty(source: FakeDataSource): PropertySchema {
    for (const p of source.properties.values()) if (p.type === "title") return p;
    throw new Error("data source without title");
  }

  /** Validates a plain value against a property schema, adding select options on the fly like Notion. */
  function coerce(schema: PropertySchema, value: PlainValue): PlainValue {
    switch (schema.type) {
      case "title":
      case "rich_text":
        return asString(value) ?? "";
      case "url":
        return asString(value);
      case "status": {
        const name = asString(value);
        if (name === null) return null;
        if (!schema.options?.some((o) => o.name === name)) {
          throw validationError(`Invalid status option. Status option "${name}" does not exist".`);
        }
        return name;
      }
      case "select": {
        const name = asString(value);
        if (name !== null) ensureOption(schema, name);
        return name;
      }
      case "multi_select": {
        const names = asStringList(value);
        for (const n of names) ensureOption(schema, n);
        return names;
      }
      case "checkbox":
        return value === true;
      case "number":
        if (value === null || typeof value === "number") return value;
        throw validationError(`${schema.name} is expected to be number.`);
      case "date":
        return asDateValue(value);
      case "people":
      case "relation":
        return asStringList(value).map(normalizeId);
      case "created_time":
      case "last_edited_time":
        throw validationError(`${schema.name} is a read-only property.`);
    }
  }

  function ensureOption(schema: PropertySchema, name: string): void {
    schema.options ??= [];
    if (schema.options.some((o) => o.name === name)) return;
    schema.options.push({
      id: shortId(idRandom),
      name,
      color: COLORS[schema.options.length % COLORS.length] ?? "default",
      description: null,
    });
  }

  function optionJson(schema: PropertySchema, name: string | null) {
    if (name === null) return null;
    const option = schema.options?.find((o) => o.name === name);
    return { id: option?.id ?? shortId(idRandom), name, color: option?.color ?? "default" };
  }

  function userJson(id: string) {
    const user = users.get(id);
    if (!user) return { object: "user", id };
    return {
      object: "user",
      id,
      name: user.name,
      avatar_url: null,
      type: "person",
      person: { email: user.email },
    };
  }

  function renderValue(page: FakePage, schema: PropertySchema): NotionPropertyValueJson {
    const value = page.values.get(schema.name);
    const base = { id: schema.id, type: schema.type };
    switch (schema.type) {
      case "title":
      case "rich_text": {
        const text = asString(value) ?? "";
        return { ...base, [schema.type]: text === "" ? [] : [richText(text)] };
      }
      case "url":
        return { ...base, url: asString(value) };
      case "status":
      case "select":
        return { ...base, [schema.type]: optionJson(schema, asString(value)) };
      case "multi_select":
        return {
          ...base,
          multi_select: asStringList(value).map((n) => optionJson(schema, n)),
        };
      case "checkbox":
        return { ...base, checkbox: value === true };
      case "number":
        return { ...base, number: typeof value === "number" ? value : null };
      case "date": {
        const d = asDateValue(value);
        return {
          ...base,
          date: d ? { start: d.start, end: d.end ?? null, time_zone: d.time_zone ?? null } : null,
        };
      }
      case "people":
        return { ...base, people: asStringList(value).map(userJson) };
      case "relation":
        return { ...base, relation: asStringList(value).map((id) => ({ id })), has_more: false };
      case "created_time":
        return { ...base, created_time: iso(page.createdTime) };
      case "last_edited_time":
        return { ...base, last_edited_time: iso(page.lastEditedTime) };
    }
  }

  function pageUrl(page: FakePage, source: FakeDataSource): string {
    const title = asString(page.values.get(titleProperty(source).name)) ?? "";
    const slug = title
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60);
    return `https://www.notion.so/${slug ? `${slug}-` : ""}${compact(page.id)}`;
  }

  function renderPage(page: FakePage): NotionPageJson {
    const source = dataSources.get(page.dataSourceId);
    if (!source) throw new Error(`page ${page.id} has no data source`);
    const properties: Record<string, NotionPropertyValueJson> = {};
    for (const schema of source.properties.values()) properties[schema.name] = renderValue(page, schema);
    return {
      object: "page",
      id: page.id,
      created_time: iso(page.createdTime),
      last_edited_time: iso(page.lastEditedTime),
      created_by: { object: "user", id: page.createdBy },
      last_edited_by: { object: "user", id: page.lastEditedBy },
      cover: null,
      icon: null,
      parent: { type: "data_source_id", data_source_id: source.id, database_id: source.databaseId },
      in_trash: page.inTrash,
      archived: page.inTrash,
      is_locked: false,
      properties,
      url: pageUrl(page, source),
      public_url: null,
    };
  }

  function renderDataSource(source: FakeDataSource) {
    const database = databases.get(source.databaseId);
    const properties: Record<string, unknown> = {};
    for (const schema of source.properties.values()) properties[schema.name] = renderSchema(schema);
    return {
      object: "data_source",
      id: source.id,
      created_time: iso(source.createdTime),
      last_edited_time: iso(source.lastEditedTime),
      created_by: { object: "user", id: botId },
      last_edited_by: { object: "user", id: botId },
      title: [richText(source.name)],
      description: [],
      icon: null,
      cover: null,
      properties,
      parent: { type: "database_id", database_id: source.databaseId },
      database_parent: { type: "workspace", workspace: true },
      is_inline: false,
      in_trash: source.inTrash,
      archived: source.inTrash,
      url: `https://www.notion.so/${compact(database?.id ?? source.databaseId)}`,
      public_url: null,
    };
  }

  function renderDatabase(database: FakeDatabase) {
    return {
      object: "database",
      id: database.id,
      created_time: iso(database.createdTime),
      last_edited_time: iso(database.lastEditedTime),
      title: [richText(database.title)],
      description: [],
      icon: null,
      cover: null,
      parent: { type: "workspace", workspace: true },
      is_inline: false,
      in_trash: false,
      archived: false,
      is_locked: false,
      data_sources: database.dataSourceIds.map((id) => ({ id, name: dataSources.get(id)?.name ?? "" })),
      url: `https://www.notion.so/${compact(database.id)}`,
      public_url: null,
    };
  }

  // -- filters & sorts -------------------------------------------------------------------------------

  function compareDates(actual: number | null, condition: Record<string, unknown>): boolean {
    for (const [op, raw] of Object.entries(condition)) {
      if (op === "is_empty") return raw === true ? actual === null : actual !== null;
      if (op === "is_not_empty") return raw === true ? actual !== null : actual === null;
      if (typeof raw !== "string") throw validationError(`body.filter.${op} should be a string.`);
      if (actual === null) return false;
      const target = dateMs(raw);
      if (Number.isNaN(target)) throw validationError(`body.filter.${op} should be an ISO 8601 date.`);
      const dayOnly = raw.length === 10;
      const a = dayOnly ? Math.floor(actual / 86400000) * 86400000 : actual;
      switch (op) {
        case "equals":
          return a === target;
        case "before":
          return a < target;
        case "after":
          return a > target;
        case "on_or_before":
          return a <= target;
        case "on_or_after":
          return a >= target;
        default:
          throw validationError(`Unsupported date filter condition: ${op}.`);
      }
    }
    return true;
  }

  function compareText(actual: string, condition: Record<string, unknown>): boolean {
    for (const [op, raw] of Object.entries(condition)) {
      if (op === "is_empty") return raw === true ? actual === "" : actual !== "";
      if (op === "is_not_empty") return raw === true ? actual !== "" : actual === "";
      if (typeof raw !== "string") throw validationError(`body.filter.${op} should be a string.`);
      const a = actual.toLowerCase();
      const t = raw.toLowerCase();
      switch (op) {
        case "equals":
          return actual === raw;
        case "does_not_equal":
          return actual !== raw;
        case "contains":
          return a.includes(t);
        case "does_not_contain":
          return !a.includes(t);
        case "starts_with":
          return a.startsWith(t);
        case "ends_with":
          return a.endsWith(t);
        default:
          throw validationError(`Unsupported text filter condition: ${op}.`);
      }
    }
    return true;
  }

  function compareList(actual: string[], condition: Record<string, unknown>, normalize: boolean): boolean {
    for (const [op, raw] of Object.entries(condition)) {
      if (op === "is_empty") return raw === true ? actual.length === 0 : actual.length > 0;
      if (op === "is_not_empty") return raw === true ? actual.length > 0 : actual.length === 0;
      if (typeof raw !== "string") throw validationError(`body.filter.${op} should be a string.`);
      const t = normalize ? normalizeId(raw) : raw;
      if (op === "contains") return actual.includes(t);
      if (op === "does_not_contain") return !actual.includes(t);
      throw validationError(`Unsupported filter condition: ${op}.`);
    }
    return true;
  }

  function compareNumber(actual: number | null, condition: Record<string, unknown>): boolean {
    for (const [op, raw] of Object.entries(condition)) {
      if (op === "is_empty") return raw === true ? actual === null : actual !== null;
      if (op === "is_not_empty") return raw === true ? actual !== null : actual === null;
      if (typeof raw !== "number") throw validationError(`body.filter.number.${op} should be a number.`);
      if (actual === null) return op === "does_not_equal";
      switch (op) {
        case "equals":
          return actual === raw;
        case "does_not_equal":
          return actual !== raw;
        case "greater_than":
          return actual > raw;
        case "less_than":
          return actual < raw;
        case "greater_than_or_equal_to":
          return actual >= raw;
        case "less_than_or_equal_to":
          return actual <= raw;
        default:
          throw validationError(`Unsupported number filter condition: ${op}.`);
      }
    }
    return true;
  }

  function matches(page: FakePage, source: FakeDataSource, filter: unknown): boolean {
    if (!isRecord(filter)) throw validationError("body.filter should be an object.");
    if (Array.isArray(filter.and)) return filter.and.every((f) => matches(page, source, f));
    if (Array.isArray(filter.or)) return filter.or.some((f) => matches(page, source, f));
    if (typeof filter.timestamp === "string") {
      const kind = filter.timestamp;
      const condition = filter[kind];
      if ((kind !== "last_edited_time" && kind !== "created_time") || !isRecord(condition)) {
        throw validationError("body.filter.timestamp should be `created_time` or `last_edited_time`.");
      }
      return compareDates(stamp(kind === "created_time" ? page.createdTime : page.lastEditedTime), condition);
    }
    if (typeof filter.property !== "string") {
      throw validationError("body.filter should define `property`, `timestamp`, `and` or `or`.");
    }
    const schema = findProperty(source, filter.property);
    if (!schema) throw validationError(`Could not find property with name or id: ${filter.property}`);
    const conditionKey = Object.keys(filter).find((k) => k !== "property" && k !== "type");
    const condition = conditionKey ? filter[conditionKey] : undefined;
    const compatible =
      conditionKey === schema.type ||
      (conditionKey === "date" && (schema.type === "created_time" || schema.type === "last_edited_time")) ||
      (conditionKey === "rich_text" && (schema.type === "title" || schema.type === "url"));
    if (!conditionKey || !compatible || !isRecord(condition)) {
      throw validationError(
        `body.filter: ${conditionKey ?? "condition"} does not match property type ${schema.type} of ${schema.name}.`,
      );
    }
    const value = page.values.get(schema.name);
    switch (schema.type) {
      case "title":
      case "rich_text":
      case "url":
        return compareText(asString(value) ?? "", condition);
      case "status":
      case "select": {
        const name = asString(value);
        for (const [op, raw] of Object.entries(condition)) {
          if (op === "equals") return name === raw;
          if (op === "does_not_equal") return name !== raw;
          if (op === "is_empty") return raw === true ? name === null : name !== null;
          if (op === "is_not_empty") return raw === true ? name !== null : name === null;
          throw validationError(`Unsupported ${schema.type} filter condition: ${op}.`);
        }
        return true;
      }
      case "multi_select":
        return compareList(asStringList(value), condition, false);
      case "people":
      case "relation":
        return compareList(asStringList(value), condition, true);
      case "checkbox": {
        const checked = value === true;
        if ("equals" in condition) return checked === condition.equals;
        if ("does_not_equal" in condition) return checked !== condition.does_not_equal;
        throw validationError("body.filter.checkbox should define `equals` or `does_not_equal`.");
      }
      case "number":
        return compareNumber(typeof value === "number" ? value : null, condition);
      case "date": {
        const d = asDateValue(value);
        return compareDates(d ? dateMs(d.start) : null, condition);
      }
      case "created_time":
        return compareDates(stamp(page.createdTime), condition);
      case "last_edited_time":
        return compareDates(stamp(page.lastEditedTime), condition);
    }
  }

  function sortKey(
    page: FakePage,
    source: FakeDataSource,
    sort: z.infer<typeof SortSchema>,
  ): number | string | null {
    if ("timestamp" in sort)
      return stamp(sort.timestamp === "created_time" ? page.createdTime : page.lastEditedTime);
    const schema = findProperty(source, sort.property);
    if (!schema) throw validationError(`Could not find sort property with name or id: ${sort.property}`);
    const value = page.values.get(schema.name);
    switch (schema.type) {
      case "number":
        return typeof value === "number" ? value : null;
      case "checkbox":
        return value === true ? 1 : 0;
      case "date": {
        const d = asDateValue(value);
        return d ? dateMs(d.start) : null;
      }
      case "created_time":
        return stamp(page.createdTime);
      case "last_edited_time":
        return stamp(page.lastEditedTime);
      case "status":
      case "select": {
        // Notion sorts options by their order in the schema.
        const name = asString(value);
        const index = schema.options?.findIndex((o) => o.name === name) ?? -1;
        return index < 0 ? null : index;
      }
      default: {
        const s = Array.isArray(value) ? value.join(",") : asString(value);
        return s === "" ? null : s;
      }
    }
  }

  function sortPages(
    list: FakePage[],
    source: FakeDataSource,
    sorts: z.infer<typeof SortSchema>[],
  ): FakePage[] {
    const effective =
      sorts.length > 0 ? sorts : [{ timestamp: "created_time" as const, direction: "descending" as const }];
    const keyed = list.map((page) => ({ page, keys: effective.map((s) => sortKey(page, source, s)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < effective.length; i++) {
        const x = a.keys[i] ?? null;
        const y = b.keys[i] ?? null;
        if (x === y) continue;
        // Empty values sort last in either direction.
        if (x === null) return 1;
        if (y === null) return -1;
        const dir = effective[i]?.direction === "descending" ? -1 : 1;
        return (x < y ? -1 : 1) * dir;
      }
      return a.page.id < b.page.id ? -1 : a.page.id > b.page.id ? 1 : 0;
    });
    return keyed.map((k) => k.page);
  }

  function paginate<T extends { id: string }>(
    list: T[],
    startCursor: string | undefined,
    pageSize: number,
  ): { slice: T[]; next: string | null } {
    let start = 0;
    if (startCursor !== undefined) {
      const wanted = normalizeId(startCursor);
      start = list.findIndex((item) => item.id === wanted);
      if (start < 0) throw validationError(`start_cursor provided is invalid: ${startCursor}`);
    }
    const size = Math.min(pageSize, maxPageSize);
    const slice = list.slice(start, start + size);
    const nextItem = list[start + size];
    return { slice, next: nextItem ? nextItem.id : null };
  }

  // -- state API ------------------------------------------------------------------------------------

  function requirePage(pageId: string): FakePage {
    const page = pages.get(normalizeId(pageId));
    if (!page) {
      throw new NotionError(
        404,
        "object_not_found",
        `Could not find page with ID: ${pageId}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    }
    return page;
  }

  function requireSource(id: string): FakeDataSource {
    const source = dataSources.get(normalizeId(id));
    if (!source) {
      throw new NotionError(
        404,
        "object_not_found",
        `Could not find data_source with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    }
    return source;
  }

  function applyValues(page: FakePage, source: FakeDataSource, values: Record<string, PlainValue>): void {
    for (const [key, value] of Object.entries(values)) {
      const schema = findProperty(source, key);
      if (!schema) throw validationError(`${key} is not a property that exists.`);
      const before = page.values.get(schema.name);
      page.values.set(schema.name, coerce(schema, value));
      if (schema.type === "relation" && schema.syncedPropertyName) {
        syncTwin(page, schema.syncedPropertyName, before, page.values.get(schema.name));
      }
    }
  }

  /** Keeps the other side of a two-way relation in step: each related page lists this page in its twin. */
  function syncTwin(
    page: FakePage,
    twin: string,
    before: PlainValue | undefined,
    after: PlainValue | undefined,
  ) {
    const ids = (value: PlainValue | undefined) => new Set(Array.isArray(value) ? value.map(String) : []);
    const was = ids(before);
    const now = ids(after);
    const change = (id: string, add: boolean) => {
      const other = pages.get(normalizeId(id));
      if (!other) return;
      const list = ids(other.values.get(twin));
      if (add) list.add(page.id);
      else list.delete(page.id);
      other.values.set(twin, [...list]);
      touch(other, page.lastEditedBy);
    };
    for (const id of now) if (!was.has(id)) change(id, true);
    for (const id of was) if (!now.has(id)) change(id, false);
  }

  function touch(page: FakePage, by: string = botId): void {
    page.lastEditedTime = clock();
    page.lastEditedBy = by;
  }

  const defaultUser: NotionUser = { id: uuidFrom(idRandom), name: "Ada Lovelace", email: "ada@example.com" };
  users.set(defaultUser.id, defaultUser);

  const state: FakeNotionState = {
    token,
    users,
    databases,
    dataSources,
    pages,
    botId,
    addUser(input) {
      const user: NotionUser = {
        id: input.id ?? uuidFrom(idRandom),
        name: input.name ?? "Grace Hopper",
        email: input.email ?? `user${users.size + 1}@example.com`,
      };
      users.set(user.id, user);
      return user;
    },
    addDatabase(input = {}) {
      const now = clock();
      const database: FakeDatabase = {
        id: input.id ? normalizeId(input.id) : uuidFrom(idRandom),
        title: input.title ?? "Tasks",
        dataSourceIds: [],
        createdTime: now,
        lastEditedTime: now,
      };
      databases.set(database.id, database);
      const specs = input.dataSources ?? [{ name: database.title }];
      const created = specs.map((spec) => state.addDataSource(database.id, spec));
      return { database, dataSources: created };
    },
    addDataSource(databaseId, input = {}) {
      const database = databases.get(normalizeId(databaseId));
      if (!database) throw new Error(`No database ${databaseId}`);
      const now = clock();
      const id = input.id ? normalizeId(input.id) : uuidFrom(idRandom);
      const source: FakeDataSource = {
        id,
        databaseId: database.id,
        name: input.name ?? database.title,
        properties: buildSchema(input.schema ?? defaultTaskSchema, id),
        createdTime: now,
        lastEditedTime: now,
        inTrash: false,
      };
      dataSources.set(id, source);
      pagesBySource.set(id, []);
      database.dataSourceIds.push(id);
      return source;
    },
    addPage(dataSourceId, input = {}) {
      const source = requireSource(dataSourceId);
      const now = clock();
      const page: FakePage = {
        id: input.id ? normalizeId(input.id) : uuidFrom(idRandom),
        dataSourceId: source.id,
        createdTime: toDate(input.createdTime, now),
        lastEditedTime: toDate(input.lastEditedTime ?? input.createdTime, now),
        inTrash: input.inTrash ?? false,
        values: new Map(),
        createdBy: defaultUser.id,
        lastEditedBy: defaultUser.id,
      };
      for (const schema of source.properties.values()) {
        if (schema.type === "multi_select" || schema.type === "people" || schema.type === "relation") {
          page.values.set(schema.name, []);
        } else if (schema.type === "checkbox") page.values.set(schema.name, false);
        else if (schema.type === "title" || schema.type === "rich_text") page.values.set(schema.name, "");
        else if (schema.type !== "created_time" && schema.type !== "last_edited_time") {
          page.values.set(schema.name, null);
        }
      }
      applyValues(page, source, input.properties ?? {});
      pages.set(page.id, page);
      pagesBySource.get(source.id)?.push(page.id);
      return page;
    },
    generatePages(dataSourceId, count, opts = {}) {
      const source = requireSource(dataSourceId);
      const random = seededRandom(opts.seed ?? 1);
      const step = (opts.stepMinutes ?? 1) * 60000;
      const start = opts.startTime
        ? toDate(opts.startTime, new Date()).getTime()
        : Math.floor((Date.now() - count * step) / 60000) * 60000;
      const relationRate = opts.relationRate ?? 0.1;
      const verbs = [
        "Write",
        "Review",
        "Plan",
        "Fix",
        "Draft",
        "Email",
        "Prepare",
        "Refactor",
        "Call",
        "Read",
      ];
      const nouns = [
        "quarterly report",
        "design doc",
        "budget",
        "onboarding guide",
        "release notes",
        "slides",
      ];
      const made: FakePage[] = [];
      const has = (name: string, type: NotionPropertyType) => source.properties.get(name)?.type === type;
      const statusNames = source.properties.get("Status")?.options?.map((o) => o.name) ?? [];
      const peopleIds = [...users.keys()];
      for (let i = 0; i < count; i++) {
        const created = new Date(start + i * step);
        const values: Record<string, PlainValue> = {};
        values[titleProperty(source).name] = `${pick(random, verbs)} ${pick(random, nouns)} #${i + 1}`;
        const status = statusNames.length > 0 ? pick(random, statusNames) : null;
        if (has("Status", "status")) values.Status = status;
        if (has("Priority", "select")) values.Priority = pick(random, ["High", "Medium", "Low"]);
        if (has("Tags", "multi_select")) {
          values.Tags = ["deep-work", "admin", "review", "writing", "errand"].filter(() => random() < 0.3);
        }
        if (has("Done", "checkbox")) values.Done = status === statusNames[statusNames.length - 1];
        if (has("Due", "date") && random() < 0.8) {
          const due = new Date(created.getTime() + Math.floor(random() * 21) * 86400000);
          values.Due =
            random() < 0.7
              ? due.toISOString().slice(0, 10)
              : { start: due.toISOString(), end: new Date(due.getTime() + 3600000).toISOString() };
        }
        if (has("Estimate", "number") && random() < 0.7) values.Estimate = pick(random, [0.5, 1, 2, 3, 5, 8]);
        if (has("Assignee", "people") && peopleIds.length > 0) values.Assignee = [pick(random, peopleIds)];
        if (has("Blocked by", "relation") && made.length > 0 && random() < relationRate) {
          values["Blocked by"] = [pick(random, made).id];
        }
        if (has("Link", "url") && random() < 0.3) values.Link = `https://example.com/tickets/${i + 1}`;
        if (has("Notes", "rich_text") && random() < 0.5) values.Notes = `Context for item ${i + 1}.`;
        made.push(
          state.addPage(source.id, {
            id: uuidFrom(random),
            properties: values,
            createdTime: created,
            lastEditedTime: created,
          }),
        );
      }
      return made;
    },
    editPage(pageId, values) {
      const page = requirePage(pageId);
      const source = requireSource(page.dataSourceId);
      applyValues(page, source, values);
      touch(page, defaultUser.id);
      return page;
    },
    trashPage(pageId) {
      const page = requirePage(pageId);
      page.inTrash = true;
      touch(page, defaultUser.id);
      return page;
    },
    restorePage(pageId) {
      const page = requirePage(pageId);
      page.inTrash = false;
      touch(page, defaultUser.id);
      return page;
    },
    deletePage(pageId) {
      const page = requirePage(pageId);
      pages.delete(page.id);
      const list = pagesBySource.get(page.dataSourceId);
      if (list) {
        const i = list.indexOf(page.id);
        if (i >= 0) list.splice(i, 1);
      }
    },
    revokeToken() {
      tokenRevoked = true;
    },
    renderPage(pageId) {
      return renderPage(requirePage(pageId));
    },
    failNext(opts) {
      faults.push(opts);
    },
    clearFaults() {
      faults.clear();
    },
  };

  // -- HTTP ------------------------------------------------------------------------------------------

  /** Converts a Notion property update (`{status:{name}}`, `{checkbox:true}`...) into a plain value. */
  function plainFromUpdate(schema: PropertySchema, update: unknown): PlainValue {
    if (!isRecord(update)) throw validationError(`body.properties.${schema.name} should be an object.`);
    if (!(schema.type in update)) {
      throw validationError(`${schema.name} is expected to be ${schema.type}.`);
    }
    const raw = update[schema.type];
    const where = `body.properties.${schema.name}.${schema.type}`;
    switch (schema.type) {
      case "title":
      case "rich_text":
        return parseOrThrow(RichTextInput, raw, where)
          .map((t) => ("text" in t ? t.text.content : t.plain_text))
          .join("");
      case "url":
        return parseOrThrow(z.string().nullable(), raw, where);
      case "status":
      case "select": {
        const ref = parseOrThrow(OptionRef.nullable(), raw, where);
        if (ref === null) return null;
        if ("name" in ref) return ref.name;
        const byId = schema.options?.find((o) => o.id === ref.id);
        if (!byId) throw validationError(`${where}: option id ${ref.id} does not exist.`);
        return byId.name;
      }
      case "multi_select":
        return parseOrThrow(z.array(OptionRef), raw, where).map((ref) => {
          if ("name" in ref) return ref.name;
          const byId = schema.options?.find((o) => o.id === ref.id);
          if (!byId) throw validationError(`${where}: option id ${ref.id} does not exist.`);
          return byId.name;
        });
      case "checkbox":
        return parseOrThrow(z.boolean(), raw, where);
      case "number":
        return parseOrThrow(z.number().nullable(), raw, where);
      case "date":
        return parseOrThrow(DateInput, raw, where);
      case "people":
        return parseOrThrow(z.array(IdRef), raw, where).map((r) => r.id);
      case "relation":
        return parseOrThrow(z.array(IdRef), raw, where).map((r) => {
          if (!pages.has(normalizeId(r.id))) throw validationError(`${where}: page ${r.id} does not exist.`);
          return r.id;
        });
      case "created_time":
      case "last_edited_time":
        throw validationError(`${schema.name} is a read-only property.`);
    }
  }

  function updatesToPlain(
    source: FakeDataSource,
    properties: Record<string, unknown>,
  ): Record<string, PlainValue> {
    const out: Record<string, PlainValue> = {};
    for (const [key, update] of Object.entries(properties)) {
      const schema = findProperty(source, key);
      if (!schema) throw validationError(`${key} is not a property that exists.`);
      out[schema.name] = plainFromUpdate(schema, update);
    }
    return out;
  }

  app.use("/v1", (req: Request, res: Response, next) => {
    const auth = req.header("authorization");
    if (auth !== `Bearer ${token}` || tokenRevoked) {
      res.status(401).json(errorBody(401, "unauthorized", "API token is invalid."));
      return;
    }
    const version = req.header("notion-version");
    if (!version) {
      res
        .status(400)
        .json(
          errorBody(
            400,
            "missing_version",
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
          ),
        );
      return;
    }
    if (version !== NOTION_VERSION) {
      res
        .status(400)
        .json(
          errorBody(
            400,
            "validation_error",
            `This fake only speaks Notion-Version ${NOTION_VERSION}; the request used ${version}.`,
          ),
        );
      return;
    }
    next();
  });

  type Handler = (req: Request) => unknown;
  const route =
    (handler: Handler, status = 200) =>
    (req: Request, res: Response) => {
      try {
        res.status(status).json(handler(req));
      } catch (error) {
        if (error instanceof NotionError) {
          res.status(error.status).json(errorBody(error.status, error.code, error.message));
          return;
        }
        throw error;
      }
    };
  const param = (req: Request, name: string): string => {
    const value = req.params[name];
    return typeof value === "string" ? value : "";
  };

  app.get(
    "/v1/users/me",
    route(() => ({
      object: "user",
      id: botId,
      name: "Cairn",
      avatar_url: null,
      type: "bot",
      bot: { owner: { type: "workspace", workspace: true }, workspace_name: workspaceName },
    })),
  );

  app.post(
    "/v1/search",
    route((req) => {
      const body = parseOrThrow(SearchBody, req.body ?? {}, "body");
      const query = body.query?.toLowerCase() ?? "";
      type Hit = { id: string; edited: number; json: () => unknown };
      const hits: Hit[] = [];
      if (body.filter?.value !== "page") {
        for (const source of dataSources.values()) {
          if (source.inTrash || !source.name.toLowerCase().includes(query)) continue;
          hits.push({
            id: source.id,
            edited: stamp(source.lastEditedTime),
            json: () => renderDataSource(source),
          });
        }
      }
      if (body.filter?.value !== "data_source") {
        for (const page of pages.values()) {
          if (page.inTrash) continue;
          const source = dataSources.get(page.dataSourceId);
          if (!source) continue;
          const title = asString(page.values.get(titleProperty(source).name)) ?? "";
          if (!title.toLowerCase().includes(query)) continue;
          hits.push({ id: page.id, edited: stamp(page.lastEditedTime), json: () => renderPage(page) });
        }
      }
      const dir = body.sort?.direction === "ascending" ? 1 : -1;
      hits.sort((a, b) => (a.edited - b.edited) * dir || (a.id < b.id ? -1 : 1));
      const { slice, next } = paginate(hits, body.start_cursor, body.page_size ?? 100);
      return {
        object: "list",
        results: slice.map((h) => h.json()),
        next_cursor: next,
        has_more: next !== null,
        type: "page_or_data_source",
        page_or_data_source: {},
        request_id: randomUUID(),
      };
    }),
  );

  app.get(
    "/v1/databases/:id",
    route((req) => {
      const database = databases.get(normalizeId(param(req, "id")));
      if (!database) {
        throw new NotionError(
          404,
          "object_not_found",
          `Could not find database with ID: ${param(req, "id")}. Make sure the relevant pages and databases are shared with your integration.`,
        );
      }
      return renderDatabase(database);
    }),
  );

  app.get(
    "/v1/data_sources/:id",
    route((req) => renderDataSource(requireSource(param(req, "id")))),
  );

  app.post(
    "/v1/data_sources/:id/query",
    route((req) => {
      const source = requireSource(param(req, "id"));
      const body = parseOrThrow(QueryBody, req.body ?? {}, "body");
      const wantTrash = body.in_trash === true || body.archived === true;
      const candidates: FakePage[] = [];
      for (const id of pagesBySource.get(source.id) ?? []) {
        const page = pages.get(id);
        if (!page || page.inTrash !== wantTrash) continue;
        if (body.filter !== undefined && !matches(page, source, body.filter)) continue;
        candidates.push(page);
      }
      const sorted = sortPages(candidates, source, body.sorts ?? []);
      const { slice, next } = paginate(sorted, body.start_cursor, body.page_size ?? 100);
      return {
        object: "list",
        results: slice.map(renderPage),
        next_cursor: next,
        has_more: next !== null,
        type: "page_or_data_source",
        page_or_data_source: {},
        request_id: randomUUID(),
      };
    }),
  );

  app.get(
    "/v1/pages/:id",
    route((req) => renderPage(requirePage(param(req, "id")))),
  );

  app.patch(
    "/v1/pages/:id",
    route((req) => {
      const page = requirePage(param(req, "id"));
      const source = requireSource(page.dataSourceId);
      const body = parseOrThrow(PageUpdateBody, req.body ?? {}, "body");
      const trash = body.in_trash ?? body.archived;
      if (page.inTrash && trash !== false && body.properties) {
        throw validationError(
          "Can't edit block that is archived. You must unarchive the block before editing.",
        );
      }
      const values = body.properties ? updatesToPlain(source, body.properties) : {};
      applyValues(page, source, values);
      if (trash !== undefined) page.inTrash = trash;
      touch(page);
      return renderPage(page);
    }),
  );

  app.post(
    "/v1/pages",
    route((req) => {
      const body = parseOrThrow(PageCreateBody, req.body ?? {}, "body");
      let sourceId: string;
      if ("data_source_id" in body.parent) sourceId = body.parent.data_source_id;
      else {
        const database = databases.get(normalizeId(body.parent.database_id));
        if (!database)
          throw new NotionError(
            404,
            "object_not_found",
            `Could not find database with ID: ${body.parent.database_id}.`,
          );
        if (database.dataSourceIds.length !== 1) {
          throw validationError("Database has multiple data sources; use parent.data_source_id.");
        }
        sourceId = database.dataSourceIds[0] ?? "";
      }
      const source = requireSource(sourceId);
      const page = state.addPage(source.id, { properties: updatesToPlain(source, body.properties) });
      page.createdBy = botId;
      page.lastEditedBy = botId;
      return renderPage(page);
    }),
  );

  const { url, close } = await listen(
    app,
    (req) => ({
      status: 400,
      body: errorBody(400, "invalid_request_url", `Invalid request URL: ${req.method} ${req.path}`),
    }),
    (error) =>
      isRecord(error) && error.status === 400
        ? { status: 400, body: errorBody(400, "invalid_json", "Error parsing JSON body.") }
        : { status: 500, body: errorBody(500, "internal_server_error", String(error)) },
  );

  return { url, state, requests, close };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------

/** `X-Notion-Signature` value: `sha256=` + hex HMAC-SHA256 of the raw body keyed by the verification token. */
export function signNotionWebhook(body: string, verificationToken: string): string {
  return hmacSha256Signature(body, verificationToken);
}

/** The one-time subscription handshake Notion POSTs to a new webhook URL (unsigned). */
export function notionVerificationBody(verificationToken: string): string {
  return JSON.stringify({ verification_token: verificationToken });
}

export type NotionWebhookEventType =
  | "page.created"
  | "page.properties_updated"
  | "page.content_updated"
  | "page.deleted"
  | "page.undeleted";

export interface NotionWebhookEvent {
  id: string;
  timestamp: string;
  workspace_id: string;
  workspace_name: string;
  subscription_id: string;
  integration_id: string;
  type: NotionWebhookEventType;
  authors: { id: string; type: "person" | "bot" | "agent" }[];
  accessible_by?: { id: string; type: "person" | "bot" }[];
  attempt_number: number;
  api_version: string;
  entity: { id: string; type: "page" };
  data: {
    parent: { id: string; type: string; data_source_id?: string };
    updated_properties?: string[];
    updated_blocks?: { id: string; type: "block" }[];
  };
}

export interface NotionWebhookEventInput {
  pageId: string;
  dataSourceId: string;
  /** Property ids that changed (page.properties_updated). */
  updatedProperties?: string[];
  authorId?: string;
  timestamp?: Date | string;
  workspaceId?: string;
  subscriptionId?: string;
  integrationId?: string;
  attemptNumber?: number;
  /** Override `data.parent` (default `{id: dataSourceId, type: "data_source"}`). */
  parent?: { id: string; type: string; data_source_id?: string };
}

/** A webhook event body as Notion sends it (serialize with JSON.stringify, then sign the string). */
export function buildNotionWebhookEvent(
  type: NotionWebhookEventType,
  input: NotionWebhookEventInput,
): NotionWebhookEvent {
  const timestamp = input.timestamp === undefined ? new Date() : new Date(input.timestamp);
  const data: NotionWebhookEvent["data"] = {
    parent: input.parent ?? { id: input.dataSourceId, type: "data_source" },
  };
  if (type === "page.properties_updated") data.updated_properties = input.updatedProperties ?? ["title"];
  if (type === "page.content_updated") data.updated_blocks = [];
  return {
    id: randomUUID(),
    timestamp: timestamp.toISOString(),
    workspace_id: input.workspaceId ?? "9c6a8a6c-1f3c-4b2e-9a55-0e6f2b6d1c01",
    workspace_name: "Cairn Test Workspace",
    subscription_id: input.subscriptionId ?? "1f2e3d4c-5b6a-4987-a6b5-c4d3e2f1a0b9",
    integration_id: input.integrationId ?? "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    type,
    authors: [{ id: input.authorId ?? "6d8f2a4e-3b1c-4e5f-9a7b-2c4d6e8f0a1b", type: "person" }],
    attempt_number: input.attemptNumber ?? 1,
    api_version: NOTION_VERSION,
    entity: { id: input.pageId, type: "page" },
    data,
  };
}

/** POSTs a (signed) webhook body to `url` like Notion does. Pass a string to control the exact bytes. */
export async function deliverNotionWebhook(
  url: string,
  event: NotionWebhookEvent | string,
  verificationToken: string,
): Promise<{ status: number; text: string }> {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  return postRaw(url, body, {
    "content-type": "application/json",
    "user-agent": "notion-api",
    "x-notion-signature": signNotionWebhook(body, verificationToken),
  });
}
