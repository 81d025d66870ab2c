/**
 * The Connector contract every source in connectors/ implements. The engine owns cursors, storage,
 * scheduling, retries and rate limits; a connector only talks to its provider and normalizes.
 *
 * Pull: given the stored cursor for one scope (a data source, a JQL query, a calendar), return one page
 * of normalized items and the cursor to store next. The engine upserts the items and stores the cursor
 * in the same transaction, so a crash mid-sync never skips or duplicates data.
 */
import type { z } from "zod";
import type { AnyAction } from "../actions/define.ts";
import type { Config, SettingSpec } from "../config.ts";

export * from "./source-contract.ts";

import type { LinkIdentity } from "./dedupe.ts";

import type {
  BlockToWrite,
  ConnectionSeed,
  ConnectorContext,
  ConnectorKind,
  PulledItem,
  PullPage,
  SubtaskToWrite,
  SyncScope,
  WebhookOutcome,
  WebhookRequest,
} from "./source-contract.ts";

/** A provider's documented request rate, as a token bucket per connection. */
export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once before the rate applies. */
  burst: number;
}

/** The values of a connector's env variables, typed by their schemas (checked when the config was loaded). */
export type EnvValues<Specs extends readonly SettingSpec[]> = {
  [Spec in Specs[number] as Spec["env"]]: z.output<Spec["schema"]>;
};

/** Reads a connector's own variables from the loaded config. */
export function envValues<const Specs extends readonly SettingSpec[]>(
  config: Config,
  specs: Specs,
): EnvValues<Specs> {
  // loadConfig parsed each of these variables with the schema its spec declares.
  return Object.fromEntries(specs.map((spec) => [spec.env, config[spec.env]])) as EnvValues<Specs>;
}

/** What a connect_<kind> action's run may use to turn its flat input into a connection. */
export interface ConnectHelpers {
  config: Config;
  /**
   * The connector's own env mapping (fromEnv) with the flat input laid over the config's variables:
   * `cleared` variables are dropped first, so only the input's values count for them.
   */
  fromEnv(overlay: Record<string, unknown>, cleared: readonly string[]): ConnectionSeed | undefined;
  /** Every connection the env mapping yields for that input (ICS: one per feed URL). */
  allFromEnv(overlay: Record<string, unknown>, cleared: readonly string[]): ConnectionSeed[];
}

/** The `connect_<kind>` action: its texts and flat input; the engine adds name, syncEveryMinutes, credentials, settings. */
export interface ConnectSpec<Shape extends z.ZodRawShape = z.ZodRawShape> {
  title: string;
  description: string;
  input: Shape;
  examples?: string[];
  /**
   * The connection the input describes (throw invalidInput for a missing field); undefined when it names none;
   * several when the input names several (each stored as a connection of its own).
   */
  seed(
    input: z.output<z.ZodObject<Shape>> & AdvancedInput,
    helpers: ConnectHelpers,
  ): ConnectionSeed | ConnectionSeed[] | undefined;
  /** The advanced objects as stored, when the flat input adds to them (default: input.credentials, input.settings). */
  advanced?(input: z.output<z.ZodObject<Shape>> & AdvancedInput): AdvancedInput;
}

/** The connect actions' advanced escape hatch: the connector's own objects, as is. */
export interface AdvancedInput {
  name?: string;
  credentials?: Record<string, unknown>;
  settings?: Record<string, unknown>;
}

/** One `--flag` of `cairn connect <kind>`. */
export interface CliFlag {
  type: "string" | "boolean";
  multiple?: boolean;
}

/** Parsed flags, as node:util parseArgs gives them. */
export type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** `cairn connect <kind>`: its help lines and how its flags (and env fallbacks) become the action's input. */
export interface ConnectCli {
  /** Lines of `cairn connect --help` for this kind, as shown. */
  usage: string[];
  flags: Record<string, CliFlag>;
  /** The action input, or a message for a malformed flag (exit status 2). */
  input(values: CliValues, config: Config): Record<string, unknown> | { error: string };
  /** `cairn connect <kind> --webhook`: capture the provider's webhook verification token through two actions. */
  webhookSetup?: WebhookSetupCli;
}

export interface WebhookSetupCli {
  /** Shown when --webhook is given with another kind. */
  usage: string;
  openAction: string;
  showAction: string;
  /** The provider's name in the command's messages, e.g. "Notion". */
  provider: string;
  /** Where, in the provider's settings, the subscription is created. */
  where: string;
}

/** How a connector's README section describes it (generated into README.md by bin/docs.ts). */
export interface ConnectorDocs {
  /** The env bullet under "Connecting", e.g. "`JIRA_HOST`, `JIRA_EMAIL` and `JIRA_API_TOKEN`, with optional `JIRA_JQL`." */
  env: string;
  /** Its row in the README's inbound-routes table: the route, what authenticates it, how it is refused. */
  webhookRoute?: { path: string; authenticatedBy: string; refusedWith: string };
}

/**
 * A connector definition: the one export of a connectors/<folder>. The engine builds its connect action, config
 * variables, rate limit and webhook route from it; bin/ builds its CLI and README sections.
 */
