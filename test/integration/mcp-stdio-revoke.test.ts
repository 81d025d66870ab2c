/** `cairn mcp` in direct mode: a token revoked while the assistant keeps the process open is refused at once. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { issueApiToken, resolveApiToken } from "../../engine/auth/api-tokens.ts";
import { revokeApiToken } from "../../engine/db/repositories/api-tokens.ts";
import { silentLogger } from "../../engine/logger.ts";
import { REVOKED_ERROR_CODE, serveStdio } from "../../mcp-server/stdio.ts";
import { openTestEngine, type TestEngine } from "../support/harness.ts";

describe("MCP on stdio (direct mode) and token revocation", () => {
  let app: TestEngine;
  before(async () => {
    app = await openTestEngine();
  });
  after(() => app.close());

  it("answers while the token holds, then refuses with an error and closes once it is revoked", async () => {
    const issued = await issueApiToken(app.db, {
      workspace: `stdio-${randomUUID().slice(0, 8)}`,
      email: "ada@example.com",
    });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const replies = new Map<number, Record<string, unknown>>();
    const waiters = new Map<number, (reply: Record<string, unknown>) => void>();
    createInterface({ input: stdout }).on("line", (line) => {
      const reply = JSON.parse(line) as Record<string, unknown>;
      const id = reply.id as number;
      replies.set(id, reply);
      waiters.get(id)?.(reply);
    });
    const reply = (id: number) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const known = replies.get(id);
        if (known) resolve(known);
        else waiters.set(id, resolve);
      });
    const send = (message: object) => stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);

    const served = serveStdio({
      engine: app.engine,
      actor: { workspace: issued.workspace, person: issued.person },
      principal: `token:${issued.tokenId}`,
      log: silentLogger,
      stdin,
      stdout,
      authorize: async () => (await resolveApiToken(app.db, issued.token))?.tokenId === issued.tokenId,
    });
    send({
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    assert.ok((await reply(1)).result);
    send({ method: "notifications/initialized" });
    send({ id: 2, method: "tools/list", params: {} });
    assert.ok(((await reply(2)).result as { tools: unknown[] }).tools.length > 0);

    await app.db.scoped(issued.workspace.id, (tx) => revokeApiToken(tx, issued.tokenId));
    send({ id: 3, method: "tools/call", params: { name: "whoami", arguments: {} } });
    const refused = await reply(3);
    assert.equal((refused.error as { code: number }).code, REVOKED_ERROR_CODE, JSON.stringify(refused));
    await served;
  });
});
