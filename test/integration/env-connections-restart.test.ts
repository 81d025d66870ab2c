/**
 * An env-configured connection across restarts on the same database: what a person changed through
 * connect_notion survives, the environment fills in only what nobody set, and env changes to untouched
 * settings still apply.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { mergeFields } from "../../engine/sync/env-seed.ts";
import { type FakeJira, startFakeJira } from "../fakes/jira.ts";
import { type FakeNotion, startFakeNotion } from "../fakes/notion.ts";
import { freshDb, type TestDb } from "../support/harness.ts";
import { type SyncCairn, type SyncOutput, startSyncCairn } from "./sync-support.ts";

const TOKEN = "ntn_restart";

describe("env connections across restarts", () => {
  let fake: FakeNotion;
  let jira: FakeJira;
  let shared: TestDb;
  let running: SyncCairn | undefined;
  let pageId: string;
  const workspace = `restart-${randomUUID().slice(0, 8)}`;
  const baseEnv = () => ({
    CAIRN_MASTER_KEY: masterKey,
    CAIRN_WORKSPACE: workspace,
    NOTION_TOKEN: TOKEN,
    NOTION_API_URL: fake.url,
  });
  const masterKey = randomBytes(32).toString("base64");

  before(async () => {
    fake = await startFakeNotion({ token: TOKEN });
    const source = fake.state.addDatabase({ title: "Restarts" }).dataSources[0]?.id as string;
    pageId = fake.state.addPage(source, { properties: { Name: "Ninety", Estimate: 90 } }).id;
    jira = await startFakeJira({ email: "env@example.com", apiToken: "jira-env-token" });
    shared = await freshDb("pglite");
  });
  after(async () => {
    await running?.close();
    await shared?.drop();
    await fake?.close();
    await jira?.close();
  });

  /** A Cairn start on the shared database; its start-up creates or refreshes the env connection. */
  async function start(env: Record<string, string>): Promise<SyncCairn> {
    await running?.close();
    running = await startSyncCairn({ db: "pglite", jobs: "in-process" }, env, {
      sharedDb: shared.db,
      workspace,
    });
    // The very first start ran before the workspace existed; on later starts this is what start-up did.
    await running.sync.ensureEnvConnections();
    return running;
  }

  async function notion(app: SyncCairn) {
    const listed = await app.call<{
      connections: {
        id: string;
        kind: string;
        syncEveryMinutes: number;
        mapping: { estimate: { unit: string } | null }[];
      }[];
    }>("list_connections", {});
    const connection = listed.connections.find((c) => c.kind === "notion");
    assert.ok(connection, "the env connection exists");
    const synced = await app.call<SyncOutput>("sync_now", { connection: connection.id, full: true });
    assert.equal(synced.results[0]?.ok, true, JSON.stringify(synced.results[0]));
    const task = (await app.tasks()).find((t) => t.externalId === pageId);
    const after = await app.call<typeof listed>("list_connections", {});
    return {
      ...connection,
      estimate: task?.estimateMinutes,
      mapping: after.connections.find((c) => c.id === connection.id)?.mapping,
    };
  }

  it("keeps a setting changed through connect_notion when the server restarts", async () => {
    const first = await start(baseEnv());
    const before = await notion(first);
    assert.equal(before.estimate, 5400, "an Estimate with no unit is read as hours");

    // A person changes the estimate unit and the sync interval of the env connection.
    await first.call("connect_notion", { token: TOKEN, estimateUnit: "minutes", syncEveryMinutes: 0 });
    assert.equal((await notion(first)).estimate, 90);

    const second = await start(baseEnv());
    const restarted = await notion(second);
    assert.equal(restarted.id, before.id, "the same connection");
    assert.equal(restarted.estimate, 90, "the unit a person set survives the restart");
    assert.equal(restarted.syncEveryMinutes, 0, "so does the sync interval");
    assert.equal(restarted.mapping?.[0]?.estimate?.unit, "minutes");

    // The environment still governs what nobody changed: a data source filter added to the env applies.
    const third = await start({ ...baseEnv(), NOTION_DATA_SOURCE_ID: randomUUID() });
    const filtered = await third.call<SyncOutput>("sync_now", { connection: before.id });
    assert.equal(filtered.results[0]?.ok, false, "the env's new data source filter took effect");
    assert.equal((await notion(await start(baseEnv()))).estimate, 90, "and the person's unit is still there");
  });

  it("keeps a JQL changed through connect_jira when the server restarts", async () => {
    const env = {
      ...baseEnv(),
      JIRA_HOST: jira.url,
      JIRA_EMAIL: "env@example.com",
      JIRA_API_TOKEN: "jira-env-token",
      JIRA_JQL: "project = ENV",
    };
    const jqlOfLastSearch = async (app: SyncCairn) => {
      const listed = await app.call<{ connections: { id: string; kind: string }[] }>("list_connections", {});
      const id = listed.connections.find((c) => c.kind === "jira")?.id;
      await app.call<SyncOutput>("sync_now", { connection: id });
      const search = jira.requests.filter((r) => r.path.includes("/search/jql")).at(-1);
      return JSON.stringify({ body: search?.body, query: search?.query });
    };
    const first = await start(env);
    assert.match(await jqlOfLastSearch(first), /project = ENV/);
    await first.call("connect_jira", {
      host: jira.url,
      email: "env@example.com",
      apiToken: "jira-env-token",
      jql: "project = MINE",
    });
    const restarted = await start(env);
    assert.match(await jqlOfLastSearch(restarted), /project = MINE/);
  });

  it("keeps syncing the real ICS feed URL, stored sealed, across restarts", async () => {
    const key = randomBytes(24).toString("hex");
    const paths: string[] = [];
    const feed = createServer((req, res) => {
      paths.push(req.url ?? "");
      res.writeHead(200, { "content-type": "text/calendar" });
      res.end(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
      );
    });
    await new Promise<void>((resolve) => feed.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/private-${key}/basic.ics`;
    try {
      const syncIcs = async (app: SyncCairn) => {
        const listed = await app.call<{
          connections: { id: string; kind: string; sourceUrl: string | null }[];
        }>("list_connections", {});
        const ics = listed.connections.find((c) => c.kind === "ics");
        assert.ok(ics, "the env ICS connection exists");
        assert.ok(!JSON.stringify(listed).includes(key), "the feed key is never shown");
        const synced = await app.call<SyncOutput>("sync_now", { connection: ics.id, full: true });
        assert.equal(synced.results[0]?.ok, true, JSON.stringify(synced.results[0]));
      };
      await syncIcs(await start({ ...baseEnv(), ICS_URLS: url }));
      await syncIcs(await start({ ...baseEnv(), ICS_URLS: url }));
      assert.ok(paths.length >= 2);
      assert.ok(
        paths.every((p) => p === `/private-${key}/basic.ics`),
        JSON.stringify(paths),
      );
    } finally {
      await new Promise((resolve) => feed.close(resolve));
    }
  });

  it("merges key by key: missing filled, untouched follow the env, a person's value kept", () => {
    const previous = { a: 1, b: 2, gone: true };
    const stored = { a: 1, b: 20, gone: true, mine: "x" };
    const next = { a: 10, b: 3, c: 4 };
    assert.deepEqual(mergeFields(stored, previous, next), { a: 10, b: 20, c: 4, mine: "x" });
    assert.deepEqual(mergeFields({ a: 1 }, null, { a: 2, c: 3 }), { a: 1, c: 3 });
  });
});
