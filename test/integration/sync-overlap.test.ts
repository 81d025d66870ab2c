/**
 * On PostgreSQL a page's write starts while the page before is still being written (runner.ts). What a sync
 * stores must not show it: every item once, dependencies across pages resolved, and a failure while two pages
 * are being written leaves exactly the pages before it (the one written beside it rolls back).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeJira, startFakeJira } from "../fakes/jira.ts";
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
