/**
 * Env-configured connections across restarts. Each start derives a seed from the environment; the seed the
 * connection was last made from is kept (sealed). A value a person changed through connect_* (it differs from
 * what the environment gave last time) is never overwritten; values nobody changed follow the environment,
 * and the environment fills in whatever is missing.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";

export const EnvSeed = z.object({
  settings: z.record(z.string(), z.unknown()),
  credentials: z.unknown(),
  webhookSecret: z.string().nullable(),
});
export type EnvSeed = z.infer<typeof EnvSeed>;

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Key by key: missing → the environment's value; unchanged since the previous seed → the environment's value;
 * changed by a person → kept. Without a previous seed, stored values are kept. A key the environment dropped
 * goes too, unless a person had changed it.
 */
export function mergeFields(stored: Fields, previous: Fields | null, next: Fields): Fields {
  const out: Fields = { ...stored };
  for (const [key, value] of Object.entries(next)) {
    const untouched = previous !== null && isDeepStrictEqual(stored[key], previous[key]);
    if (!Object.hasOwn(stored, key) || untouched) out[key] = value;
  }
  for (const key of Object.keys(previous ?? {})) {
    if (!Object.hasOwn(next, key) && isDeepStrictEqual(stored[key], previous?.[key])) delete out[key];
  }
  return out;
}

export interface StoredConnection {
  settings: Fields;
  credentials: unknown;
  webhookSecret: string | null;
}

export interface EnvSeedMerge {
  settings: Fields;
  credentials: unknown;
  /** The merged credentials differ from the stored ones (the connection becomes active again). */
  credentialsChanged: boolean;
  /** The environment's webhook secret replaces the stored one. */
  applyWebhookSecret: boolean;
}

export function mergeEnvSeed(
  stored: StoredConnection,
  previous: EnvSeed | null,
  next: EnvSeed,
): EnvSeedMerge {
  let credentials: unknown;
  if (isFields(stored.credentials) && isFields(next.credentials)) {
    // Before seeds were kept the environment's credentials always applied; keep doing so for those connections.
    credentials =
      previous === null
        ? { ...stored.credentials, ...next.credentials }
        : mergeFields(
            stored.credentials,
            isFields(previous.credentials) ? previous.credentials : null,
            next.credentials,
          );
  } else {
    credentials =
      previous === null || isDeepStrictEqual(stored.credentials, previous.credentials)
        ? next.credentials
        : stored.credentials;
  }
  return {
    settings: mergeFields(stored.settings, previous?.settings ?? null, next.settings),
    credentials,
    credentialsChanged: !isDeepStrictEqual(credentials, stored.credentials),
    applyWebhookSecret:
      next.webhookSecret !== null &&
      next.webhookSecret !== stored.webhookSecret &&
      (stored.webhookSecret === null || stored.webhookSecret === previous?.webhookSecret),
  };
}
