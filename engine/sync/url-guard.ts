/**
 * Outbound address policy for connections (SSRF): a connection must not point Cairn at loopback, private,
 * link-local, documentation or cloud-metadata addresses unless the operator allows them.
 *
 * - CAIRN_ALLOWED_PRIVATE_NETWORKS lists host names and CIDRs (v4 and v6) that may be reached anyway.
 * - CAIRN_ALLOW_PRIVATE_URLS=1 allows every private address, but never link-local or metadata ones.
 * - Metadata endpoints (169.254.169.254, fd00:ec2::254, metadata.google.internal...) are never reachable.
 *
 * The policy checks a URL before a request (scheme, host name, literal address) and, through `lookup`, the
 * address each connection is actually made to: the socket connects to exactly the address that was checked,
 * with no second DNS lookup in between (no DNS rebinding).
 */

import type { LookupAddress, LookupOptions } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { CairnError, ErrorCode, invalidInput } from "../errors.ts";

type Family = "ipv4" | "ipv6";

function blockList(entries: readonly (readonly [string, number, Family])[]): BlockList {
  const list = new BlockList();
  for (const [net, prefix, family] of entries) list.addSubnet(net, prefix, family);
  return list;
}

/** Never reachable, whatever the operator allows (AWS, GCP, Azure, Alibaba; AWS's IPv6 endpoint). */
const metadataAddressList = ["169.254.169.254", "fd00:ec2::254", "100.100.100.200"];
const metadataNames = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
]);

/** Link-local: reachable only when listed in CAIRN_ALLOWED_PRIVATE_NETWORKS (never with the all-private flag). */
const linkLocal = blockList([
  ["169.254.0.0", 16, "ipv4"],
  ["fe80::", 10, "ipv6"],
]);

