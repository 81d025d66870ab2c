/**
 * The MCP SDK Client against Cairn's MCP server over an in-memory linked pair: tools generated from the
 * registry, structured results, errors as results, progress, resources with subscriptions, prompts,
 * rate limits and workspace isolation. Runs on every backend.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type Progress,
  type ReadResourceResult,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Actor } from "../../engine/actions/define.ts";
import type { Task } from "../../engine/domain.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer, INSIGHTS_URI, PLAN_TODAY_URI, taskUri } from "../../mcp-server/index.ts";
import { backends } from "../support/harness.ts";
import {
  errorCode,
  errorMeta,
  errorText,
  openTestEngine,
  personToken,
  structured,
  type TestEngine,
} from "./mcp-fixtures.ts";

interface Connected {
  client: Client;
  close(): Promise<void>;
}

for (const backend of backends()) {
  describe(`MCP over in-memory transport (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestEngine;
    let member: Actor & { tokenId: string };
    let admin: Actor & { tokenId: string };
    let outsider: Actor & { tokenId: string };
    let m: Connected;
    const opened: Connected[] = [];

    async function connect(
      actor: Actor & { tokenId: string },
      limiter = new RateLimiter(10_000),
    ): Promise<Connected> {
      const server = createCairnMcpServer({
        engine: t.engine,
        actor,
        principal: `token:${actor.tokenId}`,
        limiter,
        log: silentLogger,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: "cairn-test", version: "1.0.0" });
      await server.mcp.connect(serverSide);
      await client.connect(clientSide);
      const connected = {
        client,
        async close() {
          await client.close();
          await server.close();
        },
      };
      opened.push(connected);
      return connected;
    }

    before(async () => {
      t = await openTestEngine(backend.db);
      member = await personToken(t.db, { workspace: "acme", email: "member@acme.test" });
      admin = await personToken(t.db, { workspace: "acme", email: "boss@acme.test", admin: true });
      outsider = await personToken(t.db, { workspace: "globex", email: "eve@globex.test" });
      m = await connect(member);
    });

    after(async () => {
      for (const connection of opened) await connection.close();
      await t.close();
    });

    it("lists one tool per action, each with input and output schemas and annotations", async () => {
      const { tools } = await m.client.listTools();
      const visible = t.engine.registry.list().filter((action) => action.scope !== "admin");
      assert.deepEqual(tools.map((tool) => tool.name).sort(), visible.map((action) => action.name).sort());
      for (const tool of tools) {
        const action = t.engine.registry.get(tool.name);
        assert.ok(action);
        assert.equal(tool.title, action.title);
        assert.ok(tool.description?.startsWith(action.description));
        assert.equal(tool.inputSchema.type, "object", `${tool.name} inputSchema`);
        assert.equal(tool.outputSchema?.type, "object", `${tool.name} outputSchema`);
        assert.equal(tool.annotations?.readOnlyHint, action.annotations.readOnlyHint);
        assert.equal(tool.annotations?.destructiveHint, action.annotations.destructiveHint);
        assert.equal(tool.annotations?.idempotentHint, action.annotations.idempotentHint);
        assert.equal(tool.annotations?.openWorldHint, action.annotations.openWorldHint);
      }
      assert.equal(tools.find((tool) => tool.name === "delete_task")?.annotations?.destructiveHint, true);
      assert.equal(tools.find((tool) => tool.name === "complete_task")?.annotations?.openWorldHint, true);
    });

    it("shows admin-only tools to admins only", async () => {
      const a = await connect(admin);
      const { tools } = await a.client.listTools();
      const echo = tools.find((tool) => tool.name === "mcp_test_admin_echo");
      assert.ok(echo, "admins see the admin tool");
      assert.match(echo.description ?? "", /Needs a workspace admin/);
      const result = await a.client.callTool({ name: "mcp_test_admin_echo", arguments: { text: "hi" } });
      assert.deepEqual(structured(t.engine, "mcp_test_admin_echo", result), { text: "hi" });
    });

    it("answers a member calling an admin tool with a forbidden error result", async () => {
      const result = await m.client.callTool({ name: "mcp_test_admin_echo", arguments: { text: "hi" } });
      assert.equal(errorCode(result), "forbidden");
      assert.equal(errorMeta(result).status, 403);
      assert.match(errorText(result), /needs an admin/);
    });

    it("creates, lists, searches and completes tasks with structured results", async () => {
      const created = structured<Task>(
        t.engine,
        "create_task",
        await m.client.callTool({
          name: "create_task",
          arguments: {
            title: "Draft the Q3 budget review",
            estimateMinutes: 90,
            due: "2030-03-10T16:00:00Z",
            priority: 1,
          },
        }),
      );
      assert.equal(created.title, "Draft the Q3 budget review");
      const listed = structured<{ tasks: Task[] }>(
        t.engine,
        "list_tasks",
        await m.client.callTool({ name: "list_tasks", arguments: { mine: true } }),
      );
      assert.ok(listed.tasks.some((task) => task.id === created.id));
      const listText = errorText(await m.client.callTool({ name: "list_tasks", arguments: { mine: true } }));
      assert.match(listText, new RegExp(`id ${created.id}`), "the text rendering names task ids");
      const found = structured<{ results: { task: Task }[] }>(
        t.engine,
        "search_tasks",
        await m.client.callTool({ name: "search_tasks", arguments: { query: "budget" } }),
      );
      assert.equal(found.results[0]?.task.id, created.id);
      const done = structured<Task>(
        t.engine,
        "complete_task",
        await m.client.callTool({ name: "complete_task", arguments: { id: created.id } }),
      );
      assert.equal(done.status, "done");
      assert.ok(done.completedAt);
    });

    it("returns invalid input as an error result naming the field", async () => {
      const result = await m.client.callTool({ name: "create_task", arguments: { title: "", priority: 9 } });
      assert.equal(errorCode(result), "invalid_input");
      assert.match(errorText(result), /title/);
      assert.match(errorText(result), /priority/);
      const unknown = await m.client.callTool({ name: "no_such_tool", arguments: {} });
      assert.equal(errorCode(unknown), "not_found");
    });

    it("sends progress notifications when the client asks for them", async () => {
      const seen: Progress[] = [];
      const result = await m.client.callTool({ name: "mcp_test_count", arguments: { to: 4 } }, undefined, {
        onprogress: (progress) => {
          seen.push(progress);
        },
      });
      assert.deepEqual(structured(t.engine, "mcp_test_count", result), { counted: 4 });
      assert.deepEqual(
        seen.map((p) => [p.progress, p.total, p.message]),
        [1, 2, 3, 4].map((n) => [n, 4, `step ${n}`]),
      );
    });

    it("masks secret-looking fields in outputs", async () => {
      const result = await m.client.callTool({ name: "mcp_test_leaky", arguments: {} });
      const body = structured<{
        name: string;
        apiToken: string;
        nested: { credentials: { password: string; port: number } };
      }>(t.engine, "mcp_test_leaky", result);
      assert.equal(body.name, "visible");
      assert.equal(body.apiToken, "[redacted]");
      assert.equal(body.nested.credentials.password, "[redacted]");
      assert.doesNotMatch(JSON.stringify(result), /sk-live-123|hunter2/);
    });

    it("rate-limits tool calls per token", async () => {
      const limited = await connect(member, new RateLimiter(2));
      for (let i = 0; i < 2; i++) {
        const ok = await limited.client.callTool({ name: "list_tasks", arguments: {} });
        assert.notEqual(ok.isError, true);
      }
      const refused = await limited.client.callTool({ name: "list_tasks", arguments: {} });
      assert.equal(errorCode(refused), "rate_limited");
      assert.ok((errorMeta(refused).retryAfterSeconds ?? 0) >= 1);
    });

    it("counts resource reads against the same per-token limit", async () => {
      const limited = await connect(member, new RateLimiter(2));
      await limited.client.readResource({ uri: "cairn://insights" });
      await limited.client.callTool({ name: "list_tasks", arguments: {} });
      await assert.rejects(limited.client.readResource({ uri: "cairn://plan/today" }), (error: Error) => {
        assert.match(error.message, /rate_limited: Too many requests for this token; retry in \d+s/);
        return true;
      });
    });

    it("lists and reads today's plan, tasks by URI and insights", async () => {
      const task = structured<Task>(
        t.engine,
        "create_task",
        await m.client.callTool({
          name: "create_task",
          arguments: { title: "Overdue expense report", due: "2020-01-01T09:00:00Z" },
        }),
      );
      const { resources } = await m.client.listResources();
      const uris = resources.map((resource) => resource.uri);
      assert.ok(uris.includes(PLAN_TODAY_URI));
      assert.ok(uris.includes(INSIGHTS_URI));
      assert.ok(uris.includes(taskUri(task.id)), "recent tasks are listed through the template");
      const { resourceTemplates } = await m.client.listResourceTemplates();
      assert.deepEqual(
        resourceTemplates.map((template) => template.uriTemplate),
        ["cairn://tasks/{id}"],
      );

      const plan = JSON.parse(resourceText(await m.client.readResource({ uri: PLAN_TODAY_URI })));
      // With the planning actions installed the plan comes from get_schedule; without them, from the tasks.
      assert.equal(
        plan.source,
        t.engine.registry.get("get_schedule") ? "get_schedule" : "tasks",
        plan.scheduleError,
      );
      assert.ok(plan.tasks.overdue.some((overdue: Task) => overdue.id === task.id));

      const read = await m.client.readResource({ uri: taskUri(task.id) });
      assert.equal(read.contents[0]?.mimeType, "application/json");
      assert.equal(JSON.parse(resourceText(read)).title, "Overdue expense report");

      const numbers = JSON.parse(resourceText(await m.client.readResource({ uri: INSIGHTS_URI })));
      assert.ok(numbers.overdue >= 1);
      assert.ok(numbers.completedThisWeek >= 1, "the completed budget task counts");
      assert.equal(numbers.complete, true);
    });

    it("notifies subscribers of updated resources and of list changes", async () => {
      const task = structured<Task>(
        t.engine,
        "create_task",
        await m.client.callTool({ name: "create_task", arguments: { title: "Watch me" } }),
      );
      const watcher = await connect(member);
      const updated: string[] = [];
      let listChanged = 0;
      watcher.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
        updated.push(notification.params.uri);
      });
      watcher.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
        listChanged += 1;
      });
      await watcher.client.subscribeResource({ uri: taskUri(task.id) });
      await watcher.client.subscribeResource({ uri: INSIGHTS_URI });
      await m.client.callTool({ name: "update_task", arguments: { id: task.id, title: "Watched" } });
      await waitFor(
        () => updated.includes(taskUri(task.id)) && updated.includes(INSIGHTS_URI) && listChanged > 0,
      );
      assert.ok(!updated.includes(PLAN_TODAY_URI), "only subscribed resources are announced");

      await watcher.client.unsubscribeResource({ uri: taskUri(task.id) });
      updated.length = 0;
      await m.client.callTool({ name: "update_task", arguments: { id: task.id, priority: 2 } });
      await waitFor(() => updated.includes(INSIGHTS_URI));
      assert.ok(!updated.includes(taskUri(task.id)));

      // Changes in another workspace are not announced: announcements arrive in order, so once the
      // watcher hears of a later change in its own workspace, the outsider's change would have come first.
      const other = await connect(outsider);
      updated.length = 0;
      await other.client.callTool({ name: "create_task", arguments: { title: "Globex secret plan" } });
      await m.client.callTool({ name: "update_task", arguments: { id: task.id, priority: 3 } });
      await waitFor(() => updated.includes(INSIGHTS_URI));
      assert.deepEqual(updated, [INSIGHTS_URI]);
    });

    it("offers plan-my-day and weekly-review prompts built from the person's tasks", async () => {
      const { prompts } = await m.client.listPrompts();
      assert.deepEqual(prompts.map((prompt) => prompt.name).sort(), ["plan-my-day", "weekly-review"]);
      const day = await m.client.getPrompt({ name: "plan-my-day", arguments: { focus: "ship the budget" } });
      const dayText = day.messages
        .map((message) => (message.content.type === "text" ? message.content.text : ""))
        .join("\n");
      assert.match(dayText, /Overdue expense report/);
      assert.match(dayText, /ship the budget/);
      const review = await m.client.getPrompt({ name: "weekly-review" });
      const reviewText = review.messages
        .map((message) => (message.content.type === "text" ? message.content.text : ""))
        .join("\n");
      assert.match(reviewText, /Draft the Q3 budget review/, "completed this week");
      assert.match(reviewText, /Overdue expense report/);
    });

    it("never shows another workspace's tasks", async () => {
      const mine = structured<Task>(
        t.engine,
        "create_task",
        await m.client.callTool({ name: "create_task", arguments: { title: "Acme-only roadmap" } }),
      );
      const other = await connect(outsider);
      const fetched = await other.client.callTool({ name: "get_task", arguments: { id: mine.id } });
      assert.equal(errorCode(fetched), "not_found");
      const listed = structured<{ tasks: Task[] }>(
        t.engine,
        "list_tasks",
        await other.client.callTool({ name: "list_tasks", arguments: { limit: 200 } }),
      );
      assert.ok(listed.tasks.every((task) => task.id !== mine.id));
      await assert.rejects(other.client.readResource({ uri: taskUri(mine.id) }), /not_found/);
      const { resources } = await other.client.listResources();
      assert.ok(!resources.some((resource) => resource.uri === taskUri(mine.id)));
    });
  });
}

function resourceText(result: ReadResourceResult): string {
  const first = result.contents[0];
  assert.ok(first && "text" in first, "a text resource");
  return first.text;
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail("timed out waiting for notifications");
    await sleep(20);
  }
}
