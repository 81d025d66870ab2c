/**
 * Jira Cloud through jira.js 5 (Version3Client). Pull: the enhanced JQL search (`/rest/api/3/search/jql`,
 * `nextPageToken`) on `updated >= cursor − overlap`, read in the API user's time zone as Jira does, ordered
 * by `updated`. Push: a transition to a status of the Done category. Webhooks: `X-Hub-Signature`.
 */

import { createHmac } from "node:crypto";
import type { Version3Client } from "jira.js";
import { DateTime } from "luxon";
import { z } from "zod";
import type { Config } from "../../engine/config.ts";
import { sameSecret } from "../../engine/security/constant-time.ts";
import {
  type Connector,
  type ConnectorContext,
  type PullPage,
  type SourceTask,
  type SubtaskToWrite,
  type SyncScope,
  TransientProviderError,
} from "../../engine/sync/connector.ts";
import { urlsIn } from "../../engine/sync/dedupe.ts";
import { errorForStatus, retryAfterMs } from "../../engine/sync/http.ts";
import { jiraCli, jiraConnect, jiraDocs, jiraEnv, jiraVariables } from "./connect.ts";

export const JiraCredentials = z.object({
  email: z.string().min(1, "the Atlassian account email is required"),
  apiToken: z.string().min(1, "an API token is required"),
});
export type JiraCredentials = z.infer<typeof JiraCredentials>;

export const JiraSettings = z.object({
  /** The site, e.g. https://acme.atlassian.net. */
  host: z.url({ protocol: /^https?$/ }),
  /** Which issues to sync. */
  jql: z.string().min(1).default("assignee = currentUser()"),
  /** Re-read this many minutes before the cursor (JQL dates are minute-precise). Default 5. */
  overlapMinutes: z.number().int().min(0).max(1440).default(5),
  /** Name of the transition (or target status) to use on completion; default: any to a Done-category status. */
  doneTransition: z.string().min(1).optional(),
  /** Name of the issue type for sub-tasks created from Cairn; default: the project's first sub-task type. */
  subtaskIssueType: z.string().min(1).optional(),
  /** Issues per page (the API's maximum with fields is 100). */
  pageSize: z.number().int().min(1).max(100).default(100),
});
export type JiraSettings = z.infer<typeof JiraSettings>;

type Ctx = ConnectorContext<JiraCredentials, JiraSettings>;

export const SCOPE_ID = "jql";
const FIELDS = [
  "summary",
  "description",
  "status",
  "priority",
  "duedate",
  "timetracking",
  "timeestimate",
  "timeoriginalestimate",
  "assignee",
  "issuelinks",
  "labels",
  "parent",
  "issuetype",
  "updated",
];

const Cursor = z.object({
  since: z.string().nullable(),
  next: z.string().nullable(),
  maxUpdated: z.string().nullable(),
  tz: z.string().nullable(),
  /**
   * Mid-pass without a page token (it was spent by a prefetch, or expired): the pass goes on from the last
   * `updated` it read, less the overlap, instead of from `since`.
   */
  after: z.string().nullable().optional(),
});
type Cursor = z.infer<typeof Cursor>;

/** jira.js loads on first use: `cairn` loads every connector definition to read its config. */
async function clientFor(ctx: Ctx): Promise<Version3Client> {
  const { Version3Client } = await import("jira.js");
  return new Version3Client({
    host: ctx.settings.host.replace(/\/$/, ""),
    authentication: { basic: { email: ctx.credentials.email, apiToken: ctx.credentials.apiToken } },
    baseRequestConfig: { adapter: "fetch", env: { fetch: ctx.fetch } },
  });
}

interface HttpLike {
  status?: unknown;
  message?: unknown;
  response?: { data?: { errorMessages?: unknown } };
  cause?: { response?: { headers?: unknown } };
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === "function") {
    const value = (getter as (n: string) => unknown).call(headers, name);
    if (typeof value === "string") return value;
  }
  const value =
    (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}

