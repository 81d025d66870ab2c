/**
 * The sync service: the connector registry given by bin/, connections, sync runs (locked per connection),
 * sync and write-back jobs, env connections and webhooks. bin/ sets it as `services.sync` so actions can reach
 * it without the engine importing any connector.
 */

import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { publicUrl } from "../config.ts";
import type { Queryable } from "../db/port.ts";
import {
  allConnectionsOfKind,
  type ConnectionRecord,
  connectionsWithUnsealedSettings,
  deleteConnectionRecord,
  envSeedOf,
  findConnectionByName,
  getConnectionRecord,
  recordConnectionError,
  saveSealedCredentials,
  sealedSecrets,
  sealSettingsSecret,
  setConnectionStatus,
  upsertConnection,
} from "../db/repositories/connections.ts";
import { forgetScopes } from "../db/repositories/sync-store.ts";
import { findWorkspace, firstPerson } from "../db/repositories/workspaces.ts";
import { CairnError, ErrorCode, invalidInput, notFound } from "../errors.ts";
import { RetryLaterError, UnrecoverableJobError } from "../jobs/port.ts";
import { redactSecrets } from "../security/redact.ts";
import type { EngineServices } from "../services.ts";
import { applyPlanToCalendar, BLOCK_WRITEBACK_JOB, registerCalendarBlockWriter } from "./block-writer.ts";
import { channelStore } from "./channels.ts";
import {
  type AnyConnector,
  type ConnectorContext,
  type ConnectorKind,
  CredentialRejectedError,
  RateLimitedError,
  TransientProviderError,
} from "./connector.ts";
import { EnvSeed, mergeEnvSeed } from "./env-seed.ts";
import { createProviderFetch, type RateLimit, TokenBucket } from "./http.ts";
import { createPinnedFetch } from "./pinned-fetch.ts";
import type { Sync, SyncJobData } from "./port.ts";
import { runSync, SCOPES_KEY } from "./runner.ts";
import { mergeSecretSettings, type SecretSettings, splitSecretSettings } from "./secret-settings.ts";
import { createSubtaskAtSource } from "./subtask-writeback.ts";
import { DEFAULT_LEASE_TIMING, type LeaseTiming, SyncBusyError, withSyncLease } from "./sync-lease.ts";
import { createOutboundPolicy } from "./url-guard.ts";
import { createWebhookRouter } from "./webhooks.ts";
import { completeAtSources } from "./writeback.ts";

export const SYNC_QUEUE = "sync";
const SYNC_BUSY_RETRY_MS = 30_000;
export const WRITEBACK_QUEUE = "writeback";
/** Creates a subtask made in Cairn at its parent's source (engine/actions/tasks.ts enqueues it). */
export const SUBTASK_WRITEBACK_JOB = "create_subtask";
export const DEFAULT_SYNC_INTERVAL_MINUTES = 10;

export interface SyncServiceOptions {
  /** Per-kind rate limits; null turns the limit off (benchmarks against local fakes). */
  rateLimits?: Partial<Record<ConnectorKind, RateLimit | null>>;
  /** Retries inside one request (429/5xx/network) before the job's own retry takes over. */
  retry?: { maxRetries?: number; backoffMs?: number; maxWaitMs?: number };
  /** Base fetch (tests). */
  fetch?: typeof fetch;
  /** The cross-process sync lease's timing (tests shorten it). */
  lease?: Partial<LeaseTiming>;
}

export function getSyncService(services: EngineServices): Sync {
  const service = services.sync;
  if (!service) {
    throw new CairnError(
      ErrorCode.Unavailable,
      "Sync is not installed in this build of Cairn (no connectors registered).",
    );
  }
  return service;
}

export function sealCredentials(services: EngineServices, credentials: unknown): string {
  return services.secrets.seal(JSON.stringify(credentials));
}

/** Strings that name a URL of any scheme (file:, gopher:, data:... are refused by the guard, not skipped). */
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|(?:data|file|javascript|jar|blob):)/i;

/** Every URL in a seed's settings and credentials, with its path, for the URL guard. */
function urlsIn(
  value: unknown,
  path: string,
  out: { path: string; url: string }[] = [],
): { path: string; url: string }[] {
  if (typeof value === "string") {
    if (URL_LIKE.test(value.trim())) out.push({ path, url: value.trim() });
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) urlsIn(item, `${path}[${index}]`, out);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) urlsIn(item, path ? `${path}.${key}` : key, out);
  }
  return out;
}

