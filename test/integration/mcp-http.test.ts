/**
 * Streamable HTTP at /mcp on a whole running Cairn (every face installed): the SDK client with bearer
 * tokens, 401 + WWW-Authenticate + RFC 9728 metadata, DNS-rebinding protection, sessions bound to the
 * token that opened them, admin-only tools, workspace isolation, and JWTs from an external OAuth issuer
 * (a local JWKS server with jose keys). Runs on every backend.
 */
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type Progress, ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import type { Task } from "../../engine/domain.ts";
import { DEMO_EMAIL } from "../../engine/engine.ts";
import { mcpResourceUrl, taskUri } from "../../mcp-server/index.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { addTestActions, errorCode, errorMeta, structured } from "./mcp-fixtures.ts";

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/mcp`, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
}

async function connect(
  url: string,
  token: string,
  fetchVia?: FetchLike,
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    ...(fetchVia ? { fetch: fetchVia } : {}),
  });
  const client = new Client({ name: "cairn-http-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

/** A raw request with a Host header of our choosing (fetch does not let you set Host). */
function rawWithHost(url: string, host: string, token: string): Promise<number> {
  const target = new URL(`${url}/mcp`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { ...MCP_HEADERS, host, authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(INITIALIZE));
  });
}

for (const backend of backends()) {
  describe(`MCP over Streamable HTTP (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let memberToken: string;
    let adminToken: string;
    let outsiderToken: string;
    const clients: Client[] = [];

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs });
      addTestActions(cairn.engine);
      memberToken = (await cairn.token({ workspace: "acme", email: "member@acme.test" })).token;
      adminToken = (await cairn.token({ workspace: "acme", email: "boss@acme.test", admin: true })).token;
      outsiderToken = (await cairn.token({ workspace: "globex", email: "eve@globex.test" })).token;
    });

    after(async () => {
      for (const client of clients) await client.close().catch(() => {});
      await cairn.close();
    });

    const open = async (token: string, fetchVia?: FetchLike) => {
      const connected = await connect(cairn.url, token, fetchVia);
      clients.push(connected.client);
      return connected;
    };

    it("answers 401 with WWW-Authenticate pointing at the protected-resource metadata", async () => {
      const missing = await post(cairn.url, INITIALIZE);
      assert.equal(missing.status, 401);
      const challenge = missing.headers.get("www-authenticate") ?? "";
      assert.match(challenge, /^Bearer /);
      const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
      assert.equal(
        metadataUrl,
        `${new URL(mcpResourceUrl(cairn.config)).origin}/.well-known/oauth-protected-resource`,
      );
      assert.match(
        ((await missing.json()) as { error: { message: string } }).error.message,
        /cairn token create/,
      );

      const invalid = await post(cairn.url, INITIALIZE, { authorization: "Bearer cairn_not-a-real-token" });
      assert.equal(invalid.status, 401);
      assert.match(invalid.headers.get("www-authenticate") ?? "", /error="invalid_token"/);

      const metadata = (await (
        await fetch(`${cairn.url}/.well-known/oauth-protected-resource`)
      ).json()) as Record<string, unknown>;
      assert.equal(metadata.resource, mcpResourceUrl(cairn.config));
      assert.deepEqual(metadata.bearer_methods_supported, ["header"]);
      assert.equal(metadata.authorization_servers, undefined, "no issuer configured");
      const pathForm = await fetch(`${cairn.url}/.well-known/oauth-protected-resource/mcp`);
      assert.equal(pathForm.status, 200);
    });

    it("lists tools and calls create, list, search and complete with structured results", async () => {
      const { client } = await open(memberToken);
      const { tools } = await client.listTools();
      assert.ok(tools.length >= 7);
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, "object");
        assert.equal(tool.outputSchema?.type, "object");
      }
      assert.ok(!tools.some((tool) => tool.name === "mcp_test_admin_echo"), "members do not see admin tools");
      const created = structured<Task>(
        cairn.engine,
        "create_task",
        await client.callTool({
          name: "create_task",
          arguments: { title: "Renew the office lease", estimateMinutes: 30 },
        }),
      );
      const listed = structured<{ tasks: Task[] }>(
        cairn.engine,
        "list_tasks",
        await client.callTool({ name: "list_tasks", arguments: { status: "todo" } }),
      );
      assert.ok(listed.tasks.some((task) => task.id === created.id));
      const found = structured<{ results: { task: Task }[] }>(
        cairn.engine,
        "search_tasks",
        await client.callTool({ name: "search_tasks", arguments: { query: "lease" } }),
      );
      assert.equal(found.results[0]?.task.id, created.id);
      const done = structured<Task>(
        cairn.engine,
        "complete_task",
        await client.callTool({ name: "complete_task", arguments: { id: created.id } }),
      );
      assert.equal(done.status, "done");
    });

    it("streams progress notifications and resource updates over SSE", async () => {
      // The client opens its standalone GET stream after initialization; the server holds it once it answers.
      let getStreamOpened = (): void => {};
      const getStreamOpen = new Promise<void>((resolve) => {
        getStreamOpened = resolve;
      });
      const { client } = await open(memberToken, async (input, init) => {
        const response = await fetch(input, init);
        if (init?.method === "GET" && response.ok) getStreamOpened();
        return response;
      });
      const seen: Progress[] = [];
      const result = await client.callTool({ name: "mcp_test_count", arguments: { to: 3 } }, undefined, {
        onprogress: (progress) => {
          seen.push(progress);
        },
      });
      assert.deepEqual(structured(cairn.engine, "mcp_test_count", result), { counted: 3 });
      assert.deepEqual(
        seen.map((p) => p.progress),
        [1, 2, 3],
      );

      const task = structured<Task>(
        cairn.engine,
        "create_task",
        await client.callTool({ name: "create_task", arguments: { title: "Subscribed over HTTP" } }),
      );
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
        updated.push(notification.params.uri);
      });
      await client.subscribeResource({ uri: taskUri(task.id) });
      await getStreamOpen;
      const writer = await open(memberToken);
      await writer.client.callTool({ name: "update_task", arguments: { id: task.id, priority: 1 } });
      const deadline = Date.now() + 3_000;
      while (!updated.includes(taskUri(task.id)) && Date.now() < deadline) await sleep(20);
      assert.ok(updated.includes(taskUri(task.id)), "resources/updated arrives on the GET stream");
    });

    it("refuses a member calling an admin tool (forbidden, 403 in the error meta) and lets an admin", async () => {
      const member = await open(memberToken);
      const refused = await member.client.callTool({ name: "mcp_test_admin_echo", arguments: { text: "x" } });
      assert.equal(errorCode(refused), "forbidden");
      assert.equal(errorMeta(refused).status, 403);
      const admin = await open(adminToken);
      const allowed = await admin.client.callTool({ name: "mcp_test_admin_echo", arguments: { text: "x" } });
      assert.deepEqual(structured(cairn.engine, "mcp_test_admin_echo", allowed), { text: "x" });
    });

    it("rejects foreign Origins and unknown Host names (DNS rebinding) with 403", async () => {
      const foreign = await post(cairn.url, INITIALIZE, {
        authorization: `Bearer ${memberToken}`,
        origin: "http://evil.example",
      });
      assert.equal(foreign.status, 403);
      assert.match(
        ((await foreign.json()) as { error: { message: string } }).error.message,
        /CAIRN_ALLOWED_ORIGINS/,
      );
      const preflight = await fetch(`${cairn.url}/mcp`, {
        method: "OPTIONS",
        headers: { origin: "http://evil.example" },
      });
      assert.equal(preflight.status, 403);

      const local = await post(cairn.url, INITIALIZE, {
        authorization: `Bearer ${memberToken}`,
        origin: "http://localhost:6274",
      });
      assert.equal(local.status, 200);
      assert.equal(local.headers.get("access-control-allow-origin"), "http://localhost:6274");
      await local.body?.cancel();

      assert.equal(await rawWithHost(cairn.url, "evil.example:80", memberToken), 403);
      assert.equal(await rawWithHost(cairn.url, `localhost:${new URL(cairn.url).port}`, memberToken), 200);
    });

    it("binds a session to the token that opened it and ends it on DELETE", async () => {
      const { transport } = await open(memberToken);
      const sessionId = transport.sessionId;
      assert.ok(sessionId);
      const list = { jsonrpc: "2.0", id: 7, method: "tools/list", params: {} };
      const headers = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" };
      const hijack = await post(cairn.url, list, { ...headers, authorization: `Bearer ${outsiderToken}` });
      assert.equal(hijack.status, 403);
      const sameWorkspaceOtherToken = await post(cairn.url, list, {
        ...headers,
        authorization: `Bearer ${adminToken}`,
      });
      assert.equal(sameWorkspaceOtherToken.status, 403);
      const owner = await post(cairn.url, list, { ...headers, authorization: `Bearer ${memberToken}` });
      assert.equal(owner.status, 200);
      await owner.body?.cancel();

      const noSession = await post(cairn.url, list, { authorization: `Bearer ${memberToken}` });
      assert.equal(noSession.status, 400);

      await transport.terminateSession();
      const ended = await post(cairn.url, list, { ...headers, authorization: `Bearer ${memberToken}` });
      assert.equal(ended.status, 404);
    });

    it("keeps workspaces apart: a token for one workspace cannot read another's task", async () => {
      const acme = await open(memberToken);
      const globex = await open(outsiderToken);
      const secret = structured<Task>(
        cairn.engine,
        "create_task",
        await acme.client.callTool({ name: "create_task", arguments: { title: "Acme acquisition plan" } }),
      );
      assert.equal(
        errorCode(await globex.client.callTool({ name: "get_task", arguments: { id: secret.id } })),
        "not_found",
      );
      assert.equal(
        errorCode(await globex.client.callTool({ name: "complete_task", arguments: { id: secret.id } })),
        "not_found",
      );
      await assert.rejects(globex.client.readResource({ uri: taskUri(secret.id) }), /not_found/);
      const found = structured<{ results: { task: Task }[] }>(
        cairn.engine,
        "search_tasks",
        await globex.client.callTool({ name: "search_tasks", arguments: { query: "acquisition" } }),
      );
      assert.deepEqual(found.results, []);
    });
  });

  describe(`MCP with an external OAuth issuer (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let issuerServer: Server;
    let issuer: string;
    let sign: (
      claims: JWTPayload,
      options?: { audience?: string; issuer?: string; expiresIn?: string; foreignKey?: boolean },
    ) => Promise<string>;
    let audience: string;

    before(async () => {
      const { privateKey, publicKey } = await generateKeyPair("RS256");
      const stranger = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
      issuerServer = createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        if (req.url === "/.well-known/oauth-authorization-server") {
          res.end(
            JSON.stringify({
              issuer,
              jwks_uri: `${issuer}/jwks`,
              authorization_endpoint: `${issuer}/authorize`,
            }),
          );
        } else if (req.url === "/jwks") {
          res.end(JSON.stringify({ keys: [jwk] }));
        } else {
          res.statusCode = 404;
          res.end("{}");
        }
      });
      await new Promise<void>((resolve) => issuerServer.listen(0, "127.0.0.1", resolve));
      issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        env: { CAIRN_OAUTH_ISSUER: issuer },
      });
      audience = mcpResourceUrl(cairn.config);
      await cairn.token({ workspace: "acme", email: "ada@acme.test" });
      await cairn.token({ workspace: "globex", email: "eve@globex.test" });
      sign = async (claims, options = {}) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .setIssuer(options.issuer ?? issuer)
          .setAudience(options.audience ?? audience)
          .setSubject(`user-${String(claims.email)}`)
          .setIssuedAt()
          .setExpirationTime(options.expiresIn ?? "5m")
          .sign(options.foreignKey ? stranger.privateKey : privateKey);
    });

    after(async () => {
      await cairn.close();
      await new Promise<void>((resolve) => issuerServer.close(() => resolve()));
    });

    it("advertises the issuer in the protected-resource metadata", async () => {
      const metadata = (await (
        await fetch(`${cairn.url}/.well-known/oauth-protected-resource`)
      ).json()) as Record<string, unknown>;
      assert.deepEqual(metadata.authorization_servers, [issuer]);
    });

    it("accepts a valid JWT and acts as the person its email names", async () => {
      const token = await sign({ email: "ada@acme.test", cairn_workspace: "acme" });
      const { client } = await connect(cairn.url, token);
      try {
        const created = structured<Task>(
          cairn.engine,
          "create_task",
          await client.callTool({ name: "create_task", arguments: { title: "Made with OAuth" } }),
        );
        const ada = await cairn.engine.actorFor("acme", "ada@acme.test");
        assert.equal(created.personId, ada.person.id);
      } finally {
        await client.close();
      }
      // Without a workspace claim, CAIRN_WORKSPACE (demo) is used.
      const demo = await connect(cairn.url, await sign({ email: DEMO_EMAIL }));
      await demo.client.listTools();
      await demo.client.close();
    });

    it("rejects JWTs with the wrong audience, issuer or key, expired ones, and unknown people", async () => {
      const cases: [string, Promise<string>][] = [
        [
          "wrong audience",
          sign(
            { email: "ada@acme.test", cairn_workspace: "acme" },
            { audience: "https://other.example/mcp" },
          ),
        ],
        [
          "wrong issuer",
          sign({ email: "ada@acme.test", cairn_workspace: "acme" }, { issuer: "https://evil.example" }),
        ],
        ["foreign key", sign({ email: "ada@acme.test", cairn_workspace: "acme" }, { foreignKey: true })],
        ["expired", sign({ email: "ada@acme.test", cairn_workspace: "acme" }, { expiresIn: "-1m" })],
        ["unknown person", sign({ email: "mallory@acme.test", cairn_workspace: "acme" })],
        ["person of another workspace", sign({ email: "eve@globex.test", cairn_workspace: "acme" })],
        ["no email", sign({ cairn_workspace: "acme" })],
      ];
      for (const [label, token] of cases) {
        const response = await post(cairn.url, INITIALIZE, { authorization: `Bearer ${await token}` });
        assert.equal(response.status, 401, label);
        assert.match(response.headers.get("www-authenticate") ?? "", /resource_metadata=/, label);
        await response.body?.cancel();
      }
    });
  });
}
