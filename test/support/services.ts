/**
 * Which real services the suite runs against. PGlite and the in-process queue always run;
 * Postgres and Redis run when DATABASE_URL / REDIS_URL are set. With CAIRN_REQUIRE_SERVICES=1 (CI)
 * a missing service fails the suite instead of being skipped.
 */
export const requireServices = process.env.CAIRN_REQUIRE_SERVICES === "1";

function serviceUrl(variable: "DATABASE_URL" | "REDIS_URL"): string | undefined {
  const value = process.env[variable];
  if (!value && requireServices) {
    throw new Error(`${variable} is not set but CAIRN_REQUIRE_SERVICES=1: the suite must run against it.`);
  }
  return value || undefined;
}

export const postgresUrl = (): string | undefined => serviceUrl("DATABASE_URL");
export const redisUrl = (): string | undefined => serviceUrl("REDIS_URL");

/** node:test `skip` option: a reason string when the service is absent (never when required). */
export function skipWithout(url: string | undefined, variable: string): string | false {
  return url ? false : `${variable} not set`;
}
