/**
 * The request budgets every face shares: one per token across the HTTP API and MCP
 * (CAIRN_RATE_LIMIT_PER_MINUTE counts calls on both), and one per client address for failed
 * authentications (CAIRN_AUTH_FAILURES_PER_MINUTE), answered with 429 + Retry-After on both faces.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { listTasksFrom } from "../support/forwarded-call.ts";
import { startTestCairn, type TestCairn } from "../support/harness.ts";

const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

describe("rate limits shared by the HTTP API and MCP", () => {
  let cairn: TestCairn;
  const clients: Client[] = [];

  before(async () => {
    cairn = await startTestCairn({
      startWorkers: false,
      // Each test sends from its own address through X-Forwarded-For, so their budgets stay apart.
      env: { CAIRN_RATE_LIMIT_PER_MINUTE: "4", CAIRN_AUTH_FAILURES_PER_MINUTE: "3", CAIRN_TRUST_PROXY: "1" },
    });
  });
  after(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await cairn?.close();
  });

  const api = (token: string, from: string) => listTasksFrom(cairn.url, token, from);
  const mcpInitialize = (authorization: string | undefined, from: string) =>
    fetch(`${cairn.url}/mcp`, {
      method: "POST",
      headers: { ...MCP_HEADERS, "x-forwarded-for": from, ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(INITIALIZE),
    });

  it("gives one token CAIRN_RATE_LIMIT_PER_MINUTE calls in all, however they are split between HTTP and MCP", async () => {
    const ann = (await cairn.token({ workspace: "limits-shared", email: "ann@limits.test" })).token;
    const bob = (await cairn.token({ workspace: "limits-shared", email: "bob@limits.test" })).token;
    const transport = new StreamableHTTPClientTransport(new URL(`${cairn.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${ann}`, "x-forwarded-for": "198.51.100.1" } },
    });
    const client = new Client({ name: "limits", version: "1" });
    clients.push(client);
    await client.connect(transport);

    assert.equal((await api(ann, "198.51.100.1")).status, 200);
    const viaMcp = (await client.callTool({ name: "list_tasks", arguments: {} })) as CallToolResult;
    assert.notEqual(viaMcp.isError, true);
    assert.equal((await api(ann, "198.51.100.1")).status, 200);
    assert.notEqual(
      ((await client.callTool({ name: "whoami", arguments: {} })) as CallToolResult).isError,
      true,
    );

    // Four calls made: the fifth is refused on both faces.
    const refused = await api(ann, "198.51.100.1");
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    const refusedMcp = (await client.callTool({ name: "list_tasks", arguments: {} })) as CallToolResult;
    assert.equal(refusedMcp.isError, true);
    assert.match(JSON.stringify(refusedMcp.content), /rate_limited/);

    assert.equal((await api(bob, "198.51.100.1")).status, 200, "another token keeps its own budget");
  });

  it("answers 429 with Retry-After to an address that keeps failing authentication, on HTTP and MCP", async () => {
    const attacker = "203.0.113.7";
    const good = (await cairn.token({ workspace: "limits-auth", email: "ann@auth.test" })).token;
    assert.equal((await api("cairn_guess-1", attacker)).status, 401);
    assert.equal((await mcpInitialize("Bearer cairn_guess-2", attacker)).status, 401);
    assert.equal((await mcpInitialize(undefined, attacker)).status, 401, "a missing token is a failure too");

    for (const response of [
      await api("cairn_guess-3", attacker),
      await mcpInitialize("Bearer x", attacker),
    ]) {
      assert.equal(response.status, 429);
      assert.ok(Number(response.headers.get("retry-after")) >= 1);
      assert.match(await response.text(), /Too many failed authentications from this address/);
    }
    // While blocked, the address's tokens are not even looked at; other addresses are unaffected.
    assert.equal((await api(good, attacker)).status, 429);
    assert.equal((await api(good, "203.0.113.8")).status, 200);
    assert.equal((await api("cairn_guess-4", "203.0.113.8")).status, 401);
  });
});

describe("the failed-authentication limit without CAIRN_TRUST_PROXY", () => {
  let cairn: TestCairn;

  before(async () => {
    cairn = await startTestCairn({ startWorkers: false, env: { CAIRN_AUTH_FAILURES_PER_MINUTE: "2" } });
  });
  after(async () => cairn?.close());

  it("counts the connection's address: a forged X-Forwarded-For does not buy more guesses", async () => {
    const statuses: number[] = [];
    for (const from of ["198.51.100.10", "198.51.100.11", "198.51.100.12"]) {
      const response = await fetch(`${cairn.url}/api/actions/whoami`, {
        method: "POST",
        headers: {
          authorization: "Bearer cairn_guess",
          "content-type": "application/json",
          "x-forwarded-for": from,
        },
        body: "{}",
      });
      await response.body?.cancel();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 401, 429]);
  });
});