/** An error's text as shown to people and logs: credentials inside URLs redacted. */
function errorText(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

export function createSyncService(
  services: EngineServices,
  connectors: readonly AnyConnector[],
  options: SyncServiceOptions = {},
): Sync {
  const byKind = new Map(connectors.map((connector) => [connector.kind as string, connector]));
  const linkIdentities = connectors.flatMap((connector) =>
    connector.linkIdentity ? [connector.linkIdentity] : [],
  );
  const blockWritingKinds = connectors
    .filter((connector) => connector.upsertBlock)
    .map((connector) => connector.kind);
  const buckets = new Map<string, TokenBucket>();
  // In-process runs of one connection queue here; runs in other processes are kept out by the lease.
  const locks = new Map<string, Promise<unknown>>();
  const leaseTiming: LeaseTiming = { ...DEFAULT_LEASE_TIMING, ...options.lease };
  const log = services.log.child({ module: "sync" });
  const policy = createOutboundPolicy({
    allowPrivate: services.config.CAIRN_ALLOW_PRIVATE_URLS,
    allowedNetworks: services.config.CAIRN_ALLOWED_PRIVATE_NETWORKS ?? [],
  });
  // Sockets connect only to addresses the policy checked at connect time (no second DNS lookup).
  const transport = options.fetch ?? createPinnedFetch(policy).fetch;
  // Every hop (first URL and each redirect) is checked before it is sent; a test's own base fetch does
  // not pin addresses, so its hops are resolved and checked here instead.
  const guard = options.fetch
    ? async (url: string) => {
        await policy.assertUrl(url, "the request");
      }
    : async (url: string) => {
        policy.checkUrl(url, "the request");
      };
  const repeatKey = (connectionId: string) => `sync-${connectionId}`;

  const connectorOf = (kind: string): AnyConnector => {
    const connector = byKind.get(kind);
    if (!connector) {
      throw notFound(
        `No connector "${kind}" in this build; available: ${[...byKind.keys()].join(", ") || "none"}.`,
      );
    }
    return connector;
  };

  const bucketFor = (connection: ConnectionRecord): TokenBucket | undefined => {
    const kind = connection.kind;
    const limit =
      options.rateLimits && kind in options.rateLimits ? options.rateLimits[kind] : byKind.get(kind)?.limits;
    if (!limit) return undefined;
    let bucket = buckets.get(connection.id);
    if (!bucket) {
      bucket = new TokenBucket(limit);
      buckets.set(connection.id, bucket);
    }
    return bucket;
  };

  const contextFor: Sync["contextFor"] = async (connection, signal) => {
    const connector = connectorOf(connection.kind);
    const sealed = await services.db.scoped(connection.workspaceId, (tx) => sealedSecrets(tx, connection.id));
    if (!sealed) throw notFound(`No connection ${connection.id}.`);
    let credentials: unknown;
    try {
      credentials = connector.credentials.parse(JSON.parse(services.secrets.open(sealed.credentials)));
    } catch {
      throw new CredentialRejectedError(
        `The stored credentials of "${connection.name}" cannot be read or no longer fit the ${connection.kind} connector; connect it again.`,
      );
    }
    let secretSettings: SecretSettings | undefined;
    try {
      secretSettings = sealed.settingsSecret
        ? (JSON.parse(services.secrets.open(sealed.settingsSecret)) as SecretSettings)
        : undefined;
    } catch {
      throw new CredentialRejectedError(
        `The stored settings of "${connection.name}" cannot be decrypted (was CAIRN_MASTER_KEY changed?); connect it again.`,
      );
    }
    const parsedSettings = connector.settings.safeParse(
      mergeSecretSettings(connection.settings ?? {}, secretSettings),
    );
    if (!parsedSettings.success) {
      throw invalidInput(
        `The settings of "${connection.name}" are invalid: ${parsedSettings.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}. Connect it again with corrected settings.`,
      );
    }
    let calls = 0;
    const fetch = createProviderFetch({
      kind: connector.kind,
      bucket: bucketFor(connection),
      guard,
      onRequest: () => {
        calls += 1;
      },
      ...(signal ? { signal } : {}),
      fetch: transport,
      ...options.retry,
    });
    const ctx: ConnectorContext<unknown, unknown> = {
      credentials,
      settings: parsedSettings.data,
      saveCredentials: async (next) => {
        const checked = connector.credentials.parse(next);
        await services.db.scoped(connection.workspaceId, (tx) =>
          saveSealedCredentials(tx, connection.id, sealCredentials(services, checked)),
        );
      },
      fetch,
      log: log.child({ connection: connection.id, kind: connection.kind }),
      ...(signal ? { signal } : {}),
      now: () => services.now(),
      connectionId: connection.id,
      ...(services.config.CAIRN_PUBLIC_URL
        ? { webhookUrl: `${publicUrl(services.config)}/webhooks/${connection.kind}` }
        : {}),
      channels: channelStore(services.db, services.secrets, connection.workspaceId, connection.id),
    };
    return { ctx, apiCalls: () => calls };
  };

  /** Connections stored before secret settings were sealed (plain ICS URLs): sealed now, once. */
  const sealStoredSecretSettings = async (): Promise<void> => {
    const rows = await services.db.system((tx) => connectionsWithUnsealedSettings(tx));
    for (const row of rows) {
      const { visible, secret } = splitSecretSettings(row.settings, byKind.get(row.kind)?.secretSettings);
      if (!secret) continue;
      const sealedSecret = services.secrets.seal(JSON.stringify(secret));
      await services.db.system((tx) => sealSettingsSecret(tx, row.id, visible, sealedSecret));
      log.info(
        { connection: row.id, kind: row.kind },
        "secret settings of the connection are now stored encrypted",
      );
    }
  };

  const withLock = async <T>(connectionId: string, fn: () => Promise<T>): Promise<T> => {
    const previous = locks.get(connectionId) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(fn);
    const settled = run.catch(() => {});
    locks.set(connectionId, settled);
    try {
      return await run;
    } finally {
      if (locks.get(connectionId) === settled) locks.delete(connectionId);
    }
  };

  /** An env seed laid over a stored connection: what a person set stays, what nobody changed follows the env. */
  const mergeWithStored = async (
    tx: Queryable,
    connector: AnyConnector,
    existing: ConnectionRecord,
    next: EnvSeed,
  ) => {
    const open = (sealed: string | null | undefined): string | null => {
      if (!sealed) return null;
      try {
        return services.secrets.open(sealed);
      } catch {
        return null;
      }
    };
    const sealedPrevious = await envSeedOf(tx, existing.id);
    const previousParsed = EnvSeed.safeParse(JSON.parse(open(sealedPrevious) ?? "null"));
    const previous = previousParsed.success ? previousParsed.data : null;
    const sealed = await sealedSecrets(tx, existing.id);
    const storedCredentials = JSON.parse(open(sealed?.credentials) ?? "null") as unknown;
    // Settings that are secrets (an ICS URL) are stored sealed; the merge needs their real values.
    const storedSecretSettings = JSON.parse(open(sealed?.settingsSecret) ?? "null") as SecretSettings | null;
    const merge = mergeEnvSeed(
      {
        settings: (mergeSecretSettings(existing.settings ?? {}, storedSecretSettings ?? undefined) ??
          {}) as Record<string, unknown>,
        credentials: storedCredentials,
        webhookSecret: open(sealed?.webhookSecret),
      },
      previous,
      next,
    );
    const settings = connector.settings.safeParse(merge.settings);
    const credentials = connector.credentials.safeParse(merge.credentials);
    if (!settings.success || !credentials.success) {
      log.warn(
        { connection: existing.id, kind: existing.kind },
        "stored settings or credentials no longer fit the connector; the environment's replace them",
      );
    }
    return {
      settings: settings.success ? settings.data : next.settings,
      credentialsSealed: sealCredentials(services, credentials.success ? credentials.data : next.credentials),
      credentialsChanged: merge.credentialsChanged || !credentials.success,
      applyWebhookSecret: merge.applyWebhookSecret,
    };
  };

  const service: Sync = {
    contextFor,

    async connect(request) {
      const connector = connectorOf(request.kind);
      const credentials = connector.credentials.safeParse(request.seed.credentials);
      if (!credentials.success) {
        const issues = credentials.error.issues.map((i) => ({
          path: `credentials.${i.path.join(".")}`,
          message: i.message,
        }));
        throw invalidInput(
          `Invalid ${request.kind} credentials: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
          issues,
        );
      }
      const settings = connector.settings.safeParse(request.seed.settings ?? {});
      if (!settings.success) {
        const issues = settings.error.issues.map((i) => ({
          path: `settings.${i.path.join(".")}`,
          message: i.message,
        }));
        throw invalidInput(
          `Invalid ${request.kind} settings: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
          issues,
        );
      }
      for (const { path, url } of [
        ...urlsIn(settings.data, "settings"),
        ...urlsIn(credentials.data, "credentials").filter(
          (entry) => !/token|secret|password/i.test(entry.path),
        ),
      ]) {
        await policy.assertUrl(url, path);
      }
      const interval = request.syncIntervalMinutes ?? DEFAULT_SYNC_INTERVAL_MINUTES;
      const stored = splitSecretSettings(settings.data, connector.secretSettings);
      const envSeed: EnvSeed | undefined = request.fromEnv
        ? {
            settings: settings.data as Record<string, unknown>,
            credentials: credentials.data,
            webhookSecret: request.seed.webhookSecret ?? null,
          }
        : undefined;
      const { result, settingsChanged } = await services.db.scoped(request.workspaceId, async (tx) => {
        const existing = await findConnectionByName(tx, request.kind, request.seed.name);
        const saved = await save(tx, existing);
        const settingsChanged = !isDeepStrictEqual(existing?.settings, saved.connection.settings);
        // Scopes and their field mappings depend on the settings: discover them again at the next sync.
        if (settingsChanged) await forgetScopes(tx, saved.connection.id, SCOPES_KEY);
        return { result: saved, settingsChanged };
      });
      async function save(tx: Queryable, existing: ConnectionRecord | undefined) {
        if (envSeed && existing) {
          const merged = await mergeWithStored(tx, connector, existing, envSeed);
          const mergedSettings = splitSecretSettings(merged.settings, connector.secretSettings);
          return upsertConnection(tx, request.workspaceId, {
            personId: request.personId,
            kind: request.kind,
            name: request.seed.name,
            credentialsSealed: merged.credentialsSealed,
            settings: mergedSettings.visible,
            settingsSecretSealed: mergedSettings.secret
              ? services.secrets.seal(JSON.stringify(mergedSettings.secret))
              : null,
            webhookSecretSealed:
              merged.applyWebhookSecret && envSeed.webhookSecret
                ? services.secrets.seal(envSeed.webhookSecret)
                : null,
            syncIntervalMinutes: existing.syncIntervalMinutes,
            envSeedSealed: services.secrets.seal(JSON.stringify(envSeed)),
            keepStatus: !merged.credentialsChanged,
          });
        }
        return upsertConnection(tx, request.workspaceId, {
          personId: request.personId,
          kind: request.kind,
          name: request.seed.name,
          credentialsSealed: sealCredentials(services, credentials.data),
          settings: stored.visible,
          settingsSecretSealed: stored.secret ? services.secrets.seal(JSON.stringify(stored.secret)) : null,
          webhookSecretSealed: request.seed.webhookSecret
            ? services.secrets.seal(request.seed.webhookSecret)
            : null,
          syncIntervalMinutes: interval,
          ...(envSeed ? { envSeedSealed: services.secrets.seal(JSON.stringify(envSeed)) } : {}),
        });
      }
      // The stored settings are what the schema made of the input; keep them as the connector sees them.
      await service.schedule(result.connection);
      services.changes.notify({
        kind: "connections",
        workspaceId: request.workspaceId,
        ids: [result.connection.id],
      });
      log.info(
        { connection: result.connection.id, kind: request.kind, created: result.created, settingsChanged },
        "connection saved",
      );
      return result;
    },

    async disconnect(workspaceId, connectionId) {
      const removed = await services.db.scoped(workspaceId, (tx) => deleteConnectionRecord(tx, connectionId));
      if (removed) {
        await service.unschedule(connectionId);
        buckets.delete(connectionId);
        services.changes.notify({ kind: "connections", workspaceId, ids: [connectionId] });
      }
      return removed;
    },

    sync(runOptions) {
      return withLock(runOptions.connectionId, async () => {
        const connection = await services.db.scoped(runOptions.workspaceId, (tx) =>
          getConnectionRecord(tx, runOptions.connectionId),
        );
        if (!connection)
          throw notFound(
            `No connection ${runOptions.connectionId} in this workspace. List them with list_connections.`,
          );
        if (connection.status === "needs_reconnect") {
          throw new CredentialRejectedError(
            `"${connection.name}" needs reconnecting (${redactSecrets(connection.lastError ?? "its credential was rejected")}); run connect_${connection.kind} again.`,
          );
        }
        if (connection.status === "disabled") throw invalidInput(`"${connection.name}" is disabled.`);
        const connector = connectorOf(connection.kind);
        try {
          const result = await withSyncLease(
            services.db,
            { workspaceId: runOptions.workspaceId, connectionId: connection.id, name: connection.name },
            () => runSync({ services, connector, linkIdentities, context: contextFor }, runOptions),
            leaseTiming,
          );
          for (const personId of result.taskPeople) {
            services.changes.notify({
              kind: "tasks",
              workspaceId: runOptions.workspaceId,
              personId,
              ids: result.changedTaskIds,
            });
          }
          for (const personId of result.eventPeople) {
            services.changes.notify({ kind: "calendar", workspaceId: runOptions.workspaceId, personId });
          }
          log.info(
            { connection: connection.id, kind: connection.kind, ...result.stats, skippedItems: undefined },
            "sync finished",
          );
          return result.stats;
        } catch (error) {
          if (error instanceof CredentialRejectedError) {
            await services.db.scoped(runOptions.workspaceId, (tx) =>
              setConnectionStatus(tx, connection.id, "needs_reconnect", errorText(error)),
            );
            await service.unschedule(connection.id);
            services.changes.notify({
              kind: "connections",
              workspaceId: runOptions.workspaceId,
              ids: [connection.id],
            });
          } else if (error instanceof SyncBusyError) {
            log.info(
              { connection: connection.id },
              "sync skipped: another process is syncing this connection",
            );
            throw error;
          } else {
            await services.db
              .scoped(runOptions.workspaceId, (tx) =>
                recordConnectionError(tx, connection.id, `Sync failed: ${errorText(error)}`),
              )
              .catch(() => {});
          }
          log.warn(
            { connection: connection.id, kind: connection.kind, error: errorText(error) },
            "sync failed",
          );
          throw error;
        }
      });
    },

    async enqueueSync(data, delayMs = 0) {
      const targeted = data.scopeIds || data.externalIds;
      const suffix = targeted
        ? `-${createHash("sha1")
            .update(JSON.stringify([data.scopeIds ?? [], data.externalIds ?? []]))
            .digest("hex")
            .slice(0, 12)}`
        : "";
      return services.jobs.enqueue(SYNC_QUEUE, "sync", data, {
        jobId: `sync-${data.connectionId}${suffix}`,
        // A webhook that lands while this sync runs may describe a change the sync has already read past.
        rerunIfActive: true,
        attempts: 5,
        backoffMs: 5_000,
        delayMs,
      });
    },

    async schedule(connection) {
      if (connection.status !== "active" || connection.syncIntervalMinutes <= 0) {
        await service.unschedule(connection.id);
        return;
      }
      await services.jobs.repeat(
        SYNC_QUEUE,
        "sync",
        { workspaceId: connection.workspaceId, connectionId: connection.id } satisfies SyncJobData,
        { everyMs: connection.syncIntervalMinutes * 60_000, key: repeatKey(connection.id) },
      );
    },

    async unschedule(connectionId) {
      await services.jobs.removeRepeat(SYNC_QUEUE, repeatKey(connectionId));
    },

    async scheduleAll() {
      await sealStoredSecretSettings();
      const all = await services.db.system((tx) => allConnectionsOfKind(tx));
      let scheduled = 0;
      for (const connection of all) {
        if (!byKind.has(connection.kind)) continue;
        await service.schedule(connection);
        if (connection.status === "active" && connection.syncIntervalMinutes > 0) scheduled += 1;
      }
      return scheduled;
    },

    async ensureEnvConnections() {
      const seeds = connectors.flatMap((connector) =>
        (connector.fromEnv?.(services.config) ?? []).map((seed) => ({ connector, seed })),
      );
      if (seeds.length === 0) return [];
      const slug = services.config.CAIRN_WORKSPACE;
      const owner = await services.db.system(async (tx) => {
        const workspace = await findWorkspace(tx, slug);
        if (!workspace) return undefined;
        const person = await firstPerson(tx, workspace.id);
        return { workspaceId: workspace.id, personId: person?.id ?? null };
      });
      if (!owner) {
        log.warn({ workspace: slug }, "env connections skipped: the workspace does not exist yet");
        return [];
      }
      const out: ConnectionRecord[] = [];
      for (const { connector, seed } of seeds) {
        try {
          const { connection } = await service.connect({
            workspaceId: owner.workspaceId,
            personId: owner.personId,
            kind: connector.kind,
            seed,
            fromEnv: true,
          });
          out.push(connection);
        } catch (error) {
          log.error(
            { kind: connector.kind, name: seed.name, error: errorText(error) },
            "could not set up the env connection",
          );
        }
      }
      return out;
    },

    installWorkers() {
      services.jobs.handle<SyncJobData>(
        SYNC_QUEUE,
        async (job) => {
          try {
            return await service.sync({
              workspaceId: job.data.workspaceId,
              connectionId: job.data.connectionId,
              ...(job.data.scopeIds ? { scopeIds: job.data.scopeIds } : {}),
              ...(job.data.externalIds ? { externalIds: job.data.externalIds } : {}),
              ...(job.data.full ? { full: true } : {}),
              onPage: () => job.progress(50),
            });
          } catch (error) {
            throw asJobError(error);
          }
        },
        { concurrency: 2 },
      );
      services.jobs.handle<{ workspaceId: string; taskId: string; personId: string }>(
        WRITEBACK_QUEUE,
        async (job) => {
          if (job.name === BLOCK_WRITEBACK_JOB) {
            try {
              return await applyPlanToCalendar(
                { services, connectorOf: (kind) => byKind.get(kind), blockWritingKinds, contextFor },
                job.data.workspaceId,
                job.data.personId,
              );
            } catch (error) {
              throw asJobError(error);
            }
          }
          if (job.name === SUBTASK_WRITEBACK_JOB) {
            try {
              return await createSubtaskAtSource(
                { services, connectorOf: (kind) => byKind.get(kind), contextFor, log },
                job.data.workspaceId,
                job.data.taskId,
              );
            } catch (error) {
              throw asJobError(error);
            }
          }
          if (job.name !== "complete_task")
            throw new UnrecoverableJobError(`Unknown write-back job "${job.name}".`);
          try {
            return await completeAtSources(
              { services, connectorOf: (kind) => byKind.get(kind), contextFor, log },
              job.data.workspaceId,
              job.data.taskId,
            );
          } catch (error) {
            throw asJobError(error);
          }
        },
        { concurrency: 2 },
      );
    },

    webhookRouter() {
      return createWebhookRouter({
        services,
        connectorOf: (kind) => byKind.get(kind),
        enqueueSync: service.enqueueSync,
        log,
      });
    },
  };
  if (connectors.some((connector) => connector.upsertBlock))
    registerCalendarBlockWriter(services, WRITEBACK_QUEUE);
  return service;
}

/** Provider errors → what the queue should do next. */
export function asJobError(error: unknown): unknown {
  if (error instanceof CredentialRejectedError) return new UnrecoverableJobError(error.message);
  if (error instanceof RateLimitedError) return new RetryLaterError(error.message, error.retryAfterMs);
  if (error instanceof SyncBusyError) return new RetryLaterError(error.message, SYNC_BUSY_RETRY_MS);
  if (error instanceof TransientProviderError && error.retryAfterMs !== undefined) {
    return new RetryLaterError(error.message, error.retryAfterMs);
  }
  if (
    error instanceof CairnError &&
    (error.code === ErrorCode.NotFound || error.code === ErrorCode.InvalidInput)
  ) {
    return new UnrecoverableJobError(error.message);
  }
  return error;
}
