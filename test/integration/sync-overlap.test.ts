/**
 * On PostgreSQL a page's write starts while the page before is still being written (runner.ts). What a sync
 * stores must not show it: every item once, dependencies across pages resolved, a task of another source
 * merged into by one item only, and a failure while two pages are being written leaves exactly the pages
 * before it (the one written beside it rolls back).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeIssue, type FakeJira, startFakeJira } from "../fakes/jira.ts";
import { backends } from "../support/harness.ts";
import { connectedJiraProject, type SyncCairn, startSyncCairn, waitFor } from "./sync-support.ts";

const EMAIL = "owner@example.com";
const API_TOKEN = "jira_token_overlap";

for (const backend of backends()) {
  describe(`sync pages written side by side (${backend.name})`, { skip: backend.skip }, () => {
    let fake: FakeJira;
    let app: SyncCairn;

    before(async () => {
      fake = await startFakeJira({ email: EMAIL, apiToken: API_TOKEN });
      app = await startSyncCairn(backend);
    });
    after(async () => {
      await app?.close();
      await fake?.close();
    });

    const connected = async (projectKey: string, issues: number) => {
      const { made, workspaceId, connectionId } = await connectedJiraProject(app.cairn, fake, {
        projectKey,
        issues,
        seed: 5,
        email: EMAIL,
        apiToken: API_TOKEN,
      });
      /** Each stored item: its task, and its dependencies as external ids (read back through the task ids). */
      const stored = () =>
        app.cairn.engine.services.db.scoped(workspaceId, async (tx) => {
          const rows = await tx.query<{ external_id: string; task_id: string; depends_on: string[] }>(
            `SELECT s.external_id, s.task_id, t.depends_on::text[] AS depends_on
             FROM task_sources s JOIN tasks t ON t.id = s.task_id WHERE s.connection_id = $1`,
            [connectionId],
          );
          const keyOf = new Map(rows.rows.map((row) => [row.task_id, row.external_id]));
          return rows.rows.map((row) => ({
            key: row.external_id,
            taskId: row.task_id,
            dependsOn: row.depends_on.map((id) => keyOf.get(id) ?? `?${id}`).sort(),
          }));
        });
      return { made, workspaceId, connectionId, stored };
    };

    it("stores every item of a multi-page first import once, with its dependencies on earlier pages", async () => {
      const { made, workspaceId, connectionId, stored } = await connected("LAP", 520);
      const result = await app.sync.sync({ workspaceId, connectionId });
      assert.equal(result.created, 520);
      assert.equal(result.pages, 6);
      const rows = await stored();
      assert.equal(rows.length, 520);
      assert.equal(new Set(rows.map((row) => row.taskId)).size, 520, "one task per item");
      const blockers = (key: string) => {
        const links = (fake.state.renderIssue(key).fields?.issuelinks ?? []) as {
          type: { name: string };
          inwardIssue?: { key: string };
        }[];
        return links.flatMap((link) =>
          link.type.name === "Blocks" && link.inwardIssue ? [link.inwardIssue.key] : [],
        );
      };
      const expected = new Map(made.map((issue) => [issue.key, blockers(issue.key).sort()]));
      const withDependencies = [...expected.values()].filter((keys) => keys.length > 0).length;
      assert.ok(withDependencies > 20, `the generated issues have dependencies (${withDependencies})`);
      for (const row of rows) assert.deepEqual(row.dependsOn, expected.get(row.key), row.key);
      const again = await app.sync.sync({ workspaceId, connectionId });
      assert.equal(again.created, 0);
      assert.equal(again.apiCalls, 1, "no-change sync: one request");
    });

    /** Other sessions of this database inside a transaction that has written something. */
    const writesInFlight = async () =>
      app.cairn.engine.services.db.system(async (tx) => {
        const result = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`,
        );
        return result.rows[0]?.n;
      });

    it("merges one item only into another source's task when two pages written side by side both match it", async (t) => {
      const original = {
        summary: "Renew the TLS certificates for the payments gateway",
        description: "Rotate the certificates before they expire on the edge proxies.",
      };
      const origin = await connectedJiraProject(app.cairn, fake, {
        projectKey: "LAPORIG",
        issues: 0,
        seed: 5,
        email: EMAIL,
        apiToken: API_TOKEN,
      });
      const { workspaceId, call } = origin;
      fake.state.addIssue({ projectKey: "LAPORIG", ...original });
      await app.sync.sync({ workspaceId, connectionId: origin.connectionId });
      // Another Jira site in the same workspace: 250 issues over three pages, a copy of the original in page 1
      // and another in page 2 (pages are read oldest update first).
      const site = await startFakeJira({ email: EMAIL, apiToken: API_TOKEN });
      t.after(() => site.close());
      const made = site.state.generateIssues(250, { projectKey: "LAPCOPY", assignedToMeRate: 1, seed: 9 });
      const at = (i: number) => new Date((made[i] as FakeIssue).updated.getTime() + 1000);
      const first = site.state.addIssue({
        projectKey: "LAPCOPY",
        ...original,
        created: at(10),
        updated: at(10),
      });
      const second = site.state.addIssue({
        projectKey: "LAPCOPY",
        ...original,
        created: at(150),
        updated: at(150),
      });
      const { id: copies } = await call<{ id: string }>("connect_jira", {
        name: "Copies",
        host: site.url,
        email: EMAIL,
        apiToken: API_TOKEN,
        jql: "project = LAPCOPY",
        syncEveryMinutes: 0,
      });
      const { db } = app.cairn.engine.services;
      let releasePage1 = () => {};
      let held: Promise<void> = Promise.resolve();
      if (backend.db === "postgres") {
        // Page 1 cannot commit while the scope state is locked, so page 2 reads the original task as still
        // free while page 1's merge into it is in flight. Page 1 is let go once page 2 has either stopped to
        // wait after its duplicate lookup (the right thing) or gone on to write.
        const released = new Promise<void>((resolve) => {
          releasePage1 = resolve;
        });
        let lockHolder = 0;
        held = db.system(async (tx) => {
          await tx.query("LOCK TABLE sync_state IN EXCLUSIVE MODE");
          const pid = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
          lockHolder = pid.rows[0]?.pid as number;
          await released;
        });
        held.catch(() => {});
        await waitFor("the scope state to be locked", async () => lockHolder > 0);
        waitFor("page 2 to look for duplicates while page 1 is held", () =>
          db.system(async (tx) => {
            const rows = await tx.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1)
                 AND NOT ($1 = ANY (pg_blocking_pids(pid)))
                 AND ((state = 'idle in transaction' AND query LIKE '%CROSS JOIN LATERAL%')
                      OR backend_xid IS NOT NULL)`,
              [lockHolder],
            );
            return (rows.rows[0]?.n ?? 0) > 0;
          }),
        ).then(releasePage1, releasePage1);
      }
      const result = await app.sync.sync({ workspaceId, connectionId: copies });
      releasePage1();
      await held;
      assert.equal(result.pages, 3);
      assert.equal(result.merged, 1, "one copy merged into the original");
      assert.equal(result.created, 251);
      const links = await db.scoped(workspaceId, (tx) =>
        tx.query<{ external_id: string; task_id: string }>(
          "SELECT external_id, task_id FROM task_sources WHERE connection_id = $1 AND external_id = ANY($2)",
          [copies, [first.key, second.key]],
        ),
      );
      const taskOf = new Map(links.rows.map((row) => [row.external_id, row.task_id]));
      const originalTask = await db.scoped(workspaceId, (tx) =>
        tx.query<{ task_id: string }>("SELECT task_id FROM task_sources WHERE connection_id = $1", [
          origin.connectionId,
        ]),
      );
      assert.equal(taskOf.get(first.key), originalTask.rows[0]?.task_id, "page 1's copy merged");
      assert.notEqual(
        taskOf.get(second.key),
        originalTask.rows[0]?.task_id,
        "page 2's copy is a task of its own",
      );
      assert.ok(taskOf.get(second.key));
    });

    it("rolls back the page written beside one whose report fails, and resumes without gaps", async () => {
      const { workspaceId, connectionId, stored } = await connected("LAPFAIL", 380);
      const crash = new Error("simulated crash after page 1");
      await assert.rejects(
        app.sync.sync({
          workspaceId,
          connectionId,
          onPage: async ({ page }) => {
            if (page !== 1) return;
            // On PostgreSQL page 2's write runs beside page 1's: fail only once it has written rows, so that
            // there is something to roll back. (PGlite writes one page at a time.)
            if (backend.db === "postgres") await waitFor("page 2's write to be under way", writesInFlight);
            throw crash;
          },
        }),
        (error) => error === crash,
      );
      assert.equal((await stored()).length, 100, "page 1 only");
      const resumed = await app.sync.sync({ workspaceId, connectionId });
      assert.equal(resumed.created, 280);
      const rows = await stored();
      assert.equal(rows.length, 380);
      assert.equal(new Set(rows.map((row) => row.key)).size, 380);
    });
  });
}
