/**
 * Cross-source dedupe on both backends: the in-memory nearest-neighbour index answers what an exact scan of
 * the stored vectors answers, a task another connection commits in the middle of a sync is still found, and
 * the merge decisions of a Notion sync into a Jira workspace follow them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { refreshDuplicateProbe } from "../../engine/db/repositories/sync-store.ts";
import { toVectorLiteral } from "../../engine/search/embedder.ts";
import { DEDUPE_SIMILARITY_THRESHOLD } from "../../engine/sync/dedupe.ts";
import { createDuplicateProbe, NEAREST_CANDIDATES } from "../../engine/sync/duplicate-index.ts";
import { type FakeJira, startFakeJira } from "../fakes/jira.ts";
import { type FakeNotion, startFakeNotion } from "../fakes/notion.ts";
import { backends } from "../support/harness.ts";
import { type SyncCairn, startSyncCairn, workspaceAdmin } from "./sync-support.ts";

const EMAIL = "owner@example.com";
const API_TOKEN = "jira_token_dedupe";

for (const backend of backends()) {
  describe(`cross-source dedupe (${backend.name})`, { skip: backend.skip }, () => {
    let jira: FakeJira;
    let notion: FakeNotion;
    let app: SyncCairn;

    before(async () => {
      jira = await startFakeJira({ email: EMAIL, apiToken: API_TOKEN });
      notion = await startFakeNotion({ token: "ntn_dedupe_index" });
      app = await startSyncCairn(backend);
    });
    after(async () => {
      await app?.close();
      await jira?.close();
      await notion?.close();
    });

    const jiraWorkspace = async (projectKey: string) => {
      const owner = await workspaceAdmin(app.cairn);
      const connection = await owner.call<{ id: string }>("connect_jira", {
        host: jira.url,
        email: EMAIL,
        apiToken: API_TOKEN,
        jql: `project = ${projectKey}`,
        syncEveryMinutes: 0,
      });
      return { ...owner, workspaceId: owner.admin.workspace.id, jiraId: connection.id };
    };

    it("finds the same nearest tasks as an exact scan of the stored vectors", async () => {
      jira.state.generateIssues(260, { projectKey: "NEAR", assignedToMeRate: 1, seed: 5 });
      const { workspaceId, jiraId } = await jiraWorkspace("NEAR");
      await app.sync.sync({ workspaceId, connectionId: jiraId });
      const { db, embedder } = app.cairn.engine.services;
      const stored = await db.scoped(workspaceId, (tx) =>
        tx.query<{ title: string; description: string }>(
          "SELECT title, description FROM tasks ORDER BY external_id LIMIT 40",
        ),
      );
      // Copies, reworded copies and unrelated texts.
      const queries = stored.rows.flatMap((row, i) => [
        `${row.title}\n${row.description}\n`,
        `${row.title.replace(/\(\d+\)/, `(${i + 1000})`)}\n${row.description}\n`,
        `${row.title}\n\n`,
        `Quarterly planning offsite ${i}\n\n`,
      ]);
      const maxDistance = 1 - DEDUPE_SIMILARITY_THRESHOLD;
      const probe = createDuplicateProbe(embedder.dimensions);
      await db.scoped(workspaceId, (tx) => refreshDuplicateProbe(tx, probe));
      let matched = 0;
      for (const text of queries) {
        const literal = toVectorLiteral(embedder.embed(text));
        const exact = await db.scoped(workspaceId, async (tx) => {
          await tx.query("SET LOCAL enable_indexscan = off");
          const rows = await tx.query<{ id: string; distance: number }>(
            `SELECT id, embedding <=> $1::vector AS distance FROM tasks WHERE embedding IS NOT NULL
             ORDER BY embedding <=> $1::vector LIMIT $2`,
            [literal, NEAREST_CANDIDATES],
          );
          return rows.rows.filter((row) => Number(row.distance) <= maxDistance);
        });
        const vector = Float32Array.from(JSON.parse(literal) as number[]);
        const found = probe.index.near(vector, maxDistance, NEAREST_CANDIDATES);
        assert.deepEqual(
          found.map((n) => n.id).sort(),
          exact.map((row) => row.id).sort(),
          `nearest tasks of ${JSON.stringify(text)}`,
        );
        for (const n of found) {
          const row = exact.find((e) => e.id === n.id);
          assert.ok(Math.abs(Number(row?.distance) - n.distance) < 1e-5, `distance of ${n.id}`);
        }
        if (found.length > 0) matched += 1;
      }
      assert.ok(matched >= 40 && matched < queries.length, `some queries near a task (${matched})`);
    });

    it("merges into a task another connection commits while the sync is between two pages", async () => {
      jira.state.addIssue({
        projectKey: "MID",
        summary: "Renew the TLS certificates",
        assignee: jira.state.me.accountId,
      });
      const { workspaceId, jiraId, call, tasks } = await jiraWorkspace("MID");
      await app.sync.sync({ workspaceId, connectionId: jiraId });
      const { dataSources } = notion.state.addDatabase({ title: "Mid-sync plans" });
      const source = dataSources[0]?.id as string;
      notion.state.generatePages(source, 120, { seed: 9 });
      const late = notion.state.addPage(source, {
        properties: { Name: "Rotate the staging database credentials", Status: "Not started" },
      });
      const twin = notion.state.addPage(source, {
        properties: { Name: "Renew the TLS certificates", Status: "Not started" },
      });
      const notionConnection = await call<{ id: string }>("connect_notion", {
        token: "ntn_dedupe_index",
        apiUrl: notion.url,
        syncEveryMinutes: 0,
      });
      const notionLinks = () =>
        app.cairn.engine.services.db.scoped(workspaceId, async (tx) => {
          const rows = await tx.query<{ external_id: string }>(
            "SELECT external_id FROM task_sources WHERE connection_id = $1",
            [notionConnection.id],
          );
          return new Set(rows.rows.map((row) => row.external_id));
        });
      let committedBetweenPages = false;
      const stats = await app.sync.sync({
        workspaceId,
        connectionId: notionConnection.id,
        onPage: async ({ page }) => {
          if (page !== 1) return;
          assert.equal((await notionLinks()).has(late.id), false, "the page is on a later page");
          jira.state.addIssue({
            projectKey: "MID",
            summary: "Rotate the staging database credentials",
            assignee: jira.state.me.accountId,
          });
          const midway = await app.sync.sync({ workspaceId, connectionId: jiraId });
          committedBetweenPages = midway.created === 1;
        },
      });
      assert.ok(committedBetweenPages, "the Jira task was committed between two Notion pages");
      assert.ok(stats.pages >= 2);
      assert.equal(stats.merged, 2, "both pages found their Jira task");
      const all = await tasks();
      for (const title of ["Rotate the staging database credentials", "Renew the TLS certificates"]) {
        const same = all.filter((task) => task.title === title);
        assert.equal(same.length, 1, title);
        assert.equal(same[0]?.source, "jira");
      }
      assert.ok(!all.some((task) => task.externalId === late.id || task.externalId === twin.id));
    });
  });
}
