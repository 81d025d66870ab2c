/**
 * Single sign-on in Chromium against the local OIDC issuer: the sign-in page shows Sign in with SSO when it
 * is configured; it signs in the console user with that verified email, and shows why an unknown email is
 * refused. The Email / Password form stays as it was.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeOidc, startFakeOidc } from "../../fakes/oidc.ts";
import { startTestCairn, type TestCairn } from "../../support/harness.ts";
import { browserSkip, openBrowser, watchPage } from "./browser.ts";
import { ensureConsoleBuilt } from "./build.ts";

const OWNER = { email: "sso-owner@example.com", password: "correct horse battery", name: "Sso Owner" };

describe("admin console single sign-on in Chromium", { skip: browserSkip() }, () => {
  let issuer: FakeOidc;
  let cairn: TestCairn;

  before(async () => {
    await ensureConsoleBuilt();
    issuer = await startFakeOidc({ clientId: "cairn-console" });
    cairn = await startTestCairn({
      env: { CAIRN_OAUTH_ISSUER: issuer.issuer, CAIRN_OAUTH_CLIENT_ID: "cairn-console" },
    });
    const setup = await fetch(`${cairn.url}/admin/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(OWNER),
    });
    assert.equal(setup.status, 200, await setup.text());
  });
  after(async () => {
    await cairn?.close();
    await issuer?.close();
  });

  it("signs in with SSO, and says why an email without a console user is refused", async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      const problems = watchPage(page);
      problems.expect(401, /^\/admin\/api\/session$/);

      issuer.setUser({ sub: "stranger", email: "stranger@example.com", emailVerified: true });
      await page.goto(`${cairn.url}/admin`);
      await page.getByLabel("Email").waitFor();
      await page.getByRole("link", { name: "Sign in with SSO" }).click();
      await page.getByRole("alert").filter({ hasText: "stranger@example.com has no access" }).waitFor();
      assert.equal(new URL(page.url()).search, "", "the message does not stay in the address bar");

      issuer.setUser({ sub: "owner", email: OWNER.email, emailVerified: true });
      await page.getByRole("link", { name: "Sign in with SSO" }).click();
      await page.getByRole("navigation", { name: "Console" }).waitFor();
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      assert.deepEqual(problems.errors, []);
    } finally {
      await browser.close();
    }
  });
});
