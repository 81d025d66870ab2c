/** The task actions as a client sees them: POST /api/actions/:name with a bearer token. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Task } from "../../engine/domain.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

for (const backend of backends()) {
  describe(`task actions over HTTP on ${backend.name}`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let member: string;
    let admin: string;
    let other: string;

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs });
      const workspace = `acme-${Date.now().toString(36)}`;
      member = (await cairn.token({ workspace, email: "mia@acme.test" })).token;
      admin = (await cairn.token({ workspace, email: "ada@acme.test", admin: true })).token;
      other = (
        await cairn.token({ workspace: `globex-${Date.now().toString(36)}`, email: "gus@globex.test" })
      ).token;
    });
    after(async () => cairn?.close());

    const create = async (input: Record<string, unknown>, token = member) => {
      const { status, body } = await cairn.call(token, "create_task", input);
      assert.equal(status, 200, JSON.stringify(body));
      return body as Task;
    };

    it("creates, reads, updates, completes and deletes a task", async () => {
      const task = await create({
        title: "Draft Q3 report",
        estimateMinutes: 240,
        due: "2026-03-10T16:00:00Z",
        priority: 1,
        tags: ["finance"],
      });
      assert.equal(task.status, "todo");
      assert.equal(task.priority, 1);
      assert.equal(task.due, "2026-03-10T16:00:00.000Z");
      assert.equal(task.source, "cairn");

      const got = await cairn.call(member, "get_task", { id: task.id });
      assert.deepEqual(got.body, { ...task, subtasks: [], openSubtasks: 0, remainingEstimateMinutes: 240 });

      const updated = await cairn.call(member, "update_task", {
        id: task.id,
        estimateMinutes: 180,
        due: null,
      });
      assert.equal(updated.status, 200);
      assert.equal((updated.body as Task).estimateMinutes, 180);
      assert.equal((updated.body as Task).due, null);
      assert.equal((updated.body as Task).title, "Draft Q3 report");

      const done = await cairn.call(member, "complete_task", { id: task.id });
      assert.equal((done.body as Task).status, "done");
      assert.ok((done.body as Task).completedAt);
      const again = await cairn.call(member, "complete_task", { id: task.id });
      assert.equal(again.status, 200);

      const deleted = await cairn.call(member, "delete_task", { id: task.id });
      assert.deepEqual(deleted.body, { id: task.id, deleted: true });
      const gone = await cairn.call(member, "get_task", { id: task.id });
      assert.equal(gone.status, 404);
      assert.equal((gone.body as { error: { code: string } }).error.code, "not_found");
    });

    it("lists with filters and cursor pagination", async () => {
      const tag = `batch${Date.now()}`;
      const created: Task[] = [];
      for (let i = 0; i < 7; i++) {
        created.push(
          await create({
            title: `Paged task ${i}`,
            tags: [tag],
            due: `2026-04-${String(10 + i).padStart(2, "0")}T09:00:00Z`,
          }),
        );
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await cairn.call(member, "list_tasks", { tag, limit: 3, ...(cursor ? { cursor } : {}) });
        assert.equal(page.status, 200);
        const body = page.body as { tasks: Task[]; nextCursor: string | null };
        seen.push(...body.tasks.map((t) => t.title));
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(
        seen,
        created.map((t) => t.title),
      );

      const dueWindow = await cairn.call(member, "list_tasks", {
        tag,
        dueAfter: "2026-04-12T00:00:00Z",
        dueBefore: "2026-04-14T00:00:00Z",
      });
      assert.deepEqual(
        (dueWindow.body as { tasks: Task[] }).tasks.map((t) => t.title),
        ["Paged task 2", "Paged task 3"],
      );
      await cairn.call(member, "complete_task", { id: created[0]!.id });
      const open = await cairn.call(member, "list_tasks", { tag, status: ["todo"] });
      assert.equal((open.body as { tasks: Task[] }).tasks.length, 6);
    });

    it("finds tasks by words and by meaning", async () => {
      await create({ title: "Review the quarterly budget spreadsheet", description: "numbers for finance" });
      await create({ title: "Book flights to Lisbon" });
      const byWord = await cairn.call(member, "search_tasks", { query: "budget" });
      const results = (byWord.body as { results: { task: Task; matchedBy: string[] }[] }).results;
      assert.equal(results[0]?.task.title, "Review the quarterly budget spreadsheet");
      assert.ok(results[0]?.matchedBy.includes("text"));
      const fuzzy = await cairn.call(member, "search_tasks", { query: "budgets spreadsheets reviewing" });
      const fuzzyResults = (fuzzy.body as { results: { task: Task; matchedBy: string[] }[] }).results;
      assert.equal(fuzzyResults[0]?.task.title, "Review the quarterly budget spreadsheet");
      assert.ok(
        !fuzzyResults.some((r) => r.task.title === "Book flights to Lisbon" && r.matchedBy.includes("text")),
      );
    });

    it("rejects invalid input with the failing field paths and writes nothing", async () => {
      const before = await cairn.call(member, "list_tasks", { limit: 200 });
      const bad = await cairn.call(member, "create_task", { title: "", priority: 9, due: "next tuesday" });
      assert.equal(bad.status, 400);
      const error = (bad.body as { error: { code: string; issues: { path: string }[] } }).error;
      assert.equal(error.code, "invalid_input");
      assert.deepEqual(error.issues.map((i) => i.path).sort(), ["due", "priority", "title"]);
      const afterList = await cairn.call(member, "list_tasks", { limit: 200 });
      assert.equal(
        (afterList.body as { tasks: Task[] }).tasks.length,
        (before.body as { tasks: Task[] }).tasks.length,
      );
    });

    it("refuses dependency cycles and unknown dependencies", async () => {
      const first = await create({ title: "Design" });
      const second = await create({ title: "Build", dependsOn: [first.id] });
      const cycle = await cairn.call(member, "update_task", { id: first.id, dependsOn: [second.id] });
      assert.equal(cycle.status, 400);
      assert.match(JSON.stringify(cycle.body), /cycle/);
      const unknown = await cairn.call(member, "create_task", {
        title: "Ship",
        dependsOn: ["00000000-0000-4000-8000-000000000000"],
      });
      assert.equal(unknown.status, 400);
      assert.match(JSON.stringify(unknown.body), /dependsOn\[0\]/);
    });

    it("answers 401, 403 and 404 as documented", async () => {
      const noToken = await fetch(`${cairn.url}/api/actions/list_tasks`, { method: "POST", body: "{}" });
      assert.equal(noToken.status, 401);
      const wrong = await cairn.call("cairn_not-a-real-token", "list_tasks", {});
      assert.equal(wrong.status, 401);
      const unknown = await cairn.call(member, "no_such_action", {});
      assert.equal(unknown.status, 404);
      const forbidden = await cairn.call(member, "add_person", { email: "new@acme.test" });
      assert.equal(forbidden.status, 403);
      assert.equal((forbidden.body as { error: { code: string } }).error.code, "forbidden");
      const allowed = await cairn.call(admin, "add_person", {
        email: "new@acme.test",
        timezone: "Asia/Kathmandu",
      });
      assert.equal(allowed.status, 200);
      const badJson = await fetch(`${cairn.url}/api/actions/list_tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${member}`, "content-type": "application/json" },
        body: "{not json",
      });
      assert.equal(badJson.status, 400);
    });

    it("never shows one workspace's tasks to another", async () => {
      const mine = await create({ title: "Acme confidential" });
      const theirs = await cairn.call(other, "get_task", { id: mine.id });
      assert.equal(theirs.status, 404);
      const list = await cairn.call(other, "list_tasks", {});
      assert.equal((list.body as { tasks: Task[] }).tasks.length, 0);
      const search = await cairn.call(other, "search_tasks", { query: "confidential" });
      assert.deepEqual((search.body as { results: unknown[] }).results, []);
      const complete = await cairn.call(other, "complete_task", { id: mine.id });
      assert.equal(complete.status, 404);
      const stillOpen = await cairn.call(member, "get_task", { id: mine.id });
      assert.equal((stillOpen.body as Task).status, "todo");
    });

    it("serves health, readiness and metrics", async () => {
      assert.deepEqual(await (await fetch(`${cairn.url}/healthz`)).json(), { status: "ok" });
      const ready = await fetch(`${cairn.url}/readyz`);
      assert.equal(ready.status, 200);
      const body = (await ready.json()) as {
        checks: { database: { kind: string }; queue: { kind: string } };
      };
      assert.equal(body.checks.database.kind, backend.db);
      assert.equal(body.checks.queue.kind, backend.jobs);
      // A failing check says so without its error text (hosts, addresses) to this unauthenticated caller.
      const ping = cairn.engine.services.db.ping;
      cairn.engine.services.db.ping = () =>
        Promise.reject(new Error("connect ECONNREFUSED 10.1.2.3:5432 (db.internal)"));
      try {
        const down = await fetch(`${cairn.url}/readyz`);
        assert.equal(down.status, 503);
        const text = await down.text();
        assert.match(text, /"status":"error"/);
        assert.doesNotMatch(text, /10\.1\.2\.3|db\.internal|ECONNREFUSED/);
      } finally {
        cairn.engine.services.db.ping = ping;
      }
      const metrics = await (await fetch(`${cairn.url}/metrics`)).text();
      assert.match(
        metrics,
        /cairn_action_duration_seconds_count\{action="create_task",face="http",outcome="ok"\}/,
      );
    });
  });
}

describe("the HTTP API's per-token rate limit", () => {
  let cairn: TestCairn;

  before(async () => {
    cairn = await startTestCairn({ env: { CAIRN_RATE_LIMIT_PER_MINUTE: "2" } });
  });
  after(async () => cairn?.close());

  it("answers 429 with Retry-After once a token has used its calls, and counts each token apart", async () => {
    const first = (await cairn.token({ workspace: "limits", email: "ann@limits.test" })).token;
    const second = (await cairn.token({ workspace: "limits", email: "bob@limits.test" })).token;
    for (let i = 0; i < 2; i++) assert.equal((await cairn.call(first, "list_tasks", {})).status, 200);
    const response = await fetch(`${cairn.url}/api/actions/list_tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${first}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers.get("retry-after")) >= 1);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "rate_limited");
    assert.match(body.error.message, /Too many calls for this token; retry in \d+s/);
    assert.equal((await cairn.call(second, "list_tasks", {})).status, 200);
  });
});
