/**
 * A local fake of Jira Cloud REST v3 for jira.js 5 (`Version3Client`).
 *
 * Speaks: GET|POST /rest/api/3/search/jql (enhanced search: `nextPageToken` / `isLast`, bounded JQL only,
 * default fields `id`), GET /rest/api/3/myself, GET|PUT /rest/api/3/issue/:key,
 * GET|POST /rest/api/3/issue/:key/transitions, POST /rest/api/3/issue (create, sub-tasks with `fields.parent`),
 * GET /rest/api/3/issue/createmeta/:project/issuetypes. Basic auth (email:api_token). Errors use Jira's
 * `{errorMessages, errors}` body; 429s carry Retry-After and X-RateLimit-* headers.
 *
 * JQL subset: `project = X` / `project in (A, B)`, `key`, `updated|created >= "yyyy-MM-dd HH:mm"` (also
 * yyyy-MM-dd, relative "-15m", >, <, <=, =), `assignee = currentUser()` / `= accountId` / `is EMPTY`,
 * `status`, `statusCategory`, `labels`, `priority`, `issuetype`, `parent`, `summary ~ "text"`, combined
 * with AND / OR / NOT and parentheses, plus `ORDER BY field ASC|DESC, ...`. Dates in JQL are read in the
 * user's time zone (option `userTimeZone`), like the real thing.
 */
import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import { DateTime } from "luxon";
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
} from "./common.ts";

export type { RecordedRequest } from "./common.ts";

// ---------------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------------

export type StatusCategoryKey = "new" | "indeterminate" | "done";
export type JiraPriorityName = "Highest" | "High" | "Medium" | "Low" | "Lowest";

export interface JiraStatus {
  id: string;
  name: string;
  category: StatusCategoryKey;
  /** Id of the transition that leads to this status. */
  transitionId: string;
}

/** The workflow every fake project uses: any status can move to any other. */
export const JIRA_STATUSES: readonly JiraStatus[] = [
  { id: "10000", name: "To Do", category: "new", transitionId: "11" },
  { id: "3", name: "In Progress", category: "indeterminate", transitionId: "21" },
  { id: "10001", name: "In Review", category: "indeterminate", transitionId: "31" },
  { id: "10002", name: "Done", category: "done", transitionId: "41" },
];

const CATEGORIES: Record<StatusCategoryKey, { id: number; colorName: string; name: string }> = {
  new: { id: 2, colorName: "blue-gray", name: "To Do" },
  indeterminate: { id: 4, colorName: "yellow", name: "In Progress" },
  done: { id: 3, colorName: "green", name: "Done" },
};

const PRIORITIES: readonly JiraPriorityName[] = ["Highest", "High", "Medium", "Low", "Lowest"];

export interface JiraUser {
  accountId: string;
  emailAddress: string;
  displayName: string;
  timeZone: string;
}

export interface JiraProject {
  id: string;
  key: string;
  name: string;
}

export interface FakeIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: "Task" | "Bug" | "Story" | "Epic" | "Subtask";
  summary: string;
  /** Plain text, rendered as an ADF paragraph; or a full ADF doc. */
  description: string | Record<string, unknown> | null;
  statusId: string;
  priority: JiraPriorityName | null;
  /** YYYY-MM-DD */
  duedate: string | null;
  originalEstimateSeconds: number | null;
  remainingEstimateSeconds: number | null;
  assigneeId: string | null;
  reporterId: string;
  parentKey: string | null;
  labels: string[];
  created: Date;
  updated: Date;
  resolutionDate: Date | null;
}

export interface JiraIssueInput {
  key?: string;
  projectKey?: string;
  issueType?: FakeIssue["issueType"];
  summary?: string;
  description?: string | Record<string, unknown> | null;
  /** Status name, e.g. "In Progress". */
  status?: string;
  priority?: JiraPriorityName | null;
  duedate?: string | null;
  originalEstimateSeconds?: number | null;
  remainingEstimateSeconds?: number | null;
  /** accountId, or null for unassigned. */
  assignee?: string | null;
  parentKey?: string | null;
  labels?: string[];
  /** Keys of issues that block this one (this issue "is blocked by" them). */
  blockedBy?: string[];
  created?: Date | string;
  updated?: Date | string;
}

export interface GenerateIssuesOptions {
  projectKey?: string;
  seed?: number;
  /** First issue's created/updated time; each next issue is `stepMinutes` later (default now − n×step). */
  startTime?: Date | string;
  stepMinutes?: number;
  /** Fraction assigned to the API user (default 0.6); the rest go to another user or nobody. */
  assignedToMeRate?: number;
}

export interface FakeJiraOptions {
  /** Basic auth e-mail (default `me@example.com`). */
  email?: string;
  /** Basic auth API token (default `jira_fake_token`). */
  apiToken?: string;
  /** The API user's time zone: JQL dates are read in it and timestamps are rendered in it (default UTC). */
  userTimeZone?: string;
  now?: () => Date;
  recordRequests?: boolean;
  /** Caps every search page at this many issues, whatever maxResults asks (to force paging). */
  maxPageSize?: number;
}

export interface FakeJiraState {
  readonly users: Map<string, JiraUser>;
  readonly projects: Map<string, JiraProject>;
  readonly issues: Map<string, FakeIssue>;
  /** The user the credentials belong to. */
  readonly me: JiraUser;
  addUser(user: Partial<JiraUser>): JiraUser;
  addProject(project: { key: string; name?: string }): JiraProject;
  addIssue(input?: JiraIssueInput): FakeIssue;
  /** N realistic issues (priorities, due dates, estimates, links, parents), deterministic per seed. */
  generateIssues(count: number, options?: GenerateIssuesOptions): FakeIssue[];
  /** Applies changes and bumps `updated`. */
  editIssue(key: string, changes: JiraIssueInput): FakeIssue;
  /** Moves an issue to a status by name and bumps `updated`. */
  transitionIssue(key: string, statusName: string): FakeIssue;
  /** Deletes an issue: it disappears from search and GET answers 404. */
  deleteIssue(key: string): void;
  /** The issue as GET /rest/api/3/issue/:key returns it (all fields). */
  renderIssue(key: string): JiraIssueJson;
  /** Change the accepted credentials (e.g. to simulate a revoked token). */
  setCredentials(credentials: { email?: string; apiToken?: string }): void;
  /** Make the next matching requests fail (default: one 429 with Retry-After: 1). */
  failNext(options?: FailNextOptions): void;
  clearFaults(): void;
}

export interface FakeJira extends FakeServerBase {
  state: FakeJiraState;
}

export interface JiraIssueJson {
  expand?: string;
  id: string;
  self: string;
  key: string;
  fields?: Record<string, unknown>;
}

class JiraError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(messages.join("; "));
  }
}

function faultBody(fault: Fault): unknown {
  switch (fault.status) {
    case 429:
      return { errorMessages: ["Rate limit exceeded."], errors: {} };
    case 401:
      return {
        errorMessages: ["You are not authenticated. Authentication required to perform this operation."],
        errors: {},
      };
    default:
      return { errorMessages: ["Internal server error"], errors: {} };
  }
}