/** Not a public address: loopback, private, shared, reserved, documentation, multicast, translation prefixes. */
const nonPublic = blockList([
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.0.2.0", 24, "ipv4"],
  ["192.88.99.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["198.51.100.0", 24, "ipv4"],
  ["203.0.113.0", 24, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["64:ff9b::", 96, "ipv6"],
  ["64:ff9b:1::", 48, "ipv6"],
  ["100::", 64, "ipv6"],
  ["2001::", 32, "ipv6"],
  ["2001:db8::", 32, "ipv6"],
  ["3fff::", 20, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fec0::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
]);

/** The 16 bytes of an IPv6 address (any textual form, with or without brackets or zone), or undefined. */
function ipv6Bytes(text: string): number[] | undefined {
  let value = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIP(value) !== 6) return undefined;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(value);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split(".").map(Number);
    value = `${value.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = value.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailGroups];
  return groups.flatMap((group) => {
    const n = Number.parseInt(group, 16);
    return [n >> 8, n & 0xff];
  });
}

const v4 = (bytes: readonly number[], at: number): string => bytes.slice(at, at + 4).join(".");

/**
 * The IPv4 address an IPv6 address carries, where it is routed to that IPv4 address: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d) and 6to4 (2002:aabb:ccdd::/48).
 */
export function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(bytes, 12);
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(10, 12)) return v4(bytes, 12);
  if (zeros(0, 12) && !zeros(12, 14)) return v4(bytes, 12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(bytes, 2);
  return undefined;
}

/** The canonical form of an address for the checks: IPv4 when an IPv6 address only wraps one. */
function canonical(address: string): { address: string; family: Family } | undefined {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return { address: bare, family: "ipv4" };
  if (family !== 6) return undefined;
  const inner = embeddedIpv4(bare);
  if (inner) return { address: inner, family: "ipv4" };
  const bytes = ipv6Bytes(bare) ?? [];
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return { address: groups.join(":"), family: "ipv6" };
}

const metadataAddresses = new Set(metadataAddressList.map((address) => canonical(address)?.address));

export type AddressClass = "public" | "private" | "link-local" | "metadata";

/** What kind of address this is; anything that is not an IP address is "public" (names are resolved first). */
export function classifyAddress(address: string): AddressClass {
  const ip = canonical(address);
  if (!ip) return "public";
  if (metadataAddresses.has(ip.address)) return "metadata";
  if (linkLocal.check(ip.address, ip.family)) return "link-local";
  if (nonPublic.check(ip.address, ip.family)) return "private";
  return "public";
}

/** Whether an IP address is loopback, private, link-local, metadata or otherwise not a public address. */
export function isPrivateAddress(address: string): boolean {
  return classifyAddress(address) !== "public";
}

/** Is one entry of CAIRN_ALLOWED_PRIVATE_NETWORKS well formed: a host name, an IP address or a CIDR? */
export function allowListEntryProblem(entry: string): string | undefined {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
  if (cidr?.[1] && cidr[2]) {
    const family = isIP(cidr[1]);
    if (!family) return `"${entry}": ${cidr[1]} is not an IP address`;
    if (Number(cidr[2]) > (family === 4 ? 32 : 128)) return `"${entry}": prefix too long`;
    return undefined;
  }
  if (isIP(entry.replace(/^\[|\]$/g, ""))) return undefined;
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry)) return undefined;
  return `"${entry}" is neither a host name, an IP address nor a CIDR such as 10.0.0.0/8`;
}

export interface OutboundPolicyOptions {
  /** CAIRN_ALLOW_PRIVATE_URLS: every private address, never link-local or metadata. */
  allowPrivate: boolean;
  /** CAIRN_ALLOWED_PRIVATE_NETWORKS: host names and CIDRs that may be reached although not public. */
  allowedNetworks?: readonly string[];
  /** Resolver (tests): every address a host name resolves to. */
  resolve?: (host: string) => Promise<string[]>;
}

/** The error a refused outbound URL or address raises: invalid input, never retried. */
export class BlockedDestinationError extends CairnError {
  override readonly name = "BlockedDestinationError";
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export interface OutboundPolicy {
  /** Why this host may not be reached at this address, or undefined when it may. */
  refusal(address: string, host?: string): string | undefined;
  /** Checks a URL without DNS: scheme, metadata names, literal addresses. Throws invalid_input naming the field. */
  checkUrl(raw: string | URL, field?: string): URL;
  /** checkUrl, then every address the host resolves to. For connect time, where a clear 400 is wanted. */
  assertUrl(raw: string, field?: string): Promise<URL>;
  /** A `net.connect` lookup that resolves once and refuses blocked addresses: sockets connect to what was checked. */
  lookup(hostname: string, options: LookupOptions, callback: LookupCallback): void;
}

const defaultResolve = async (host: string): Promise<string[]> =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

const howToAllow =
  "list it in CAIRN_ALLOWED_PRIVATE_NETWORKS (host names or CIDRs) or set CAIRN_ALLOW_PRIVATE_URLS=1 to allow every private address";

export function createOutboundPolicy(options: OutboundPolicyOptions): OutboundPolicy {
  const allowedNames = new Set<string>();
  const allowedNets = new BlockList();
  for (const raw of options.allowedNetworks ?? []) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    const base = cidr?.[1]?.replace(/^\[|\]$/g, "") ?? entry.replace(/^\[|\]$/g, "");
    const family = isIP(base);
    if (family) {
      const ip = canonical(base);
      const prefix = Number(cidr?.[2] ?? (family === 4 ? 32 : 128));
      // An IPv6 entry that wraps IPv4 is stored as IPv4, the way addresses are checked.
      if (ip?.family === "ipv4" && family === 6)
        allowedNets.addSubnet(ip.address, Math.max(0, prefix - 96), "ipv4");
      else allowedNets.addSubnet(base, prefix, family === 4 ? "ipv4" : "ipv6");
    } else {
      allowedNames.add(entry);
    }
  }
  const resolve = options.resolve ?? defaultResolve;

  const refusal: OutboundPolicy["refusal"] = (address, host) => {
    const kind = classifyAddress(address);
    if (kind === "public") return undefined;
    if (kind === "metadata") return "a cloud metadata address, which is never allowed";
    const ip = canonical(address);
    const listed =
      (host !== undefined && allowedNames.has(host.toLowerCase())) ||
      (ip !== undefined && allowedNets.check(ip.address, ip.family));
    if (listed) return undefined;
    if (kind === "link-local")
      return "a link-local address (allowed only when listed in CAIRN_ALLOWED_PRIVATE_NETWORKS)";
    if (options.allowPrivate) return undefined;
    return `a private, loopback or reserved address; ${howToAllow}`;
  };

  const refuse = (field: string, host: string, why: string) =>
    new BlockedDestinationError(
      ErrorCode.InvalidInput,
      `${field} points at ${why} (${host}); Cairn refuses it.`,
      { issues: [{ path: field, message: `${host} is not an allowed destination` }] },
    );

  const checkUrl: OutboundPolicy["checkUrl"] = (raw, field = "url") => {
    let url: URL;
    try {
      url = raw instanceof URL ? raw : new URL(raw);
    } catch {
      throw invalidInput(`${field} is not a valid URL`, [
        { path: field, message: "expected an absolute http(s) URL" },
      ]);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw invalidInput(`${field} must use http or https (got ${url.protocol})`, [
        { path: field, message: `${url.protocol} URLs are refused; use http:// or https://` },
      ]);
    }
    const host = url.hostname
      .replace(/^\[|\]$/g, "")
      .toLowerCase()
      .replace(/\.$/, "");
    if (metadataNames.has(host)) throw refuse(field, host, "a cloud metadata host, which is never allowed");
    if (isIP(host)) {
      const why = refusal(host);
      if (why) throw refuse(field, host, why);
    }
    return url;
  };

  return {
    refusal,
    checkUrl,
    async assertUrl(raw, field = "url") {
      const url = checkUrl(raw, field);
      const host = url.hostname
        .replace(/^\[|\]$/g, "")
        .toLowerCase()
        .replace(/\.$/, "");
      if (isIP(host)) return url;
      let addresses: string[];
      try {
        addresses = await resolve(host);
      } catch {
        throw invalidInput(`${field}: cannot resolve host ${host}`, [
          { path: field, message: "host does not resolve" },
        ]);
      }
      for (const address of addresses) {
        const why = refusal(address, host);
        if (why) throw refuse(field, host, `${why.replace(/^a /, "a host resolving to a ")}`);
      }
      return url;
    },
    lookup(hostname, lookupOptions, callback) {
      const host = hostname
        .replace(/^\[|\]$/g, "")
        .toLowerCase()
        .replace(/\.$/, "");
      resolve(host).then(
        (resolved) => {
          const wanted = lookupOptions.family === 4 ? 4 : lookupOptions.family === 6 ? 6 : 0;
          const addresses = resolved.filter((address) => !wanted || isIP(address) === wanted);
          const blocked = addresses.find((address) => refusal(address, host));
          if (blocked || addresses.length === 0) {
            const error: NodeJS.ErrnoException = blocked
              ? refuse("the request", host, `${refusal(blocked, host)} (${blocked})`)
              : Object.assign(new Error(`${host} does not resolve`), { code: "ENOTFOUND" });
            callback(error, lookupOptions.all ? [] : "", undefined);
            return;
          }
          if (lookupOptions.all) {
            callback(
              null,
              addresses.map((address) => ({ address, family: isIP(address) })),
            );
          } else {
            const first = addresses[0] as string;
            callback(null, first, isIP(first));
          }
        },
        (error: NodeJS.ErrnoException) => callback(error, lookupOptions.all ? [] : "", undefined),
      );
    },
  };
}

export interface UrlGuardOptions extends OutboundPolicyOptions {
  /** Name of the setting for error messages, e.g. "settings.apiUrl". */
  field?: string;
}

/** Throws an invalid_input error naming the field when the URL may not be used for a connection. */
export function assertAllowedUrl(raw: string, options: UrlGuardOptions): Promise<URL> {
  return createOutboundPolicy(options).assertUrl(raw, options.field ?? "url");
}
