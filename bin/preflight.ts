/**
 * Reaches the services the configuration names before the engine's modules load: loading them takes seconds on
 * a busy machine, and a person who mistyped REDIS_URL or DATABASE_URL should hear so at once. Loads only the
 * two client libraries.
 */
import { type Config, redactUrl } from "../engine/config.ts";
import { CairnError, ErrorCode } from "../engine/errors.ts";

const CONNECT_TIMEOUT_MS = 8_000;

/** The error's text without the URL's password, whatever a client library put in it. */
function safeMessage(error: unknown, url: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const password = URL.canParse(url) ? decodeURIComponent(new URL(url).password) : "";
  return password ? text.split(password).join("•••") : text;
}

async function reachRedis(url: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on("error", () => {}); // reported through connect()'s rejection
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new CairnError(
      ErrorCode.Unavailable,
      `Cannot reach REDIS_URL (${redactUrl(url)}): ${safeMessage(error, url)}`,
    );
  } finally {
    client.disconnect();
  }
}

async function reachPostgres(url: string): Promise<void> {
  const pg = await import("pg");
  const client = new pg.default.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on("error", () => {}); // reported through connect()'s rejection
  try {
    await client.connect();
  } catch (error) {
    throw new CairnError(
      ErrorCode.Unavailable,
      `Cannot reach DATABASE_URL (${redactUrl(url)}): ${safeMessage(error, url)}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export async function reachConfiguredServices(config: Config): Promise<void> {
  await Promise.all([
    config.REDIS_URL ? reachRedis(config.REDIS_URL) : undefined,
    config.DATABASE_URL ? reachPostgres(config.DATABASE_URL) : undefined,
  ]);
}
