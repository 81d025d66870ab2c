/**
 * Env-configured connections across restarts. Each start derives a seed from the environment; the seed the
 * connection was last made from is kept (sealed). A restart applies only what changed in the environment
 * since then, so a setting a person changed through connect_* (an estimate unit, a JQL) survives, and an
 * environment change (a rotated token, a new data source) still takes effect.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";

export const EnvSeed = z.object({
  settings: z.record(z.string(), z.unknown()),
  credentials: z.unknown(),
  webhookSecret: z.string().nullable(),
});
export type EnvSeed = z.infer<typeof EnvSeed>;

export interface EnvSeedMerge {
  settings: Record<string, unknown>;
  /** The environment's credentials replace the stored ones (new connection, or they changed in the env). */
  applyCredentials: boolean;
  /** The environment's webhook secret replaces the stored one. */
  applyWebhookSecret: boolean;
}

/**
 * Per setting: the environment's value when it changed since the previous seed (or the setting is missing),
 * else the stored value. Without a previous seed (a connection seeded before seeds were kept), stored values
 * win and the environment only fills in what is missing.
 */
export function mergeEnvSeed(
  stored: Record<string, unknown>,
  previous: EnvSeed | null,
  next: EnvSeed,
): EnvSeedMerge {
  const settings: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(stored), ...Object.keys(next.settings)]);
  for (const key of keys) {
    const inStored = Object.hasOwn(stored, key);
    const inNext = Object.hasOwn(next.settings, key);
    const envChanged =
      previous !== null &&
      (inNext !== Object.hasOwn(previous.settings, key) ||
        !isDeepStrictEqual(next.settings[key], previous.settings[key]));
    if (!inStored) settings[key] = next.settings[key];
    else if (!envChanged || !inNext) {
      // A setting the environment dropped goes too, unless a person had changed it.
      const dropped = envChanged && !inNext && isDeepStrictEqual(stored[key], previous?.settings[key]);
      if (!dropped) settings[key] = stored[key];
    } else settings[key] = next.settings[key];
  }
  return {
    settings,
    applyCredentials: previous === null || !isDeepStrictEqual(previous.credentials, next.credentials),
    applyWebhookSecret:
      next.webhookSecret !== null && (previous === null || previous.webhookSecret !== next.webhookSecret),
  };
}