function faultHeaders(fault: Fault): Record<string, string> {
  if (fault.status !== 429) return {};
  return {
    "X-RateLimit-Limit": "100",
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": new Date(Date.now() + (fault.retryAfterSeconds ?? 1) * 1000).toISOString(),
    "RateLimit-Reason": "jira-burst-based",
  };
}

function adf(text: string) {
  return {
    type: "doc",
    version: 1,
    content: [{ type: "paragraph", content: [{ type: "text", text }] }],
  };
}

function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  const units: [string, number][] = [
    ["w", 5 * 8 * 3600],
    ["d", 8 * 3600],
    ["h", 3600],
    ["m", 60],
  ];
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(" ") || "0m";
}

const SORTABLE = new Set([
  "updated",
  "updateddate",
  "created",
  "createddate",
  "duedate",
  "due",
  "priority",
  "summary",
  "status",
  "key",
  "issuekey",
  "id",
  "rank",
]);

function keyNumber(key: string): number {
  return Number(key.slice(key.lastIndexOf("-") + 1));
}

function compareKeys(a: string, b: string): number {
  const pa = a.slice(0, a.lastIndexOf("-"));
  const pb = b.slice(0, b.lastIndexOf("-"));
  if (pa !== pb) return pa < pb ? -1 : 1;
  return keyNumber(a) - keyNumber(b);
}

// ---------------------------------------------------------------------------------------------------
// JQL
// ---------------------------------------------------------------------------------------------------

type Token =
  | { kind: "word"; value: string }
  | { kind: "string"; value: string }
  | { kind: "op"; value: string }
  | { kind: "punct"; value: "(" | ")" | "," };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = "";
      while (j < jql.length && jql.charAt(j) !== c) {
        if (jql.charAt(j) === "\\") j++;
        s += jql.charAt(j);
        j++;
      }
      if (j >= jql.length) throw new JiraError(400, [`Error in the JQL Query: Unterminated string at ${i}.`]);
      tokens.push({ kind: "string", value: s });
      i = j + 1;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else if ("=!<>~".includes(c)) {
      const two = jql.slice(i, i + 2);
      if (two === ">=" || two === "<=" || two === "!=" || two === "!~") {
        tokens.push({ kind: "op", value: two });
        i += 2;
      } else {
        tokens.push({ kind: "op", value: c });
        i++;
      }
    } else {
      let j = i;
      while (j < jql.length && !/[\s()",=!<>~']/.test(jql.charAt(j))) j++;
      tokens.push({ kind: "word", value: jql.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

type JqlValue =
  | { kind: "literal"; value: string }
  | { kind: "function"; name: string; args: string[] }
  | { kind: "empty" }
  | { kind: "list"; values: JqlValue[] };

type JqlNode =
  | { kind: "and" | "or"; nodes: JqlNode[] }
  | { kind: "not"; node: JqlNode }
  | { kind: "clause"; field: string; op: string; value: JqlValue };

interface JqlQuery {
  where: JqlNode | null;
  orderBy: { field: string; direction: "asc" | "desc" }[];
}

function parseJql(jql: string): JqlQuery {
  const tokens = tokenize(jql);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, w: string): boolean =>
    t !== undefined && t.kind === "word" && t.value.toLowerCase() === w;
  const fail = (message: string): never => {
    throw new JiraError(400, [`Error in the JQL Query: ${message}`]);
  };

  function parseValue(): JqlValue {
    const t = tokens[pos++];
    if (!t) return fail("Expecting a value but reached the end of the query.");
    if (t.kind === "punct" && t.value === "(") {
      const values: JqlValue[] = [];
      while (true) {
        values.push(parseValue());
        const sep = tokens[pos++];
        if (sep?.kind === "punct" && sep.value === ")") break;
        if (!(sep?.kind === "punct" && sep.value === ",")) fail("Expecting ',' or ')' in a list.");
      }
      return { kind: "list", values };
    }
    if (t.kind === "string") return { kind: "literal", value: t.value };
    if (t.kind !== "word") return fail(`Unexpected '${t.value}'.`);
    if (t.value.toLowerCase() === "empty" || t.value.toLowerCase() === "null") return { kind: "empty" };
    const next = peek();
    if (next?.kind === "punct" && next.value === "(") {
      pos++;
      const args: string[] = [];
      while (true) {
        const a = tokens[pos++];
        if (!a) fail("Unterminated function call.");
        if (a?.kind === "punct" && a.value === ")") break;
        if (a?.kind === "punct" && a.value === ",") continue;
        if (a && (a.kind === "word" || a.kind === "string")) args.push(a.value);
      }
      return { kind: "function", name: t.value.toLowerCase(), args };
    }
    return { kind: "literal", value: t.value };
  }

  function parseClause(): JqlNode {
    const t = tokens[pos];
    if (t?.kind === "punct" && t.value === "(") {
      pos++;
      const inner = parseOr();
      const close = tokens[pos++];
      if (!(close?.kind === "punct" && close.value === ")")) fail("Expecting ')'.");
      return inner;
    }
    if (isWord(t, "not")) {
      pos++;
      return { kind: "not", node: parseClause() };
    }
    if (!t || (t.kind !== "word" && t.kind !== "string")) return fail("Expecting a field name.");
    pos++;
    const field = t.value.toLowerCase();
    let op: string;
    const o = tokens[pos++];
    if (o?.kind === "op") op = o.value;
    else if (isWord(o, "in")) op = "in";
    else if (isWord(o, "is")) {
      if (isWord(peek(), "not")) {
        pos++;
        op = "is not";
      } else op = "is";
    } else if (isWord(o, "not") && isWord(peek(), "in")) {
      pos++;
      op = "not in";
    } else return fail(`Expecting an operator after '${t.value}'.`);
    return { kind: "clause", field, op, value: parseValue() };
  }

  function parseAnd(): JqlNode {
    const nodes = [parseClause()];
    while (isWord(peek(), "and")) {
      pos++;
      nodes.push(parseClause());
    }
    return nodes.length === 1 && nodes[0] ? nodes[0] : { kind: "and", nodes };
  }

  function parseOr(): JqlNode {
    const nodes = [parseAnd()];
    while (isWord(peek(), "or")) {
      pos++;
      nodes.push(parseAnd());
    }
    return nodes.length === 1 && nodes[0] ? nodes[0] : { kind: "or", nodes };
  }

  let where: JqlNode | null = null;
  if (tokens.length > 0 && !isWord(peek(), "order")) where = parseOr();
  const orderBy: JqlQuery["orderBy"] = [];
  if (isWord(peek(), "order")) {
    pos++;
    if (!isWord(tokens[pos++], "by")) fail("Expecting 'BY' after 'ORDER'.");
    while (pos < tokens.length) {
      const f = tokens[pos++];
      if (!f || (f.kind !== "word" && f.kind !== "string")) fail("Expecting a field in ORDER BY.");
      let direction: "asc" | "desc" = "asc";
      if (isWord(peek(), "asc") || isWord(peek(), "desc")) {
        direction = peek()?.value.toLowerCase() === "desc" ? "desc" : "asc";
        pos++;
      }
      orderBy.push({ field: (f?.value ?? "").toLowerCase(), direction });
      const comma = peek();
      if (comma?.kind === "punct" && comma.value === ",") pos++;
    }
  }
  if (pos < tokens.length) fail(`Unexpected '${tokens[pos]?.value ?? ""}' at position ${pos}.`);
  return { where, orderBy };
}

// ---------------------------------------------------------------------------------------------------
// Request schemas
// ---------------------------------------------------------------------------------------------------

const SearchPostBody = z.object({
  jql: z.string().optional(),
  nextPageToken: z.string().optional(),
  maxResults: z.number().int().min(0).optional(),
  fields: z.array(z.string()).optional(),
  expand: z.string().optional(),
  properties: z.array(z.string()).optional(),
  fieldsByKeys: z.boolean().optional(),
  failFast: z.boolean().optional(),
  reconcileIssues: z.array(z.number()).optional(),
});

const TransitionBody = z.object({
  transition: z.object({ id: z.string().optional(), name: z.string().optional() }),
  fields: z.record(z.string(), z.unknown()).optional(),
  update: z.record(z.string(), z.unknown()).optional(),
});

const EditBody = z.object({
  fields: z
    .object({
      summary: z.string().optional(),
      description: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()]).optional(),
      duedate: z.string().nullable().optional(),
      labels: z.array(z.string()).optional(),
      priority: z.union([z.object({ name: z.string() }), z.object({ id: z.string() })]).optional(),
      assignee: z.object({ accountId: z.string().nullable() }).nullable().optional(),
      timetracking: z
        .object({ originalEstimate: z.string().optional(), remainingEstimate: z.string().optional() })
        .optional(),
    })
    .optional(),
  update: z.record(z.string(), z.unknown()).optional(),
});

const ISSUE_TYPES: FakeIssue["issueType"][] = ["Epic", "Story", "Task", "Bug", "Subtask"];

const Ref = z.union([z.object({ key: z.string() }), z.object({ id: z.string() })]);
const TypeRef = z.union([z.object({ id: z.string() }), z.object({ name: z.string() })]);
const CreateBody = z.object({
  fields: z.object({
    project: Ref,
    issuetype: TypeRef,
    summary: z.string().optional(),
    parent: Ref.optional(),
    description: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()]).optional(),
    duedate: z.string().nullable().optional(),
    labels: z.array(z.string()).optional(),
    priority: z.union([z.object({ name: z.string() }), z.object({ id: z.string() })]).optional(),
    assignee: z.object({ accountId: z.string().nullable() }).nullable().optional(),
    timetracking: z.object({ originalEstimate: z.string().optional() }).optional(),
  }),
  update: z.record(z.string(), z.unknown()).optional(),
});

