import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../engine/config.ts";
import { CairnError } from "../../engine/errors.ts";
import { createProviderFetch } from "../../engine/sync/http.ts";
import { createPinnedFetch } from "../../engine/sync/pinned-fetch.ts";
import {
  classifyAddress,
  createOutboundPolicy,
  embeddedIpv4,
  isPrivateAddress,
  type OutboundPolicyOptions,
} from "../../engine/sync/url-guard.ts";

describe("outbound address classes", () => {
  it("blocks the documentation ranges, IPv4-mapped, SIIT, IPv4-compatible and 6to4 forms of blocked addresses", () => {
    for (const address of [
      "192.0.2.10",
      "198.51.100.7",
      "203.0.113.255",
      "::ffff:127.0.0.1",
      "[::ffff:7f00:1]",
      "::ffff:0:7f00:1",
      "::127.0.0.1",
      "::ffff:10.0.0.1",
      "2002:7f00:1::1",
      "2002:c0a8:101::",
      "2001:db8::1",
      "64:ff9b::a00:1",
    ]) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    assert.equal(classifyAddress("::ffff:169.254.169.254"), "metadata");
    assert.equal(classifyAddress("2002:a9fe:a9fe::"), "metadata");
    assert.equal(classifyAddress("fd00:ec2::254"), "metadata");
    assert.equal(classifyAddress("fe80::1%eth0"), "link-local");
    assert.equal(classifyAddress("169.254.10.1"), "link-local");
    for (const address of [
      "8.8.8.8",
      "93.184.216.34",
      "2606:4700:4700::1111",
      "2002:808:808::",
      "::ffff:8.8.8.8",
    ])
      assert.equal(isPrivateAddress(address), false, address);
    assert.equal(embeddedIpv4("2002:c000:0204::1"), "192.0.2.4");
    assert.equal(embeddedIpv4("2606:4700::1111"), undefined);
  });

  it("allows private networks only as listed; the old flag never opens link-local or metadata", () => {
    const listed = createOutboundPolicy({
      allowPrivate: false,
      allowedNetworks: ["10.1.0.0/16", "nextcloud.lan", "fd12::/16", "169.254.7.0/24"],
    });
    assert.equal(listed.refusal("10.1.2.3"), undefined);
    assert.match(listed.refusal("10.2.0.1") ?? "", /CAIRN_ALLOWED_PRIVATE_NETWORKS/);
    assert.equal(listed.refusal("192.168.1.9", "nextcloud.lan"), undefined);
    assert.ok(listed.refusal("192.168.1.9", "other.lan"));
    assert.equal(listed.refusal("fd12::5"), undefined);
    assert.equal(listed.refusal("::ffff:10.1.0.9"), undefined);
    assert.equal(listed.refusal("169.254.7.3"), undefined, "a listed link-local network");
    assert.match(listed.refusal("169.254.169.254", "nextcloud.lan") ?? "", /never/);

    const all = createOutboundPolicy({ allowPrivate: true });
    assert.equal(all.refusal("127.0.0.1"), undefined);
    assert.equal(all.refusal("192.0.2.1"), undefined);
    assert.match(all.refusal("169.254.169.254") ?? "", /metadata/);
    assert.match(all.refusal("169.254.1.1") ?? "", /link-local/);
    assert.match(all.refusal("fe80::1") ?? "", /link-local/);
    assert.match(all.refusal("fd00:ec2::254") ?? "", /metadata/);
    assert.throws(() => all.checkUrl("http://metadata.google.internal/computeMetadata/v1/"), /metadata/);
    assert.throws(() => all.checkUrl("http://[::ffff:a9fe:a9fe]/latest/"), /metadata/);
  });

  it("CAIRN_ALLOWED_PRIVATE_NETWORKS takes host names and CIDRs and names a bad entry", () => {
    const config = loadConfig({
      CAIRN_ALLOWED_PRIVATE_NETWORKS: "nextcloud.lan, 10.0.0.0/8,fd00::/8 192.168.1.5",
    });
    assert.deepEqual(config.CAIRN_ALLOWED_PRIVATE_NETWORKS, [
      "nextcloud.lan",
      "10.0.0.0/8",
      "fd00::/8",
      "192.168.1.5",
    ]);
    for (const bad of ["10.0.0.0/33", "http://x.lan", "999.1.1.1/8"]) {
      assert.throws(
        () => loadConfig({ CAIRN_ALLOWED_PRIVATE_NETWORKS: bad }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.some((problem) => problem.variable === "CAIRN_ALLOWED_PRIVATE_NETWORKS"),
        bad,
      );
    }
  });

  it("refuses non-HTTP schemes and names the field", () => {
    const policy = createOutboundPolicy({ allowPrivate: true });
    for (const url of [
      "file:///etc/passwd",
      "gopher://example.com/",
      "ftp://example.com/x",
      "data:text/plain,hi",
    ]) {
      assert.throws(
        () => policy.checkUrl(url, "settings.url"),
        (error: unknown) =>
          error instanceof CairnError &&
          error.code === "invalid_input" &&
          error.details.issues?.[0]?.path === "settings.url",
        url,
      );
    }
  });
});

interface Target {
  server: Server;
  url: string;
  hits: IncomingMessage[];
}

async function listen(
  host: string,
  handler: (
    request: IncomingMessage,
    respond: (status: number, headers?: Record<string, string>, body?: string) => void,
  ) => void,
): Promise<Target> {
  const hits: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    hits.push(request);
    handler(request, (status, headers = {}, body = "") => {
      response.writeHead(status, headers);
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${host}:${port}`, hits };
}

describe("outbound requests: every redirect hop and the connected address are checked", () => {
  let inside: Target;
  let allowed: Target;
  let other: Target;
  let redirectTo = "";

  before(async () => {
    // 127.0.0.1 stands for the internal service an attacker wants; 127.0.0.2/.3 for hosts the operator allowed.
    inside = await listen("127.0.0.1", (_request, respond) => respond(200, {}, "internal secret"));
    allowed = await listen("127.0.0.2", (request, respond) => {
      if (request.url === "/redirect") respond(302, { location: redirectTo });
      else respond(200, { "content-type": "text/plain" }, `allowed ${request.url}`);
    });
    other = await listen("127.0.0.3", (request, respond) =>
      respond(200, {}, `auth=${request.headers.authorization ?? "none"}`),
    );
  });
  after(async () => {
    for (const target of [inside, allowed, other])
      await new Promise((resolve) => target.server.close(resolve));
  });

  const clientFor = (options: OutboundPolicyOptions) => {
    const policy = createOutboundPolicy(options);
    const pinned = createPinnedFetch(policy);
    const fetch = createProviderFetch({
      kind: "ics",
      guard: async (url) => {
        policy.checkUrl(url, "the request");
      },
      fetch: pinned.fetch,
      maxRetries: 0,
    });
    return { policy, fetch, close: pinned.close };
  };

  it("follows a redirect between allowed hosts and drops the Authorization header on a cross-origin hop", async () => {
    const client = clientFor({ allowPrivate: false, allowedNetworks: ["127.0.0.2/32", "127.0.0.3"] });
    try {
      redirectTo = "/feed.ics";
      const same = await client.fetch(`${allowed.url}/redirect`);
      assert.equal(await same.text(), "allowed /feed.ics");
      redirectTo = `${other.url}/elsewhere`;
      const cross = await client.fetch(`${allowed.url}/redirect`, {
        headers: { authorization: "Bearer secret" },
      });
      assert.equal(await cross.text(), "auth=none");
    } finally {
      client.close();
    }
  });

  it("refuses a redirect from an allowed host to a blocked one without connecting to it", async () => {
    const client = clientFor({ allowPrivate: false, allowedNetworks: ["127.0.0.2/32"] });
    const before = inside.hits.length;
    try {
      for (const target of [
        `${inside.url}/admin`,
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
      ]) {
        redirectTo = target;
        await assert.rejects(client.fetch(`${allowed.url}/redirect`), CairnError, target);
      }
      assert.equal(inside.hits.length, before, "the blocked host was never reached");
    } finally {
      client.close();
    }
  });

  it("never follows a redirect to metadata, even with CAIRN_ALLOW_PRIVATE_URLS", async () => {
    const client = clientFor({ allowPrivate: true });
    try {
      redirectTo = "http://[::ffff:169.254.169.254]/latest/meta-data/";
      await assert.rejects(client.fetch(`${allowed.url}/redirect`), /metadata/);
      redirectTo = `${inside.url}/ok`;
      assert.equal(await (await client.fetch(`${allowed.url}/redirect`)).text(), "internal secret");
    } finally {
      client.close();
    }
  });

  it("connects to the address that was checked: a host that rebinds to a private address is refused", async () => {
    const port = new URL(inside.url).port;
    let lookups = 0;
    const client = clientFor({
      allowPrivate: false,
      // First answer public (the check at connect time), then the internal address (the rebinding).
      resolve: async () => (lookups++ === 0 ? ["93.184.216.34"] : ["127.0.0.1"]),
    });
    const before = inside.hits.length;
    try {
      await client.policy.assertUrl(`http://rebind.example:${port}/`, "settings.url");
      await assert.rejects(client.fetch(`http://rebind.example:${port}/`), /private, loopback/);
      assert.equal(inside.hits.length, before, "the rebound address was never connected to");
      assert.ok(lookups >= 2);
    } finally {
      client.close();
    }
  });

  it("uses the resolved, allowed address for the socket (no second lookup by the system resolver)", async () => {
    const port = new URL(allowed.url).port;
    const client = clientFor({
      allowPrivate: false,
      allowedNetworks: ["feeds.internal.test"],
      resolve: async (host) => (host === "feeds.internal.test" ? ["127.0.0.2"] : []),
    });
    try {
      const response = await client.fetch(`http://feeds.internal.test:${port}/calendar.ics`);
      assert.equal(await response.text(), "allowed /calendar.ics");
    } finally {
      client.close();
    }
  });
});
