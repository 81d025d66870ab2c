/**
 * The Sync service as the rest of the engine sees it: connections, sync runs, sync and write-back jobs, env
 * connections and webhooks over the connectors bin/ registers (implemented in service.ts, set as
 * `services.sync`).
 */
import type { Router } from "express";
import type { ConnectionRecord } from "../db/repositories/connections.ts";
import type { ConnectionSeed, ConnectorContext, SyncScope } from "./source-contract.ts";
import type { SyncStats } from "./stats.ts";

export interface SyncJobData {
  workspaceId: string;
  connectionId: string;
  scopeIds?: string[];
  externalIds?: string[];
  full?: boolean;
}

export interface ConnectRequest {
  workspaceId: string;
  personId: string | null;
  kind: string;
  seed: ConnectionSeed;
  syncIntervalMinutes?: number;
  /**
   * The seed comes from the environment (a start): on an existing connection it only applies what changed in
   * the environment since the last start, keeping what a person set through connect_* (see env-seed.ts).
   */
  fromEnv?: boolean;
}

export interface PageProgress {
  connectionId: string;
  scope: SyncScope;
  page: number;
  items: number;
  totals: SyncStats;
}

export interface RunOptions {
  workspaceId: string;
  connectionId: string;
  /** Only these scopes (webhooks); all when absent. */
  scopeIds?: string[];
  /** Only these items (webhooks); uses the connector's fetchItems when it has one. */
  externalIds?: string[];
  /** Start from no cursor and mark what is not seen again as deleted at the source. */
  full?: boolean;
  /** Called after each page is committed. Throwing aborts the run (the committed pages stay). */
  onPage?: (progress: PageProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface Sync {
  /** Validates (schemas, URL guard), stores encrypted, schedules the repeatable sync. */
  connect(request: ConnectRequest): Promise<{ connection: ConnectionRecord; created: boolean }>;
  disconnect(workspaceId: string, connectionId: string): Promise<boolean>;
  /** Runs a sync now in this process (locked per connection); maps failures onto the connection's status. */
  sync(options: RunOptions): Promise<SyncStats>;
  enqueueSync(data: SyncJobData, delayMs?: number): Promise<string>;
  schedule(connection: ConnectionRecord): Promise<void>;
  unschedule(connectionId: string): Promise<void>;
  /** On start: repeatable syncs for every active connection (the in-process queue forgets them on exit). */
  scheduleAll(): Promise<number>;
  /** On start: connections from NOTION_TOKEN, JIRA_*, GOOGLE_*, CALDAV_*, ICS_URLS in CAIRN_WORKSPACE. */
  ensureEnvConnections(): Promise<ConnectionRecord[]>;
  /** Registers the sync and write-back job handlers. */
  installWorkers(): void;
  /** Express router for /webhooks. */
  webhookRouter(): Router;
  /** Builds a connector context for a connection (write-back, channel maintenance). */
  contextFor(
    connection: ConnectionRecord,
    signal?: AbortSignal,
  ): Promise<{
    ctx: ConnectorContext<unknown, unknown>;
    apiCalls(): number;
  }>;
}
