/**
 * An MCP `_meta["cairn/idempotency-key"]` survives a database outage at the end of its call, as the HTTP
 * Idempotency-Key does (engine/db/when-reachable.ts): a claim that could not be released is released once the
 * database answers again (a retry then runs the call afresh instead of getting a conflict until the claim goes
 * stale), and a call that did its work while the database went away still answers, and its answer is kept once
 * the database is back (a retry replays it and does not run the call again). Found by the scale-out harness.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { migrate } from "../../engine/db/migrate.ts";
import type { Db } from "../../engine/db/port.ts";
import { createEngine, type Engine } from "../../engine/engine.ts";
import { createJobs } from "../../engine/jobs/index.ts";
import { silentLogger } from "../../engine/logger.ts";
import { createSecretBox } from "../../engine/security/secret-box.ts";
import { keyedCall } from "../../mcp-server/redelivery.ts";
import { backends, freshDb, type TestDb, testConfig } from "../support/harness.ts";

for (const backend of backends()) {
  describe(`MCP idempotency keys through a database outage (${backend.name})`, { skip: backend.skip }, () => {
    let store: TestDb;
    let engine: Engine;
    let workspaceId: string;
    let down = false;
    /** Resolves the next time a transaction is refused because the database is "down". */
    let refused: () => void = () => {};

    before(async () => {
      store = await freshDb(backend.db);
      await migrate(store.db);
      workspaceId = (await issueApiToken(store.db, { workspace: "mcp-outage", email: "a@outage.test" }))
        .workspace.id;
      // The engine's database refuses every transaction while `down` (a PostgreSQL restart).
      const real = store.db;
      const flaky = new Proxy(real, {
        get(target, prop) {
          if (prop === "scoped" && down)
            return () => {
              refused();
              return Promise.reject(new Error("Connection terminated unexpectedly"));
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as Db;
      const config = testConfig();
      engine = createEngine({
        config,
        db: flaky,
        jobs: createJobs({ logger: silentLogger }),
        secrets: createSecretBox(Buffer.from(config.CAIRN_MASTER_KEY as string, "base64")),
        log: silentLogger,
      });
    });
    after(async () => {
      down = false;
      await engine?.services.jobs.close(1_000).catch(() => {});
      await store?.drop();
    });

    const stateOf = async (key: string) =>
      store.db.scoped(workspaceId, async (tx) => {
        const { rows } = await tx.query<{ state: string }>(
          "SELECT state FROM idempotency_keys WHERE key = $1",
          [`mcp:${key}`],
        );
        return rows[0]?.state;
      });
    async function waitForState(key: string, want: string | undefined): Promise<void> {
      for (let i = 0; i < 600; i++) {
        if ((await stateOf(key)) === want) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.fail(`the key never reached state ${want} (now ${await stateOf(key)})`);
    }
    /** Brings the database back after it refused one more transaction (the first background retry). */
    const backAfterNextRefusal = () =>
      new Promise<void>((resolve) => {
        refused = () => {
          refused = () => {};
          queueMicrotask(() => {
            down = false;
            resolve();
          });
        };
      });
    const scope = (key: string) => ({ workspaceId, principal: "token:outage", key });
    const answer = (text: string): CallToolResult => ({
      content: [{ type: "text", text }],
      structuredContent: { text },
    });

    it("releases the claim of a failed call once the database is back", async () => {
      const key = randomUUID();
      const request = { name: "create_task", hash: "h1" };
      const back = backAfterNextRefusal();
      await assert.rejects(
        keyedCall(engine, scope(key), request, async () => {
          down = true;
          throw new Error("the tool failed");
        }),
        /the tool failed/,
      );
      await back;
      await waitForState(key, undefined);
      // A retry runs the call again.
      let runs = 0;
      const retried = await keyedCall(engine, scope(key), request, async () => {
        runs++;
        return answer("second run");
      });
      assert.equal(runs, 1);
      assert.deepEqual((retried as CallToolResult).structuredContent, { text: "second run" });
    });

    it("answers a call whose work was done, and keeps its answer once the database is back", async () => {
      const key = randomUUID();
      const request = { name: "create_task", hash: "h2" };
      const back = backAfterNextRefusal();
      const first = await keyedCall(engine, scope(key), request, async () => {
        down = true;
        return answer("created once");
      });
      assert.deepEqual((first as CallToolResult).structuredContent, { text: "created once" });
      await back;
      await waitForState(key, "done");
      const replayed = await keyedCall(engine, scope(key), request, async () => {
        throw new Error("a retry must not run the call again");
      });
      assert.deepEqual((replayed as CallToolResult).structuredContent, { text: "created once" });
    });
  });
}
