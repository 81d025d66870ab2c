/**
 * MCP tool calls act once when redelivered: a tools/call re-sent with the same JSON-RPC id on the same session
 * gets the first result (one task), even when the copy arrives while the first is still running; a call with
 * `_meta["cairn/idempotency-key"]` repeated on another session gets the first result too, and the same key with
 * other arguments is refused. Runs on every backend.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Actor } from "../../engine/actions/define.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer } from "../../mcp-server/index.ts";
import { IDEMPOTENCY_META_KEY } from "../../mcp-server/redelivery.ts";
import { backends } from "../support/harness.ts";
import { errorMeta, errorText, openTestEngine, personToken, type TestEngine } from "./mcp-fixtures.ts";

interface Session {
  client: Client;
  /** Every response the server sent, by JSON-RPC id. */
  responses: Map<string | number, JSONRPCMessage[]>;
  /** Resolves once the server has sent `count` responses with this id. */
  responsesTo(id: string | number, count: number): Promise<JSONRPCMessage[]>;
  /** Sends the next tools/call twice with the same id, as a transport retry would. */
  duplicateNextCall(): void;
  close(): Promise<void>;
}

const isToolsCall = (message: JSONRPCMessage) => "method" in message && message.method === "tools/call";

for (const backend of backends()) {
  describe(`MCP redelivered tool calls (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;
    let actor: Actor & { tokenId: string };
    const sessions: Session[] = [];

    before(async () => {
      t = await openTestEngine(backend.db);
      const issued = await personToken(t.db);
      actor = { workspace: issued.workspace, person: issued.person, tokenId: issued.tokenId };
    });
    after(async () => {
      for (const session of sessions) await session.close();
      await t?.close();
    });

    async function open(): Promise<Session> {
      const server = createCairnMcpServer({
        engine: t.engine,
        actor,
        principal: `token:${actor.tokenId}`,
        limiter: new RateLimiter(10_000),
        log: silentLogger,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const responses = new Map<string | number, JSONRPCMessage[]>();
      const waiters: { id: string | number; count: number; resolve(list: JSONRPCMessage[]): void }[] = [];
      const serverSend = serverSide.send.bind(serverSide);
      serverSide.send = async (message, options) => {
        if ("id" in message && message.id !== undefined && !("method" in message)) {
          const list = [...(responses.get(message.id) ?? []), message];
          responses.set(message.id, list);
          for (const waiter of waiters)
            if (waiter.id === message.id && list.length >= waiter.count) waiter.resolve(list);
        }
        await serverSend(message, options);
      };
      let duplicate = false;
      const clientSend = clientSide.send.bind(clientSide);
      clientSide.send = async (message, options) => {
        await clientSend(message, options);
        if (duplicate && isToolsCall(message)) {
          duplicate = false;
          await clientSend(message, options);
        }
      };
      const client = new Client({ name: "redelivery-test", version: "1.0.0" });
      // The second answer to one id is unknown to the SDK client; it reports it here, which is expected.
      client.onerror = () => {};
      await server.mcp.connect(serverSide);
      await client.connect(clientSide);
      const session: Session = {
        client,
        responses,
        responsesTo: (id, count) => {
          const list = responses.get(id) ?? [];
          if (list.length >= count) return Promise.resolve(list);
          return new Promise((resolve) => waiters.push({ id, count, resolve }));
        },
        duplicateNextCall: () => {
          duplicate = true;
        },
        close: async () => {
          await client.close();
          await server.close();
        },
      };
      sessions.push(session);
      return session;
    }

    const tasksTitled = async (title: string) =>
      (
        (await t.engine.call(actor, "mcp", "list_tasks", { limit: 200 })) as {
          tasks: { title: string }[];
        }
      ).tasks.filter((task) => task.title === title);

    it("a tools/call re-sent with the same JSON-RPC id creates one task and answers the same twice", async () => {
      const session = await open();
      const title = `Redelivered ${randomUUID().slice(0, 6)}`;
      session.duplicateNextCall();
      const result = await session.client.callTool({ name: "create_task", arguments: { title } });
      assert.notEqual(result.isError, true, JSON.stringify(result));
      const [id, answers] =
        [...session.responses.entries()].find(([, list]) => JSON.stringify(list).includes(title)) ?? [];
      assert.ok(id !== undefined && answers, "the call's answers");
      const both = await session.responsesTo(id, 2);
      assert.equal(both.length, 2);
      assert.deepEqual(both[1], both[0]);
      assert.equal((await tasksTitled(title)).length, 1);
    });

    it("a repeated _meta idempotency key on another session gets the first result and creates one task", async () => {
      const key = randomUUID();
      const title = `Keyed ${key.slice(0, 6)}`;
      const call = (session: Session, args: Record<string, unknown>) =>
        session.client.callTool({
          name: "create_task",
          arguments: args,
          _meta: { [IDEMPOTENCY_META_KEY]: key },
        });
      const first = await call(await open(), { title });
      assert.notEqual(first.isError, true, JSON.stringify(first));
      const second = await call(await open(), { title });
      assert.deepEqual(second.structuredContent, first.structuredContent);
      assert.equal((await tasksTitled(title)).length, 1);

      const reused = await call(await open(), { title: `${title} (other)` });
      assert.equal(errorMeta(reused).code, "invalid_input");
      assert.match(errorText(reused), /cairn\/idempotency-key.*already used for a different call/);
      assert.equal((await tasksTitled(`${title} (other)`)).length, 0);
    });

    it("refuses a malformed _meta idempotency key, naming it", async () => {
      const session = await open();
      const result = await session.client.callTool({
        name: "create_task",
        arguments: { title: "Never made over MCP" },
        _meta: { [IDEMPOTENCY_META_KEY]: "" },
      });
      assert.equal(errorMeta(result).code, "invalid_input");
      assert.match(errorText(result), /cairn\/idempotency-key/);
      assert.equal((await tasksTitled("Never made over MCP")).length, 0);
    });
  });
}
