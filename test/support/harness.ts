/**
 * A whole Cairn for one test: its own database (in-memory PGlite, or a fresh Postgres database),
 * its own queue (in-process, or BullMQ under a unique prefix), every face installed, a server on a
 * random port. Everything is removed by close().
 */

import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { connectorSettingsOf, registeredConnectors } from "../../bin/connectors.ts";
import { installFaces, installWorkers, prepareModules } from "../../bin/modules/index.ts";
import { type RunningServer, type ServerOptions, startServer } from "../../bin/server.ts";
import type { Actor, AnyAction } from "../../engine/actions/define.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { type Config, loadConfig } from "../../engine/config.ts";
import { createPgliteDb } from "../../engine/db/pglite.ts";
import type { Db } from "../../engine/db/port.ts";
import { createPostgresDb } from "../../engine/db/postgres.ts";
import { createEngine, type Engine } from "../../engine/engine.ts";
import { createJobs } from "../../engine/jobs/index.ts";
import type { Jobs } from "../../engine/jobs/port.ts";
import { type Logger, silentLogger } from "../../engine/logger.ts";
import { createSecretBox } from "../../engine/security/secret-box.ts";
import type { AnyConnector } from "../../engine/sync/connector.ts";
import { postgresUrl, redisUrl } from "./services.ts";

export type Backend = "pglite" | "postgres";

export interface Backends {
  name: string;
  db: Backend;
  jobs: "in-process" | "bullmq";
  /** A reason to skip when the service is not configured (never when CAIRN_REQUIRE_SERVICES=1). */
  skip: string | false;
}

/** The combinations the suite runs on: embedded always, Postgres + Redis when configured. */
export function backends(): Backends[] {
  const pgUrl = postgresUrl();
  const redis = redisUrl();
  return [
    { name: "PGlite + in-process", db: "pglite", jobs: "in-process", skip: false },
    {
      name: "Postgres + BullMQ",
      db: "postgres",
      jobs: "bullmq",
      skip: pgUrl && redis ? false : "DATABASE_URL and REDIS_URL not set",
    },
  ];
}

export interface TestDb {
  db: Db;
  drop(): Promise<void>;
}

