import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getConnectionRecord } from "../../engine/db/repositories/connections.ts";
import { createSyncService } from "../../engine/sync/service.ts";
import { SyncBusyError } from "../../engine/sync/sync-lease.ts";
import { isPrivateAddress } from "../../engine/sync/url-guard.ts";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";
import { type FakeJira, startFakeJira } from "../fakes/jira.ts";
import { type FakeNotion, startFakeNotion } from "../fakes/notion.ts";
import { backends, startTestCairn } from "../support/harness.ts";
import {
  connectedJiraProject,
  type SyncCairn,
  type SyncOutput,
  startSyncCairn,
  waitFor,
} from "./sync-support.ts";

const EMAIL = "owner@example.com";
const API_TOKEN = "jira_token_faults";

for (const backend of backends()) {
  describe(`sync faults (${backend.name})`, { skip: backend.skip }, () => {
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

    /** A workspace of its own, connected to a Jira project of its own with `issues` issues assigned to its owner. */
    const connectedWorkspace = async (projectKey: string, issues: number) => {
      const connected = await connectedJiraProject(app.cairn, fake, {
        projectKey,
        issues,
        seed: 11,
        email: EMAIL,
        apiToken: API_TOKEN,
      });
      const { workspaceId, connectionId } = connected;
      const keys = connected.made.map((issue) => issue.key);
      const linkCounts = () =>
        app.cairn.engine.services.db.scoped(workspaceId, async (tx) => {
          const result = await tx.query<{ n: number; distinct_ids: number; tasks: number }>(
            `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS distinct_ids,
               (SELECT count(*)::int FROM tasks WHERE source = 'jira') AS tasks
             FROM task_sources WHERE connection_id = $1`,
            [connectionId],
          );
          return result.rows[0] as { n: number; distinct_ids: number; tasks: number };
        });
      return { ...connected, keys, linkCounts };
    };

    /** A sync that dies once its second page is stored, as a killed worker would. */
    const crashAfterPage2 = async (workspaceId: string, connectionId: string) => {
      const crash = new Error("simulated crash after page 2");
      await assert.rejects(
        app.sync.sync({
          workspaceId,
          connectionId,
          onPage: ({ page }) => {
            if (page === 2) throw crash;
          },
        }),
        (error) => error === crash,
      );
    };

    it("resumes after a crash mid-sync without duplicates or gaps", async () => {
      const { workspaceId, connectionId, linkCounts } = await connectedWorkspace("CRASH", 350);
      await crashAfterPage2(workspaceId, connectionId);
      assert.deepEqual(await linkCounts(), { n: 200, distinct_ids: 200, tasks: 200 });
      const resumed = await app.sync.sync({ workspaceId, connectionId });
      assert.equal(resumed.created, 150);
      assert.equal(resumed.apiCalls, 2, "continued from the stored page token");
      assert.deepEqual(await linkCounts(), { n: 350, distinct_ids: 350, tasks: 350 });
    });

    it("resumes from the last issue read when the crash left the stored page token spent by the prefetch", async () => {
      const { workspaceId, connectionId, linkCounts } = await connectedWorkspace("SPENT", 350);
      const searches = () =>
        fake.requests.filter(
          (r) => r.path === "/rest/api/3/search/jql" && JSON.stringify(r.body ?? {}).includes("SPENT"),
        );
      await crashAfterPage2(workspaceId, connectionId);
      // Page 3 was requested while page 2 was written: the token page 2 ended with is spent.
      await waitFor(
        "the prefetched page 3",
        async () => searches().filter((r) => r.status === 200).length === 3,
      );
      const before = searches().length;
      const resumed = await app.sync.sync({ workspaceId, connectionId });
      const resumeSearches = searches().slice(before);
      assert.equal(resumed.created, 150);
      assert.equal(resumed.apiCalls, 2, "one window query from the last issue read, then its next page");
      assert.deepEqual(
        resumeSearches.map((r) => r.status),
        [200, 200],
        "the spent token was never sent",
      );
      const first = resumeSearches[0]?.body as { jql?: string; nextPageToken?: string };
      assert.equal(first.nextPageToken, undefined);
      assert.match(first.jql ?? "", /updated >= "/);
      assert.deepEqual(await linkCounts(), { n: 350, distinct_ids: 350, tasks: 350 });
    });

    it("keeps the last good data when a sync fails", async () => {
      const { call, tasks, connectionId, keys, linkCounts } = await connectedWorkspace("OUTAGE", 150);
      const first = await call<SyncOutput>("sync_now", { connection: connectionId });
      assert.equal(first.results[0]?.ok, true, first.results[0]?.error ?? "");
      const edited = keys[0] as string;
      fake.state.editIssue(edited, { summary: "Edited before the outage" });
      fake.state.failNext({ status: 503, count: 30, retryAfterSeconds: 0, match: /search\/jql/ });
      const out = await call<SyncOutput>("sync_now", { connection: connectionId });
      assert.equal(out.results[0]?.ok, false);
      assert.match(out.results[0]?.error ?? "", /503|unavailable/i);
      fake.state.clearFaults();
      assert.equal((await linkCounts()).n, 150);
      const listed = await call<{
        connections: { id: string; status: string; lastError: string | null }[];
      }>("list_connections", {});
      const connection = listed.connections.find((c) => c.id === connectionId);
      assert.equal(connection?.status, "active");
      assert.match(connection?.lastError ?? "", /Sync failed/);
      const retry = await call<SyncOutput>("sync_now", { connection: connectionId });
      assert.equal(retry.results[0]?.ok, true);
      assert.equal((await tasks()).find((t) => t.externalId === edited)?.title, "Edited before the outage");
    });

    it("lets one process at a time sync a connection, and takes over a lease left by a dead one", async () => {
      const { workspaceId, connectionId } = await connectedWorkspace("LEASE", 30);
      // A second sync service on the same database stands in for another worker process.
      const other = createSyncService(app.cairn.engine.services, app.cairn.engine.connectors, {
        lease: { waitMs: 400, pollMs: 25 },
      });
      const lease = (owner: string, untilSql: string) =>
        app.cairn.engine.services.db.scoped(workspaceId, (tx) =>
          tx.query(
            `UPDATE connections SET sync_lease_owner = $2, sync_lease_until = ${untilSql} WHERE id = $1`,
            [connectionId, owner],
          ),
        );
      const leaseOwner = async () =>
        (
          await app.cairn.engine.services.db.scoped(workspaceId, (tx) =>
            tx.query<{ owner: string | null }>(
              "SELECT sync_lease_owner AS owner FROM connections WHERE id = $1",
              [connectionId],
            ),
          )
        ).rows[0]?.owner;
      const record = () =>
        app.cairn.engine.services.db.scoped(workspaceId, (tx) => getConnectionRecord(tx, connectionId));
      const before = await record();

      await lease("worker-on-another-host", "clock_timestamp() + interval '1 minute'");
      const searchesBefore = fake.requests.filter((r) => /search\/jql/.test(r.path)).length;
      await assert.rejects(
        other.sync({ workspaceId, connectionId }),
        (error: Error) => error instanceof SyncBusyError && /another Cairn process/.test(error.message),
      );
      assert.equal(fake.requests.filter((r) => /search\/jql/.test(r.path)).length, searchesBefore);
      const after = await record();
      assert.equal(after?.lastError, before?.lastError, "a busy connection is not recorded as failing");
      assert.equal(await leaseOwner(), "worker-on-another-host");

      await lease("worker-that-died", "clock_timestamp() - interval '1 second'");
      await other.sync({ workspaceId, connectionId });
      assert.equal(await leaseOwner(), null, "released after the sync");

      const both = await Promise.all([
        app.sync.sync({ workspaceId, connectionId }),
        createSyncService(app.cairn.engine.services, app.cairn.engine.connectors).sync({
          workspaceId,
          connectionId,
        }),
      ]);
      assert.equal(both.length, 2);
      assert.equal(await leaseOwner(), null);
    });
  });
}

describe("cross-source duplicates", () => {
  let jira: FakeJira;
  let notion: FakeNotion;
  let app: SyncCairn;

  before(async () => {
    jira = await startFakeJira({ email: EMAIL, apiToken: API_TOKEN });
    notion = await startFakeNotion({ token: "ntn_dedupe" });
    app = await startSyncCairn({ db: "pglite", jobs: "in-process" });
  });
  after(async () => {
    await app?.close();
    await jira?.close();
    await notion?.close();
  });

  it("links a Notion page that points at a Jira issue into one task with two sources, completed in both", async () => {
    const me = jira.state.me.accountId;
    const issue = jira.state.addIssue({
      projectKey: "DUP",
      summary: "Migrate billing to Postgres 16",
      assignee: me,
    });
    jira.state.addIssue({
      projectKey: "DUP",
      summary: "Write onboarding guide for new hires",
      assignee: me,
      description: "For the people team",
    });
    jira.state.addIssue({ projectKey: "DUP", summary: "Renew TLS certificates", assignee: me });
    const { dataSources } = notion.state.addDatabase({ title: "Plans" });
    const source = dataSources[0]?.id as string;
    const linked = notion.state.addPage(source, {
      properties: {
        Name: "Billing DB migration",
        Status: "In progress",
        Link: `${jira.url}/browse/${issue.key}`,
      },
    });
    const twin = notion.state.addPage(source, {
      properties: { Name: "Write onboarding guide for new hires", Status: "Not started" },
    });
    notion.state.addPage(source, { properties: { Name: "Plan the offsite", Status: "Not started" } });

    const jiraConnection = await app.call<{ id: string }>("connect_jira", {
      host: jira.url,
      email: EMAIL,
      apiToken: API_TOKEN,
      jql: "project = DUP",
      syncEveryMinutes: 0,
    });
    const notionConnection = await app.call<{ id: string }>("connect_notion", {
      token: "ntn_dedupe",
      apiUrl: notion.url,
      syncEveryMinutes: 0,
    });
    await app.call("sync_now", { connection: jiraConnection.id });
    const out = await app.call<SyncOutput>("sync_now", { connection: notionConnection.id });
    assert.equal(out.totals.merged, 2, "one by URL, one by text");
    assert.equal(out.totals.created, 1);

    const tasks = await app.tasks();
    assert.equal(tasks.length, 4);
    const merged = tasks.find((t) => t.externalId === issue.key);
    assert.ok(merged);
    const sources = await app.cairn.engine.services.db.scoped(app.admin.workspace.id, (tx) =>
      tx.query<{ source: string; external_id: string }>(
        "SELECT source, external_id FROM task_sources WHERE task_id = $1 ORDER BY source",
        [merged.id],
      ),
    );
    assert.deepEqual(
      sources.rows.map((row) => `${row.source}:${row.external_id}`),
      [`jira:${issue.key}`, `notion:${linked.id}`],
    );
    assert.ok(tasks.some((t) => t.title === "Write onboarding guide for new hires" && t.source === "jira"));
    assert.ok(!tasks.some((t) => t.externalId === twin.id));

    await app.call("complete_task", { id: merged.id });
    await waitFor(
      "both sources written",
      async () =>
        jira.state.issues.get(issue.key)?.statusId === "10002" &&
        notion.state.pages.get(linked.id)?.values.get("Status") === "Done",
    );
  });
});

describe("outbound URL guard", () => {
  it("classifies private, loopback, link-local and metadata addresses", () => {
    for (const address of [
      "10.1.2.3",
      "127.0.0.1",
      "169.254.169.254",
      "172.20.0.1",
      "192.168.1.1",
      "::1",
      "fd00::1",
      "::ffff:10.0.0.1",
    ]) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
      assert.equal(isPrivateAddress(address), false, address);
  });

  it("refuses connections to metadata and private addresses unless allowed", async () => {
    const cairn = await startTestCairn({ env: { CAIRN_ALLOW_PRIVATE_URLS: "0" } });
    try {
      const admin = await cairn.token({ admin: true });
      const metadata = await cairn.call(admin.token, "connect_notion", {
        token: "x",
        apiUrl: "http://169.254.169.254/latest",
      });
      assert.equal(metadata.status, 400);
      assert.match(JSON.stringify(metadata.body), /apiUrl/);
      assert.match(JSON.stringify(metadata.body), /metadata address, which is never allowed/);
      const internal = await cairn.call(admin.token, "connect_jira", {
        host: "http://10.0.0.8",
        email: "a@example.com",
        apiToken: "t",
      });
      assert.equal(internal.status, 400);
      assert.match(JSON.stringify(internal.body), /settings\.host/);
      assert.match(JSON.stringify(internal.body), /CAIRN_ALLOWED_PRIVATE_NETWORKS/);
      const localhost = await cairn.call(admin.token, "connect_jira", {
        host: "http://localhost:8080",
        email: "a@example.com",
        apiToken: "t",
      });
      assert.equal(localhost.status, 400);
      const listed = await cairn.call(admin.token, "list_connections", {});
      assert.deepEqual((listed.body as { connections: unknown[] }).connections, []);
      const member = await cairn.token({ workspace: admin.workspace.slug });
      const forbidden = await cairn.call(member.token, "connect_notion", {
        token: "x",
        apiUrl: "https://api.notion.com",
      });
      assert.equal(forbidden.status, 403);
    } finally {
      await cairn.close();
    }
  });
});

describe("Google push notifications", () => {
  let google: FakeGoogle;
  let app: SyncCairn;

  before(async () => {
    google = await startFakeGoogle({ userEmail: "owner@example.com" });
    google.state.generateEvents(google.state.primaryCalendarId, 30, { seed: 9, recurringRate: 0 });
    app = await startSyncCairn({ db: "pglite", jobs: "in-process" });
  });
  after(async () => {
    await app?.close();
    await google?.close();
  });

  it("routes a notification with the stored channel token to a sync of that calendar, and refuses a wrong token", async () => {
    const connection = await app.call<{ id: string }>("connect_google", {
      clientId: google.state.clientId,
      clientSecret: google.state.clientSecret,
      refreshToken: "1//fake-refresh-token",
      apiUrl: google.url,
      tokenUrl: google.tokenUrl,
      syncEveryMinutes: 0,
    });
    const record = (
      await app.call<{ connections: { id: string; kind: string }[] }>("list_connections", {})
    ).connections.find((c) => c.id === connection.id);
    assert.equal(record?.kind, "google");
    const full = await app.call<SyncOutput>("sync_now", { connection: connection.id });
    assert.equal(full.results[0]?.ok, true, full.results[0]?.error ?? "");
    const calendar = google.state.primaryCalendarId;
    const stored = await app.cairn.engine.services.db.scoped(app.admin.workspace.id, (tx) =>
      getConnectionRecord(tx, connection.id),
    );
    assert.ok(stored);
    const { ctx } = await app.sync.contextFor(stored);
    await ctx.channels?.save({
      id: "channel-1",
      token: "channel-secret",
      scopeId: calendar,
      resourceId: "res-1",
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const url = `${app.cairn.url}/webhooks/google`;
    const headers = (token: string, state = "exists") => ({
      "x-goog-channel-id": "channel-1",
      "x-goog-channel-token": token,
      "x-goog-resource-state": state,
      "x-goog-resource-id": "res-1",
    });
    const bad = await fetch(url, { method: "POST", headers: headers("wrong") });
    assert.equal(bad.status, 401);
    const unknown = await fetch(url, {
      method: "POST",
      headers: { ...headers("channel-secret"), "x-goog-channel-id": "nope" },
    });
    assert.equal(unknown.status, 401);

    google.state.addEvent(calendar, {
      summary: "Pushed meeting",
      start: { dateTime: new Date(Date.now() + 3_600_000).toISOString() },
      end: { dateTime: new Date(Date.now() + 7_200_000).toISOString() },
    });
    const good = await fetch(url, { method: "POST", headers: headers("channel-secret") });
    assert.equal(good.status, 200);
    await waitFor("pushed event synced", async () => {
      const rows = await app.cairn.engine.services.db.scoped(app.admin.workspace.id, (tx) =>
        tx.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM calendar_events WHERE title = 'Pushed meeting'",
        ),
      );
      return (rows.rows[0]?.n ?? 0) > 0;
    });
  });
});