function parseDuration(text: string): number {
  let total = 0;
  const sizes: Record<string, number> = { w: 5 * 8 * 3600, d: 8 * 3600, h: 3600, m: 60 };
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)\s*([wdhm])/g)) {
    total += Number(match[1]) * (sizes[match[2] ?? "m"] ?? 60);
  }
  return Math.round(total);
}

// ---------------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------------

export async function startFakeJira(options: FakeJiraOptions = {}): Promise<FakeJira> {
  let email = options.email ?? "me@example.com";
  let apiToken = options.apiToken ?? "jira_fake_token";
  const zone = options.userTimeZone ?? "UTC";
  const clock = monotonicClock(options.now ?? (() => new Date()));
  const { app, requests, faults } = createFakeApp({
    faultBody,
    faultHeaders,
    ...(options.recordRequests === undefined ? {} : { recordRequests: options.recordRequests }),
  });
  let baseUrl = "";

  const users = new Map<string, JiraUser>();
  const projects = new Map<string, JiraProject>();
  const issues = new Map<string, FakeIssue>();
  const issuesById = new Map<string, string>();
  /** Blocks links: id → blocker/blocked keys; plus per-key index. */
  const links = new Map<string, { id: string; blocker: string; blocked: string }>();
  const linksByKey = new Map<string, Set<string>>();
  const nextIssueNumber = new Map<string, number>();
  let nextIssueId = 10000;
  let nextLinkId = 10000;
  /** Snapshots behind nextPageTokens. */
  const pageTokens = new Map<
    string,
    { keys: string[]; offset: number; fields: string[]; maxResults: number }
  >();

  const me: JiraUser = {
    accountId: "5b10ac8d82e05b22cc7d4ef5",
    emailAddress: email,
    displayName: "Morgan Example",
    timeZone: zone,
  };
  users.set(me.accountId, me);
  const colleague: JiraUser = {
    accountId: "5b10a2844c20165700ede21g",
    emailAddress: "sam@example.com",
    displayName: "Sam Colleague",
    timeZone: zone,
  };
  users.set(colleague.accountId, colleague);

  const formatTime = (d: Date): string =>
    zone === "UTC"
      ? `${d.toISOString().slice(0, -1)}+0000`
      : DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZZZ");
  const statusById = (id: string): JiraStatus =>
    JIRA_STATUSES.find((s) => s.id === id) ?? (JIRA_STATUSES[0] as JiraStatus);
  const statusByName = (name: string): JiraStatus | undefined =>
    JIRA_STATUSES.find((s) => s.name.toLowerCase() === name.toLowerCase());

  function userJson(accountId: string | null) {
    if (!accountId) return null;
    const user = users.get(accountId);
    return {
      self: `${baseUrl}/rest/api/3/user?accountId=${accountId}`,
      accountId,
      emailAddress: user?.emailAddress,
      avatarUrls: { "48x48": `https://avatar.example/${accountId}.png` },
      displayName: user?.displayName ?? accountId,
      active: true,
      timeZone: user?.timeZone ?? zone,
      accountType: "atlassian",
    };
  }

  function statusJson(statusId: string) {
    const status = statusById(statusId);
    const category = CATEGORIES[status.category];
    return {
      self: `${baseUrl}/rest/api/3/status/${status.id}`,
      description: "",
      iconUrl: `${baseUrl}/images/icons/statuses/generic.png`,
      name: status.name,
      id: status.id,
      statusCategory: {
        self: `${baseUrl}/rest/api/3/statuscategory/${category.id}`,
        id: category.id,
        key: status.category,
        colorName: category.colorName,
        name: category.name,
      },
    };
  }

  function priorityJson(priority: JiraPriorityName | null) {
    if (!priority) return null;
    const id = String(PRIORITIES.indexOf(priority) + 1);
    return {
      self: `${baseUrl}/rest/api/3/priority/${id}`,
      iconUrl: `${baseUrl}/images/icons/priorities/${priority.toLowerCase()}.svg`,
      name: priority,
      id,
    };
  }

  function issueTypeJson(type: FakeIssue["issueType"]) {
    const ids: Record<FakeIssue["issueType"], string> = {
      Task: "10001",
      Bug: "10002",
      Story: "10003",
      Epic: "10000",
      Subtask: "10004",
    };
    return {
      self: `${baseUrl}/rest/api/3/issuetype/${ids[type]}`,
      id: ids[type],
      name: type,
      subtask: type === "Subtask",
      hierarchyLevel: type === "Epic" ? 1 : type === "Subtask" ? -1 : 0,
    };
  }

  function linkedIssueJson(key: string) {
    const issue = issues.get(key);
    return {
      id: issue?.id ?? "0",
      key,
      self: `${baseUrl}/rest/api/3/issue/${issue?.id ?? key}`,
      fields: issue
        ? {
            summary: issue.summary,
            status: statusJson(issue.statusId),
            priority: priorityJson(issue.priority),
            issuetype: issueTypeJson(issue.issueType),
          }
        : {},
    };
  }

  function allFields(issue: FakeIssue): Record<string, unknown> {
    const project = projects.get(issue.projectKey);
    const timetracking: Record<string, unknown> = {};
    if (issue.originalEstimateSeconds !== null) {
      timetracking.originalEstimate = formatDuration(issue.originalEstimateSeconds);
      timetracking.originalEstimateSeconds = issue.originalEstimateSeconds;
    }
    if (issue.remainingEstimateSeconds !== null) {
      timetracking.remainingEstimate = formatDuration(issue.remainingEstimateSeconds);
      timetracking.remainingEstimateSeconds = issue.remainingEstimateSeconds;
    }
    const issuelinks = [...(linksByKey.get(issue.key) ?? [])].flatMap((linkId): Record<string, unknown>[] => {
      const link = links.get(linkId);
      if (!link) return [];
      const type = {
        id: "10000",
        name: "Blocks",
        inward: "is blocked by",
        outward: "blocks",
        self: `${baseUrl}/rest/api/3/issueLinkType/10000`,
      };
      const self = `${baseUrl}/rest/api/3/issueLink/${link.id}`;
      if (link.blocked === issue.key) {
        if (!issues.has(link.blocker)) return [];
        return [{ id: link.id, self, type, inwardIssue: linkedIssueJson(link.blocker) }];
      }
      if (!issues.has(link.blocked)) return [];
      return [{ id: link.id, self, type, outwardIssue: linkedIssueJson(link.blocked) }];
    });
    const status = statusById(issue.statusId);
    const fields: Record<string, unknown> = {
      summary: issue.summary,
      description: typeof issue.description === "string" ? adf(issue.description) : issue.description,
      status: statusJson(issue.statusId),
      statuscategorychangedate: formatTime(issue.updated),
      priority: priorityJson(issue.priority),
      duedate: issue.duedate,
      timetracking,
      timeoriginalestimate: issue.originalEstimateSeconds,
      timeestimate: issue.remainingEstimateSeconds,
      aggregatetimeoriginalestimate: issue.originalEstimateSeconds,
      assignee: userJson(issue.assigneeId),
      reporter: userJson(issue.reporterId),
      creator: userJson(issue.reporterId),
      issuelinks,
      labels: issue.labels,
      issuetype: issueTypeJson(issue.issueType),
      project: {
        self: `${baseUrl}/rest/api/3/project/${project?.id ?? issue.projectKey}`,
        id: project?.id ?? "10000",
        key: issue.projectKey,
        name: project?.name ?? issue.projectKey,
        projectTypeKey: "software",
        simplified: false,
      },
      resolution:
        status.category === "done"
          ? { self: `${baseUrl}/rest/api/3/resolution/10000`, id: "10000", name: "Done", description: "" }
          : null,
      resolutiondate: issue.resolutionDate ? formatTime(issue.resolutionDate) : null,
      created: formatTime(issue.created),
      updated: formatTime(issue.updated),
    };
    if (issue.parentKey) fields.parent = linkedIssueJson(issue.parentKey);
    return fields;
  }

  function selectFields(all: Record<string, unknown>, wanted: string[]): Record<string, unknown> | undefined {
    const include = new Set<string>();
    const exclude = new Set<string>();
    let everything = false;
    for (const raw of wanted) {
      const f = raw.trim();
      if (f === "*all" || f === "*navigable") everything = true;
      else if (f.startsWith("-")) exclude.add(f.slice(1));
      else if (f !== "" && f !== "id" && f !== "key") include.add(f);
    }
    if (!everything && include.size === 0) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(all)) {
      if ((everything || include.has(name)) && !exclude.has(name)) out[name] = value;
    }
    return out;
  }

  function renderIssue(issue: FakeIssue, fields: string[]): JiraIssueJson {
    const json: JiraIssueJson = {
      expand: "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
      id: issue.id,
      self: `${baseUrl}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
    };
    const selected = selectFields(allFields(issue), fields);
    if (selected) json.fields = selected;
    return json;
  }

  function findIssue(keyOrId: string): FakeIssue {
    const key = issuesById.get(keyOrId) ?? keyOrId.toUpperCase();
    const issue = issues.get(key);
    if (!issue) throw new JiraError(404, ["Issue does not exist or you do not have permission to see it."]);
    return issue;
  }

  // -- JQL evaluation --------------------------------------------------------------------------------

  function literalValues(value: JqlValue): (string | null)[] {
    switch (value.kind) {
      case "empty":
        return [null];
      case "literal":
        return [value.value];
      case "list":
        return value.values.flatMap(literalValues);
      case "function":
        if (value.name === "currentuser") return [me.accountId];
        if (value.name === "now") return [String(Date.now())];
        throw new JiraError(400, [`Error in the JQL Query: Unsupported function ${value.name}().`]);
    }
  }

  /** JQL date literal → instant (ms), read in the user's zone. */
  function jqlInstant(value: JqlValue): number {
    if (value.kind === "function") {
      const now = DateTime.fromJSDate(clockPeek(), { zone });
      switch (value.name) {
        case "now":
          return now.toMillis();
        case "startofday":
          return now.startOf("day").toMillis();
        case "endofday":
          return now.endOf("day").toMillis();
        default:
          throw new JiraError(400, [`Error in the JQL Query: Unsupported function ${value.name}().`]);
      }
    }
    if (value.kind !== "literal") throw new JiraError(400, ["Error in the JQL Query: Expecting a date."]);
    const text = value.value.trim();
    const relative = /^([-+]?)(\d+)([wdhm])$/.exec(text);
    if (relative) {
      const n = Number(relative[2]) * (relative[1] === "-" ? -1 : 1);
      const unit = { w: "weeks", d: "days", h: "hours", m: "minutes" }[relative[3] ?? "m"] ?? "minutes";
      return DateTime.fromJSDate(clockPeek(), { zone })
        .plus({ [unit]: n })
        .toMillis();
    }
    for (const format of ["yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd"]) {
      const parsed = DateTime.fromFormat(text, format, { zone });
      if (parsed.isValid) return parsed.toMillis();
    }
    throw new JiraError(400, [
      `Date value '${text}' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
    ]);
  }

  function compareOp(op: string, a: number, b: number): boolean {
    switch (op) {
      case "=":
        return a === b;
      case "!=":
        return a !== b;
      case ">":
        return a > b;
      case ">=":
        return a >= b;
      case "<":
        return a < b;
      case "<=":
        return a <= b;
      default:
        throw new JiraError(400, [
          `Error in the JQL Query: The operator '${op}' is not supported for dates.`,
        ]);
    }
  }

  function setOp(op: string, actual: (string | null)[], wanted: (string | null)[]): boolean {
    const norm = (v: string | null) => (v === null ? null : v.toLowerCase());
    const a = actual.map(norm);
    const w = wanted.map(norm);
    const hit = w.some((v) => (v === null ? a.length === 0 || a.includes(null) : a.includes(v)));
    switch (op) {
      case "=":
      case "in":
      case "is":
        return hit;
      case "!=":
      case "not in":
      case "is not":
        return !hit;
      default:
        throw new JiraError(400, [`Error in the JQL Query: The operator '${op}' is not supported here.`]);
    }
  }

  function evaluate(node: JqlNode, issue: FakeIssue): boolean {
    switch (node.kind) {
      case "and":
        return node.nodes.every((n) => evaluate(n, issue));
      case "or":
        return node.nodes.some((n) => evaluate(n, issue));
      case "not":
        return !evaluate(node.node, issue);
      case "clause":
        break;
    }
    const { field, op, value } = node;
    const status = statusById(issue.statusId);
    switch (field) {
      case "project":
        return setOp(
          op,
          [
            issue.projectKey,
            projects.get(issue.projectKey)?.name ?? null,
            projects.get(issue.projectKey)?.id ?? null,
          ],
          literalValues(value),
        );
      case "key":
      case "issuekey":
      case "id":
        return setOp(op, [issue.key, issue.id], literalValues(value));
      case "updated":
      case "updateddate":
      case "created":
      case "createddate": {
        const at = (field.startsWith("updated") ? issue.updated : issue.created).getTime();
        return compareOp(op, at, jqlInstant(value));
      }
      case "duedate":
      case "due": {
        if (value.kind === "empty") return setOp(op, [issue.duedate], [null]);
        if (issue.duedate === null) return false;
        const due = DateTime.fromISO(issue.duedate, { zone }).toMillis();
        return compareOp(op, due, jqlInstant(value));
      }
      case "assignee":
        return setOp(
          op,
          [issue.assigneeId],
          literalValues(value).map((v) => resolveUser(v)),
        );
      case "reporter":
        return setOp(
          op,
          [issue.reporterId],
          literalValues(value).map((v) => resolveUser(v)),
        );
      case "status":
        return setOp(op, [status.name, status.id], literalValues(value));
      case "statuscategory": {
        const category = CATEGORIES[status.category];
        return setOp(op, [status.category, category.name, String(category.id)], literalValues(value));
      }
      case "priority":
        return setOp(
          op,
          [issue.priority, issue.priority ? String(PRIORITIES.indexOf(issue.priority) + 1) : null],
          literalValues(value),
        );
      case "labels":
        return setOp(op, issue.labels, literalValues(value));
      case "issuetype":
      case "type":
        return setOp(op, [issue.issueType], literalValues(value));
      case "parent":
        return setOp(op, [issue.parentKey], literalValues(value));
      case "summary":
      case "text": {
        const wanted = literalValues(value)[0]?.toLowerCase() ?? "";
        const haystack =
          field === "text"
            ? `${issue.summary} ${typeof issue.description === "string" ? issue.description : ""}`
            : issue.summary;
        const found = haystack.toLowerCase().includes(wanted);
        if (op === "~") return found;
        if (op === "!~") return !found;
        throw new JiraError(400, [
          `Error in the JQL Query: The operator '${op}' is not supported by the '${field}' field.`,
        ]);
      }
      default:
        throw new JiraError(400, [
          `Field '${field}' does not exist or you do not have permission to view it.`,
        ]);
    }
  }

  function resolveUser(value: string | null): string | null {
    if (value === null) return null;
    if (users.has(value)) return value;
    for (const u of users.values())
      if (u.emailAddress === value || u.displayName === value) return u.accountId;
    return value;
  }

  function orderValue(issue: FakeIssue, field: string): number | string | null {
    switch (field) {
      case "updated":
      case "updateddate":
        return issue.updated.getTime();
      case "created":
      case "createddate":
        return issue.created.getTime();
      case "duedate":
      case "due":
        return issue.duedate;
      case "priority":
        return issue.priority ? PRIORITIES.indexOf(issue.priority) : null;
      case "summary":
        return issue.summary.toLowerCase();
      case "status":
        return statusById(issue.statusId).name;
      case "key":
      case "issuekey":
      case "id":
      case "rank":
        return null; // handled by compareKeys below
      default:
        throw new JiraError(400, [
          `Error in the JQL Query: Field '${field}' does not exist or cannot be sorted.`,
        ]);
    }
  }

  function runJql(jql: string): string[] {
    const query = parseJql(jql);
    if (!query.where) {
      throw new JiraError(400, [
        "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
      ]);
    }
    const matched: FakeIssue[] = [];
    for (const issue of issues.values()) if (evaluate(query.where, issue)) matched.push(issue);
    const order =
      query.orderBy.length > 0 ? query.orderBy : [{ field: "created", direction: "desc" as const }];
    for (const o of order) {
      if (!SORTABLE.has(o.field)) {
        throw new JiraError(400, [
          `Error in the JQL Query: Field '${o.field}' does not exist or cannot be sorted.`,
        ]);
      }
    }
    const keyed = matched.map((issue) => ({ issue, values: order.map((o) => orderValue(issue, o.field)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const o = order[i];
        if (!o) continue;
        const dir = o.direction === "desc" ? -1 : 1;
        const x = a.values[i] ?? null;
        const y = b.values[i] ?? null;
        if (x === null && y === null) {
          if (["key", "issuekey", "id", "rank"].includes(o.field)) {
            const c = compareKeys(a.issue.key, b.issue.key);
            if (c !== 0) return c * dir;
          }
          continue;
        }
        if (x === y) continue;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * dir;
      }
      return compareKeys(a.issue.key, b.issue.key);
    });
    return keyed.map((k) => k.issue.key);
  }

  function clockPeek(): Date {
    return options.now ? options.now() : new Date();
  }

  // -- state API ------------------------------------------------------------------------------------

  function addLink(blocker: string, blocked: string): void {
    const id = String(nextLinkId++);
    links.set(id, { id, blocker, blocked });
    for (const key of [blocker, blocked]) {
      let set = linksByKey.get(key);
      if (!set) {
        set = new Set();
        linksByKey.set(key, set);
      }
      set.add(id);
    }
  }

  function applyInput(issue: FakeIssue, input: JiraIssueInput): void {
    if (input.summary !== undefined) issue.summary = input.summary;
    if (input.description !== undefined) issue.description = input.description;
    if (input.status !== undefined) {
      const status = statusByName(input.status);
      if (!status) throw new Error(`Unknown Jira status ${input.status}`);
      const wasDone = statusById(issue.statusId).category === "done";
      issue.statusId = status.id;
      if (status.category === "done" && !wasDone) issue.resolutionDate = issue.updated;
      if (status.category !== "done") issue.resolutionDate = null;
    }
    if (input.priority !== undefined) issue.priority = input.priority;
    if (input.duedate !== undefined) issue.duedate = input.duedate;
    if (input.originalEstimateSeconds !== undefined)
      issue.originalEstimateSeconds = input.originalEstimateSeconds;
    if (input.remainingEstimateSeconds !== undefined)
      issue.remainingEstimateSeconds = input.remainingEstimateSeconds;
    if (input.assignee !== undefined) issue.assigneeId = input.assignee;
    if (input.parentKey !== undefined) issue.parentKey = input.parentKey;
    if (input.labels !== undefined) issue.labels = [...input.labels];
    if (input.issueType !== undefined) issue.issueType = input.issueType;
    for (const blocker of input.blockedBy ?? []) addLink(blocker, issue.key);
  }

  function bump(issue: FakeIssue): void {
    issue.updated = clock();
  }

  const state: FakeJiraState = {
    users,
    projects,
    issues,
    me,
    addUser(input) {
      const user: JiraUser = {
        accountId: input.accountId ?? `acct-${users.size + 1}`,
        emailAddress: input.emailAddress ?? `user${users.size + 1}@example.com`,
        displayName: input.displayName ?? `User ${users.size + 1}`,
        timeZone: input.timeZone ?? zone,
      };
      users.set(user.accountId, user);
      return user;
    },
    addProject({ key, name }) {
      const existing = projects.get(key);
      if (existing) return existing;
      const project: JiraProject = { id: String(10000 + projects.size), key, name: name ?? `${key} project` };
      projects.set(key, project);
      return project;
    },
    addIssue(input = {}) {
      const projectKey = input.projectKey ?? input.key?.slice(0, input.key.lastIndexOf("-")) ?? "CAIRN";
      state.addProject({ key: projectKey });
      let key = input.key;
      if (key === undefined) {
        const n = nextIssueNumber.get(projectKey) ?? 1;
        key = `${projectKey}-${n}`;
      }
      nextIssueNumber.set(projectKey, Math.max(nextIssueNumber.get(projectKey) ?? 1, keyNumber(key) + 1));
      if (issues.has(key)) throw new Error(`Issue ${key} already exists`);
      const now = clock();
      const created = input.created === undefined ? now : new Date(input.created);
      const updated = input.updated === undefined ? created : new Date(input.updated);
      const issue: FakeIssue = {
        id: String(nextIssueId++),
        key,
        projectKey,
        issueType: "Task",
        summary: `Issue ${key}`,
        description: null,
        statusId: JIRA_STATUSES[0]?.id ?? "10000",
        priority: "Medium",
        duedate: null,
        originalEstimateSeconds: null,
        remainingEstimateSeconds: null,
        assigneeId: me.accountId,
        reporterId: me.accountId,
        parentKey: null,
        labels: [],
        created,
        updated,
        resolutionDate: null,
      };
      issues.set(key, issue);
      issuesById.set(issue.id, key);
      applyInput(issue, input);
      return issue;
    },
    generateIssues(count, opts = {}) {
      const random = seededRandom(opts.seed ?? 1);
      const projectKey = opts.projectKey ?? "CAIRN";
      const step = (opts.stepMinutes ?? 1) * 60000;
      const start =
        opts.startTime !== undefined
          ? new Date(opts.startTime).getTime()
          : Math.floor((Date.now() - count * step) / 60000) * 60000;
      const mine = opts.assignedToMeRate ?? 0.6;
      const verbs = ["Fix", "Implement", "Investigate", "Document", "Refactor", "Test", "Review", "Migrate"];
      const things = [
        "login flow",
        "billing export",
        "search index",
        "API rate limiter",
        "onboarding",
        "CI cache",
      ];
      const made: FakeIssue[] = [];
      for (let i = 0; i < count; i++) {
        const at = new Date(start + i * step);
        const r = random();
        const hasEstimate = random() < 0.7;
        const estimate = pick(random, [1800, 3600, 7200, 14400, 28800, 57600]);
        const epic = made.find((m) => m.issueType === "Epic" && random() < 0.05);
        const input: JiraIssueInput = {
          projectKey,
          issueType: i % 25 === 0 ? "Epic" : pick(random, ["Task", "Task", "Bug", "Story"] as const),
          summary: `${pick(random, verbs)} ${pick(random, things)} (${i + 1})`,
          description: `Details for work item ${i + 1}.`,
          status: pick(random, ["To Do", "To Do", "In Progress", "In Review", "Done"]),
          priority: pick(random, PRIORITIES),
          duedate:
            random() < 0.6
              ? new Date(at.getTime() + Math.floor(random() * 30) * 86400000).toISOString().slice(0, 10)
              : null,
          originalEstimateSeconds: hasEstimate ? estimate : null,
          remainingEstimateSeconds: hasEstimate ? Math.round(estimate * random()) : null,
          assignee: r < mine ? me.accountId : r < mine + 0.25 ? colleague.accountId : null,
          labels: ["backend", "frontend", "ops", "customer"].filter(() => random() < 0.25),
          created: at,
          updated: at,
        };
        if (epic) input.parentKey = epic.key;
        const previous = made[Math.floor(random() * made.length)];
        if (previous && random() < 0.1) input.blockedBy = [previous.key];
        made.push(state.addIssue(input));
      }
      return made;
    },
    editIssue(key, changes) {
      const issue = findIssue(key);
      bump(issue);
      applyInput(issue, changes);
      return issue;
    },
    transitionIssue(key, statusName) {
      return state.editIssue(key, { status: statusName });
    },
    deleteIssue(key) {
      const issue = findIssue(key);
      issues.delete(issue.key);
      issuesById.delete(issue.id);
    },
    renderIssue(key) {
      return renderIssue(findIssue(key), ["*all"]);
    },
    setCredentials(credentials) {
      if (credentials.email !== undefined) email = credentials.email;
      if (credentials.apiToken !== undefined) apiToken = credentials.apiToken;
    },
    failNext(opts) {
      faults.push(opts);
    },
    clearFaults() {
      faults.clear();
    },
  };

  // -- HTTP ------------------------------------------------------------------------------------------

  app.use("/rest", (req: Request, res: Response, next) => {
    const expected = `Basic ${Buffer.from(`${email}:${apiToken}`).toString("base64")}`;
    if (req.header("authorization") !== expected) {
      res
        .status(401)
        .set("WWW-Authenticate", 'Basic realm="protected-area"')
        .json({
          errorMessages: ["You are not authenticated. Authentication required to perform this operation."],
          errors: {},
        });
      return;
    }
    next();
  });

  const route = (handler: (req: Request, res: Response) => unknown) => (req: Request, res: Response) => {
    try {
      const result = handler(req, res);
      if (result === undefined) res.status(204).end();
      else res.json(result);
    } catch (error) {
      if (error instanceof JiraError) {
        res.status(error.status).json({ errorMessages: error.messages, errors: error.fieldErrors });
        return;
      }
      throw error;
    }
  };

  const param = (req: Request, name: string): string => {
    const value = req.params[name];
    return typeof value === "string" ? value : "";
  };
  const queryString = (req: Request, name: string): string | undefined => {
    const value = req.query[name];
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string").join(",");
    return undefined;
  };
  const splitFields = (value: string | string[] | undefined): string[] =>
    value === undefined
      ? []
      : (Array.isArray(value) ? value : value.split(",")).map((f) => f.trim()).filter(Boolean);

  function search(input: { jql?: string; nextPageToken?: string; maxResults?: number; fields: string[] }) {
    const idOnly = selectFields({ x: 1 }, input.fields) === undefined;
    const cap = idOnly ? 5000 : 100;
    let snapshot: { keys: string[]; offset: number; fields: string[]; maxResults: number };
    if (input.nextPageToken) {
      const found = pageTokens.get(input.nextPageToken);
      if (!found) throw new JiraError(400, ["The provided next page token is invalid or expired."]);
      pageTokens.delete(input.nextPageToken);
      snapshot = found;
    } else {
      snapshot = { keys: runJql(input.jql ?? ""), offset: 0, fields: input.fields, maxResults: 0 };
    }
    const maxResults = Math.min(input.maxResults ?? 50, cap, options.maxPageSize ?? cap);
    const slice = snapshot.keys.slice(snapshot.offset, snapshot.offset + maxResults);
    const nextOffset = snapshot.offset + slice.length;
    const isLast = nextOffset >= snapshot.keys.length || maxResults === 0;
    const out: { issues: JiraIssueJson[]; nextPageToken?: string; isLast: boolean } = {
      issues: slice.flatMap((key) => {
        const issue = issues.get(key);
        return issue ? [renderIssue(issue, input.fields)] : []; // deleted since the first page
      }),
      isLast,
    };
    if (!isLast) {
      const token = Buffer.from(randomUUID()).toString("base64url");
      pageTokens.set(token, { ...snapshot, offset: nextOffset });
      out.nextPageToken = token;
    }
    return out;
  }

  app.get(
    "/rest/api/3/search/jql",
    route((req) => {
      const maxRaw = queryString(req, "maxResults");
      const jql = queryString(req, "jql");
      const token = queryString(req, "nextPageToken");
      return search({
        fields: splitFields(queryString(req, "fields")),
        ...(jql === undefined ? {} : { jql }),
        ...(token === undefined ? {} : { nextPageToken: token }),
        ...(maxRaw === undefined ? {} : { maxResults: Number(maxRaw) }),
      });
    }),
  );

  app.post(
    "/rest/api/3/search/jql",
    route((req) => {
      const parsed = SearchPostBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new JiraError(400, [`Invalid request payload: ${parsed.error.message}`]);
      const body = parsed.data;
      return search({
        fields: body.fields ?? [],
        ...(body.jql === undefined ? {} : { jql: body.jql }),
        ...(body.nextPageToken === undefined ? {} : { nextPageToken: body.nextPageToken }),
        ...(body.maxResults === undefined ? {} : { maxResults: body.maxResults }),
      });
    }),
  );

  app.get(
    "/rest/api/3/myself",
    route(() => ({
      self: `${baseUrl}/rest/api/3/user?accountId=${me.accountId}`,
      accountId: me.accountId,
      accountType: "atlassian",
      emailAddress: email,
      avatarUrls: { "48x48": `https://avatar.example/${me.accountId}.png` },
      displayName: me.displayName,
      active: true,
      timeZone: zone,
      locale: "en_US",
      groups: { size: 1, items: [] },
      applicationRoles: { size: 1, items: [] },
      expand: "groups,applicationRoles",
    })),
  );

  app.get(
    "/rest/api/3/issue/:key",
    route((req) => {
      const fields = splitFields(queryString(req, "fields"));
      return renderIssue(findIssue(param(req, "key")), fields.length > 0 ? fields : ["*all"]);
    }),
  );

  app.put(
    "/rest/api/3/issue/:key",
    route((req) => {
      const issue = findIssue(param(req, "key"));
      const parsed = EditBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new JiraError(400, [`Invalid request payload: ${parsed.error.message}`]);
      const f = parsed.data.fields ?? {};
      const changes: JiraIssueInput = {};
      if (f.summary !== undefined) changes.summary = f.summary;
      if (f.description !== undefined) changes.description = f.description;
      if (f.duedate !== undefined) changes.duedate = f.duedate;
      if (f.labels !== undefined) changes.labels = f.labels;
      if (f.priority !== undefined) {
        const p = "name" in f.priority ? f.priority.name : PRIORITIES[Number(f.priority.id) - 1];
        if (!p || !PRIORITIES.includes(p as JiraPriorityName)) {
          throw new JiraError(400, [], { priority: "Specify a valid priority." });
        }
        changes.priority = p as JiraPriorityName;
      }
      if (f.assignee !== undefined) changes.assignee = f.assignee?.accountId ?? null;
      if (f.timetracking?.originalEstimate !== undefined) {
        changes.originalEstimateSeconds = parseDuration(f.timetracking.originalEstimate);
      }
      if (f.timetracking?.remainingEstimate !== undefined) {
        changes.remainingEstimateSeconds = parseDuration(f.timetracking.remainingEstimate);
      }
      state.editIssue(issue.key, changes);
      return undefined;
    }),
  );

  // Create-issue metadata: the issue types a project offers (sub-task types have `subtask: true`).
  app.get(
    "/rest/api/3/issue/createmeta/:project/issuetypes",
    route((req) => {
      const wanted = param(req, "project");
      const project = [...projects.values()].find((p) => p.key === wanted || p.id === wanted);
      if (!project) throw new JiraError(404, [`No project could be found with key '${wanted}'.`]);
      const types = ISSUE_TYPES.map((type) => ({ ...issueTypeJson(type), description: "", iconUrl: "" }));
      return {
        issueTypes: types,
        createMetaIssueType: types,
        maxResults: 50,
        startAt: 0,
        total: types.length,
      };
    }),
  );

  // Create issue: with a sub-task issue type, `fields.parent` is required and names a standard issue of the project.
  app.post(
    "/rest/api/3/issue",
    route((req, res) => {
      const parsed = CreateBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new JiraError(400, [`Invalid request payload: ${parsed.error.message}`]);
      const f = parsed.data.fields;
      const project = [...projects.values()].find((p) =>
        "key" in f.project ? p.key === f.project.key : p.id === f.project.id,
      );
      if (!project) throw new JiraError(400, [], { project: "valid project is required" });
      const type = ISSUE_TYPES.find((t) =>
        "name" in f.issuetype ? t === f.issuetype.name : issueTypeJson(t).id === f.issuetype.id,
      );
      if (!type) throw new JiraError(400, [], { issuetype: "valid issue type is required" });
      if (!f.summary?.trim())
        throw new JiraError(400, [], { summary: "You must specify a summary of the issue." });
      let parentKey: string | null = null;
      if (type === "Subtask") {
        if (!f.parent) throw new JiraError(400, [], { parent: "Parent is required for sub-task." });
        const parent = findIssueOr400("key" in f.parent ? f.parent.key : f.parent.id);
        if (parent.issueType === "Subtask" || parent.projectKey !== project.key) {
          throw new JiraError(400, [], {
            parent: "Given parent issue does not belong to appropriate hierarchy.",
          });
        }
        parentKey = parent.key;
      }
      const badLabel = f.labels?.find((label) => /\s/.test(label));
      if (badLabel !== undefined) {
        throw new JiraError(400, [], { labels: `The label '${badLabel}' contains spaces which is invalid.` });
      }
      const estimate = f.timetracking?.originalEstimate;
      const issue = state.addIssue({
        projectKey: project.key,
        issueType: type,
        summary: f.summary,
        parentKey,
        assignee: f.assignee === undefined ? null : (f.assignee?.accountId ?? null),
        ...(f.description !== undefined ? { description: f.description } : {}),
        ...(f.duedate !== undefined ? { duedate: f.duedate } : {}),
        ...(f.labels ? { labels: f.labels } : {}),
        ...(estimate
          ? {
              originalEstimateSeconds: parseDuration(estimate),
              remainingEstimateSeconds: parseDuration(estimate),
            }
          : {}),
      });
      res.status(201);
      return { id: issue.id, key: issue.key, self: `${baseUrl}/rest/api/3/issue/${issue.id}` };
    }),
  );

  function findIssueOr400(keyOrId: string): FakeIssue {
    try {
      return findIssue(keyOrId);
    } catch {
      throw new JiraError(400, [], { parent: `Could not find issue by id or key: ${keyOrId}` });
    }
  }

  app.get(
    "/rest/api/3/issue/:key/transitions",
    route((req) => {
      const issue = findIssue(param(req, "key"));
      return {
        expand: "transitions",
        transitions: JIRA_STATUSES.filter((s) => s.id !== issue.statusId).map((s) => ({
          id: s.transitionId,
          name: s.name,
          to: statusJson(s.id),
          hasScreen: false,
          isGlobal: true,
          isInitial: false,
          isAvailable: true,
          isConditional: false,
          isLooped: false,
        })),
      };
    }),
  );

  app.post(
    "/rest/api/3/issue/:key/transitions",
    route((req) => {
      const issue = findIssue(param(req, "key"));
      const parsed = TransitionBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new JiraError(400, ["Missing 'transition' identifier"]);
      const wanted = parsed.data.transition;
      const target = JIRA_STATUSES.find(
        (s) =>
          (wanted.id !== undefined && s.transitionId === wanted.id) ||
          (wanted.name !== undefined && s.name === wanted.name),
      );
      if (!target || target.id === issue.statusId) {
        throw new JiraError(400, [
          `Transition id '${wanted.id ?? wanted.name ?? ""}' is not valid for this issue.`,
        ]);
      }
      state.transitionIssue(issue.key, target.name);
      return undefined;
    }),
  );

  const { url, close } = await listen(
    app,
    () => ({ status: 404, body: { errorMessages: ["Not found"], errors: {} } }),
    (error) =>
      isRecord(error) && error.status === 400
        ? { status: 400, body: { errorMessages: ["Unexpected character in the request body."], errors: {} } }
        : { status: 500, body: { errorMessages: ["Internal server error"], errors: {} } },
  );
  baseUrl = url;
  return { url, state, requests, close };
}