/** A brand-new, empty database: in-memory PGlite, or a uniquely named Postgres database. */
export async function freshDb(kind: Backend): Promise<TestDb> {
  if (kind === "pglite") {
    const db = await createPgliteDb();
    return { db, drop: () => db.close() };
  }
  const base = postgresUrl();
  if (!base) throw new Error("DATABASE_URL is not set");
  const name = `cairn_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await createPostgresDb({ url: url.toString(), maxConnections: 5 });
  return {
    db,
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export function testConfig(
  overrides: Record<string, string> = {},
  connectors: readonly AnyConnector[] = registeredConnectors,
): Config {
  return loadConfig(
    {
      CAIRN_LOG_LEVEL: "silent",
      CAIRN_ALLOW_PRIVATE_URLS: "1",
      CAIRN_MASTER_KEY: randomBytes(32).toString("base64"),
      CAIRN_SHUTDOWN_TIMEOUT_MS: "3000",
      // The suite logs in to Postgres as the `postgres` superuser (test/integration/production-role.test.ts
      // runs Cairn as a non-superuser login role).
      CAIRN_ALLOW_SUPERUSER: "1",
      // No nudge sweep behind a test's back: nudge tests turn it on or run it themselves.
      CAIRN_NUDGE_EVERY_MINUTES: "0",
      // Nor an insights snapshot job computing every workspace's people (the database may be shared).
      CAIRN_INSIGHTS_EVERY_MINUTES: "0",
      ...overrides,
    },
    connectorSettingsOf(connectors),
  );
}

export interface TestCairn {
  engine: Engine;
  config: Config;
  server: RunningServer;
  url: string;
  jobs: Jobs;
  /** A token for a person (created with the workspace when missing). */
  token(options?: {
    workspace?: string;
    email?: string;
    admin?: boolean;
  }): Promise<{ token: string } & Actor>;
  /** POST /api/actions/:name with a token; returns status and parsed body. */
  call(token: string, action: string, input: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export interface TestEngineOptions {
  db?: Backend;
  jobs?: "in-process" | "bullmq";
  env?: Record<string, string>;
  now?: () => Date;
  /** Run on this database instead of a fresh one, and leave it open on close (a restart on the same data). */
  sharedDb?: Db;
  /** Actions beyond the built-in ones (test-only tools). */
  extraActions?: AnyAction[];
  /** BullMQ's Redis key prefix (default: a fresh one per engine); two engines given one share queues and limits. */
  jobsPrefix?: string;
  /** The connectors to register (default: this build's list, connectors/index.ts). */
  connectors?: readonly AnyConnector[];
  /** The engine's logger (default: silent); tests that check what is logged pass a capturing one. */
  log?: Logger;
}

export interface TestEngine {
  engine: Engine;
  config: Config;
  db: Db;
  jobs: Jobs;
  close(): Promise<void>;
}

/** An engine on a fresh database and queue, migrated and prepared; no server, no faces. */
export async function openTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const connectors = options.connectors ?? registeredConnectors;
  const config = testConfig(options.env, connectors);
  const { db, drop } = options.sharedDb
    ? { db: options.sharedDb, drop: async () => {} }
    : await freshDb(options.db ?? "pglite");
  const jobs =
    options.jobs === "bullmq"
      ? createJobs({
          redisUrl: redisUrl(),
          prefix: options.jobsPrefix ?? `cairn-test-${randomUUID().slice(0, 8)}`,
          logger: silentLogger,
        })
      : createJobs({ logger: silentLogger });
  const engine = createEngine({
    config,
    db,
    jobs,
    secrets: createSecretBox(Buffer.from(config.CAIRN_MASTER_KEY as string, "base64")),
    log: options.log ?? silentLogger,
    now: options.now,
    extraActions: options.extraActions,
    connectors,
  });
  const close = async () => {
    await jobs.close(2_000);
    await drop();
  };
  try {
    await engine.prepare();
  } catch (error) {
    // Open Redis and Postgres connections would keep the test process alive: fail instead of hanging.
    await close().catch(() => {});
    throw error;
  }
  return { engine, config, db, jobs, close };
}

export interface TestCairnOptions extends TestEngineOptions {
  startWorkers?: boolean;
  /** The admin console's options (a fake build's distDir), or false to leave it out. */
  console?: ServerOptions["console"];
}

export async function startTestCairn(options: TestCairnOptions = {}): Promise<TestCairn> {
  const { engine, config, db, jobs, close } = await openTestEngine(options);
  prepareModules(engine, config, silentLogger);
  if (options.startWorkers !== false) installWorkers(engine, config, silentLogger);
  const faces = await installFaces(engine, config, silentLogger);
  const server = await startServer({
    engine,
    port: 0,
    host: "127.0.0.1",
    mounts: faces.mounts,
    console: options.console,
  });
  await faces.afterListen(server.url);
  if (options.startWorkers !== false) await jobs.start();

  return {
    engine,
    config,
    server,
    url: server.url,
    jobs,
    async token(opts = {}) {
      const issued = await issueApiToken(db, {
        workspace: opts.workspace ?? `ws-${randomUUID().slice(0, 8)}`,
        email: opts.email ?? `${randomUUID().slice(0, 8)}@example.com`,
        admin: opts.admin ?? false,
      });
      return { token: issued.token, workspace: issued.workspace, person: issued.person };
    },
    async call(token, action, input) {
      const response = await fetch(`${server.url}/api/actions/${action}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(input),
      });
      return { status: response.status, body: await response.json() };
    },
    async close() {
      await server.close(2_000);
      await faces.close();
      await close();
    },
  };
}
