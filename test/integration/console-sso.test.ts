/**
 * Console single sign-on against a local OpenID Connect issuer (test/fakes/oidc.ts), the one CAIRN_OAUTH_ISSUER
 * names: the sign-in page learns SSO is on; Sign in with SSO goes to the issuer with PKCE (S256), state and
 * nonce; the callback exchanges the code, verifies the ID token and signs in the console user with that
 * verified email. An email with no console user, an unverified email, a callback from another browser and a
 * cancelled sign-in are refused with a message on the sign-in page; without the settings SSO is off.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { type FakeOidc, startFakeOidc } from "../fakes/oidc.ts";
import { startTestCairn, type TestCairn } from "../support/harness.ts";

/** A browser's cookies for one origin, enough to follow the SSO redirects. */
class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const answer = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const line of answer.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return answer;
  }

  /** Sign in with SSO → the issuer → the callback; returns where the console finally sends the browser. */
  async signInWithSso(cairnUrl: string): Promise<URL> {
    const start = await this.get(`${cairnUrl}/admin/api/sso/start`);
    assert.equal(start.status, 302, await start.text());
    const atIssuer = await this.get(start.headers.get("location") ?? "");
    assert.equal(atIssuer.status, 302, await atIssuer.text());
    const callback = await this.get(atIssuer.headers.get("location") ?? "");
    assert.equal(callback.status, 303, await callback.text());
    return new URL(callback.headers.get("location") ?? "", cairnUrl);
  }
}

describe("Console single sign-on through the OAuth issuer", () => {
  let issuer: FakeOidc;
  let cairn: TestCairn;
  const workspace = `sso-${randomUUID().slice(0, 6)}`;
  const ownerEmail = `owner-${randomUUID().slice(0, 6)}@example.com`;

  before(async () => {
    issuer = await startFakeOidc({ clientId: "cairn-console", clientSecret: "console-sso-secret" });
    cairn = await startTestCairn({
      db: "pglite",
      jobs: "in-process",
      env: {
        CAIRN_OAUTH_ISSUER: issuer.issuer,
        CAIRN_OAUTH_CLIENT_ID: "cairn-console",
        CAIRN_OAUTH_CLIENT_SECRET: "console-sso-secret",
      },
    });
    await createOrResetOwner(cairn.engine.services.db, {
      workspace,
      email: ownerEmail,
      password: "correct horse battery",
    });
  });
  after(async () => {
    await cairn?.close();
    await issuer?.close();
  });

  it("tells the sign-in page that SSO is on", async () => {
    const answer = await fetch(`${cairn.url}/admin/api/sso`);
    assert.deepEqual(await answer.json(), { enabled: true });
  });

  it("signs in the console user whose verified email the issuer vouches for, with PKCE", async () => {
    issuer.setUser({ sub: "idp-owner", email: ownerEmail.toUpperCase(), emailVerified: true });
    const browser = new Browser();
    const landed = await browser.signInWithSso(cairn.url);
    assert.equal(landed.pathname, "/admin/");
    assert.equal(landed.searchParams.get("sso_error"), null);
    assert.ok(browser.cookies.get("cairn_session"), "a session cookie was set");
    assert.equal(browser.cookies.has("cairn_sso"), false, "the flow cookie is cleared");

    const authorize = issuer.requests.findLast((r) => r.path === "/authorize");
    assert.equal(authorize?.query.code_challenge_method, "S256");
    assert.equal(authorize?.query.redirect_uri, `${cairn.url}/admin/api/sso/callback`);
    assert.ok(authorize?.query.nonce && authorize.query.state);
    const token = issuer.requests.findLast((r) => r.path === "/token");
    assert.ok((token?.body as { code_verifier?: string } | undefined)?.code_verifier, "the verifier is sent");

    const session = await browser.get(`${cairn.url}/admin/api/session`);
    assert.equal(session.status, 200);
    const body = (await session.json()) as { user: { email: string; role: string } };
    assert.equal(body.user.email, ownerEmail);
    assert.equal(body.user.role, "owner");
  });

  it("refuses an email with no console user, and says how to get access", async () => {
    const stranger = `stranger-${randomUUID().slice(0, 6)}@example.com`;
    issuer.setUser({ sub: "idp-stranger", email: stranger, emailVerified: true });
    const browser = new Browser();
    const landed = await browser.signInWithSso(cairn.url);
    assert.match(landed.searchParams.get("sso_error") ?? "", new RegExp(`${stranger} has no access`));
    assert.equal(browser.cookies.has("cairn_session"), false);
  });

  it("refuses an unverified email and a cancelled sign-in", async () => {
    issuer.setUser({ sub: "idp-owner", email: ownerEmail, emailVerified: false });
    const unverified = await new Browser().signInWithSso(cairn.url);
    assert.match(unverified.searchParams.get("sso_error") ?? "", /not verified/);

    issuer.setUser(undefined);
    const cancelled = await new Browser().signInWithSso(cairn.url);
    assert.match(cancelled.searchParams.get("sso_error") ?? "", /cancelled/);
  });

  it("refuses a callback carried to another browser (state and PKCE belong to the one that started)", async () => {
    issuer.setUser({ sub: "idp-owner", email: ownerEmail, emailVerified: true });
    const victim = new Browser();
    const start = await victim.get(`${cairn.url}/admin/api/sso/start`);
    const atIssuer = await victim.get(start.headers.get("location") ?? "");
    const callbackUrl = atIssuer.headers.get("location") ?? "";

    const attacker = new Browser();
    const answer = await attacker.get(callbackUrl);
    assert.equal(answer.status, 303);
    const landed = new URL(answer.headers.get("location") ?? "", cairn.url);
    assert.match(landed.searchParams.get("sso_error") ?? "", /did not start from this browser/);
    assert.equal(attacker.cookies.has("cairn_session"), false);
  });
});

describe("Console single sign-on when not configured", () => {
  let cairn: TestCairn;
  before(async () => {
    cairn = await startTestCairn({ db: "pglite", jobs: "in-process" });
  });
  after(() => cairn?.close());

  it("is off, and its start route says which variables turn it on", async () => {
    assert.deepEqual(await (await fetch(`${cairn.url}/admin/api/sso`)).json(), { enabled: false });
    const start = await fetch(`${cairn.url}/admin/api/sso/start`, { redirect: "manual" });
    assert.equal(start.status, 404);
    assert.match(
      ((await start.json()) as { detail: string }).detail,
      /CAIRN_OAUTH_ISSUER and CAIRN_OAUTH_CLIENT_ID/,
    );
  });
});
