/**
 * Add Google Calendar from the console through the consent flow, against the local Google fake: the consent
 * URL carries the client, the calendar scope, offline access and a sealed state; the fake consents at once
 * and sends the browser back; the callback exchanges the code and connect_google stores the connection,
 * which then syncs with the refresh token it got. A state from another session, a forged state, a refused
 * consent and a missing CSRF token are refused; without GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET the console
 * says which variables to set.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google-calendar.ts";
import { ConsoleClient } from "../support/console-client.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

const PASSWORD = "correct horse battery";
const CLIENT_ID = "console-test.apps.googleusercontent.com";
const CLIENT_SECRET = "console-test-secret";

interface Status {
  configured: boolean;
  missing: string[];
  redirectUri: string;
  help: string;
}
interface Connection {
  id: string;
  kind: string;
  name: string;
  status: string;
  counts: { events: number };
}

async function signedInOwner(cairn: TestCairn, workspace: string): Promise<ConsoleClient> {
  const email = `owner-${randomUUID().slice(0, 6)}@example.com`;
  await createOrResetOwner(cairn.engine.services.db, { workspace, email, password: PASSWORD });
  const client = new ConsoleClient(cairn.url);
  await client.signIn(email, PASSWORD);
  return client;
}

/** What a browser does with the consent URL: the fake consents and redirects back to the callback. */
async function consent(url: string): Promise<URL> {
  const answer = await fetch(url, { redirect: "manual" });
  assert.equal(answer.status, 302, await answer.text());
  return new URL(answer.headers.get("location") ?? "");
}

/** Follows the callback as the browser of `client`; returns where the console sends it. */
async function callback(cairn: TestCairn, client: ConsoleClient, to: URL): Promise<URL> {
  const answer = await fetch(`${cairn.url}${to.pathname}${to.search}`, {
    redirect: "manual",
    headers: client.cookie ? { cookie: `cairn_session=${client.cookie}` } : {},
  });
  assert.equal(answer.status, 303, await answer.text());
  assert.equal(answer.headers.get("cache-control"), "no-store");
  return new URL(answer.headers.get("location") ?? "");
}