/** jira.js errors → the engine's provider errors. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TransientProviderError) throw error;
    const e = error as HttpLike;
    if (typeof e.status === "number" && e.status >= 400) {
      const messages = e.response?.data?.errorMessages;
      const text =
        Array.isArray(messages) && messages.length > 0
          ? messages.join("; ")
          : String(e.message ?? "request failed");
      throw errorForStatus(
        "Jira",
        e.status,
        text,
        retryAfterMs(headerOf(e.cause?.response?.headers, "retry-after")),
      );
    }
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof TransientProviderError) throw cause;
    throw new TransientProviderError(`Jira request failed: ${(error as Error).message}`);
  }
}

/** Atlassian Document Format → plain text. */
export function adfText(node: unknown): string {
  if (typeof node === "string") return node;
  if (!node || typeof node !== "object") return "";
  const record = node as { type?: unknown; text?: unknown; content?: unknown; attrs?: { url?: unknown } };
  if (typeof record.text === "string") return record.text;
  if (record.type === "inlineCard" && typeof record.attrs?.url === "string") return record.attrs.url;
  const children = Array.isArray(record.content) ? record.content.map(adfText) : [];
  const block = ["paragraph", "heading", "listItem", "blockquote", "codeBlock"].includes(String(record.type));
  return children.join(block ? "" : record.type === "doc" ? "\n" : "") + (block ? "\n" : "");
}

const Issue = z.looseObject({
  id: z.string().optional(),
  key: z.string().min(1),
  deleted: z.literal(true).optional(),
  updated: z.string().optional(),
  fields: z
    .looseObject({
      summary: z.string().nullable().optional(),
      description: z.unknown().optional(),
      status: z
        .looseObject({
          name: z.string().optional(),
          statusCategory: z.looseObject({ key: z.string() }).optional(),
        })
        .nullable()
        .optional(),
      priority: z.looseObject({ name: z.string() }).nullable().optional(),
      duedate: z.string().nullable().optional(),
      timetracking: z
        .looseObject({
          remainingEstimateSeconds: z.number().optional(),
          originalEstimateSeconds: z.number().optional(),
        })
        .nullable()
        .optional(),
      timeestimate: z.number().nullable().optional(),
      timeoriginalestimate: z.number().nullable().optional(),
      assignee: z.looseObject({ emailAddress: z.string().optional() }).nullable().optional(),
      issuelinks: z
        .array(
          z.looseObject({
            type: z.looseObject({ name: z.string().optional(), inward: z.string().optional() }),
            inwardIssue: z.looseObject({ key: z.string() }).optional(),
            outwardIssue: z.looseObject({ key: z.string() }).optional(),
          }),
        )
        .optional(),
      labels: z.array(z.string()).optional(),
      parent: z.looseObject({ key: z.string() }).nullable().optional(),
      issuetype: z.looseObject({ subtask: z.boolean().optional() }).nullable().optional(),
      updated: z.string(),
    })
    .optional(),
});

const priorities: Record<string, number> = { highest: 1, high: 2, medium: 3, low: 4, lowest: 4 };
const statusByCategory: Record<string, SourceTask["status"]> = {
  new: "todo",
  indeterminate: "in_progress",
  done: "done",
};

function jiraInstant(value: string, field: string): string {
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new Error(`${field} is not a date: "${value}"`);
  return new Date(at).toISOString();
}

/** A Jira due date (a calendar day) as the end of that day in UTC; plain arithmetic, no time zone needed. */
function endOfDueDay(duedate: string): string {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(duedate);
  const [year, month, day] = parts ? [Number(parts[1]), Number(parts[2]), Number(parts[3])] : [0, 0, 0];
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  if (!parts || at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day)
    throw new Error(`duedate is not a date: "${duedate}"`);
  return `${duedate}T23:59:59.000Z`;
}

