/**
 * Settings values that are secrets are kept out of the plain `settings` column: an ICS feed URL (its path is
 * the key), any URL with user:password@ or a secret-looking parameter. They are sealed like credentials and
 * merged back only when a connector context is built; `settings` keeps a redacted form for display.
 */
import { REDACTED, redactUrl, urlCarriesSecret } from "../security/redact.ts";

export type SecretSettings = Record<string, string>;

/** The redacted form shown for a value that is a secret as a whole: the URL's origin, the rest hidden. */
function hiddenWhole(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}/${REDACTED}`;
  } catch {
    return REDACTED;
  }
}

/**
 * Splits top-level settings into what may be stored in plain (secrets replaced by their redacted form) and
 * the secret values. `alwaysSecret` names keys whose value is a secret whatever it looks like.
 */
export function splitSecretSettings(
  settings: unknown,
  alwaysSecret: readonly string[] = [],
): { visible: unknown; secret: SecretSettings | undefined } {
  if (!settings || typeof settings !== "object" || Array.isArray(settings))
    return { visible: settings, secret: undefined };
  const visible: Record<string, unknown> = {};
  const secret: SecretSettings = {};
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === "string" && alwaysSecret.includes(key)) {
      secret[key] = value;
      visible[key] = hiddenWhole(value);
    } else if (typeof value === "string" && urlCarriesSecret(value)) {
      secret[key] = value;
      visible[key] = redactUrl(value);
    } else {
      visible[key] = value;
    }
  }
  return Object.keys(secret).length > 0 ? { visible, secret } : { visible: settings, secret: undefined };
}

/** The settings a connector sees: the stored ones with their secret values put back. */
export function mergeSecretSettings(visible: unknown, secret: SecretSettings | undefined): unknown {
  if (!secret || !visible || typeof visible !== "object" || Array.isArray(visible)) return visible;
  return { ...(visible as Record<string, unknown>), ...secret };
}

/** The source a connection reads from, for display: its first URL setting, credentials redacted. */
export function displayedSourceUrl(settings: unknown): string | null {
  if (!settings || typeof settings !== "object") return null;
  const record = settings as Record<string, unknown>;
  for (const key of ["url", "serverUrl", "calendarUrl", "host", "apiUrl"]) {
    const value = record[key];
    if (typeof value === "string" && /^https?:\/\//i.test(value)) return redactUrl(value);
  }
  return null;
}
