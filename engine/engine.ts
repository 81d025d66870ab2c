import { connectorActions } from "./actions/connections.ts";
import type { ActionContext, Actor, AnyAction, Face, Progress } from "./actions/define.ts";
import { allActions } from "./actions/index.ts";
import { ActionRegistry } from "./actions/registry.ts";
import { ChangeFeed } from "./changes.ts";
import type { Config } from "./config.ts";
import { migrate } from "./db/migrate.ts";
import type { Db } from "./db/port.ts";
import { ensureEventPartitions } from "./db/repositories/event-log.ts";
import {
  ensurePerson,
  ensureWorkspace,
  findPersonByEmail,
  findWorkspace,
  firstPerson,
} from "./db/repositories/workspaces.ts";
import { notFound } from "./errors.ts";
import type { Jobs } from "./jobs/port.ts";
import type { Logger } from "./logger.ts";
import { type Messenger, silentMessenger } from "./messaging/messenger.ts";
import { DEFAULT_REPLAN_DELAY_MS } from "./scheduling/service/replan.ts";
import { type Embedder, HashingEmbedder } from "./search/embedder.ts";
import { createRequestLimits } from "./security/rate-limiter.ts";
import type { SecretBox } from "./security/secret-box.ts";
import type { EngineServices, ReplanSettings } from "./services.ts";
import type { AnyConnector } from "./sync/connector.ts";

export interface EngineOptions {
  config: Config;
  db: Db;
  jobs: Jobs;
  secrets: SecretBox;
  log: Logger;
  embedder?: Embedder;
  now?: () => Date;
  /** Outgoing chat messages (default: none are delivered). */
  messenger?: Messenger;
  /** Replanning's debounce (default: DEFAULT_REPLAN_DELAY_MS). */
  replan?: Partial<ReplanSettings>;
  /** Actions beyond the built-in ones (tests, plug-ins). */
  extraActions?: AnyAction[];
  /** The connectors bin/ registers: each brings its connect_<kind> action (and its own), env and limits. */
  connectors?: readonly AnyConnector[];
}

export interface Engine {
  services: EngineServices;
  registry: ActionRegistry;
  /** The registered connectors, for the sync service. */
  connectors: readonly AnyConnector[];
  /** Builds the context an action runs in for this person. */
  context(
    actor: Actor,
    via: Face,
    extras?: { reportProgress?: (p: Progress) => void | Promise<void>; signal?: AbortSignal },
  ): ActionContext;
  /** Runs an action as this person: the same path every face takes. */
  call(actor: Actor, via: Face, name: string, input: unknown): Promise<unknown>;
  /** The actor for a workspace slug and person email (CLI and local calls). */
  actorFor(workspace: string, email?: string): Promise<Actor>;
  /** Migrations, partitions for the coming months, the default workspace on a first start. */
  prepare(): Promise<{ migrationsApplied: string[]; firstStart: boolean; demo: Actor }>;
  close(): Promise<void>;
}

export const DEMO_EMAIL = "you@example.com";

export function createEngine(options: EngineOptions): Engine {
  const services: EngineServices = {
    config: options.config,
    db: options.db,
    jobs: options.jobs,
    embedder: options.embedder ?? new HashingEmbedder(),
    secrets: options.secrets,
    changes: new ChangeFeed(),
    log: options.log,
    limits: createRequestLimits(options.config, options.jobs.sharedBuckets),
    now: options.now ?? (() => new Date()),
    messenger: options.messenger ?? silentMessenger,
    replan: { delayMs: options.replan?.delayMs ?? DEFAULT_REPLAN_DELAY_MS },
  };
  const connectors = options.connectors ?? [];
  const registry = new ActionRegistry([
    ...allActions,
    ...connectorActions(connectors),
    ...(options.extraActions ?? []),
  ]);

  const context: Engine["context"] = (actor, via, extras = {}) => ({
    ...actor,
    services,
    via,
    log: options.log.child({ workspace: actor.workspace.slug, via }),
    ...extras,
  });

  return {
    services,
    registry,
    connectors,
    context,
    call: (actor, via, name, input) => registry.invoke(context(actor, via), name, input),
    async actorFor(workspaceSlug, email) {
      return options.db.system(async (tx) => {
        const workspace = await findWorkspace(tx, workspaceSlug);
        if (!workspace)
          throw notFound(
            `No workspace "${workspaceSlug}". Create one with: cairn token create --workspace ${workspaceSlug} --person you@example.com`,
          );
        if (email) {
          const person = await findPersonByEmail(tx, workspace.id, email);
          if (!person) throw notFound(`No person ${email} in workspace ${workspaceSlug}.`);
          return { workspace, person };
        }
        const firstEmail = (await firstPerson(tx, workspace.id))?.email;
        if (!firstEmail) throw notFound(`Workspace ${workspaceSlug} has nobody in it yet.`);
        return { workspace, person: (await findPersonByEmail(tx, workspace.id, firstEmail))! };
      });
    },
    async prepare() {
      const { applied } = await migrate(options.db);
      const slug = options.config.CAIRN_WORKSPACE;
      const result = await options.db.system(async (tx) => {
        await ensureEventPartitions(tx, services.now());
        const existing = await findWorkspace(tx, slug);
        const workspace =
          existing ?? (await ensureWorkspace(tx, slug, slug === "demo" ? "Demo workspace" : slug));
        const email = (await firstPerson(tx, workspace.id))?.email ?? DEMO_EMAIL;
        const person = await ensurePerson(tx, workspace.id, { email, name: "You", isAdmin: true });
        return { firstStart: !existing, demo: { workspace, person } };
      });
      return { migrationsApplied: applied, ...result };
    },
    async close() {
      await options.jobs.close(options.config.CAIRN_SHUTDOWN_TIMEOUT_MS);
      await options.db.close();
    },
  };
}