export function issueToTask(raw: unknown, settings: JiraSettings): SourceTask {
  const parsed = Issue.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((i) => `${i.path.join(".") || "issue"}: ${i.message}`).join("; "),
    );
  }
  const issue = parsed.data;
  const url = `${settings.host.replace(/\/$/, "")}/browse/${issue.key}`;
  if (issue.deleted || !issue.fields) {
    return {
      externalId: issue.key,
      title: "(deleted)",
      description: "",
      status: "cancelled",
      priority: 3,
      estimateMinutes: null,
      due: null,
      earliestStart: null,
      dependsOnExternalIds: [],
      tags: [],
      url,
      assigneeEmail: null,
      parentExternalId: null,
      linkedUrls: [],
      updatedAt: jiraInstant(issue.updated ?? new Date().toISOString(), "updated"),
      deleted: true,
    };
  }
  const f = issue.fields;
  let due: string | null = null;
  if (f.duedate) due = endOfDueDay(f.duedate);
  const seconds =
    f.timetracking?.remainingEstimateSeconds ??
    f.timeestimate ??
    f.timetracking?.originalEstimateSeconds ??
    f.timeoriginalestimate;
  const description = adfText(f.description).trim();
  const blockers = (f.issuelinks ?? [])
    .filter((link) => link.type.name === "Blocks" && link.inwardIssue)
    .map((link) => link.inwardIssue?.key as string);
  return {
    externalId: issue.key,
    title: (f.summary ?? "").trim().slice(0, 500),
    description,
    status: statusByCategory[f.status?.statusCategory?.key ?? "new"] ?? "todo",
    priority: priorities[(f.priority?.name ?? "medium").toLowerCase()] ?? 3,
    estimateMinutes: typeof seconds === "number" && seconds > 0 ? Math.max(1, Math.ceil(seconds / 60)) : null,
    due,
    earliestStart: null,
    dependsOnExternalIds: blockers,
    tags: f.labels ?? [],
    url,
    assigneeEmail: f.assignee?.emailAddress ?? null,
    // Only sub-tasks are subtasks: a story's parent epic is a container, not work that closes with it.
    parentExternalId: f.issuetype?.subtask === true ? (f.parent?.key ?? null) : null,
    linkedUrls: urlsIn(description),
    updatedAt: jiraInstant(f.updated, "fields.updated"),
    deleted: false,
  };
}

function jqlFor(ctx: Ctx, cursor: Cursor): string {
  const base = `(${ctx.settings.jql})`;
  const since = cursor.after ?? cursor.since;
  if (!since) return `${base} ORDER BY updated ASC, key ASC`;
  const from = DateTime.fromISO(since)
    .minus({ minutes: ctx.settings.overlapMinutes })
    .setZone(cursor.tz ?? "UTC")
    .toFormat("yyyy-MM-dd HH:mm");
  return `${base} AND updated >= "${from}" ORDER BY updated ASC, key ASC`;
}

function later(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * The same place in the pass without the page token: issues come in `updated` order, so every issue not yet
 * read was updated at or after the last one read. Those of the overlap window are read again (unchanged).
 */
function withoutToken(cursor: Cursor): Cursor {
  return { ...cursor, next: null, after: cursor.maxUpdated ?? cursor.after ?? null };
}

function parseCursor(raw: string | null): Cursor {
  if (raw) {
    try {
      return Cursor.parse(JSON.parse(raw));
    } catch {
      // unreadable: start over
    }
  }
  return { since: null, next: null, maxUpdated: null, tz: null };
}

async function pull(ctx: Ctx, _scope: SyncScope, rawCursor: string | null): Promise<PullPage> {
  const client = await clientFor(ctx);
  let cursor = parseCursor(rawCursor);
  let calls = 0;
  if (!cursor.tz && !cursor.next) {
    const me = await call(() => client.myself.getCurrentUser());
    calls += 1;
    cursor = { ...cursor, tz: me.timeZone ?? "UTC" };
  }
  const search = (next: string | null) =>
    call(() =>
      client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
        jql: jqlFor(ctx, cursor),
        fields: FIELDS,
        maxResults: ctx.settings.pageSize,
        ...(next ? { nextPageToken: next } : {}),
      }),
    );
  let page: Awaited<ReturnType<typeof search>>;
  try {
    page = await search(cursor.next);
    calls += 1;
  } catch (error) {
    if (!cursor.next || !/HTTP 400/.test((error as Error).message)) throw error;
    // The page token expired: go on from the last `updated` this pass read (the overlap makes it safe).
    ctx.log.info("Jira nextPageToken expired; continuing the pass from the last item read");
    cursor = withoutToken(cursor);
    page = await search(null);
    calls += 2;
  }
  const items = page.issues ?? [];
  let maxUpdated = cursor.maxUpdated;
  for (const issue of items) {
    const updated = (issue.fields as { updated?: unknown } | undefined)?.updated;
    if (typeof updated === "string" && !Number.isNaN(Date.parse(updated))) {
      maxUpdated = later(maxUpdated, new Date(Date.parse(updated)).toISOString());
    }
  }
  const done = (page as { isLast?: boolean }).isLast === true || !page.nextPageToken;
  const next: Cursor = done
    ? { since: later(cursor.since, maxUpdated), next: null, maxUpdated: null, tz: cursor.tz }
    : { ...cursor, next: page.nextPageToken ?? null, maxUpdated };
  return { items, nextCursor: JSON.stringify(next), hasMore: !done, apiCalls: calls };
}

