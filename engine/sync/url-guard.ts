/**
 * Outbound URL checks for connections: a connection must not point Cairn at loopback, private, link-local
 * or cloud-metadata addresses (SSRF) unless the operator allows it with CAIRN_ALLOW_PRIVATE_URLS=1.
 * Host names are resolved and every address they resolve to is checked.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { invalidInput } from "../errors.ts";

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

const blockedNames = new Set(["localhost", "metadata.google.internal", "metadata", "instance-data"]);

/** Whether an IP address is loopback, private, link-local, metadata or otherwise not a public address. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped?.[1]) return blocked.check(mapped[1], "ipv4");
    return blocked.check(bare, "ipv6");
  }
  return false;
}

export interface UrlGuardOptions {
  allowPrivate: boolean;
  /** Name of the setting for error messages, e.g. "settings.apiUrl". */
  field?: string;
  /** Resolver (tests). */
  resolve?: (host: string) => Promise<string[]>;
}

const defaultResolve = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Throws an invalid_input error naming the field when the URL may not be used for a connection. */
export async function assertAllowedUrl(raw: string, options: UrlGuardOptions): Promise<URL> {
  const field = options.field ?? "url";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidInput(`${field} is not a valid URL`, [
      { path: field, message: "expected an absolute http(s) URL" },
    ]);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalidInput(`${field} must use http or https`, [{ path: field, message: `got ${url.protocol}` }]);
  }
  if (options.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const refuse = (why: string) =>
    invalidInput(
      `${field} points at ${why} (${host}); Cairn refuses such addresses unless the operator sets CAIRN_ALLOW_PRIVATE_URLS=1.`,
      [{ path: field, message: `${why} addresses are not allowed` }],
    );
  if (blockedNames.has(host) || host.endsWith(".localhost") || host.endsWith(".internal")) {
    throw refuse("a local or metadata host");
  }
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw refuse("a private, loopback, link-local or metadata");
    return url;
  }
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? defaultResolve)(host);
  } catch {
    throw invalidInput(`${field}: cannot resolve host ${host}`, [
      { path: field, message: "host does not resolve" },
    ]);
  }
  if (addresses.some(isPrivateAddress)) throw refuse("a host resolving to a private, loopback or link-local");
  return url;
}

/** Remembers good hosts for a while so that every request does not resolve DNS again. */
export function createUrlGuard(options: Omit<UrlGuardOptions, "field">, ttlMs = 60_000) {
  const cache = new Map<string, number>();
  return async (raw: string, field = "url"): Promise<void> => {
    if (options.allowPrivate) return;
    let origin: string;
    try {
      origin = new URL(raw).origin;
    } catch {
      origin = raw;
    }
    const until = cache.get(origin);
    if (until !== undefined && until > Date.now()) return;
    await assertAllowedUrl(raw, { ...options, field });
    cache.set(origin, Date.now() + ttlMs);
  };
}
