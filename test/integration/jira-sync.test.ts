import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { SYNC_QUEUE } from "../../engine/sync/index.ts";
import { postRaw } from "../fakes/common.ts";
import { buildJiraWebhookEvent, deliverJiraWebhook, startFakeJira } from "../fakes/jira.ts";
import { backends } from "../support/harness.ts";
import { waitForDrainedQueue } from "../support/queues.ts";
import {
  type Stats,
  type SyncCairn,
  type SyncOutput,
  startSyncCairn,
  waitFor,
  workspaceAdmin,
} from "./sync-support.ts";

const EMAIL = "owner@example.com";
const API_TOKEN = "jira_token_1";
const SECRET = "jira-webhook-secret";

for (const backend of backends()) {
  describe(`Jira sync (${backend.name})`, { skip: backend.skip }, () => {
    let app: SyncCairn;

    before(async () => {
      app = await startSyncCairn(backend);
    });

    after(async () => {
      await app?.close();
    });

    /**
     * A Jira of its own (a fresh fake with `issues` issues in project CAIRN) and a workspace of its own
     * connected to it; `synced` runs the first sync, so the test starts from a connection that has synced before.
     */
    const connectedJira = async (
      context: TestContext,
      { issues, synced = false, webhookSecret }: { issues: number; synced?: boolean; webhookSecret?: string },
    ) => {
      const fake = await startFakeJira({ email: EMAIL, apiToken: API_TOKEN, userTimeZone: "Europe/Paris" });
      context.after(() => fake.close());
      fake.state.generateIssues(issues, { projectKey: "CAIRN", assignedToMeRate: 1, seed: 3 });
      const owner = await workspaceAdmin(app.cairn);
      const connectionId = (
        await owner.call<{ id: string }>("connect_jira", {
          host: fake.url,
          email: EMAIL,
          apiToken: API_TOKEN,
          jql: "project = CAIRN",
          ...(webhookSecret ? { webhookSecret } : {}),
          syncEveryMinutes: 0,
        })
      ).id;
      const syncNow = async (input: Record<string, unknown> = {}): Promise<SyncOutput["results"][number]> => {
        const out = await owner.call<SyncOutput>("sync_now", { connection: connectionId, ...input });
        return out.results[0] as SyncOutput["results"][number];
      };
      const ok = async (input: Record<string, unknown> = {}): Promise<Stats> => {
        const result = await syncNow(input);
        assert.equal(result.ok, true, result.error ?? "");
        return result.stats;
      };
      if (synced) await ok();
      return { ...owner, fake, connectionId, syncNow, ok };
    };

    it("syncs all issues, then only the updated ones with one search request", async (context) => {
      const { fake, ok, tasks: listTasks } = await connectedJira(context, { issues: 230 });
      const first = await ok();
      assert.equal(first.created, 230);
      assert.equal(first.apiCalls, 1 + 3, "myself for the time zone + 3 pages");
      const tasks = (await listTasks()).filter((t) => t.source === "jira");
      assert.equal(tasks.length, 230);
      const sample = fake.state.renderIssue("CAIRN-5");
      const fields = sample.fields as {
        summary: string;
        labels: string[];
        status: { statusCategory: { key: string } };
      };
      const task = tasks.find((t) => t.externalId === "CAIRN-5");
      assert.equal(task?.title, fields.summary);
      assert.deepEqual(task?.tags, fields.labels);
      assert.equal(task?.url, `${fake.url}/browse/CAIRN-5`);
      const expected = { new: "todo", indeterminate: "in_progress", done: "done" }[
        fields.status.statusCategory.key
      ];
      assert.equal(task?.status, expected);

      fake.state.editIssue("CAIRN-1", {
        summary: "Renamed in Jira",
        priority: "Highest",
        duedate: "2026-04-01",
        originalEstimateSeconds: 7200,
        remainingEstimateSeconds: 5400,
        labels: ["ops"],
      });
      fake.state.transitionIssue("CAIRN-2", "In Progress");
      const searchesBefore = fake.requests.filter((r) => r.path.includes("/search/jql")).length;
      const second = await ok();
      assert.equal(second.updated, 2);
      assert.equal(second.created, 0);
      assert.equal(second.apiCalls, 1);
      const searches = fake.requests.filter((r) => r.path.includes("/search/jql"));
      assert.equal(searches.length - searchesBefore, 1);
      assert.match(JSON.stringify(searches.at(-1)?.body), /updated >= \\"\d{4}-\d{2}-\d{2} \d{2}:\d{2}\\"/);

      const after = await listTasks();
      const one = after.find((t) => t.externalId === "CAIRN-1");
      assert.equal(one?.title, "Renamed in Jira");
      assert.equal(one?.priority, 1);
      assert.equal(one?.estimateMinutes, 90);
      assert.equal(one?.due, "2026-04-01T23:59:59.000Z");
      assert.deepEqual(one?.tags, ["ops"]);
      assert.equal(after.find((t) => t.externalId === "CAIRN-2")?.status, "in_progress");

      const requestsBefore = fake.requests.length;
      const third = await ok();
      assert.equal(third.created + third.updated + third.deleted, 0);
      assert.equal(third.apiCalls, 1);
      assert.equal(fake.requests.length - requestsBefore, 1, "a no-change sync is one request to Jira");
    });

    it("writes a page of changes at once: done in Jira completes the task and logs it, reopened clears it", async (context) => {
      const { fake, ok, tasks: listTasks, admin } = await connectedJira(context, { issues: 6, synced: true });
      const before = await listTasks();
      const open = before.filter((t) => t.source === "jira" && t.status !== "done").slice(0, 2);
      const done = before.find((t) => t.source === "jira" && t.status === "done");
      assert.equal(open.length, 2);
      assert.ok(done, "the seed has a done issue");
      for (const task of open) fake.state.transitionIssue(task.externalId as string, "Done");
      fake.state.transitionIssue(done.externalId as string, "To Do");
      fake.state.editIssue(open[0]?.externalId as string, { summary: "Closed and renamed in Jira" });
      const stats = await ok();
      assert.equal(stats.updated, 3);
      const after = await listTasks();
      for (const task of open) {
        const now = after.find((t) => t.id === task.id);
        assert.equal(now?.status, "done");
        assert.ok(now?.completedAt, "completed_at set");
      }
      assert.equal(after.find((t) => t.id === open[0]?.id)?.title, "Closed and renamed in Jira");
      const reopened = after.find((t) => t.id === done.id);
      assert.equal(reopened?.status, "todo");
      assert.equal(reopened?.completedAt, null);
      const logged = await app.cairn.engine.services.db.scoped(admin.workspace.id, (tx) =>
        tx.query<{ task_id: string; payload: { via: string } }>(
          "SELECT task_id, payload FROM events WHERE type = 'task_completed' AND task_id = ANY($1::uuid[])",
          [[...open.map((t) => t.id), done.id]],
        ),
      );
      assert.deepEqual(logged.rows.map((row) => row.task_id).sort(), open.map((t) => t.id).sort());
      assert.ok(logged.rows.every((row) => row.payload.via === "sync"));
    });

    it("maps 'Blocks' links to dependencies and transitions to Done on completion", async (context) => {
      const { fake, ok, call, tasks: listTasks } = await connectedJira(context, { issues: 5, synced: true });
      const blocker = fake.state.addIssue({
        projectKey: "CAIRN",
        summary: "Provision database",
        assignee: fake.state.me.accountId,
      });
      const blocked = fake.state.addIssue({
        projectKey: "CAIRN",
        summary: "Run the migration",
        assignee: fake.state.me.accountId,
        blockedBy: [blocker.key],
      });
      await ok();
      const tasks = await listTasks();
      const blockerTask = tasks.find((t) => t.externalId === blocker.key);
      const blockedTask = tasks.find((t) => t.externalId === blocked.key);
      assert.ok(blockerTask && blockedTask);
      assert.deepEqual(blockedTask.dependsOn, [blockerTask.id]);

      await call("complete_task", { id: blockerTask.id });
      await waitFor("Jira transition", async () => fake.state.issues.get(blocker.key)?.statusId === "10002");
      assert.ok(
        fake.requests.some(
          (r) => r.method === "POST" && r.path.endsWith(`/issue/${blocker.key}/transitions`),
        ),
      );
      const next = await ok();
      assert.equal(next.created, 0);
      assert.equal((await listTasks()).find((t) => t.externalId === blocker.key)?.status, "done");
    });

    it("syncs on a signed webhook and refuses a bad signature", async (context) => {
      const { fake, tasks } = await connectedJira(context, {
        issues: 5,
        synced: true,
        webhookSecret: SECRET,
      });
      const url = `${app.cairn.url}/webhooks/jira`;
      const syncJobsBefore = await waitForDrainedQueue(app.cairn.jobs, SYNC_QUEUE);
      const forgedIssue = fake.state.addIssue({
        projectKey: "CAIRN",
        summary: "Forged",
        assignee: fake.state.me.accountId,
      });
      const forged = await deliverJiraWebhook(
        url,
        buildJiraWebhookEvent("jira:issue_created", fake.state.renderIssue(forgedIssue.key)),
        "wrong",
      );
      assert.equal(forged.status, 401);
      const unsigned = await postRaw(
        url,
        JSON.stringify(buildJiraWebhookEvent("jira:issue_created", fake.state.renderIssue(forgedIssue.key))),
        {
          "content-type": "application/json",
        },
      );
      assert.equal(unsigned.status, 401);
      const syncJobsAfter = await waitForDrainedQueue(app.cairn.jobs, SYNC_QUEUE);
      assert.deepEqual(syncJobsAfter, syncJobsBefore, "a refused webhook queues no sync");
      assert.ok(!(await tasks()).some((t) => t.externalId === forgedIssue.key));

      const issue = fake.state.addIssue({
        projectKey: "CAIRN",
        summary: "Came by webhook",
        assignee: fake.state.me.accountId,
      });
      const good = await deliverJiraWebhook(
        url,
        buildJiraWebhookEvent("jira:issue_created", fake.state.renderIssue(issue.key)),
        SECRET,
      );
      assert.equal(good.status, 202);
      await waitFor("webhook sync", async () => (await tasks()).some((t) => t.externalId === issue.key));

      const rendered = fake.state.renderIssue(issue.key);
      fake.state.deleteIssue(issue.key);
      const gone = await deliverJiraWebhook(
        url,
        buildJiraWebhookEvent("jira:issue_deleted", rendered),
        SECRET,
      );
      assert.equal(gone.status, 202);
      await waitFor("deleted at source", async () =>
        (await tasks({ includeSourceDeleted: true })).some(
          (t) => t.externalId === issue.key && t.sourceDeletedAt,
        ),
      );
    });

    it("retries a 429 after the Retry-After it was given", async (context) => {
      const { fake, ok, tasks } = await connectedJira(context, { issues: 5, synced: true });
      const issue = fake.state.addIssue({
        projectKey: "CAIRN",
        summary: "After the rate limit",
        assignee: fake.state.me.accountId,
      });
      fake.state.failNext({ status: 429, retryAfterSeconds: 1, match: /search\/jql/ });
      const before = fake.requests.length;
      const stats = await ok();
      assert.equal(stats.created, 1);
      assert.ok((await tasks()).some((t) => t.externalId === issue.key));
      const searches = fake.requests.slice(before).filter((r) => r.path.includes("/search/jql"));
      assert.equal(searches.length, 2);
      assert.equal(searches[0]?.status, 429);
      const gap = (searches[1]?.at.getTime() ?? 0) - (searches[0]?.at.getTime() ?? 0);
      assert.ok(gap >= 950, `waited ${gap} ms`);
    });

    it("marks a revoked credential as needing reconnection and stops retrying", async (context) => {
      const { fake, ok, syncNow, call, admin, connectionId } = await connectedJira(context, {
        issues: 5,
        synced: true,
      });
      fake.state.setCredentials({ apiToken: "rotated" });
      const failed = await syncNow();
      assert.equal(failed.ok, false);
      assert.match(failed.error ?? "", /401|credential/i);
      assert.doesNotMatch(failed.error ?? "", new RegExp(API_TOKEN));
      const listed = await call<{
        connections: { id: string; status: string; lastError: string | null }[];
      }>("list_connections", {});
      const connection = listed.connections.find((c) => c.id === connectionId);
      assert.equal(connection?.status, "needs_reconnect");
      assert.ok(connection?.lastError);

      const before = fake.requests.length;
      await app.sync.enqueueSync({ workspaceId: admin.workspace.id, connectionId });
      await waitFor("failed job", async () =>
        (await app.cairn.jobs.failed("sync")).find(
          (j) => j.data && (j.data as { connectionId: string }).connectionId === connectionId,
        ),
      );
      const job = (await app.cairn.jobs.failed("sync")).find(
        (j) => (j.data as { connectionId: string }).connectionId === connectionId,
      );
      assert.equal(job?.attempts, 1, "no retries of a rejected credential");
      assert.equal(fake.requests.length, before, "no provider requests while it needs reconnecting");

      fake.state.setCredentials({ apiToken: API_TOKEN });
      const again = await call<{ status: string }>("connect_jira", {
        host: fake.url,
        email: EMAIL,
        apiToken: API_TOKEN,
        jql: "project = CAIRN",
        syncEveryMinutes: 0,
      });
      assert.equal(again.status, "active");
      await ok();
    });
  });
}
