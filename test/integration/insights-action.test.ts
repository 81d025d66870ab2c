/**
 * get_insights on every backend: the calling person's numbers from the stored tasks (nobody else's), the
 * same answer over HTTP and as MCP's cairn://insights resource, which only calls the action.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Actor } from "../../engine/actions/define.ts";
import type { Insights, InsightsWithBehavior } from "../../engine/behavior/insights.ts";
import type { Task } from "../../engine/domain.ts";
import { silentLogger } from "../../engine/logger.ts";
import { RateLimiter } from "../../engine/security/rate-limiter.ts";
import { createCairnMcpServer, INSIGHTS_URI } from "../../mcp-server/index.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

const DAY = 86_400_000;

for (const backend of backends()) {
  describe(`get_insights (${backend.name})`, { skip: backend.skip }, () => {
    // The clock stands still, so the action and the resource see the same moment.
    const now = new Date();
    let cairn: TestCairn;
    let ada: { token: string } & Actor;

    async function act<T>(who: { token: string }, action: string, input: unknown): Promise<T> {
      const { status, body } = await cairn.call(who.token, action, input);
      assert.equal(status, 200, `${action}: ${JSON.stringify(body)}`);
      return body as T; // Boundary: the HTTP API answers the action's output schema.
    }

    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        now: () => now,
        startWorkers: false,
      });
      ada = await cairn.token({ workspace: "insights-acme", email: "ada@acme.test" });
      const bob = await cairn.token({ workspace: "insights-acme", email: "bob@acme.test" });
      const eve = await cairn.token({ workspace: "insights-globex", email: "eve@globex.test" });

      await act(ada, "create_task", {
        title: "Late report",
        due: "2020-01-01T09:00:00Z",
        priority: 1,
        estimateMinutes: 60,
      });
      const started = await act<Task>(ada, "create_task", { title: "Slides", estimateMinutes: 30 });
      await act(ada, "update_task", { id: started.id, status: "in_progress" });
      await act(ada, "create_task", { title: "Someday", priority: 4 });
      const shipped = await act<Task>(ada, "create_task", {
        title: "Ship it",
        due: new Date(now.getTime() + 30 * DAY).toISOString(),
      });
      await act(ada, "complete_task", { id: shipped.id });
      await act(bob, "create_task", { title: "Bob's overdue", due: "2020-01-01T09:00:00Z" });
      await act(eve, "create_task", { title: "Globex overdue", due: "2020-01-01T09:00:00Z" });
    });
    after(async () => cairn?.close());

    it("counts the caller's own tasks only", async () => {
      const numbers = await act<Insights>(ada, "get_insights", {});
      assert.equal(numbers.asOf, now.toISOString());
      assert.equal(numbers.timezone, "UTC");
      assert.equal(numbers.open, 3);
      assert.equal(numbers.inProgress, 1);
      assert.equal(numbers.overdue, 1, "Bob's and Globex's overdue tasks are not Ada's");
      assert.equal(numbers.unestimatedOpen, 1);
      assert.equal(numbers.openEstimatedMinutes, 90);
      assert.deepEqual(numbers.openByPriority, { p1: 1, p3: 1, p4: 1 });
      assert.deepEqual(numbers.openBySource, { cairn: 3 });
      assert.equal(numbers.completedThisWeek, 1);
      assert.equal(numbers.completedLast7Days, 1);
      assert.equal(numbers.createdLast7Days, 4);
      assert.equal(numbers.onTimeRateLast7Days, 1);
      assert.equal(numbers.complete, true);
    });

    it("adds the behaviour models' answer from the stored history, on the population prior while it is short", async () => {
      const numbers = await act<InsightsWithBehavior>(ada, "get_insights", {});
      assert.equal(numbers.basis, "population", "one completed task is too little history");
      assert.ok(numbers.peakHours.bestHour >= 0 && numbers.peakHours.bestHour < 24);
      assert.ok(numbers.peakHours.confidence <= 0.2, "no confident personal figure on the prior");
      const estimated = numbers.effort.tasks.map((t) => t.taskId);
      assert.equal(estimated.length, 3, "every open task (a missing estimate gets the default)");
      for (const task of numbers.effort.tasks)
        assert.ok(task.low <= task.predictedMinutes && task.predictedMinutes <= task.high);
      const late = numbers.completion.find((c) => c.probability < 0.2);
      assert.ok(
        late,
        `the task due in 2020 is not going to be done by its due time: ${JSON.stringify(numbers.completion)}`,
      );
      assert.ok(["low", "moderate", "high"].includes(numbers.burnout.level));
      assert.ok(numbers.score.value >= 0 && numbers.score.value <= 100);
      assert.ok(numbers.procrastination.factors.length > 0);
    });

    it("is what cairn://insights shows, to the character", async () => {
      const fromHttp = await act<Insights>(ada, "get_insights", {});
      const server = createCairnMcpServer({
        engine: cairn.engine,
        actor: ada,
        principal: "test:insights",
        limiter: new RateLimiter(100),
        log: silentLogger,
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: "insights-test", version: "1.0.0" });
      await server.mcp.connect(serverSide);
      await client.connect(clientSide);
      try {
        const read = await client.readResource({ uri: INSIGHTS_URI });
        const content = read.contents[0];
        assert.equal(content?.mimeType, "application/json");
        assert.equal(
          content && "text" in content ? content.text : undefined,
          JSON.stringify(fromHttp, null, 2),
        );
      } finally {
        await client.close();
        await server.close();
      }
    });
  });
}
