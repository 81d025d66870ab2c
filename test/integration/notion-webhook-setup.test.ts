/**
 * Notion's unsigned subscription handshake over HTTP: a verification token is captured only inside an admin's
 * set-up window, shown to that admin, never replaces a configured or verified secret; everything else
 * unsigned is a 401 that stores nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openWebhookSetup } from "../../engine/db/repositories/connections.ts";
import { postRaw } from "../fakes/common.ts";
import {
  buildNotionWebhookEvent,
  deliverNotionWebhook,
  type FakeNotion,
  notionVerificationBody,
  startFakeNotion,
} from "../fakes/notion.ts";
import { backends } from "../support/harness.ts";
import { type SyncCairn, startSyncCairn, waitFor } from "./sync-support.ts";

const TOKEN = "ntn_webhook_setup";

interface Summary {
  id: string;
  webhook: { url: string; secretSet: boolean; secretSource: string | null; setupOpenUntil: string | null };
}
interface TokenView {
  connectionId: string;
  state: string;
  token: string | null;
  webhookUrl: string;
  expiresAt: string | null;
}

for (const backend of backends()) {
  describe(`Notion webhook set-up window (${backend.name})`, { skip: backend.skip }, () => {
    let fake: FakeNotion;
    let app: SyncCairn;
    let dataSourceId: string;
    let offsetMs = 0;

    before(async () => {
      fake = await startFakeNotion({ token: TOKEN });
      dataSourceId = fake.state.addDatabase({ title: "Hooked" }).dataSources[0]?.id as string;
      app = await startSyncCairn(backend, {}, { now: () => new Date(Date.now() + offsetMs) });
    });
    after(async () => {
      await app?.close();
      await fake?.close();
    });

    const connect = (name: string, extra: Record<string, unknown> = {}) =>
      app.call<Summary>("connect_notion", {
        name,
        token: TOKEN,
        apiUrl: fake.url,
        syncEveryMinutes: 0,
        ...extra,
      });
    const summary = async (id: string) =>
      (await app.call<{ connections: Summary[] }>("list_connections", {})).connections.find(
        (c) => c.id === id,
      );
    const handshake = (url: string, token: string) =>
      postRaw(url, notionVerificationBody(token), { "content-type": "application/json" });
    const storedSecret = async (id: string) =>
      (
        await app.cairn.engine.services.db.system((tx) =>
          tx.query<{ webhook_secret_encrypted: string | null }>(
            "SELECT webhook_secret_encrypted FROM connections WHERE id = $1",
            [id],
          ),
        )
      ).rows[0]?.webhook_secret_encrypted ?? null;
    const forceWindowOpen = (id: string) =>
      app.cairn.engine.services.db.scoped(app.admin.workspace.id, (tx) =>
        openWebhookSetup(tx, id, app.admin.person.id, new Date(Date.now() + offsetMs + 600_000)),
      );
    /** Ends the window now: the bare /webhooks/notion URL routes a handshake to any window still open. */
    const closeWindow = (id: string) =>
      app.cairn.engine.services.db.scoped(app.admin.workspace.id, (tx) =>
        openWebhookSetup(tx, id, app.admin.person.id, new Date()),
      );

    it("captures the token only in an open window, shows it to that admin, then verifies it by a signed event", async () => {
      const connection = await connect("Hooked");
      const url = `${app.cairn.url}/webhooks/notion/${connection.id}`;

      // No window: an unsigned handshake is a 401 and nothing is stored, on the bare and the connection's URL.
      for (const target of [`${app.cairn.url}/webhooks/notion`, url]) {
        const refused = await handshake(target, "attacker-token");
        assert.equal(refused.status, 401, refused.text);
      }
      assert.equal(await storedSecret(connection.id), null);
      assert.equal((await summary(connection.id))?.webhook.secretSet, false);

      // A member cannot open a window.
      const member = await app.cairn.token({
        workspace: app.admin.workspace.slug,
        email: "member@example.com",
      });
      const denied = await app.cairn.call(member.token, "open_notion_webhook_setup", {});
      assert.equal(denied.status, 403);

      const opened = await app.call<{ connectionId: string; webhookUrl: string; expiresAt: string }>(
        "open_notion_webhook_setup",
        { connection: connection.id },
      );
      assert.equal(opened.connectionId, connection.id);
      assert.match(opened.webhookUrl, new RegExp(`/webhooks/notion/${connection.id}$`));
      const minutes = (Date.parse(opened.expiresAt) - Date.now()) / 60_000;
      assert.ok(minutes > 9.9 && minutes <= 10.01, `window of ${minutes} minutes`);
      const waiting = await app.call<TokenView>("get_notion_webhook_token", { connection: connection.id });
      assert.equal(waiting.state, "waiting");
      assert.equal(waiting.token, null);
      assert.equal((await summary(connection.id))?.webhook.setupOpenUntil, opened.expiresAt);

      const notionToken = "secret_notion_verification_1";
      const captured = await handshake(url, notionToken);
      assert.equal(captured.status, 200, captured.text);
      const shown = await app.call<TokenView>("get_notion_webhook_token", { connection: connection.id });
      assert.equal(shown.state, "captured");
      assert.equal(
        shown.token,
        notionToken,
        "the admin who opened the window sees the token to paste into Notion",
      );
      const otherAdmin = await app.cairn.token({
        workspace: app.admin.workspace.slug,
        email: "second-admin@example.com",
        admin: true,
      });
      const hidden = await app.cairn.call(otherAdmin.token, "get_notion_webhook_token", {
        connection: connection.id,
      });
      assert.equal(hidden.status, 200);
      assert.equal((hidden.body as TokenView).token, null, "another admin does not see it");
      const listed = await summary(connection.id);
      assert.equal(listed?.webhook.secretSource, "captured");
      assert.equal(listed?.webhook.setupOpenUntil, null, "a capture closes the window");
      assert.doesNotMatch(JSON.stringify(listed), new RegExp(notionToken));

      // The capture closed the window: a later handshake (an attacker's) is refused and replaces nothing.
      const sealedBefore = await storedSecret(connection.id);
      const late = await handshake(url, "attacker-token");
      assert.equal(late.status, 401);
      assert.equal(await storedSecret(connection.id), sealedBefore);

      const forgedPage = fake.state.addPage(dataSourceId, { properties: { Name: "Forged" } });
      const forgedEvent = buildNotionWebhookEvent("page.created", { pageId: forgedPage.id, dataSourceId });
      assert.equal((await deliverNotionWebhook(url, forgedEvent, "attacker-token")).status, 401);
      assert.equal(
        (await postRaw(url, JSON.stringify(forgedEvent), { "content-type": "application/json" })).status,
        401,
      );

      const page = fake.state.addPage(dataSourceId, { properties: { Name: "Signed by Notion" } });
      const good = await deliverNotionWebhook(
        url,
        buildNotionWebhookEvent("page.created", { pageId: page.id, dataSourceId }),
        notionToken,
      );
      assert.equal(good.status, 202, good.text);
      await waitFor("the webhook's sync", async () =>
        (await app.tasks()).some((t) => t.externalId === page.id),
      );
      assert.ok(!(await app.tasks()).some((t) => t.externalId === forgedPage.id), "no sync from forgeries");
      const verified = await app.call<TokenView>("get_notion_webhook_token", { connection: connection.id });
      assert.equal(verified.state, "verified");
      assert.equal(verified.token, null);

      // A verified secret is never replaced: no new window, and a window forced open captures nothing.
      const reopen = await app.call<{ error: { code: string; message: string } }>(
        "open_notion_webhook_setup",
        { connection: connection.id },
        409,
      );
      assert.match(reopen.error.message, /verified/);
      await forceWindowOpen(connection.id);
      const verifiedSealed = await storedSecret(connection.id);
      assert.equal((await handshake(url, "attacker-token")).status, 401);
      assert.equal(await storedSecret(connection.id), verifiedSealed);
    });

    it("refuses a handshake once the window has closed, storing nothing", async () => {
      const connection = await connect("Late");
      await app.call("open_notion_webhook_setup", { connection: connection.id });
      offsetMs = 11 * 60_000;
      try {
        const late = await handshake(`${app.cairn.url}/webhooks/notion/${connection.id}`, "too-late");
        assert.equal(late.status, 401, late.text);
        assert.equal(await storedSecret(connection.id), null);
        const view = await app.call<TokenView>("get_notion_webhook_token", { connection: connection.id });
        assert.equal(view.state, "closed");
      } finally {
        offsetMs = 0;
        // Back on the real clock this window would be open again, and catch another test's handshake.
        await closeWindow(connection.id);
      }
    });

    it("never replaces a configured secret, and events signed with it are accepted", async () => {
      const configured = "configured_secret_from_env";
      const connection = await connect("Configured", { webhookSecret: configured });
      assert.equal((await summary(connection.id))?.webhook.secretSource, "configured");
      const refused = await app.call<{ error: { message: string } }>(
        "open_notion_webhook_setup",
        { connection: connection.id },
        409,
      );
      assert.match(refused.error.message, /configured/);
      await forceWindowOpen(connection.id);
      const sealed = await storedSecret(connection.id);
      const url = `${app.cairn.url}/webhooks/notion/${connection.id}`;
      assert.equal((await handshake(url, "attacker-token")).status, 401);
      assert.equal(await storedSecret(connection.id), sealed);
      const page = fake.state.addPage(dataSourceId, { properties: { Name: "Configured delivery" } });
      const event = buildNotionWebhookEvent("page.created", { pageId: page.id, dataSourceId });
      assert.equal((await deliverNotionWebhook(url, event, "attacker-token")).status, 401);
      assert.equal((await deliverNotionWebhook(url, event, configured)).status, 202);
    });
  });
}
