/** Chooses adapters from the config and assembles the engine. The only place that does so. */

import { join, resolve } from "node:path";
import type { Config } from "../engine/config.ts";
import { redactUrl } from "../engine/config.ts";
import { acquireDataDirLock, type DataDirLock } from "../engine/db/data-dir-lock.ts";
import { secureDataDir } from "../engine/db/data-dir-permissions.ts";
import { createPgliteDb } from "../engine/db/pglite.ts";
import type { Db } from "../engine/db/port.ts";
import { createPostgresDb, loginRole, loginRoleProblem } from "../engine/db/postgres.ts";
import { createEngine, type Engine } from "../engine/engine.ts";
import { CairnError, ErrorCode } from "../engine/errors.ts";
import { createJobs } from "../engine/jobs/index.ts";
import type { Jobs } from "../engine/jobs/port.ts";
import type { Logger } from "../engine/logger.ts";
import { createSecretBox, loadOrCreateMasterKey, parseMasterKey } from "../engine/security/secret-box.ts";
import { registeredConnectors } from "./connectors.ts";

export interface Runtime {
  engine: Engine;
  lock?: DataDirLock;
  close(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CairnError(
            ErrorCode.Unavailable,
            `${what} did not answer within ${STARTUP_TIMEOUT_MS / 1000}s`,
          ),
        ),
      STARTUP_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function dataDirOf(config: Config): string {
  return resolve(config.CAIRN_DATA_DIR);
}

async function openDb(config: Config): Promise<{ db: Db; lock?: DataDirLock }> {
  if (config.DATABASE_URL) {
    const url = config.DATABASE_URL;
    const db = await within(
      createPostgresDb({ url, connectTimeoutMs: 8_000 }),
      `DATABASE_URL (${redactUrl(url)})`,
    );
    try {
      const problem = config.CAIRN_ALLOW_SUPERUSER ? undefined : loginRoleProblem(await loginRole(db));
      if (problem) throw new CairnError(ErrorCode.Forbidden, problem);
    } catch (error) {
      await db.close().catch(() => {});
      throw error;
    }
    return { db };
  }
  const dataDir = dataDirOf(config);
  const lock = acquireDataDirLock(dataDir);
  try {
    return { db: await createPgliteDb({ dataDir: join(dataDir, "pgdata") }), lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function openJobs(config: Config, log: Logger): Promise<Jobs> {
  const jobs = createJobs({ redisUrl: config.REDIS_URL, logger: log.child({ module: "jobs" }) });
  if (config.REDIS_URL) {
    try {
      await within(jobs.ping(), `REDIS_URL (${redactUrl(config.REDIS_URL)})`);
    } catch (error) {
      await jobs.close(0).catch(() => {});
      throw error instanceof CairnError
        ? error
        : new CairnError(
            ErrorCode.Unavailable,
            `Cannot reach REDIS_URL (${redactUrl(config.REDIS_URL)}): ${(error as Error).message}`,
          );
    }
  }
  return jobs;
}

function masterKey(config: Config): Buffer {
  if (config.CAIRN_MASTER_KEY) return parseMasterKey(config.CAIRN_MASTER_KEY);
  if (config.DATABASE_URL) {
    throw new CairnError(
      ErrorCode.InvalidInput,
      "CAIRN_MASTER_KEY is required with DATABASE_URL (credentials are encrypted with it). Make one with: openssl rand -base64 32",
    );
  }
  return loadOrCreateMasterKey(dataDirOf(config));
}

/** Opens the database and queue the config names and builds the engine on them. */
export async function openRuntime(config: Config, log: Logger): Promise<Runtime> {
  if (!config.DATABASE_URL) {
    const secured = secureDataDir(dataDirOf(config));
    if (secured.tightened.length > 0) {
      log.warn(
        { dataDir: dataDirOf(config), tightened: secured.tightened.length },
        "the data dir was readable by other users: tightened it to 0700 (directories) and 0600 (files)",
      );
    }
  }
  const secrets = createSecretBox(masterKey(config));
  // The queue is checked first: it answers (or not) in milliseconds, while PGlite takes seconds to open.
  const jobs = await openJobs(config, log);
  let opened: Awaited<ReturnType<typeof openDb>>;
  try {
    opened = await openDb(config);
  } catch (error) {
    await jobs.close(0).catch(() => {});
    throw error;
  }
  const { db, lock } = opened;
  const engine = createEngine({ config, db, jobs, secrets, log, connectors: registeredConnectors });
  return {
    engine,
    lock,
    async close() {
      try {
        await engine.close();
      } finally {
        lock?.release();
      }
    },
  };
}
