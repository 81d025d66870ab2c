/**
 * DNS-rebinding protection for /mcp: a page on evil.example whose name resolves to 127.0.0.1 must not reach
 * a local Cairn. Requests are accepted only for known Host names (localhost, HOST, CAIRN_PUBLIC_URL and
 * CAIRN_ALLOWED_ORIGINS), and a browser `Origin` must be localhost, CAIRN_PUBLIC_URL's origin or one of
 * CAIRN_ALLOWED_ORIGINS. Requests without an Origin (assistants, CLIs, servers) pass the Origin check.
 */
import { type Config, publicUrl } from "../engine/config.ts";

const LOCAL_HOSTNAMES = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

export interface OriginPolicy {
  /** Undefined when the request may go on; otherwise why it is refused (answered with 403). */
  check(host: string | undefined, origin: string | undefined): string | undefined;
  /** Whether a browser origin may call (for CORS headers). */
  originAllowed(origin: string): boolean;
}

function hostnameOf(value: string): string | undefined {
  try {
    return new URL(value.includes("://") ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

export function createOriginPolicy(config: Config): OriginPolicy {
  const extraOrigins = (config.CAIRN_ALLOWED_ORIGINS ?? []).map((origin) => new URL(origin).origin);
  const publicOrigin = new URL(publicUrl(config)).origin;
  const origins = new Set([publicOrigin, ...extraOrigins]);
  const hosts = new Set<string>(LOCAL_HOSTNAMES);
  for (const value of [publicOrigin, ...extraOrigins]) {
    const name = hostnameOf(value);
    if (name) hosts.add(name);
  }
  if (!WILDCARD_HOSTS.has(config.HOST)) {
    const name = hostnameOf(
      config.HOST.includes(":") && !config.HOST.startsWith("[") ? `[${config.HOST}]` : config.HOST,
    );
    if (name) hosts.add(name);
  }

  const originAllowed = (origin: string): boolean => {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
    return LOCAL_HOSTNAMES.includes(parsed.hostname) || origins.has(parsed.origin);
  };

  return {
    originAllowed,
    check(host, origin) {
      const hostname = host ? hostnameOf(host) : undefined;
      if (!hostname) return "Missing or invalid Host header.";
      if (!hosts.has(hostname)) {
        return `Host "${hostname}" is not allowed for /mcp. Set CAIRN_PUBLIC_URL (or CAIRN_ALLOWED_ORIGINS) to the address clients use.`;
      }
      if (origin !== undefined && !originAllowed(origin)) {
        return `Origin "${origin}" is not allowed to call /mcp. Add it to CAIRN_ALLOWED_ORIGINS if it is yours.`;
      }
      return undefined;
    },
  };
}
