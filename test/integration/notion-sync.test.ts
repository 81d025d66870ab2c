import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
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
import {
  type Stats,
  type SyncCairn,
  type SyncOutput,
  startSyncCairn,
  waitFor,
  workspaceAdmin,
} from "./sync-support.ts";

const TOKEN = "ntn_test_secret";

for (const backend of backends()) {
  describe(`Notion sync (${backend.name})`, { skip: backend.skip }, () => {
    let app: SyncCairn;

    before(async () => {
      app = await startSyncCairn(backend);
    });

    after(async () => {
      await app?.close();
    });

    /**
     * A Notion of its own (a fresh fake sharing one "Team tasks" data source of `pages` pages) and a workspace
     * of its own connected to it; `synced` runs the first sync, so the test starts from a connection that
     * has synced before.
     */
    const connectedNotion = async (
      context: TestContext,
      { pages, synced = false }: { pages: number; synced?: boolean },
    ) => {
      const fake = await startFakeNotion({ token: TOKEN });
      context.after(() => fake.close());
      const { dataSources } = fake.state.addDatabase({ title: "Team tasks" });
      const dataSourceId = dataSources[0]?.id as string;
      fake.state.generatePages(dataSourceId, pages, { seed: 7, relationRate: 0.2 });
      const owner = await workspaceAdmin(app.cairn);
      const connectionId = (
        await owner.call<{ id: string; status: string }>("connect_notion", {
          token: TOKEN,
          apiUrl: fake.url,
          syncEveryMinutes: 0,
        })
      ).id;
      const syncNow = async (input: Record<string, unknown> = {}): Promise<Stats> => {
        const out = await owner.call<SyncOutput>("sync_now", { connection: connectionId, ...input });
        assert.equal(out.results[0]?.ok, true, JSON.stringify(out.results[0]));
        return out.totals;
      };
      if (synced) await syncNow();
      return { ...owner, fake, dataSourceId, connectionId, syncNow };
    };

    it("syncs every shared data source in full, then incrementally with one request", async (context) => {
      const {
        fake,
        dataSourceId,
        syncNow,
        tasks: listTasks,
      } = await connectedNotion(context, { pages: 230 });
      const first = await syncNow();
      assert.equal(first.created, 230);
      assert.equal(first.skipped, 0);
      // search for data sources + 3 query pages of ≤100
      assert.equal(first.apiCalls, 4);
      const tasks = await listTasks();
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

      const after = await listTasks();
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

    it("writes Done back to Notion when the task is completed in Cairn", async (context) => {
      const { fake, dataSourceId, syncNow, call, tasks } = await connectedNotion(context, {
        pages: 5,
        synced: true,
      });
      const page = fake.state.addPage(dataSourceId, {
        properties: { Name: "Finish me", Status: "In progress" },
      });
      await syncNow();
      const task = (await tasks()).find((t) => t.externalId === page.id);
      assert.ok(task);
      await call("complete_task", { id: task.id });
      await waitFor(
        "Notion page marked done",
        async () => fake.state.pages.get(page.id)?.values.get("Status") === "Done",
      );
      assert.equal(fake.state.pages.get(page.id)?.values.get("Done"), true);
      const patch = fake.requests.find((r) => r.method === "PATCH" && r.path.endsWith(page.id));
      assert.ok(patch, "a PATCH of the page");
    });

    it("marks a page moved to the trash as deleted at the source, keeping the task", async (context) => {
      const { fake, dataSourceId, syncNow, tasks } = await connectedNotion(context, {
        pages: 5,
        synced: true,
      });
      const page = fake.state.addPage(dataSourceId, { properties: { Name: "Soon trashed" } });
      await syncNow();
      fake.state.trashPage(page.id);
      const stats = await syncNow({ full: true });
      assert.equal(stats.deleted, 1);
      const visible = await tasks();
      assert.equal(
        visible.find((t) => t.externalId === page.id),
        undefined,
      );
      const all = await tasks({ includeSourceDeleted: true });
      const kept = all.find((t) => t.externalId === page.id);
      assert.ok(kept?.sourceDeletedAt, "sourceDeletedAt is set");
      assert.equal(kept?.title, "Soon trashed");
    });

    it("skips a malformed page with its id and keeps the rest of the page", async (context) => {
      const {
        fake,
        dataSourceId,
        syncNow,
        tasks: listTasks,
      } = await connectedNotion(context, {
        pages: 5,
        synced: true,
      });
      const bad = fake.state.addPage(dataSourceId, {
        properties: { Name: "Broken date", Due: "31/02/2026" },
      });
      fake.state.addPage(dataSourceId, { properties: { Name: "Fine neighbour" } });
      const stats = await syncNow();
      assert.equal(stats.skipped, 1);
      assert.equal(stats.skippedItems[0]?.externalId, bad.id);
      assert.match(stats.skippedItems[0]?.reason ?? "", /Due/);
      const tasks = await listTasks();
      assert.ok(tasks.some((t) => t.title === "Fine neighbour"));
      assert.ok(!tasks.some((t) => t.externalId === bad.id));
    });

    it("handles the webhook handshake, then syncs on signed events and refuses bad signatures", async (context) => {
      const { fake, dataSourceId, connectionId, call, tasks } = await connectedNotion(context, {
        pages: 5,
        synced: true,
      });
      const url = `${app.cairn.url}/webhooks/notion`;
      const secret = "secret_verification_token_123";
      await call("open_notion_webhook_setup", { connection: connectionId });
      const handshake = await postRaw(url, notionVerificationBody(secret), {
        "content-type": "application/json",
      });
      assert.equal(handshake.status, 200);
      const listed = await call<{ connections: { id: string; webhook: { secretSet: boolean } }[] }>(
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
        !(await tasks()).some((t) => t.externalId === unsigned.id),
        "nothing stored after a bad signature",
      );

      const page = fake.state.addPage(dataSourceId, { properties: { Name: "Arrived by webhook" } });
      const good = await deliverNotionWebhook(
        url,
        buildNotionWebhookEvent("page.created", { pageId: page.id, dataSourceId }),
        secret,
      );
      assert.equal(good.status, 202);
      await waitFor("webhook sync", async () => (await tasks()).some((t) => t.externalId === page.id));

      fake.state.trashPage(page.id);
      const deleted = await deliverNotionWebhook(
        url,
        buildNotionWebhookEvent("page.deleted", { pageId: page.id, dataSourceId }),
        secret,
      );
      assert.equal(deleted.status, 202);
      await waitFor("webhook deletion", async () =>
        (await tasks({ includeSourceDeleted: true })).some(
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