for (const backend of backends()) {
  describe(`Console: Google Calendar through its consent flow (${backend.name})`, {
    skip: backend.skip,
  }, () => {
    let google: FakeGoogle;
    let cairn: TestCairn;
    let owner: ConsoleClient;
    const workspace = `google-${randomUUID().slice(0, 6)}`;

    before(async () => {
      google = await startFakeGoogle({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      google.state.generateEvents(google.state.primaryCalendarId, 5, { seed: 7 });
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        env: {
          GOOGLE_CLIENT_ID: CLIENT_ID,
          GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
          GOOGLE_API_URL: google.url,
          GOOGLE_TOKEN_URL: google.tokenUrl,
          GOOGLE_AUTH_URL: google.authUrl,
        },
      });
      owner = await signedInOwner(cairn, workspace);
    });
    after(async () => {
      await cairn?.close();
      await google?.close();
    });

    it("says the flow is ready and which redirect URI Google must allow", async () => {
      const status = await owner.request<Status>("GET", "/admin/api/connections/google/oauth");
      assert.equal(status.status, 200, JSON.stringify(status.body));
      assert.equal(status.body.configured, true);
      assert.deepEqual(status.body.missing, []);
      assert.equal(status.body.redirectUri, `${cairn.url}/admin/api/connections/google/callback`);
    });

    it("connects Google Calendar through consent, code exchange and connect_google; the connection syncs", async () => {
      const start = await owner.request<{ url: string }>("POST", "/admin/api/connections/google/oauth", {
        name: "Team calendar",
      });
      assert.equal(start.status, 200, JSON.stringify(start.body));
      const url = new URL(start.body.url);
      assert.equal(`${url.origin}${url.pathname}`, google.authUrl);
      assert.equal(url.searchParams.get("client_id"), CLIENT_ID);
      assert.equal(url.searchParams.get("access_type"), "offline");
      assert.equal(url.searchParams.get("response_type"), "code");
      assert.match(url.searchParams.get("scope") ?? "", /auth\/calendar/);
      assert.equal(
        url.searchParams.get("redirect_uri"),
        `${cairn.url}/admin/api/connections/google/callback`,
      );
      const state = url.searchParams.get("state") ?? "";
      assert.ok(state.length > 20);
      assert.equal(state.includes(workspace), false, "the state is sealed, not readable");

      const landed = await callback(cairn, owner, await consent(start.body.url));
      assert.equal(landed.pathname, "/admin/connections");
      assert.equal(landed.searchParams.get("google"), "connected", landed.searchParams.get("message") ?? "");
      const connectionId = landed.searchParams.get("connection") ?? "";

      const listed = await owner.request<{ connections: Connection[] }>(
        "POST",
        "/api/actions/list_connections",
        {},
      );
      const connection = listed.body.connections.find((c) => c.id === connectionId);
      assert.equal(connection?.kind, "google");
      assert.equal(connection?.name, "Team calendar");
      assert.equal(connection?.status, "active");
      assert.equal(JSON.stringify(listed.body).includes("1//fake-"), false, "no refresh token shown");

      const synced = await owner.request<{ results: { ok: boolean; error: string | null }[] }>(
        "POST",
        "/api/actions/sync_now",
        { connection: connectionId },
      );
      assert.equal(synced.status, 200, JSON.stringify(synced.body));
      assert.equal(synced.body.results[0]?.ok, true, JSON.stringify(synced.body.results[0]));
      const after = await owner.request<{ connections: Connection[] }>(
        "POST",
        "/api/actions/list_connections",
        {},
      );
      assert.ok((after.body.connections.find((c) => c.id === connectionId)?.counts.events ?? 0) >= 5);

      const audit = await owner.request<{ items: { action: string; target: string }[] }>(
        "GET",
        "/admin/api/audit?action=connect_google",
      );
      assert.ok(audit.body.items.some((entry) => entry.target === connectionId));
    });

    it("refuses a state from another session, a forged state and a refused consent", async () => {
      const start = await owner.request<{ url: string }>("POST", "/admin/api/connections/google/oauth", {});
      const back = await consent(start.body.url);

      const other = await signedInOwner(cairn, workspace);
      const stolen = await callback(cairn, other, back);
      assert.equal(stolen.searchParams.get("google"), "error");
      assert.match(stolen.searchParams.get("message") ?? "", /did not start from this console session/);

      const forged = new URL(back);
      const sealed = back.searchParams.get("state") ?? "";
      const middle = Math.floor(sealed.length / 2);
      const flipped = sealed[middle] === "A" ? "B" : "A";
      forged.searchParams.set("state", `${sealed.slice(0, middle)}${flipped}${sealed.slice(middle + 1)}`);
      const refused = await callback(cairn, owner, forged);
      assert.match(refused.searchParams.get("message") ?? "", /did not start from this console session/);

      const anonymous = await callback(cairn, new ConsoleClient(cairn.url), back);
      assert.match(anonymous.searchParams.get("message") ?? "", /sign in/i);

      const again = await owner.request<{ url: string }>("POST", "/admin/api/connections/google/oauth", {});
      const denied = await callback(cairn, owner, await consent(`${again.body.url}&denied=1`));
      assert.equal(denied.searchParams.get("google"), "error");
      assert.match(denied.searchParams.get("message") ?? "", /access was not granted/);
    });

    it("refuses to start the flow without the CSRF token", async () => {
      const refused = await owner.request("POST", "/admin/api/connections/google/oauth", {}, { csrf: false });
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
    });
  });
}

describe("Console: Google Calendar when Google is not configured", () => {
  let cairn: TestCairn;
  let owner: ConsoleClient;

  before(async () => {
    cairn = await startTestCairn({ db: "pglite", jobs: "in-process" });
    owner = await signedInOwner(cairn, `nogoogle-${randomUUID().slice(0, 6)}`);
  });
  after(() => cairn?.close());

  it("names the env variables to set", async () => {
    const status = await owner.request<Status>("GET", "/admin/api/connections/google/oauth");
    assert.equal(status.body.configured, false);
    assert.deepEqual(status.body.missing, ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"]);
    assert.match(status.body.help, /Set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET/);
    const start = await owner.request<{ detail: string; missing: string[] }>(
      "POST",
      "/admin/api/connections/google/oauth",
      {},
    );
    assert.equal(start.status, 409);
    assert.deepEqual(start.body.missing, ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"]);
    assert.match(start.body.detail, /GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET/);
  });
});