async function fetchItems(ctx: Ctx, _scope: SyncScope, externalIds: string[]): Promise<PullPage> {
  const client = await clientFor(ctx);
  const keys = [...new Set(externalIds.map((key) => key.toUpperCase()))].filter((key) =>
    /^[A-Z][A-Z0-9_]*-\d+$/.test(key),
  );
  const now = ctx.now().toISOString();
  const existing: string[] = [];
  const items: unknown[] = [];
  let calls = 0;
  for (const key of keys) {
    try {
      await call(() => client.issues.getIssue({ issueIdOrKey: key, fields: ["updated"] }));
      existing.push(key);
    } catch (error) {
      if (!/HTTP 404/.test((error as Error).message)) throw error;
      items.push({ key, deleted: true, updated: now });
    }
    calls += 1;
  }
  if (existing.length > 0) {
    const found = await call(() =>
      client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
        jql: `(${ctx.settings.jql}) AND key in (${existing.join(", ")})`,
        fields: FIELDS,
        maxResults: 100,
      }),
    );
    calls += 1;
    const matched = new Set((found.issues ?? []).map((issue) => issue.key));
    items.push(...(found.issues ?? []));
    // Still in Jira but no longer matching the JQL (reassigned, moved): it left this scope.
    for (const key of existing) if (!matched.has(key)) items.push({ key, deleted: true, updated: now });
  }
  return { items, nextCursor: null, hasMore: false, apiCalls: calls };
}

async function completeTask(ctx: Ctx, externalId: string): Promise<void> {
  const client = await clientFor(ctx);
  const issue = await call(() => client.issues.getIssue({ issueIdOrKey: externalId, fields: ["status"] }));
  const category = (issue.fields as { status?: { statusCategory?: { key?: string } } } | undefined)?.status
    ?.statusCategory?.key;
  if (category === "done") return;
  const { transitions = [] } = await call(() => client.issues.getTransitions({ issueIdOrKey: externalId }));
  const toDone = transitions.filter((t) => t.to?.statusCategory?.key === "done");
  const wanted = ctx.settings.doneTransition?.toLowerCase();
  const chosen =
    (wanted
      ? toDone.find((t) => t.name?.toLowerCase() === wanted || t.to?.name?.toLowerCase() === wanted)
      : undefined) ??
    toDone.find((t) => /^done$/i.test(t.to?.name ?? "")) ??
    toDone[0];
  if (!chosen?.id) {
    throw new Error(`Jira issue ${externalId} has no transition to a Done status available to this account.`);
  }
  await call(() =>
    client.issues.doTransition({ issueIdOrKey: externalId, transition: { id: chosen.id as string } }),
  );
}

const ParentFields = z.looseObject({
  project: z.looseObject({ key: z.string() }),
  assignee: z.looseObject({ accountId: z.string() }).nullable().optional(),
});

/** Jira labels cannot contain spaces. */
const jiraLabel = (tag: string) => tag.trim().replace(/\s+/g, "-");

