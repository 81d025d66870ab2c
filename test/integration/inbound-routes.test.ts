/**
 * Every inbound route of a running Cairn, asked without credentials and with forged ones: the protected
 * ones refuse (and store nothing), the public ones answer without revealing a secret. The README's
 * "Inbound routes" table lists the same routes with how each is authenticated.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { installFaces, prepareModules } from "../../bin/modules/index.ts";
import { type RunningServer, startServer } from "../../bin/server.ts";
import { findWorkspace } from "../../engine/db/repositories/workspaces.ts";
import { silentLogger } from "../../engine/logger.ts";
import { openTestEngine, type TestEngine } from "../support/harness.ts";

const CONTROL_TOKEN = "control-token-for-this-test-0123456789";
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
});

describe("inbound routes refuse missing and forged credentials", () => {
  let test: TestEngine;
  let server: RunningServer;
  let closeFaces: () => Promise<void>;

  before(async () => {
    test = await openTestEngine({ env: { CAIRN_AUTH_FAILURES_PER_MINUTE: "1000" } });
    prepareModules(test.engine, test.config, silentLogger);
    const faces = await installFaces(test.engine, test.config, silentLogger);
    closeFaces = faces.close;
    server = await startServer({
      engine: test.engine,
      port: 0,
      host: "127.0.0.1",
      mounts: faces.mounts,
      controlToken: () => CONTROL_TOKEN,
    });
    await faces.afterListen(server.url);
  });
  after(async () => {
    await server?.close(2_000);
    await closeFaces?.();
    await test?.close();
  });

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });

  it("answers 401 on the actions API, MCP and the Google channel webhook without a valid credential", async () => {
    const forged = { authorization: "Bearer cairn_forged0000000000000000000000000000000000" };
    const notOurs = { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." };
    const json = { "content-type": "application/json" };
    const cases: [string, string, Record<string, string>, string | undefined][] = [
      ["GET", "/api/actions", {}, undefined],
      ["GET", "/api/actions", forged, undefined],
      ["POST", "/api/actions/whoami", json, "{}"],
      ["POST", "/api/actions/whoami", { ...json, ...forged }, "{}"],
      ["POST", "/api/actions/whoami", { ...json, ...notOurs }, "{}"],
      ["POST", "/api/actions/whoami", { ...json, authorization: "Basic YWRtaW46YWRtaW4=" }, "{}"],
      ["POST", "/mcp", MCP_HEADERS, INITIALIZE],
      ["POST", "/mcp", { ...MCP_HEADERS, ...forged }, INITIALIZE],
      ["POST", "/mcp", { ...MCP_HEADERS, ...notOurs }, INITIALIZE],
      ["GET", "/mcp", { accept: "text/event-stream", "mcp-session-id": "a-guessed-session" }, undefined],
      ["DELETE", "/mcp", { "mcp-session-id": "a-guessed-session" }, undefined],
      ["POST", "/webhooks/google", { "x-goog-channel-id": "guessed", "x-goog-channel-token": "x" }, "{}"],
    ];
    for (const [method, path, headers, body] of cases) {
      const response = await send(method, path, headers, body);
      assert.equal(response.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
      await response.body?.cancel();
    }
  });

  it("refuses the local control endpoints without the lock file's control token, and creates nothing", async () => {
    const json = { "content-type": "application/json" };
    const tokenRequest = JSON.stringify({ workspace: "forged-ws", person: "eve@forged.test", admin: true });
    const callRequest = JSON.stringify({ action: "list_people", workspace: "demo" });
    const adminRequest = JSON.stringify({
      workspace: "forged-ws",
      email: "forger@example.com",
      password: "forged password 1",
    });
    const forgeries: Record<string, string>[] = [
      {},
      { "x-cairn-control": "" },
      { "x-cairn-control": "wrong" },
      { "x-cairn-control": "x".repeat(CONTROL_TOKEN.length) },
      { authorization: `Bearer ${CONTROL_TOKEN}` },
    ];
    for (const headers of forgeries) {
      for (const [path, body] of [
        ["/api/local/token", tokenRequest],
        ["/api/local/call", callRequest],
        ["/api/local/admin", adminRequest],
      ] as const) {
        const response = await send("POST", path, { ...json, ...headers }, body);
        assert.equal(response.status, 401, `${path} ${JSON.stringify(headers)}`);
        await response.body?.cancel();
      }
    }
    const created = await test.db.system((tx) => findWorkspace(tx, "forged-ws"));
    assert.equal(created, undefined, "no workspace or token was created");

    const genuine = await send(
      "POST",
      "/api/local/call",
      { ...json, "x-cairn-control": CONTROL_TOKEN },
      callRequest,
    );
    assert.equal(genuine.status, 200, "the real control token works");
  });

  it("serves the public routes without revealing a secret", async () => {
    const secrets = [CONTROL_TOKEN, test.config.CAIRN_MASTER_KEY as string];
    for (const path of ["/healthz", "/readyz", "/metrics", "/.well-known/oauth-protected-resource"]) {
      const response = await send("GET", path);
      assert.equal(response.status, 200, path);
      const text = await response.text();
      for (const secret of secrets) assert.ok(!text.includes(secret), `${path} shows no secret`);
    }
  });
});
