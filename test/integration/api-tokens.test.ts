/**
 * API tokens over the faces people use: list_tokens and revoke_token on the HTTP API (a member sees and
 * revokes their own, an admin any in the workspace, nobody another workspace's; never the token or its
 * hash), and a revoked token refused at once on /api/actions and /mcp, including in an MCP session that
 * is already open. Runs on every backend.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { hashToken } from "../../engine/auth/api-tokens.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

interface TokenView {
  id: string;
  name: string;
  prefix: string;
  person: { id: string; email: string };
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

async function openMcp(url: string, token: string): Promise<{ client: Client; sessionId: string }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "cairn-token-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, sessionId: transport.sessionId as string };
}

/** A session opened by hand (initialize, then initialized), so the test can open its SSE stream itself. */
async function openRawSession(url: string, token: string): Promise<string> {
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  const initialized = await fetch(`${url}/mcp`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });
  await initialized.text();
  const sessionId = initialized.headers.get("mcp-session-id") as string;
  assert.ok(sessionId, "initialize answered with a session id");
  const notified = await fetch(`${url}/mcp`, {
    method: "POST",
    headers: { ...headers, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  await notified.text();
  return sessionId;
}

/** A raw JSON-RPC request in an existing session, to see the HTTP status the server answers. */
async function rawMcp(url: string, token: string, sessionId: string): Promise<number> {
  const response = await fetch(`${url}/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list", params: {} }),
  });
  await response.body?.cancel();
  return response.status;
}

for (const backend of backends()) {
  describe(`API tokens: list and revoke (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    const clients: Client[] = [];

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, startWorkers: false });
    });
    after(async () => {
      for (const client of clients) await client.close().catch(() => {});
      await cairn?.close();
    });

    it("shows a member their own tokens and an admin all of the workspace's, never the secrets", async () => {
      const admin = await cairn.token({ workspace: "tok-list", email: "boss@list.test", admin: true });
      const member = await cairn.token({ workspace: "tok-list", email: "ann@list.test" });
      const memberSecond = await cairn.token({ workspace: "tok-list", email: "ann@list.test" });
      const outsider = await cairn.token({ workspace: "tok-other", email: "eve@other.test", admin: true });

      const mine = await cairn.call(member.token, "list_tokens", {});
      assert.equal(mine.status, 200);
      const own = (mine.body as { tokens: TokenView[] }).tokens;
      assert.equal(own.length, 2);
      assert.ok(own.every((t) => t.person.email === "ann@list.test"));
      const serialized = JSON.stringify(mine.body);
      for (const secret of [member.token, memberSecond.token, hashToken(member.token)])
        assert.ok(!serialized.includes(secret), "no token or hash in the output");
      assert.deepEqual(Object.keys(own[0] as object).sort(), [
        "createdAt",
        "expiresAt",
        "id",
        "lastUsedAt",
        "name",
        "person",
        "prefix",
        "revokedAt",
      ]);
      assert.ok(own.some((t) => member.token.startsWith(t.prefix)));
      assert.ok(
        own.some((t) => t.lastUsedAt !== null),
        "the calling token shows when it was used",
      );

      const all = (await cairn.call(admin.token, "list_tokens", {})).body as { tokens: TokenView[] };
      assert.deepEqual(all.tokens.map((t) => t.person.email).sort(), [
        "ann@list.test",
        "ann@list.test",
        "boss@list.test",
      ]);
      const annOnly = (await cairn.call(admin.token, "list_tokens", { person: "ann@list.test" })).body as {
        tokens: TokenView[];
      };
      assert.equal(annOnly.tokens.length, 2);

      const snooping = await cairn.call(member.token, "list_tokens", { person: "boss@list.test" });
      assert.equal(snooping.status, 403);
      const foreign = (await cairn.call(outsider.token, "list_tokens", {})).body as { tokens: TokenView[] };
      assert.deepEqual(
        foreign.tokens.map((t) => t.person.email),
        ["eve@other.test"],
      );
    });

    it("refuses a revoked token at once on HTTP and MCP, even in an open MCP session", async () => {
      const ann = await cairn.token({ workspace: "tok-revoke", email: "ann@revoke.test" });
      const { client, sessionId } = await openMcp(cairn.url, ann.token);
      clients.push(client);
      assert.ok((await client.listTools()).tools.length > 0);
      assert.equal((await cairn.call(ann.token, "whoami", {})).status, 200);

      const listed = (await cairn.call(ann.token, "list_tokens", {})).body as { tokens: TokenView[] };
      const id = (listed.tokens[0] as TokenView).id;
      const revoked = await cairn.call(ann.token, "revoke_token", { id });
      assert.equal(revoked.status, 200);
      assert.match((revoked.body as TokenView).revokedAt ?? "", /^\d{4}-\d\d-\d\dT/);

      assert.equal((await cairn.call(ann.token, "whoami", {})).status, 401);
      assert.equal(await rawMcp(cairn.url, ann.token, sessionId), 401);
      await assert.rejects(openMcp(cairn.url, ann.token), /401|Unauthorized|revoked/i);
    });

    it("ends an MCP session when its token is revoked by an admin, and lets a member revoke only their own", async () => {
      const admin = await cairn.token({ workspace: "tok-admin", email: "boss@admin.test", admin: true });
      const bob = await cairn.token({ workspace: "tok-admin", email: "bob@admin.test" });
      const carol = await cairn.token({ workspace: "tok-admin", email: "carol@admin.test" });
      const outsider = await cairn.token({ workspace: "tok-elsewhere", email: "eve@else.test", admin: true });
      const sessionId = await openRawSession(cairn.url, bob.token);

      const all = (await cairn.call(admin.token, "list_tokens", {})).body as { tokens: TokenView[] };
      const bobsId = all.tokens.find((t) => t.person.email === "bob@admin.test")?.id as string;

      // Another member, and an admin of another workspace, cannot revoke it (nor learn it exists).
      assert.equal((await cairn.call(carol.token, "revoke_token", { id: bobsId })).status, 404);
      assert.equal((await cairn.call(outsider.token, "revoke_token", { id: bobsId })).status, 404);
      assert.equal((await cairn.call(bob.token, "whoami", {})).status, 200);
      assert.equal((await cairn.call(carol.token, "revoke_token", { id: "nope" })).status, 400);

      // An open SSE stream of Bob's session: revoking his token must close it, not keep it streaming.
      const stream = await fetch(`${cairn.url}/mcp`, {
        headers: {
          authorization: `Bearer ${bob.token}`,
          accept: "text/event-stream",
          "mcp-session-id": sessionId,
          "mcp-protocol-version": "2025-06-18",
        },
      });
      assert.equal(stream.status, 200);
      const streamEnded = (async () => {
        const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
        for (;;) if ((await reader.read()).done) return true;
      })();

      const first = (await cairn.call(admin.token, "revoke_token", { id: bobsId })).body as TokenView;
      let guard: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<false>((resolve) => {
        guard = setTimeout(() => resolve(false), 15_000);
      });
      assert.equal(await Promise.race([streamEnded, gaveUp]), true, "the session's SSE stream was closed");
      clearTimeout(guard);
      const again = (await cairn.call(admin.token, "revoke_token", { id: bobsId })).body as TokenView;
      assert.equal(again.revokedAt, first.revokedAt, "revoking twice keeps the first time");

      // The session is gone: even its session id no longer answers (404 after auth would also refuse).
      assert.equal(await rawMcp(cairn.url, bob.token, sessionId), 401);
      assert.equal((await cairn.call(bob.token, "list_tasks", {})).status, 401);
    });
  });
}
