/**
 * The admin console's sign-in over HTTP, as a browser does it: first-owner setup from this machine only,
 * sign-in and sign-out with the session cookie's flags, the CSRF token on every state-changing request
 * (console API and actions API), cross-site sign-in refused, and the lockout after wrong passwords.
 * Runs on every backend.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { ConsoleClient } from "../support/console-client.ts";
import { backends, startTestCairn, type TestCairn } from "../support/harness.ts";

const PASSWORD = "correct horse battery";
const uniqueEmail = () => `${randomUUID().slice(0, 8)}@example.com`;

interface SessionBody {
  user: {
    email: string;
    name: string;
    role: string;
    personId: string;
    workspace: { id: string; slug: string; name: string };
  };
  csrfToken: string;
}

for (const backend of backends()) {
  describe(`Console setup of the first owner (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    before(async () => {
      cairn = await startTestCairn({ db: backend.db, jobs: backend.jobs, startWorkers: false });
    });
    after(() => cairn?.close());

    it("is offered to localhost only until an owner exists, and signs the owner in", async () => {
      const browser = new ConsoleClient(cairn.url);
      const anonymous = await browser.request("GET", "/admin/api/session");
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.setupAvailable, true);
      assert.equal(typeof anonymous.body.title, "string");

      const proxied = await browser.request("GET", "/admin/api/session", undefined, {
        headers: { "x-forwarded-for": "203.0.113.9" },
      });
      assert.equal(proxied.body.setupAvailable, false, "a forwarded request is not from this machine");
      const remoteSetup = await browser.request(
        "POST",
        "/admin/api/setup",
        { email: "owner@example.com", password: PASSWORD },
        { headers: { "x-forwarded-for": "203.0.113.9" } },
      );
      assert.equal(remoteSetup.status, 403);
      assert.equal(browser.cookie, undefined);

      const short = await browser.request("POST", "/admin/api/setup", {
        email: "owner@example.com",
        password: "short",
      });
      assert.equal(short.status, 400);
      assert.match(JSON.stringify(short.body), /password/);

      const setup = await browser.request<SessionBody>("POST", "/admin/api/setup", {
        email: "owner@example.com",
        password: PASSWORD,
        name: "Olive Owner",
      });
      assert.equal(setup.status, 200, JSON.stringify(setup.body));
      assert.equal(setup.body.user.role, "owner");
      assert.equal(setup.body.user.name, "Olive Owner");
      assert.equal(setup.body.user.workspace.slug, cairn.config.CAIRN_WORKSPACE);
      assert.ok(browser.cookie && browser.csrf);

      const me = await browser.request<SessionBody>("GET", "/admin/api/session");
      assert.equal(me.status, 200);
      assert.equal(me.body.user.email, "owner@example.com");
      assert.equal(me.body.csrfToken, setup.body.csrfToken);

      const again = await new ConsoleClient(cairn.url).request("POST", "/admin/api/setup", {
        email: "intruder@example.com",
        password: PASSWORD,
      });
      assert.equal(again.status, 403, "setup closes once an owner exists");
      const later = await new ConsoleClient(cairn.url).request("GET", "/admin/api/session");
      assert.equal(later.body.setupAvailable, false);
    });
  });

  describe(`Console sign-in, sessions and CSRF (${backend.name})`, { skip: backend.skip }, () => {
    let cairn: TestCairn;
    let owner: string;
    before(async () => {
      cairn = await startTestCairn({
        db: backend.db,
        jobs: backend.jobs,
        startWorkers: false,
        env: { CAIRN_TRUST_PROXY: "1" },
      });
      owner = uniqueEmail();
      await createOrResetOwner(cairn.engine.services.db, {
        workspace: "console-a",
        email: owner,
        password: PASSWORD,
      });
    });
    after(() => cairn?.close());

    it("signs in with a httpOnly, SameSite=Lax cookie, Secure when the request came over HTTPS", async () => {
      const plain = await fetch(`${cairn.url}/admin/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: owner, password: PASSWORD }),
      });
      assert.equal(plain.status, 200);
      const cookie = plain.headers.getSetCookie().find((c) => c.startsWith("cairn_session=")) ?? "";
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/i);
      const body = (await plain.json()) as SessionBody;
      assert.equal(body.user.role, "owner");
      assert.equal(body.user.workspace.slug, "console-a");

      const overHttps = await fetch(`${cairn.url}/admin/api/session`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-forwarded-proto": "https",
          "x-forwarded-for": "198.51.100.7",
        },
        body: JSON.stringify({ email: owner, password: PASSWORD }),
      });
      assert.equal(overHttps.status, 200);
      assert.match(overHttps.headers.getSetCookie().join("\n"), /cairn_session=[^;]+;.*Secure/i);
    });

    it("answers a wrong password and an unknown email alike", async () => {
      const browser = new ConsoleClient(cairn.url);
      const wrong = await browser.request("POST", "/admin/api/session", {
        email: owner,
        password: "not the password",
      });
      const unknown = await browser.request("POST", "/admin/api/session", {
        email: uniqueEmail(),
        password: PASSWORD,
      });
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.equal(wrong.body.title, "Email or password is wrong");
      assert.deepEqual(wrong.body, unknown.body);
      assert.equal(browser.cookie, undefined);
      const missing = await browser.request("POST", "/admin/api/session", { email: owner });
      assert.equal(missing.status, 400);
      assert.match(JSON.stringify(missing.body), /password/);
    });

    it("refuses a sign-in posted from another site", async () => {
      const crossSite = await new ConsoleClient(cairn.url).request(
        "POST",
        "/admin/api/session",
        { email: owner, password: PASSWORD },
        { headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } },
      );
      assert.equal(crossSite.status, 403);
      const sameSite = await new ConsoleClient(cairn.url).request(
        "POST",
        "/admin/api/session",
        { email: owner, password: PASSWORD },
        { headers: { origin: cairn.url, "sec-fetch-site": "same-origin" } },
      );
      assert.equal(sameSite.status, 200);
    });

    it("needs the CSRF token for state-changing requests on the console and the actions API", async () => {
      const browser = new ConsoleClient(cairn.url);
      await browser.signIn(owner, PASSWORD);

      const listed = await browser.request<{ actions: { name: string }[] }>("GET", "/api/actions");
      assert.equal(listed.status, 200, "the actions API accepts the session cookie");
      assert.ok(listed.body.actions.some((a) => a.name === "create_token"));

      const withoutToken = await browser.request(
        "POST",
        "/api/actions/create_token",
        { name: "laptop" },
        { csrf: false },
      );
      assert.equal(withoutToken.status, 403);
      assert.equal(withoutToken.body.title, "CSRF token missing or wrong");
      const wrongToken = await browser.request(
        "POST",
        "/api/actions/create_token",
        { name: "laptop" },
        { csrf: false, headers: { "x-csrf-token": "guess" } },
      );
      assert.equal(wrongToken.status, 403);
      const logout = await browser.request("DELETE", "/admin/api/session", undefined, { csrf: false });
      assert.equal(logout.status, 403, "signing out needs the token too");

      const created = await browser.request<{ token: string; name: string; prefix: string }>(
        "POST",
        "/api/actions/create_token",
        { name: "laptop" },
      );
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.name, "laptop");
      assert.ok(created.body.token.startsWith(created.body.prefix));
      const asBearer = await cairn.call(created.body.token, "whoami", {});
      assert.equal(asBearer.status, 200, "the new token works as a bearer token");
    });

    it("signs out: the cookie is cleared and the session no longer works", async () => {
      const browser = new ConsoleClient(cairn.url);
      await browser.signIn(owner, PASSWORD);
      const oldCookie = browser.cookie;
      const out = await browser.request("DELETE", "/admin/api/session");
      assert.equal(out.status, 204);
      assert.match(out.headers.getSetCookie().join("\n"), /cairn_session=;/);
      browser.cookie = oldCookie;
      assert.equal((await browser.request("GET", "/admin/api/session")).status, 401);
      assert.equal((await browser.request("GET", "/api/actions")).status, 401);
    });

    it("locks an email out from an address after 5 wrong passwords, the right one included", async () => {
      const email = uniqueEmail();
      await createOrResetOwner(cairn.engine.services.db, {
        workspace: "console-a",
        email,
        password: PASSWORD,
      });
      const browser = new ConsoleClient(cairn.url);
      for (let attempt = 1; attempt <= 5; attempt++) {
        const wrong = await browser.request("POST", "/admin/api/session", {
          email,
          password: `wrong ${attempt}`,
        });
        assert.equal(wrong.status, 401, `attempt ${attempt}`);
      }
      const locked = await browser.request("POST", "/admin/api/session", { email, password: PASSWORD });
      assert.equal(locked.status, 429);
      const retryAfter = Number(locked.headers.get("retry-after"));
      assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
      assert.equal(browser.cookie, undefined);
      // Another address is not locked out of the same account.
      const elsewhere = await new ConsoleClient(cairn.url).request(
        "POST",
        "/admin/api/session",
        { email, password: PASSWORD },
        { headers: { "x-forwarded-for": "198.51.100.20" } },
      );
      assert.equal(elsewhere.status, 200);
    });
  });
}
