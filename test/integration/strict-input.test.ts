/**
 * Strict inputs: a field an action does not take is refused with 400 naming it and the likely fix, on HTTP and
 * MCP, nested objects too, and nothing is written. The published JSON Schemas (GET /api/actions, MCP
 * tools/list) say `additionalProperties: false` on every object that is not a free-form map. Runs on every
 * backend; the `cairn call` face is in strict-input-cli.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { closestField } from "../../engine/actions/strict-input.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer } from "../../mcp-server/index.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { errorMeta, errorText } from "./mcp-fixtures.ts";

interface Problem {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

type JsonSchema = Record<string, unknown>;

/** Every object schema under `schema` (properties, items, anyOf, $defs ...) with its path. */
function objectSchemas(schema: unknown, path = "#"): { path: string; schema: JsonSchema }[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => objectSchemas(item, `${path}/${i}`));
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as JsonSchema;
  const own = node.type === "object" ? [{ path, schema: node }] : [];
  return [...own, ...Object.entries(node).flatMap(([key, value]) => objectSchemas(value, `${path}/${key}`))];
}

/** Objects must be closed, except free-form maps (records: additionalProperties is a schema). */
function assertClosed(name: string, schema: unknown) {
  for (const object of objectSchemas(schema)) {
    const extra = object.schema.additionalProperties;
    assert.ok(
      extra === false || (typeof extra === "object" && extra !== null && "propertyNames" in object.schema),
      `${name} ${object.path} is not closed: ${JSON.stringify(object.schema)}`,
    );
  }
}

describe("closest field for an unknown one", () => {
  it("suggests a near name and nothing for an unrelated one", () => {
    const known = ["title", "estimateMinutes", "due", "tags"];
    assert.equal(closestField("estimateMinute", known), "estimateMinutes");
    assert.equal(closestField("Title", known), "title");
    assert.equal(closestField("tag", known), "tags");
    assert.equal(closestField("colour", known), undefined);
  });
});

for (const backend of backends()) {
  describe(`strict inputs on ${backend.name}`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let token: string;

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, startWorkers: false });
      token = (await cairn.token({ email: "sam@strict.test" })).token;
    });
    after(async () => cairn?.close());

    const taskTitles = async () => {
      const { body } = await cairn.call(token, "list_tasks", { limit: 200 });
      return (body as { tasks: { title: string }[] }).tasks.map((task) => task.title);
    };

    it("refuses a misspelt field over HTTP with 400, the field and the fix, and creates nothing", async () => {
      const { status, body } = await cairn.call(token, "create_task", {
        title: "Typo in the estimate",
        estimateMinute: 30,
      });
      assert.equal(status, 400);
      const problem = body as Problem;
      assert.equal(problem.error.code, "invalid_input");
      assert.match(
        problem.error.message,
        /Unknown field "estimateMinute" — did you mean "estimateMinutes"\?/,
      );
      assert.deepEqual(
        problem.error.issues?.map((issue) => issue.path),
        ["estimateMinute"],
      );
      assert.ok(!(await taskTitles()).includes("Typo in the estimate"));
    });

    it("names every unknown field, with the fields it takes when nothing is close", async () => {
      const { status, body } = await cairn.call(token, "create_task", {
        title: "Two unknowns",
        colour: "red",
        assigneeEmail: "x@y.test",
      });
      assert.equal(status, 400);
      const problem = body as Problem;
      assert.deepEqual(problem.error.issues?.map((issue) => issue.path).sort(), ["assigneeEmail", "colour"]);
      assert.match(problem.error.message, /Unknown field "colour" — remove it; the fields here are: title, /);
    });

    it("refuses unknown fields in nested objects and lists, naming the full path", async () => {
      const { status, body } = await cairn.call(token, "set_preferences", {
        workingHours: { mon: [{ start: "09:00", ende: "17:00" }] },
      });
      assert.equal(status, 400);
      const problem = body as Problem;
      assert.match(
        problem.error.message,
        /Unknown field "workingHours\.mon\[0\]\.ende" — did you mean "workingHours\.mon\[0\]\.end"\?/,
      );
      const habit = await cairn.call(token, "create_habit", {
        title: "Lunch",
        days: ["mon"],
        window: { start: "12:00", end: "14:00", timezone: "Europe/Berlin" },
        minMinutes: 30,
      });
      assert.equal(habit.status, 400);
      assert.deepEqual(
        (habit.body as Problem).error.issues?.map((issue) => issue.path),
        ["window.timezone"],
      );
      const habits = await cairn.call(token, "list_habits", {});
      assert.deepEqual((habits.body as { habits: unknown[] }).habits, []);
    });

    it("reports unknown fields together with the other problems of the same input", async () => {
      const { status, body } = await cairn.call(token, "create_task", { priority: 9, estimateMinute: 5 });
      assert.equal(status, 400);
      const paths = (body as Problem).error.issues?.map((issue) => issue.path) ?? [];
      for (const path of ["estimateMinute", "title", "priority"]) assert.ok(paths.includes(path), path);
    });

    it("publishes closed input schemas on GET /api/actions", async () => {
      const response = await fetch(`${cairn.url}/api/actions`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { actions } = (await response.json()) as { actions: { name: string; inputSchema: JsonSchema }[] };
      assert.ok(actions.length > 10);
      for (const action of actions) {
        assert.equal(action.inputSchema.additionalProperties, false, action.name);
        assertClosed(action.name, action.inputSchema);
      }
      const habit = actions.find((action) => action.name === "create_habit");
      assert.ok(habit, "create_habit is listed");
      const window = (habit.inputSchema.properties as Record<string, JsonSchema>).window;
      assert.equal(window?.additionalProperties, false);
    });

    describe("over MCP", () => {
      let client: Client;
      let closeServer: () => Promise<void>;

      before(async () => {
        const actor = await cairn.token({ email: "mo@strict.test" });
        const server = createCairnMcpServer({
          engine: cairn.engine,
          actor,
          principal: "token:strict-mcp",
          limiter: new RateLimiter(10_000),
          log: silentLogger,
        });
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        client = new Client({ name: "strict-test", version: "1.0.0" });
        await server.mcp.connect(serverSide);
        await client.connect(clientSide);
        closeServer = server.close;
      });
      after(async () => {
        await client?.close();
        await closeServer?.();
      });

      it("lists tools whose input schemas are closed, nested too", async () => {
        const { tools } = await client.listTools();
        for (const tool of tools as Tool[]) assertClosed(tool.name, tool.inputSchema);
      });

      it("answers an unknown field with an error result carrying the same text", async () => {
        const result = (await client.callTool({
          name: "create_task",
          arguments: { title: "Typo over MCP", estimateMinute: 30 },
        })) as CallToolResult;
        assert.equal(errorMeta(result).code, "invalid_input");
        assert.equal(errorMeta(result).status, 400);
        assert.match(errorText(result), /Unknown field "estimateMinute" — did you mean "estimateMinutes"\?/);
        const listed = (await client.callTool({ name: "list_tasks", arguments: {} })) as CallToolResult;
        assert.ok(!JSON.stringify(listed.structuredContent).includes("Typo over MCP"));
      });
    });
  });
}
