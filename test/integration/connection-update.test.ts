/**
 * update_connection over HTTP: an admin changes a Notion connection's property map and estimate unit without
 * giving the token again; the next sync reads the tasks through the new mapping; the stored token keeps
 * working; unknown settings, bad values, a secret setting and members are refused with the field named.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { type FakeNotion, startFakeNotion } from "../fakes/notion.ts";
import { ConsoleClient } from "../support/console-client.ts";
import { backends } from "../support/harness.ts";
import { type SyncCairn, type SyncOutput, startSyncCairn } from "./sync-support.ts";

const TOKEN = "ntn_update_connection";

interface Mapping {
  fields: Record<string, string>;
  estimate: { property: string; unit: string } | null;
}
interface Problem {
  detail?: string;
  issues?: { path: string; message: string }[];
}

for (const backend of backends()) {
  describe(`update_connection (${backend.name})`, { skip: backend.skip }, () => {
    let fake: FakeNotion;
    let app: SyncCairn;
    let connectionId: string;
    let pageId: string;

    before(async () => {
      fake = await startFakeNotion({ token: TOKEN });
      app = await startSyncCairn({ db: backend.db, jobs: backend.jobs });
      const source = fake.state.addDatabase({
        title: "Work",
        dataSources: [{ name: "Work", schema: { Name: "title", Estimate: "number", Effort: "number" } }],
      }).dataSources[0]?.id as string;
      pageId = fake.state.addPage(source, {
        properties: { Name: "Write the report", Estimate: 3, Effort: 45 },
      }).id;
      const connection = await app.call<{ id: string }>("connect_notion", {
        name: "Work",
        token: TOKEN,
        apiUrl: fake.url,
        dataSourceIds: [source],
        syncEveryMinutes: 0,
      });
      connectionId = connection.id;
    });
    after(async () => {
      await app?.close();
      await fake?.close();
    });

    async function syncAndRead() {
      const out = await app.call<SyncOutput>("sync_now", { connection: connectionId, full: true });
      assert.equal(out.results[0]?.ok, true, JSON.stringify(out.results[0]));
      const task = (await app.tasks()).find((t) => t.externalId === pageId);
      const listed = await app.call<{ connections: { id: string; mapping: Mapping[] }[] }>(
        "list_connections",
        {},
      );
      return { task, mapping: listed.connections.find((c) => c.id === connectionId)?.mapping[0] };
    }

    it("changes the property map and estimate unit without the token, and the next sync uses them", async () => {
      const before = await syncAndRead();
      assert.equal(before.mapping?.fields.estimate, "Estimate");
      assert.equal(before.task?.estimateMinutes, 180, "Estimate 3 read in hours by default");

      const updated = await app.call<{ changed: string[]; settings: Record<string, unknown> }>(
        "update_connection",
        {
          connection: connectionId,
          settings: { propertyMap: { estimate: "Effort" }, estimateUnit: "minutes" },
        },
      );
      assert.deepEqual(updated.changed, ["estimateUnit", "propertyMap"]);
      assert.deepEqual(updated.settings.propertyMap, { estimate: "Effort" });
      assert.equal(JSON.stringify(updated).includes(TOKEN), false, "the token is never returned");

      const afterUpdate = await syncAndRead();
      assert.equal(afterUpdate.mapping?.fields.estimate, "Effort");
      assert.equal(afterUpdate.mapping?.estimate?.unit, "minutes");
      assert.equal(afterUpdate.task?.estimateMinutes, 45, "Effort 45 read in minutes with the stored token");

      const cleared = await app.call<{ changed: string[]; settings: Record<string, unknown> }>(
        "update_connection",
        { connection: connectionId, settings: { estimateUnit: null } },
      );
      assert.deepEqual(cleared.changed, ["estimateUnit"]);
      assert.equal("estimateUnit" in cleared.settings, false);
    });

    it("refuses unknown settings, bad values and unknown connections, naming the field", async () => {
      const unknown = await app.cairn.call(app.admin.token, "update_connection", {
        connection: connectionId,
        settings: { estimateUnits: "minutes" },
      });
      assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
      assert.deepEqual(
        (unknown.body as Problem).issues?.map((i) => i.path),
        ["settings.estimateUnits"],
      );

      const bad = await app.cairn.call(app.admin.token, "update_connection", {
        connection: connectionId,
        settings: { estimateUnit: "days" },
      });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.ok(
        (bad.body as Problem).issues?.some((i) => i.path === "settings.estimateUnit"),
        JSON.stringify(bad.body),
      );

      const missing = await app.cairn.call(app.admin.token, "update_connection", {
        connection: "00000000-0000-4000-8000-000000000000",
        settings: {},
      });
      assert.equal(missing.status, 404, JSON.stringify(missing.body));
    });

    it("works from the console session, which must send its CSRF token", async () => {
      const email = "console-owner@example.com";
      await createOrResetOwner(app.cairn.engine.services.db, {
        workspace: app.admin.workspace.slug,
        email,
        password: "console owner password",
      });
      const browser = new ConsoleClient(app.cairn.url);
      await browser.signIn(email, "console owner password");
      const input = { connection: connectionId, settings: { estimateUnit: "hours" } };
      const refused = await browser.request("POST", "/api/actions/update_connection", input, { csrf: false });
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      const saved = await browser.request<{ changed: string[] }>(
        "POST",
        "/api/actions/update_connection",
        input,
      );
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.deepEqual(saved.body.changed, ["estimateUnit"]);
      const audit = await browser.request<{ items: { action: string; actor: string; target: string }[] }>(
        "GET",
        "/admin/api/audit?action=update_connection",
      );
      assert.ok(audit.body.items.some((entry) => entry.actor === email && entry.target === connectionId));
    });

    it("GET /api/actions narrows to a prefix or names, as the console's pages ask", async () => {
      const list = async (query: string) => {
        const answer = await fetch(`${app.cairn.url}/api/actions${query}`, {
          headers: { authorization: `Bearer ${app.admin.token}` },
        });
        assert.equal(answer.status, 200);
        return ((await answer.json()) as { actions: { name: string }[] }).actions.map((a) => a.name);
      };
      const all = await list("");
      const connects = await list("?prefix=connect_");
      assert.ok(
        connects.length >= 5 && connects.every((name) => name.startsWith("connect_")),
        connects.join(),
      );
      assert.deepEqual(
        connects,
        all.filter((name) => name.startsWith("connect_")),
      );
      assert.deepEqual(
        await list("?name=update_connection,sync_now"),
        ["sync_now", "update_connection"]
          .filter((n) => all.includes(n))
          .sort((a, b) => all.indexOf(a) - all.indexOf(b)),
      );
    });

    it("is an admin action: a member is refused", async () => {
      const member = await app.cairn.token({ workspace: app.admin.workspace.slug, email: "m@example.com" });
      const refused = await app.cairn.call(member.token, "update_connection", {
        connection: connectionId,
        settings: { estimateUnit: "hours" },
      });
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
    });
  });
}