async function createSubtask(
  ctx: Ctx,
  parent: { externalId: string },
  subtask: SubtaskToWrite,
): Promise<{ externalId: string; url: string | null }> {
  const client = await clientFor(ctx);
  const issue = await call(() =>
    client.issues.getIssue({ issueIdOrKey: parent.externalId, fields: ["project", "assignee"] }),
  );
  const fields = ParentFields.parse(issue.fields);
  const project = fields.project.key;
  const meta = await call(() => client.issues.getCreateIssueMetaIssueTypes({ projectIdOrKey: project }));
  const types = meta.issueTypes ?? meta.createMetaIssueType ?? [];
  const wanted = ctx.settings.subtaskIssueType?.toLowerCase();
  const type = types.find((t) => t.subtask === true && (!wanted || t.name?.toLowerCase() === wanted));
  if (!type?.id) {
    throw new Error(
      `Jira project ${project} has no ${wanted ? `sub-task issue type "${ctx.settings.subtaskIssueType}"` : "sub-task issue type"} to create ${parent.externalId}'s subtask with.`,
    );
  }
  const created = await call(() =>
    client.issues.createIssue({
      fields: {
        project: { key: project },
        parent: { key: parent.externalId },
        issuetype: { id: type.id as string },
        summary: subtask.title.slice(0, 255),
        ...(subtask.description ? { description: subtask.description } : {}),
        // The parent's assignee keeps the sub-task inside a JQL such as `assignee = currentUser()`.
        ...(fields.assignee ? { assignee: { accountId: fields.assignee.accountId } } : {}),
        ...(subtask.due ? { duedate: subtask.due.slice(0, 10) } : {}),
        ...(subtask.tags.length ? { labels: subtask.tags.map(jiraLabel) } : {}),
        ...(subtask.estimateMinutes
          ? { timetracking: { originalEstimate: `${subtask.estimateMinutes}m` } }
          : {}),
      },
    }),
  );
  return { externalId: created.key, url: `${ctx.settings.host.replace(/\/$/, "")}/browse/${created.key}` };
}

function verify(
  request: { headers: Record<string, string | undefined>; rawBody: Buffer },
  secret: string,
): boolean {
  const given = request.headers["x-hub-signature"];
  if (!given) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(request.rawBody).digest("hex")}`;
  return sameSecret(given, expected);
}

const WebhookBody = z.looseObject({
  webhookEvent: z.string(),
  issue: z.looseObject({ key: z.string() }).optional(),
});

function fromEnv(config: Config) {
  const env = jiraVariables(config);
  if (!env.JIRA_HOST || !env.JIRA_EMAIL || !env.JIRA_API_TOKEN) return [];
  return [
    {
      name: "Jira",
      credentials: { email: env.JIRA_EMAIL, apiToken: env.JIRA_API_TOKEN },
      settings: JiraSettings.parse({
        host: env.JIRA_HOST,
        ...(env.JIRA_JQL ? { jql: env.JIRA_JQL } : {}),
      }),
      ...(env.JIRA_WEBHOOK_SECRET ? { webhookSecret: env.JIRA_WEBHOOK_SECRET } : {}),
    },
  ];
}

export const jiraConnector: Connector<JiraCredentials, JiraSettings> = {
  kind: "jira",
  title: "Jira Cloud",
  /** Jira Cloud's limits are burst-based (it answers 429 with Retry-After), so a generous bucket. */
  limits: { perSecond: 20, burst: 40 },
  env: jiraEnv,
  connect: jiraConnect,
  cli: jiraCli,
  docs: jiraDocs,
  credentials: JiraCredentials,
  settings: JiraSettings,
  async scopes(ctx) {
    return [{ id: SCOPE_ID, kind: "tasks", label: ctx.settings.jql }];
  },
  pull,
  resumeCursor: (nextCursor) => JSON.stringify(withoutToken(parseCursor(nextCursor))),
  fetchItems,
  normalize(raw, _scope, settings) {
    return { type: "task", task: issueToTask(raw, settings) };
  },
  completeTask,
  createSubtask,
  fromEnv,
  webhook: {
    verify,
    handle(request) {
      const body = WebhookBody.safeParse(request.body);
      if (!body.success || !body.data.issue) return { kind: "ignore", reason: "not an issue event" };
      if (!body.data.webhookEvent.startsWith("jira:issue_")) {
        return { kind: "ignore", reason: `event ${body.data.webhookEvent} needs no sync` };
      }
      return { kind: "sync", scopeIds: [SCOPE_ID], externalIds: [body.data.issue.key] };
    },
  },
};

export default jiraConnector;
