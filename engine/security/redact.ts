/**
 * Credentials inside URLs (user:password@, ?token=..., Google's private-... feed paths) are redacted wherever a
 * URL is shown: connection errors, log lines, `cairn config`, list_connections. One function, used everywhere.
 */

export const REDACTED = "***";

/** Query parameters whose value is a secret (compared case-insensitively, ignoring - and _). */
const secretParams = new Set(
  [
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth",
    "authorization",
    "key",
    "api_key",
    "apikey",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "pass",
    "pwd",
    "sig",
    "signature",
    "code",
    "private",
    "private_token",
    "session",
    "sessionid",
    "credential",
    "credentials",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
  ].map((name) => name.replace(/[-_]/g, "")),
);

function isSecretParam(name: string): boolean {
  const key = name.toLowerCase().replace(/[-_]/g, "");
  return secretParams.has(key) || /(token|secret|password|apikey|signature)$/.test(key);
}

/**
 * A path segment that is itself a key: Google's "private-<hex>" feeds, iCloud's and Outlook's long random
 * ids. Ids of 36 characters or fewer (UUIDs, Notion and Jira ids) stay readable.
 */
function isSecretSegment(segment: string): boolean {
  if (/^private-/i.test(segment)) return true;
  return /^[A-Za-z0-9_@.%-]{40,}$/.test(segment) && /\d/.test(segment) && /[A-Za-z]/.test(segment);
}

/** Does this URL carry a credential (userinfo, a secret-looking parameter or path segment)? */
export function urlCarriesSecret(value: string): boolean {
  return redactUrl(value) !== value;
}

/**
 * The URL with its credentials replaced by ***: userinfo, secret-looking query parameters and secret-looking
 * path segments. Text that is not a URL is returned as is.
 */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (!url.host) return value;
  let changed = false;
  if (url.username) {
    url.username = REDACTED;
    changed = true;
  }
  if (url.password) {
    url.password = REDACTED;
    changed = true;
  }
  const segments = url.pathname.split("/");
  if (segments.some(isSecretSegment)) {
    url.pathname = segments.map((segment) => (isSecretSegment(segment) ? REDACTED : segment)).join("/");
    changed = true;
  }
  if (url.search) {
    const parts = url.search
      .slice(1)
      .split("&")
      .map((part) => {
        const at = part.indexOf("=");
        const name = decodeURIComponentSafe(at < 0 ? part : part.slice(0, at));
        if (at < 0 || !isSecretParam(name)) return part;
        changed = true;
        return `${part.slice(0, at)}=${REDACTED}`;
      });
    url.search = parts.join("&");
  }
  if (!changed) return value;
  return url.toString().replaceAll("%2A%2A%2A", REDACTED);
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Every URL in a message (scheme://... up to whitespace or a quote) redacted; the rest of the text kept. */
export function redactSecrets(text: string): string {
  if (!text.includes(":")) return text;
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (match) => {
    const trailing = /[),.;:\]]+$/.exec(match)?.[0] ?? "";
    const core = trailing ? match.slice(0, -trailing.length) : match;
    return redactUrl(core) + trailing;
  });
}

/** Redacts URLs in every string of a value (log objects), returning the same value when nothing changed. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const message = redactSecrets(value.message);
    const stack = value.stack ? redactSecrets(value.stack) : value.stack;
    if (message === value.message && stack === value.stack) return value;
    return { type: value.name, message, ...(stack ? { stack } : {}) };
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redactDeep(item, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const next = redactDeep(item, depth + 1);
    if (next !== item) changed = true;
    out[key] = next;
  }
  return changed ? out : value;
}
