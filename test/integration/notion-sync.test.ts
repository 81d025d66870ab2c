import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SYNC_QUEUE } from "../../engine/sync/index.ts";
import { postRaw } from "../fakes/common.ts";
import {
  buildNotionWebhookEvent,
  deliverNotionWebhook,
  type FakeNotion,
  notionVerificationBody,
  startFakeNotion,
} from "../fakes/notion.ts";
import { backends } from "../support/harness.ts";
import { waitForDrainedQueue } from "../support/queues.ts";
import { type Stats, type SyncCairn, type SyncOutput, startSyncCairn, waitFor } from "./sync-support.ts";

const TOKEN = "ntn_test_secret";

for (const backend of backends()) {
  describe(`Notion sync (${backend.name})`, { skip: backend.skip }, () => {
    let fake: FakeNotion;
    let app: SyncCairn;
    let dataSourceId: string;
    let connectionId: string;

    before(async () => {
      fake = await startFakeNotion({ token: TOKEN });
      const { dataSources } = fake.state.addDatabase({ title: "Team tasks" });
      dataSourceId = dataSources[0]?.id as string;
      fake.state.generatePages(dataSourceId, 230, { seed: 7, relationRate: 0.2 });
      app = await startSyncCairn(backend);
      const connection = await app.call<{ id: string; status: string }>("connect_notion", {
        token: TOKEN,
        apiUrl: fake.url,
        syncEveryMinutes: 0,
      });
      connectionId = connection.id;
    });

    after(async () => {
      await app?.close();
      await fake?.close();
    });

    const syncNow = async (input: Record<string, unknown> = {}): Promise<Stats> => {
      const out = await app.call<SyncOutput>("sync_now", { connection: connectionId, ...input });
      assert.equal(out.results[0]?.ok, true, JSON.stringify(out.results[0]));
      return out.totals;
    };

    it("syncs every shared data source in full, then incrementally with one request", async () => {
      const first = await syncNow();
      assert.equal(first.created, 230);
      assert.equal(first.skipped, 0);
      // search for data sources + 3 query pages of ≤100
      assert.equal(first.apiCalls, 4);
      const tasks = await app.tasks();
      assert.equal(tasks.filter((t) => t.source === "notion").length, 230);
      const withDeps = tasks.filter((t) => t.dependsOn.length > 0);
      assert.ok(withDeps.length > 10, "relations became dependencies");
      const ids = new Set(tasks.map((t) => t.id));
      assert.ok(withDeps.every((t) => t.dependsOn.every((d) => ids.has(d))));

      const [a, b] = [...fake.state.pages.values()];
      fake.state.editPage(a?.id as string, { Name: "Renamed in Notion" });
      fake.state.editPage(b?.id as string, { Status: "Done" });
      fake.state.addPage(dataSourceId, {
        properties: { Name: "Brand new page", Estimate: 2, Priority: "High" },
      });
      const before = fake.requests.length;
      const second = await syncNow();
      assert.equal(second.created, 1);
      assert.equal(second.updated, 2);
      assert.equal(second.apiCalls, 1, "one query page, scopes cached");
      assert.equal(fake.requests.length - before, 1);
      const queried = fake.requests.at(-1);
      assert.match(JSON.stringify(queried?.body), /on_or_after/);

      const after = await app.tasks();
      const renamed = after.find((t) => t.externalId === a?.id);
      assert.equal(renamed?.title, "Renamed in Notion");
      assert.equal(after.find((t) => t.externalId === b?.id)?.status, "done");
      const fresh = after.find((t) => t.title === "Brand new page");
      assert.equal(fresh?.estimateMinutes, 120);
      assert.equal(fresh?.priority, 2);

      const third = await syncNow();
      assert.equal(third.created + third.updated + third.deleted, 0);
      assert.equal(third.apiCalls, 1);
    });

    it("writes Done back to Notion when the task is completed in Cairn", async () => {
      const page = fake.state.addPage(dataSourceId, {
        properties: { Name: "Finish me", Status: "In progress" },
      });
      await syncNow();
      const task = (await app.tasks()).find((t) => t.externalId === page.id);
      assert.ok(task);
      await app.call("complete_task", { id: task.id });
      await waitFor(
        "Notion page marked done",
        async () => fake.state.pages.get(page.id)?.values.get("Status") === "Done",
      );
      assert.equal(fake.state.pages.get(page.id)?.values.get("Done"), true);
      const patch = fake.requests.find((r) => r.method === "PATCH" && r.path.endsWith(page.id));
      assert.ok(patch, "a PATCH of the page");
    });

    it("marks a page moved to the trash as deleted at the source, keeping the task", async () => {
      const page = fake.state.addPage(dataSourceId, { properties: { Name: "Soon trashed" } });
      await syncNow();
      fake.state.trashPage(page.id);
      const stats = await syncNow({ full: true });
      assert.equal(stats.deleted, 1);
      const visible = await app.tasks();
      assert.equal(
        visible.find((t) => t.externalId === page.id),
        undefined,
      );
      const all = await app.tasks({ includeSourceDeleted: true });
      const kept = all.find((t) => t.externalId === page.id);
      assert.ok(kept?.sourceDeletedAt, "sourceDeletedAt is set");
      assert.equal(kept?.title, "Soon trashed");
    });

    it("skips a malformed page with its id and keeps the rest of the page", async () => {
      const bad = fake.state.addPage(dataSourceId, {
        properties: { Name: "Broken date", Due: "31/02/2026" },
      });
      fake.state.addPage(dataSourceId, { properties: { Name: "Fine neighbour" } });
      const stats = await syncNow();
      assert.equal(stats.skipped, 1);
      assert.equal(stats.skippedItems[0]?.externalId, bad.id);
      assert.match(stats.skippedItems[0]?.reason ?? "", /Due/);
      const tasks = await app.tasks();
      assert.ok(tasks.some((t) => t.title === "Fine neighbour"));
      assert.ok(!tasks.some((t) => t.externalId === bad.id));
    });

    it("handles the webhook handshake, then syncs on signed events and refuses bad signatures", async () => {
      const url = `${app.cairn.url}/webhooks/notion`;
      const secret = "secret_verification_token_123";
      await app.call("open_notion_webhook_setup", { connection: connectionId });
      const handshake = await postRaw(url, notionVerificationBody(secret), {
        "content-type": "application/json",
      });
      assert.equal(handshake.status, 200);
      const listed = await app.call<{ connections: { id: string; webhook: { secretSet: boolean } }[] }>(
        "list_connections",
        {},
      );
      assert.equal(listed.connections.find((c) => c.id === connectionId)?.webhook.secretSet, true);
      // A second handshake never replaces the stored token.
      const second = await postRaw(url, notionVerificationBody("attacker"), {
        "content-type": "application/json",
      });
      assert.equal(second.status, 401);

      const syncJobsBefore = await waitForDrainedQueue(app.cairn.jobs, SYNC_QUEUE);
      const unsigned = fake.state.addPage(dataSourceId, { properties: { Name: "Forged event page" } });
      const forged = await deliverNotionWebhook(
        url,
        buildNotionWebhookEvent("page.created", { pageId: unsigned.id, dataSourceId }),
        "attacker",
      );
      assert.equal(forged.status, 401);
      const noSignature = await postRaw(
        url,
        JSON.stringify(buildNotionWebhookEvent("page.created", { pageId: unsigned.id, dataSourceId })),
        { "content-type": "application/json" },
      );
      assert.equal(noSignature.status, 401);
      const syncJobsAfter = await waitForDrainedQueue(app.cairn.jobs, SYNC_QUEUE);
      assert.deepEqual(syncJobsAfter, syncJobsBefore, "a refused webhook queues no sync");
      assert.ok(
        !(await app.tasks()).some((t) => t.externalId === unsigned.id),
        "nothing stored after a bad signature",
      );

      const page = fake.state.addPage(dataSourceId, { properties: { Name: "Arrived by webhook" } });
      const good = await deliverNotionWebhook(
        url,
        buildNotionWebhookEvent("page.created", { pageId: page.id, dataSourceId }),
        secret,
      );
      assert.equal(good.status, 202);
      await waitFor("webhook sync", async () => (await app.tasks()).some((t) => t.externalId === page.id));

      fake.state.trashPage(page.id);
      const deleted = await deliverNotionWebhook(
        url,
        buildNotionWebhookEvent("page.deleted", { pageId: page.id, dataSourceId }),
        secret,
      );
      assert.equal(deleted.status, 202);
      await waitFor("webhook deletion", async () =>
        (await app.tasks({ includeSourceDeleted: true })).some(
          (t) => t.externalId === page.id && t.sourceDeletedAt,
        ),
      );
    });
  });
}

