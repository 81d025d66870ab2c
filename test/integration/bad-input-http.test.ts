/**
 * Bad input never answers 500: NUL characters in free text, crafted list_tasks cursors, dates before year
 * 1000, bodies over the limit, unsupported charsets and encodings, malformed JSON and unknown routes. Each
 * case is a request over HTTP (the actions API, the webhook routes, MCP) asserting the status, the error
 * code and the field named, the JSON (never HTML) answer, and that nothing was written. Runs on every backend.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Task } from "../../engine/domain.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { errorCode } from "./mcp-fixtures.ts";

interface Problem {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

interface ActionCase {
  name: string;
  action: string;
  /** Built from the one task the suite owns, so updates have a real target. */
  input: (task: Task) => Record<string, unknown>;
  /** The field the error must name (an issue path). */
  field: string;
}

const NUL = "\u0000";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const someId = "3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b";

const actionCases: ActionCase[] = [
  // NUL characters in free text, on every kind of action
  {
    name: "NUL in a new task's title",
    action: "create_task",
    input: () => ({ title: `a${NUL}b` }),
    field: "title",
  },
  {
    name: "NUL in a new task's description",
    action: "create_task",
    input: () => ({ title: "ok", description: `notes${NUL}` }),
    field: "description",
  },
  {
    name: "NUL in a tag",
    action: "create_task",
    input: () => ({ title: "ok", tags: ["fine", `b${NUL}d`] }),
    field: "tags[1]",
  },
  {
    name: "NUL in an updated title",
    action: "update_task",
    input: (task) => ({ id: task.id, title: `x${NUL}` }),
    field: "title",
  },
  {
    name: "NUL in a search query",
    action: "search_tasks",
    input: () => ({ query: `budget${NUL}` }),
    field: "query",
  },
  { name: "NUL in a tag filter", action: "list_tasks", input: () => ({ tag: NUL }), field: "tag" },
  {
    name: "NUL in a source filter",
    action: "list_tasks",
    input: () => ({ source: `notion${NUL}` }),
    field: "source",
  },
  {
    name: "NUL in a time zone",
    action: "set_preferences",
    input: () => ({ timezone: `Europe/Berlin${NUL}` }),
    field: "timezone",
  },
  {
    name: "NUL in a window phrase",
    action: "reschedule_task",
    input: (task) => ({ taskId: task.id, when: `tomorrow${NUL}` }),
    field: "when",
  },
  {
    name: "NUL in a connection setting's key",
    action: "connect_ics",
    input: () => ({ urls: ["https://calendar.example.com/a.ics"], settings: { [`k${NUL}`]: 1 } }),
    field: "settings",
  },
  // crafted list_tasks cursors: never a 500, never silently the first page
  {
    name: "garbage cursor",
    action: "list_tasks",
    input: () => ({ cursor: "!!not a cursor!!" }),
    field: "cursor",
  },
  {
    name: "base64 of text, not JSON",
    action: "list_tasks",
    input: () => ({ cursor: "aGVsbG8gd29ybGQ" }),
    field: "cursor",
  },
  {
    name: "base64 JSON of another shape",
    action: "list_tasks",
    input: () => ({ cursor: b64({ a: 1 }) }),
    field: "cursor",
  },
  {
    name: "base64 JSON array",
    action: "list_tasks",
    input: () => ({ cursor: b64([1, 2]) }),
    field: "cursor",
  },
  {
    name: "tampered cursor key",
    action: "list_tasks",
    input: () => ({ cursor: b64({ key: "'; DROP TABLE tasks; --", id: someId }) }),
    field: "cursor",
  },
  {
    name: "tampered cursor date out of range",
    action: "list_tasks",
    input: () => ({ cursor: b64({ key: "2026-13-45 25:00:00+00", id: someId }) }),
    field: "cursor",
  },
  {
    name: "tampered cursor id",
    action: "list_tasks",
    input: () => ({ cursor: b64({ key: "2026-04-10 09:00:00+00", id: "not-a-uuid" }) }),
    field: "cursor",
  },
  {
    name: "a due-order cursor used with the priority order",
    action: "list_tasks",
    input: () => ({ order: "priority", cursor: b64({ key: "2026-04-10 09:00:00+00", id: someId }) }),
    field: "cursor",
  },
  // dates before year 1000 (PGlite reads years 0001-0099 back as 19xx): refused on every date input
  {
    name: "due in year 0000",
    action: "create_task",
    input: () => ({ title: "ok", due: "0000-01-01T00:00:00Z" }),
    field: "due",
  },
  {
    name: "due in year 0050",
    action: "create_task",
    input: () => ({ title: "ok", due: "0050-06-01T09:00:00Z" }),
    field: "due",
  },
  {
    name: "earliest start in year 0099",
    action: "update_task",
    input: (task) => ({ id: task.id, earliestStart: "0099-12-31T23:59:59+01:00" }),
    field: "earliestStart",
  },
  {
    name: "dueBefore in year 0001",
    action: "list_tasks",
    input: () => ({ dueBefore: "0001-01-01T00:00:00Z" }),
    field: "dueBefore",
  },
  {
    name: "schedule from year 0050",
    action: "get_schedule",
    input: () => ({ from: "0050-01-01T00:00:00Z" }),
    field: "from",
  },
  {
    name: "reschedule to year 0010",
    action: "reschedule_task",
    input: (task) => ({ taskId: task.id, start: "0010-01-01T09:00:00Z", end: "0010-01-01T10:00:00Z" }),
    field: "start",
  },
  {
    name: "plan a day in year 0000",
    action: "plan_day",
    input: () => ({ date: "0000-01-01" }),
    field: "date",
  },
  {
    name: "plan a week in year 0050",
    action: "plan_week",
    input: () => ({ date: "0050-03-01" }),
    field: "date",
  },
  {
    name: "plan a day that does not exist",
    action: "plan_day",
    input: () => ({ date: "2026-02-30" }),
    field: "date",
  },
];

