/**
 * Subtasks on the other faces: chat ("add subtask write outline to Draft Q3 report", and completing a parent
 * asks before closing its open subtasks) and MCP (the SDK client sees parentId, tree and cascade).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { respond, respondToClick } from "../../bots/conversation/conversation.ts";
import { enginePort } from "../../bots/conversation/engine-port.ts";
import type { Button, Message } from "../../bots/conversation/message.ts";
import type { Actor } from "../../engine/actions/define.ts";
import type { TaskNode } from "../../engine/actions/subtask-rules.ts";
import type { Task } from "../../engine/domain.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer } from "../../mcp-server/index.ts";
import { backends } from "../support/harness.ts";
import {
  errorCode,
  errorText,
  openTestEngine,
  personToken,
  structured,
  type TestEngine,
} from "./mcp-fixtures.ts";

const textOf = (message: Message) =>
  message.parts.map((p) => ("text" in p ? p.text : JSON.stringify(p))).join("\n");
const buttonsOf = (message: Message): Button[] =>
  message.parts.flatMap((part) => (part.type === "buttons" ? part.buttons : []));

for (const backend of backends()) {
  describe(`subtasks in chat and MCP (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;

    before(async () => {
      t = await openTestEngine(backend.db);
    });
    after(() => t.close());

    it("chat: adds a subtask by the parent's name, and asks before completing a parent with open subtasks", async () => {
      const actor: Actor = await personToken(t.db, { email: "ada@example.com" });
      const port = enginePort(t.engine, actor, "terminal", "test:subtasks");
      const tasks = async () =>
        ((await t.engine.call(actor, "http", "list_tasks", { limit: 100 })) as { tasks: Task[] }).tasks;

      await respond(port, "add Draft Q3 report by friday");
      const added = await respond(port, "add subtask write outline to Draft Q3 report");
      const parent = (await tasks()).find((task) => task.title === "Draft Q3 report") as Task;
      const child = (await tasks()).find((task) => task.title === "write outline");
      assert.equal(child?.parentId, parent.id);
      assert.match(added.text, /Added subtask: write outline/);
      await respond(port, "add subtask collect numbers 1h to Draft Q3 report");
      const listed = await respond(port, "subtasks of Draft Q3 report");
      assert.match(textOf(listed), /write outline/);
      assert.match(textOf(listed), /collect numbers/);

      const asked = await respond(port, "done with Draft Q3 report");
      assert.match(asked.text, /It has 2 open subtasks — complete them too\?/);
      const [yes, no] = buttonsOf(asked);
      assert.equal(yes?.label, "Yes");
      assert.equal(no?.label, "No");
      assert.deepEqual(yes?.call, { action: "complete_task", input: { id: parent.id, cascade: true } });
      const kept = await respondToClick(port, no?.call as Button["call"]);
      assert.match(kept.text, /left it/);
      assert.equal((await tasks()).find((task) => task.id === parent.id)?.status, "todo");

      const closed = await respondToClick(port, yes?.call as Button["call"]);
      assert.match(closed.text, /Marked Draft Q3 report as done with its 2 open subtasks/);
      const after = await tasks();
      assert.ok(after.filter((task) => task.parentId === parent.id).every((task) => task.status === "done"));
    });

    it("MCP: parentId, tree and cascade through the SDK client", async () => {
      const actor = await personToken(t.db, { email: "mcp@example.com" });
      const server = createCairnMcpServer({
        engine: t.engine,
        actor,
        principal: `token:${actor.tokenId}`,
        limiter: new RateLimiter(10_000),
        log: silentLogger,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: "cairn-test", version: "1.0.0" });
      await server.mcp.connect(serverSide);
      await client.connect(clientSide);
      try {
        const call = (name: string, args: Record<string, unknown>) =>
          client.callTool({ name, arguments: args });
        const parent = structured<Task>(
          t.engine,
          "create_task",
          await call("create_task", { title: "Launch" }),
        );
        const made = structured<{ tasks: Task[] }>(
          t.engine,
          "create_subtasks",
          await call("create_subtasks", {
            parentId: parent.id,
            subtasks: [{ title: "Beta", estimateMinutes: 60 }, { title: "Press kit" }],
          }),
        );
        assert.equal(made.tasks.length, 2);
        const tree = structured<{ tasks: TaskNode[] }>(
          t.engine,
          "list_tasks",
          await call("list_tasks", { tree: true }),
        );
        const root = tree.tasks.find((task) => task.id === parent.id);
        assert.deepEqual(
          root?.subtasks.map((s) => s.title),
          ["Beta", "Press kit"],
        );
        assert.equal(root?.remainingEstimateMinutes, 60);

        const cycle = await call("update_task", { id: parent.id, parentId: made.tasks[0]?.id });
        assert.equal(errorCode(cycle), "invalid_input");
        assert.match(errorText(cycle), /parentId/);
        const refused = await call("complete_task", { id: parent.id });
        assert.equal(errorCode(refused), "conflict");
        assert.match(errorText(refused), /cascade/);
        const done = structured<{ status: string; alsoCompleted: unknown[] }>(
          t.engine,
          "complete_task",
          await call("complete_task", { id: parent.id, cascade: true }),
        );
        assert.equal(done.status, "done");
        assert.equal(done.alsoCompleted.length, 2);
      } finally {
        await client.close();
        await server.close();
      }
    });
  });
}