describe("Notion property mapping", () => {
  let fake: FakeNotion;
  let app: SyncCairn;

  before(async () => {
    fake = await startFakeNotion({ token: TOKEN });
    app = await startSyncCairn({ db: "pglite", jobs: "in-process" });
  });
  after(async () => {
    await app?.close();
    await fake?.close();
  });

  it("auto-detects, and a per-connection propertyMap overrides", async () => {
    const { dataSources } = fake.state.addDatabase({
      title: "Custom",
      dataSources: [
        {
          name: "Custom",
          schema: {
            Task: "title",
            Phase: { type: "select", options: ["Backlog", "Doing", "Shipped"] },
            "Created on": "date",
            Target: "date",
            Cost: "number",
            Importance: { type: "select", options: ["P1", "P2", "P3"] },
          },
        },
      ],
    });
    const source = dataSources[0]?.id as string;
    const page = fake.state.addPage(source, {
      properties: {
        Task: "Ship it",
        Phase: "Shipped",
        "Created on": "2026-01-01",
        Target: "2026-03-20",
        Cost: 90,
        Importance: "P1",
      },
    });
    const connection = await app.call<{ id: string }>("connect_notion", {
      name: "Custom Notion",
      token: TOKEN,
      apiUrl: fake.url,
      dataSourceIds: [source],
      syncEveryMinutes: 0,
      propertyMap: { status: "Phase", due: "Target", priority: "Importance" },
      settings: { estimateUnit: "minutes" },
    });
    const out = await app.call<SyncOutput>("sync_now", { connection: connection.id });
    assert.equal(out.totals.created, 1);
    const task = (await app.tasks()).find((t) => t.externalId === page.id);
    assert.equal(task?.status, "done");
    assert.equal(task?.due, "2026-03-20T23:59:59.000Z");
    assert.equal(task?.estimateMinutes, 90);
    assert.equal(task?.priority, 1);
  });
});