interface RawCase {
  name: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  status: number;
  code: string;
}

const big = (bytes: number) => JSON.stringify({ title: "x".repeat(bytes) });

for (const backend of backends()) {
  describe(`bad input over HTTP on ${backend.name}`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let token: string;
    let task: Task;

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs });
      token = (
        await cairn.token({
          workspace: `bad-input-${Date.now().toString(36)}`,
          email: "ada@acme.test",
          admin: true,
        })
      ).token;
      const created = await cairn.call(token, "create_task", {
        title: "The one task",
        due: "2026-04-10T09:00:00Z",
        tags: ["kept"],
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      // list_tasks shows the task without create_task's suggestedTags.
      const { suggestedTags: _suggested, ...stored } = created.body as Task & { suggestedTags: string[] };
      task = stored;
    });
    after(async () => cairn?.close());

    /** The workspace still holds exactly the one task, unchanged, and no connection. */
    const assertNothingWritten = async () => {
      const listed = await cairn.call(token, "list_tasks", {});
      assert.equal(listed.status, 200);
      assert.deepEqual((listed.body as { tasks: Task[] }).tasks, [task]);
      const connections = await cairn.call(token, "list_connections", {});
      assert.deepEqual((connections.body as { connections: unknown[] }).connections, []);
    };

    for (const testCase of actionCases) {
      it(`${testCase.action}: ${testCase.name} → 400 naming ${testCase.field}`, async () => {
        const { status, body } = await cairn.call(token, testCase.action, testCase.input(task));
        assert.equal(status, 400, JSON.stringify(body));
        const problem = body as Problem;
        assert.equal(problem.error.code, "invalid_input");
        const paths = (problem.error.issues ?? []).map((issue) => issue.path);
        assert.ok(
          paths.includes(testCase.field),
          `issues name ${testCase.field}: ${JSON.stringify(problem.error)}`,
        );
        assert.match(problem.error.message, new RegExp(testCase.field.replace(/[[\]]/g, "\\$&")));
        await assertNothingWritten();
      });
    }

    it("list_tasks still pages with the cursors it hands out", async () => {
      const second = await cairn.call(token, "create_task", { title: "Second", due: "2026-04-11T09:00:00Z" });
      assert.equal(second.status, 200);
      try {
        for (const order of ["due", "created", "priority"]) {
          const first = await cairn.call(token, "list_tasks", { order, limit: 1 });
          const page = first.body as { tasks: Task[]; nextCursor: string };
          assert.ok(page.nextCursor, `a next cursor for order ${order}`);
          const next = await cairn.call(token, "list_tasks", { order, limit: 1, cursor: page.nextCursor });
          assert.equal(next.status, 200, JSON.stringify(next.body));
          assert.equal((next.body as { tasks: Task[] }).tasks.length, 1);
          assert.notEqual((next.body as { tasks: Task[] }).tasks[0]?.id, page.tasks[0]?.id);
        }
      } finally {
        await cairn.call(token, "delete_task", { id: (second.body as Task).id });
      }
    });

    it("a date from year 1000 on is still accepted", async () => {
      const listed = await cairn.call(token, "list_tasks", { dueAfter: "1000-01-01T00:00:00Z" });
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.equal((listed.body as { tasks: Task[] }).tasks.length, 1);
    });

    const rawCases = (): RawCase[] => {
      const auth = { authorization: `Bearer ${token}` };
      const json = { "content-type": "application/json" };
      return [
        {
          name: "actions API body over 1 MB",
          path: "/api/actions/create_task",
          headers: { ...auth, ...json },
          body: big(1_100_000),
          status: 413,
          code: "payload_too_large",
        },
        {
          name: "actions API body over 1 MB without a token",
          path: "/api/actions/create_task",
          headers: json,
          body: big(1_100_000),
          status: 413,
          code: "payload_too_large",
        },
        {
          name: "actions API latin1 charset",
          path: "/api/actions/create_task",
          headers: { ...auth, "content-type": "application/json; charset=latin1" },
          body: JSON.stringify({ title: "caf\u00e9" }),
          status: 415,
          code: "unsupported_media_type",
        },
        {
          name: "actions API unknown Content-Encoding",
          path: "/api/actions/create_task",
          headers: { ...auth, ...json, "content-encoding": "x-squash" },
          body: JSON.stringify({ title: "squashed" }),
          status: 415,
          code: "unsupported_media_type",
        },
        {
          name: "actions API gzip body that is not gzip",
          path: "/api/actions/create_task",
          headers: { ...auth, ...json, "content-encoding": "gzip" },
          body: JSON.stringify({ title: "not really gzip" }),
          status: 400,
          code: "invalid_input",
        },
        {
          name: "actions API malformed JSON",
          path: "/api/actions/create_task",
          headers: { ...auth, ...json },
          body: '{"title": "unclosed',
          status: 400,
          code: "invalid_input",
        },
        {
          name: "local CLI endpoint body over 1 MB",
          path: "/api/local/call",
          headers: json,
          body: big(1_100_000),
          status: 413,
          code: "payload_too_large",
        },
        {
          name: "unknown API route",
          path: "/api/nothing-here",
          headers: { ...auth, ...json },
          body: "{}",
          status: 404,
          code: "not_found",
        },
        {
          name: "Notion webhook body over 1 MB",
          path: "/webhooks/notion",
          headers: json,
          body: big(1_100_000),
          status: 413,
          code: "payload_too_large",
        },
        {
          name: "Jira webhook body over 1 MB",
          path: "/webhooks/jira/3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b",
          headers: json,
          body: big(1_100_000),
          status: 413,
          code: "payload_too_large",
        },
        {
          name: "Google webhook with an unknown Content-Encoding",
          path: "/webhooks/google",
          headers: { ...json, "content-encoding": "x-squash", "x-goog-channel-id": "c1" },
          body: "{}",
          status: 415,
          code: "unsupported_media_type",
        },
        {
          name: "Notion webhook gzip bomb over the limit once inflated",
          path: "/webhooks/notion",
          headers: { ...json, "content-encoding": "gzip" },
          body: gzipSync(Buffer.from(big(3_000_000))),
          status: 413,
          code: "payload_too_large",
        },
      ];
    };

    it("answers every malformed request with JSON naming the problem, never HTML or a stack", async () => {
      for (const testCase of rawCases()) {
        const response = await fetch(`${cairn.url}${testCase.path}`, {
          method: "POST",
          headers: testCase.headers,
          body: testCase.body,
        });
        const text = await response.text();
        assert.equal(response.status, testCase.status, `${testCase.name}: ${text.slice(0, 300)}`);
        assert.match(response.headers.get("content-type") ?? "", /application\/json/, testCase.name);
        assert.doesNotMatch(text, /<html|<pre>|\bat [\w.]+ \(|node_modules/i, testCase.name);
        const problem = JSON.parse(text) as Problem;
        assert.equal(problem.error.code, testCase.code, `${testCase.name}: ${text}`);
        assert.ok(problem.error.message.length > 0);
      }
      await assertNothingWritten();
    });

    it("MCP refuses over-limit, mis-encoded and NUL-carrying requests with JSON", async () => {
      const mcpHeaders = {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      };
      const initialize = JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      });
      for (const [headers, body, status] of [
        [{ "content-encoding": "x-squash" }, initialize, 415],
        [{ "content-type": "application/json; charset=latin1" }, initialize, 415],
        [
          {},
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "x", params: { p: "y".repeat(4_200_000) } }),
          413,
        ],
      ] as const) {
        const response = await fetch(`${cairn.url}/mcp`, {
          method: "POST",
          headers: { ...mcpHeaders, ...headers },
          body,
        });
        const text = await response.text();
        assert.equal(response.status, status, text.slice(0, 300));
        assert.match(response.headers.get("content-type") ?? "", /application\/json/);
        const rpc = JSON.parse(text) as { error: { code: number; message: string } };
        assert.ok(rpc.error.message.length > 0);
      }

      const transport = new StreamableHTTPClientTransport(new URL(`${cairn.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      const client = new Client({ name: "bad-input-test", version: "1.0.0" });
      await client.connect(transport);
      try {
        const result = await client.callTool({ name: "create_task", arguments: { title: `a${NUL}b` } });
        assert.equal(errorCode(result), "invalid_input");
        assert.match(JSON.stringify(result.content), /title/);
        const cursor = await client.callTool({ name: "list_tasks", arguments: { cursor: "%%%" } });
        assert.equal(errorCode(cursor), "invalid_input");
      } finally {
        await client.close();
      }
      await assertNothingWritten();
    });
  });
}