export interface Connector<Credentials = unknown, Settings = unknown> {
  /**
   * The stable identity of one of this source's items behind a URL (e.g. a page id, when the URL's slug
   * changes with the title), so another source's link to it dedupes; undefined for URLs that are not its items.
   */
  linkIdentity?: LinkIdentity;
  kind: ConnectorKind;
  title: string;
  /** The provider's documented request rate for one connection. */
  limits: RateLimit;
  /** Env variables that configure it (a connection in CAIRN_WORKSPACE), in `cairn config` and README order. */
  env: readonly SettingSpec[];
  connect: ConnectSpec;
  cli: ConnectCli;
  docs: ConnectorDocs;
  /** Actions only this connector has (beyond connect_<kind>), registered with it. */
  actions?: AnyAction[];
  credentials: z.ZodType<Credentials>;
  settings: z.ZodType<Settings>;
  /**
   * Top-level settings that are secrets whatever they look like (an ICS feed URL, whose path is its key):
   * stored sealed like credentials, shown redacted. URLs with user:password@ or ?token= are sealed anyway.
   */
  secretSettings?: readonly string[];
  /** Scopes this connection syncs (discovered from the provider where needed). */
  scopes(ctx: ConnectorContext<Credentials, Settings>): Promise<SyncScope[]>;
  /**
   * The provider's page cursors can be used more than once (Notion's start_cursor): the runner then requests
   * the next page while it writes the current one. Leave unset when a page token is single-use (Jira's
   * nextPageToken and Google's pageToken, as the fakes model them): a run that stopped between two pages would
   * find its stored token spent. Such a connector can still be pipelined through `resumeCursor`.
   */
  reusablePageCursors?: boolean;
  /**
   * For single-use page cursors: the cursor to store in place of `nextCursor` when the runner requests the
   * next page (spending the token) before this page is written. It must reach the rest of the pass without
   * the token (a keyset position such as Jira's last `updated`); re-reading a few items is fine, writes are
   * idempotent by content hash. A connector that has it is pipelined like one with reusable cursors.
   */
  resumeCursor?(nextCursor: string): string;
  /** One page of a scope, from the stored cursor (null: first full sync). */
  pull(
    ctx: ConnectorContext<Credentials, Settings>,
    scope: SyncScope,
    cursor: string | null,
  ): Promise<PullPage>;
  /** Normalizes one raw item from a page; throws to have the engine skip and report it. */
  normalize(raw: unknown, scope: SyncScope, settings: Settings): PulledItem;
  /** Write-back: mark a task done at the source. */
  completeTask?(ctx: ConnectorContext<Credentials, Settings>, externalId: string): Promise<void>;
  /**
   * Write-back: create a subtask under one of this source's items (a Jira sub-task, a Notion sub-item) for a
   * subtask made in Cairn; returns the new item's id and URL. Absent: such subtasks stay in Cairn only.
   */
  createSubtask?(
    ctx: ConnectorContext<Credentials, Settings>,
    parent: { externalId: string; scope: SyncScope },
    subtask: SubtaskToWrite,
  ): Promise<{ externalId: string; url: string | null }>;
  /** Write-back: create or move a Cairn focus block; returns the provider's event id. */
  upsertBlock?(ctx: ConnectorContext<Credentials, Settings>, block: BlockToWrite): Promise<string>;
  /** The calendar blocks are written to, when the settings name one (else: the first events scope). */
  blockCalendarId?(settings: Settings): string | undefined;
  /** Write-back: remove a Cairn focus block; must refuse to touch events Cairn did not create. */
  deleteBlock?(
    ctx: ConnectorContext<Credentials, Settings>,
    calendarId: string,
    externalEventId: string,
  ): Promise<void>;
  /**
   * Targeted pull of some items by external id (after a webhook): one page with those items, a deleted marker
   * (`deleted: true`) for the ones the provider no longer has. The stored cursor is not touched.
   */
  fetchItems?(
    ctx: ConnectorContext<Credentials, Settings>,
    scope: SyncScope,
    externalIds: string[],
  ): Promise<PullPage>;
  /** Called after each sync run: create push channels, or renew them before they expire (see ctx.channels). */
  maintainChannels?(ctx: ConnectorContext<Credentials, Settings>, scopes: SyncScope[]): Promise<void>;
  /**
   * Connections this connector derives from the environment (NOTION_TOKEN, JIRA_*, GOOGLE_*, CALDAV_*,
   * ICS_URLS); empty when its variables are unset. `connect_*` actions call it too, with their flat input
   * overlaid on the config under the same variable names.
   */
  fromEnv?(config: Config): ConnectionSeed<Credentials, Settings>[];
  /** Webhooks: verify the signature (false: 401, store nothing) and say what to sync. */
  webhook?: {
    verify(request: WebhookRequest, secret: string): boolean;
    handle(request: WebhookRequest): WebhookOutcome;
  };
  /**
   * Push notifications on channels the connector opened (maintainChannels), delivered to `/webhooks/<kind>`:
   * how a notification names its channel and proves it (the token Cairn chose), and whether it needs no sync.
   */
  pushChannels?: {
    channelId(request: WebhookRequest): string | undefined;
    channelToken(request: WebhookRequest): string | undefined;
    /** The provider's handshake on a new channel: answered 200, nothing synced. */
    isHandshake(request: WebhookRequest): boolean;
    /** Named in the 400 answer when the channel id is missing, e.g. "X-Goog-Channel-ID". */
    channelIdHeader: string;
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds connectors of different credential types
export type AnyConnector = Connector<any, any>;

/** Provider errors, translated by connectors so the engine's retry policy can act on them. */
export class RateLimitedError extends Error {
  override readonly name = "RateLimitedError";
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The credential was revoked or expired: the connection needs reconnecting; retrying will not help. */
export class CredentialRejectedError extends Error {
  override readonly name = "CredentialRejectedError";
}

/** 5xx, timeouts, resets: worth retrying with backoff. */
export class TransientProviderError extends Error {
  override readonly name = "TransientProviderError";
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
