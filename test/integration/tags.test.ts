/**
 * Smart tags on every backend: suggest_tags proposes the tags of similar tasks with a confidence and its
 * basis (HTTP and MCP), create_task applies confident ones when given no tags and says which, and a person's
 * update_task with tags confirms or undoes them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { respond } from "../../bots/conversation/conversation.ts";
import { enginePort } from "../../bots/conversation/engine-port.ts";
import type { Actor } from "../../engine/actions/define.ts";
import type { Task } from "../../engine/domain.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer } from "../../mcp-server/index.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";
import { structured } from "./mcp-fixtures.ts";

interface Suggestions {
  suggestions: {
    tag: string;
    confidence: number;
    basis: { taskId: string; title: string; similarity: number }[];
  }[];
}
type CreatedTask = Task & { suggestedTags: string[] };

const history: [string, string[]][] = [
  ["Draft Q1 report", ["reporting", "finance"]],
  ["Draft Q2 report", ["reporting", "finance"]],
  ["Review Q2 report draft", ["reporting", "finance"]],
  ["Draft annual report", ["reporting"]],
  ["Fix login bug on web app", ["bug", "web"]],
  ["Fix signup bug on web app", ["bug", "web"]],
  ["Fix password reset bug", ["bug"]],
];

for (const backend of backends()) {
  describe(`smart tags (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let ada: { token: string } & Actor;
    let eve: { token: string } & Actor;

    async function act<T>(who: { token: string }, action: string, input: unknown): Promise<T> {
      const { status, body } = await cairn.call(who.token, action, input);
      assert.equal(status, 200, `${action}: ${JSON.stringify(body)}`);
      return body as T; // Boundary: the HTTP API answers the action's output schema.
    }

    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, startWorkers: false });
      ada = await cairn.token({ workspace: "tags-acme", email: "ada@acme.test" });
      eve = await cairn.token({ workspace: "tags-globex", email: "eve@globex.test" });
      for (const [title, tags] of history) await act(ada, "create_task", { title, tags });
    });
    after(async () => cairn?.close());

    it("suggests the tags of similar tasks, weighted by similarity, with the tasks they come from", async () => {
      const { suggestions } = await act<Suggestions>(ada, "suggest_tags", { title: "Draft Q3 report" });
      assert.deepEqual(
        suggestions.slice(0, 2).map((s) => s.tag),
        ["reporting", "finance"],
      );
      const [reporting, finance] = suggestions;
      assert.ok(reporting && finance);
      assert.ok(reporting.confidence >= 0.6, `reporting: ${reporting.confidence}`);
      assert.ok(finance.confidence < reporting.confidence);
      assert.ok(!suggestions.some((s) => s.tag === "bug"), "bug tasks are not similar enough to vote");
      assert.ok(reporting.basis.length > 0 && reporting.basis.length <= 3);
      assert.ok(reporting.basis.every((b) => b.title.includes("report") && b.similarity > 0));
    });

    it("suggests for an existing task without its own tags or itself", async () => {
      const task = await act<CreatedTask>(ada, "create_task", {
        title: "Fix logout bug on web app",
        tags: ["web"],
      });
      const { suggestions } = await act<Suggestions>(ada, "suggest_tags", { taskId: task.id });
      assert.equal(suggestions[0]?.tag, "bug");
      assert.ok(!suggestions.some((s) => s.tag === "web"), "a tag the task has is not suggested again");
      assert.ok(suggestions.every((s) => s.basis.every((b) => b.taskId !== task.id)));
    });

    it("answers nothing in another workspace, whose tasks it cannot see", async () => {
      const { suggestions } = await act<Suggestions>(eve, "suggest_tags", { title: "Draft Q3 report" });
      assert.deepEqual(suggestions, []);
    });

    it("refuses a call that names no task with a 400 naming the field", async () => {
      const { status, body } = await cairn.call(ada.token, "suggest_tags", {});
      assert.equal(status, 400);
      assert.match(JSON.stringify(body), /taskId/);
    });

    it("create_task applies confident suggestions when given no tags, and says which", async () => {
      const created = await act<CreatedTask>(ada, "create_task", {
        title: "Draft Q3 report",
        estimateMinutes: 90,
      });
      assert.ok(created.tags.includes("reporting"), JSON.stringify(created));
      assert.deepEqual(created.suggestedTags, created.tags);
      const unrelated = await act<CreatedTask>(ada, "create_task", { title: "Book dentist appointment" });
      assert.deepEqual(unrelated.tags, []);
      assert.deepEqual(unrelated.suggestedTags, []);
      const chosen = await act<CreatedTask>(ada, "create_task", { title: "Draft Q4 report", tags: [] });
      assert.deepEqual(chosen.tags, [], "tags: [] means no tags, not 'suggest some'");
      assert.deepEqual(chosen.suggestedTags, []);
    });

    it("does not let unconfirmed suggestions vote, and a person's tags confirm or undo them", async () => {
      const guessed = await act<CreatedTask>(ada, "create_task", { title: "Draft H1 summary report" });
      assert.ok(guessed.suggestedTags.length > 0, JSON.stringify(guessed));
      const isBasis = async () =>
        (await act<Suggestions>(ada, "suggest_tags", { title: "Draft H1 summary report" })).suggestions.some(
          (s) => s.basis.some((b) => b.taskId === guessed.id),
        );
      assert.equal(await isBasis(), false, "a guess is not evidence");
      const shown = await act<CreatedTask>(ada, "get_task", { id: guessed.id });
      assert.deepEqual(
        shown.suggestedTags,
        guessed.suggestedTags,
        "get_task shows which tags were suggested",
      );
      const undone = await act<Task>(ada, "update_task", { id: guessed.id, tags: ["reporting"] });
      assert.deepEqual(undone.tags, ["reporting"]);
      assert.deepEqual((await act<CreatedTask>(ada, "get_task", { id: guessed.id })).suggestedTags, []);
      assert.equal(await isBasis(), true, "tags the person set are evidence");
    });

    it("answers in chat: suggest tags for Draft Q3 report", async () => {
      const reply = await respond(
        enginePort(cairn.engine, ada, "slack", "tags:1"),
        "suggest tags for Draft Q3 report",
      );
      assert.match(reply.text, /^Suggested tags: reporting, finance/);
      assert.match(JSON.stringify(reply.parts), /like Draft Q/);
    });

    it("works the same as an MCP tool", async () => {
      const fromHttp = await act<Suggestions>(ada, "suggest_tags", { title: "Fix checkout bug on web app" });
      const server = createCairnMcpServer({
        engine: cairn.engine,
        actor: ada,
        principal: "test:tags",
        limiter: new RateLimiter(100),
        log: silentLogger,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: "tags-test", version: "1.0.0" });
      await server.mcp.connect(serverSide);
      await client.connect(clientSide);
      try {
        const result = await client.callTool({
          name: "suggest_tags",
          arguments: { title: "Fix checkout bug on web app" },
        });
        assert.deepEqual(structured(cairn.engine, "suggest_tags", result), fromHttp);
      } finally {
        await client.close();
        await server.close();
      }
    });
  });
}