// ---------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------

/** Header carrying the signature of a Jira webhook with a secret. */
export const JIRA_SIGNATURE_HEADER = "X-Hub-Signature";

/** `sha256=<hex HMAC-SHA256 of the raw body keyed by the webhook secret>`. */
export function signJiraWebhook(body: string, secret: string): string {
  return hmacSha256Signature(body, secret);
}

export type JiraWebhookEventName = "jira:issue_created" | "jira:issue_updated" | "jira:issue_deleted";

export interface JiraChangelogItem {
  field: string;
  fieldtype: string;
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface JiraWebhookEvent {
  timestamp: number;
  webhookEvent: JiraWebhookEventName;
  issue_event_type_name: string;
  user: { accountId: string; displayName: string; accountType: string; active: boolean };
  issue: JiraIssueJson;
  changelog?: { id: string; items: JiraChangelogItem[] };
  matchedWebhookIds?: number[];
}

/**
 * A webhook body as Jira sends it. Render the issue with `fake.state.renderIssue(key)` (before deleting it,
 * for `jira:issue_deleted`).
 */
export function buildJiraWebhookEvent(
  webhookEvent: JiraWebhookEventName,
  issue: JiraIssueJson,
  options: {
    changelog?: JiraChangelogItem[];
    user?: { accountId: string; displayName: string };
    timestamp?: Date;
  } = {},
): JiraWebhookEvent {
  const typeName = {
    "jira:issue_created": "issue_created",
    "jira:issue_updated": "issue_generic",
    "jira:issue_deleted": "issue_deleted",
  }[webhookEvent];
  const event: JiraWebhookEvent = {
    timestamp: (options.timestamp ?? new Date()).getTime(),
    webhookEvent,
    issue_event_type_name: typeName,
    user: {
      accountId: options.user?.accountId ?? "5b10ac8d82e05b22cc7d4ef5",
      displayName: options.user?.displayName ?? "Morgan Example",
      accountType: "atlassian",
      active: true,
    },
    issue,
    matchedWebhookIds: [1],
  };
  if (webhookEvent === "jira:issue_updated") {
    event.changelog = {
      id: String(10000 + Math.floor(Math.random() * 90000)),
      items: options.changelog ?? [
        {
          field: "status",
          fieldtype: "jira",
          fieldId: "status",
          from: "10000",
          fromString: "To Do",
          to: "3",
          toString: "In Progress",
        },
      ],
    };
  }
  return event;
}

/** POSTs a signed webhook body to `url` like Jira does. Pass a string to control the exact bytes. */
export async function deliverJiraWebhook(
  url: string,
  event: JiraWebhookEvent | string,
  secret: string,
): Promise<{ status: number; text: string }> {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  return postRaw(url, body, {
    "content-type": "application/json",
    "user-agent": "Atlassian Webhook HTTP Client",
    [JIRA_SIGNATURE_HEADER]: signJiraWebhook(body, secret),
  });
}
