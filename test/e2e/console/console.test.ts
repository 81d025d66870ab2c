/**
 * The admin console in headless Chromium against a real Cairn (PGlite, in-process queue, workers running)
 * and the local Notion fake: sign-in, a connection, a sync, the week updating live, tokens, sign-out, roles,
 * CSRF, the sign-in rate limit, axe-core and screenshots of every page at 1280 and 390 px.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type FakeGoogle, startFakeGoogle } from "../../fakes/google-calendar.ts";
import { type FakeNotion, startFakeNotion } from "../../fakes/notion.ts";
import { startTestCairn, type TestCairn } from "../../support/harness.ts";
import {
  assertAccessible,
  browserSkip,
  openBrowser,
  type PageProblems,
  screenshot,
  watchPage,
} from "./browser.ts";
import { ensureConsoleBuilt } from "./build.ts";

const OWNER = { email: "owner@example.com", password: "correct horse battery", name: "Olive Owner" };
const MEMBER = { email: "member@example.com", password: "member password 1", name: "Max Member" };
const NAV = ["Overview", "Connections", "People", "Plans", "Insights", "Nudges", "Audit log", "Bots and MCP"];

/**
 * A browser of its own for each test (fresh profile: no cookie carried over) and a page with its problem
 * watcher; the signed-out session check is the one refusal every page expects.
 */
async function withPage(run: (page: Page, problems: PageProblems) => Promise<void>): Promise<void> {
  const browser = await openBrowser();
  try {
    const page = await browser.context.newPage();
    const problems = watchPage(page);
    problems.expect(401, /^\/admin\/api\/session$/);
    await run(page, problems);
  } finally {
    await browser.close();
  }
}

async function signIn(page: Page, base: string, who: { email: string; password: string }) {
  await page.goto(`${base}/admin`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Console" }).waitFor();
}

async function settled(page: Page) {
  // A locator, not waitForFunction: a string predicate is eval'd in the page, which the console's CSP forbids.
  await page.locator('[aria-busy="true"]').first().waitFor({ state: "detached" });
}

/** The paths (and queries) of the insights requests the page makes from now on. */
function insightRequests(page: Page): string[] {
  const asked: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.includes("insights")) asked.push(`${url.pathname}${url.search}`);
  });
  return asked;
}

/** A call from inside the signed-in page, as the console makes it (cookie, and the CSRF header unless told not). */
async function callInPage(
  page: Page,
  path: string,
  body: unknown,
  options: { method?: string; csrf?: boolean } = {},
): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ path, body, method, csrf }) => {
      const session = (await (await fetch("/admin/api/session")).json()) as { csrfToken: string };
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (csrf) headers["X-CSRF-Token"] = session.csrfToken;
      const response = await fetch(path, { method, headers, body: JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    { path, body, method: options.method ?? "POST", csrf: options.csrf ?? true },
  );
}

describe("admin console in Chromium", { skip: browserSkip() }, () => {
  let cairn: TestCairn;
  let notion: FakeNotion;
  let google: FakeGoogle;

  before(async () => {
    await ensureConsoleBuilt();
    notion = await startFakeNotion({ token: "ntn_console" });
    const { dataSources } = notion.state.addDatabase({ title: "Team tasks" });
    notion.state.generatePages(dataSources[0]?.id as string, 6, { seed: 13 });
    google = await startFakeGoogle();
    cairn = await startTestCairn({
      env: {
        GOOGLE_CLIENT_ID: google.state.clientId,
        GOOGLE_CLIENT_SECRET: google.state.clientSecret,
        GOOGLE_API_URL: google.url,
        GOOGLE_TOKEN_URL: google.tokenUrl,
        GOOGLE_AUTH_URL: google.authUrl,
      },
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
    await notion?.close();
    await google?.close();
  });

  it("an owner signs in, connects Notion, syncs, watches the week update live, makes and revokes a token, signs out", () =>
    withPage(async (page, problems) => {
      await signIn(page, cairn.url, OWNER);
      const nav = page.getByRole("navigation", { name: "Console" });
      assert.deepEqual(await nav.getByRole("link").allTextContents(), NAV);

      // Connect Notion against the fake, from the form the action's schema describes.
      await nav.getByRole("link", { name: "Connections" }).click();
      await page.getByRole("button", { name: "Add Notion" }).click();
      const form = page.getByRole("form", { name: "Connect Notion" });
      await form.getByLabel("Name", { exact: true }).fill("Team board");
      await form.getByLabel("Token", { exact: true }).fill("ntn_console");
      await form.getByLabel("API URL").fill(notion.url);
      await form.getByLabel("Sync every minutes").fill("0");
      await form.getByRole("button", { name: "Connect" }).click();
      await page.getByRole("heading", { name: /Team board/ }).waitFor();

      await page.getByRole("button", { name: "Sync now" }).click();
      await page.getByRole("status").filter({ hasText: "Synced: 6 created" }).waitFor();
      await page.getByText(/6 tasks · 0 events/).waitFor();
      await page.getByRole("button", { name: "Preview mapped tasks" }).click();
      const preview = page.getByRole("table").filter({ hasText: "Mapped tasks" });
      await preview.waitFor();
      assert.ok((await preview.getByRole("row").count()) > 1, "the preview lists the synced tasks");

      // The week: a new task and a replan made outside the page arrive through the change feed.
      await nav.getByRole("link", { name: "Plans" }).click();
      await page.getByRole("heading", { name: "Plans", level: 1 }).waitFor();
      await settled(page);
      const created = await callInPage(page, "/api/actions/create_task", {
        title: "Write the quarterly report",
        estimateMinutes: 90,
        priority: 1,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const planned = await callInPage(page, "/api/actions/plan_week", {});
      assert.equal(planned.status, 200, JSON.stringify(planned.body));
      const week = page.getByRole("region", { name: "Week timeline" });
      const block = week.getByRole("listitem").filter({ hasText: "Write the quarterly report" }).first();
      await block.waitFor();
      await block.focus();
      const reason = page.getByRole("tooltip").filter({ visible: true });
      await reason.waitFor();
      assert.ok(((await reason.textContent()) ?? "").length > 5, "a focused block shows why it sits there");

      // A token: shown once, then revoked.
      await nav.getByRole("link", { name: "People" }).click();
      await page.getByLabel("Token name").fill("e2e laptop");
      await page.getByRole("button", { name: "Create token" }).click();
      assert.match(await page.getByLabel("New token").inputValue(), /^cairn_/);
      await page.getByRole("button", { name: "I have copied it" }).click();
      await page.getByRole("button", { name: "Revoke e2e laptop" }).click();
      await page.getByRole("cell", { name: /^revoked/ }).waitFor();

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      const after = await page.evaluate(async () => (await fetch("/admin/api/session")).status);
      assert.equal(after, 401, "the session ended on the server too");
      assert.deepEqual(problems.errors, []);
    }));

  it("an owner adds Google Calendar through Google's consent screen and edits a Notion mapping without the token", () =>
    withPage(async (page, problems) => {
      await signIn(page, cairn.url, OWNER);
      const nav = page.getByRole("navigation", { name: "Console" });
      await nav.getByRole("link", { name: "Connections" }).click();
      await page.getByRole("heading", { level: 1, name: "Connections" }).waitFor();
      // Going to Google leaves the page: let its own requests finish first.
      await settled(page);
      await page.getByRole("button", { name: "Add Google Calendar" }).click();
      const consent = page.getByRole("form", { name: "Connect Google Calendar with Google" });
      await consent.getByLabel("Connection name").fill("Work calendar");
      await consent.getByRole("button", { name: "Continue to Google" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: "Google Calendar connected as “Work calendar”" })
        .waitFor();
      assert.equal(new URL(page.url()).pathname, "/admin/connections");
      assert.equal(new URL(page.url()).search, "", "the outcome is not left in the address bar");
      await page.getByRole("heading", { name: /Work calendar/ }).waitFor();

      const source = notion.state.addDatabase({
        title: "Estimates",
        dataSources: [{ name: "Estimates", schema: { Name: "title", Effort: "number" } }],
      }).dataSources[0]?.id as string;
      notion.state.addPage(source, { properties: { Name: "Estimate me", Effort: 30 } });
      const connected = await callInPage(page, "/api/actions/connect_notion", {
        name: "Estimates board",
        token: "ntn_console",
        apiUrl: notion.url,
        dataSourceIds: [source],
        syncEveryMinutes: 0,
      });
      assert.equal(connected.status, 200, JSON.stringify(connected.body));
      // No reload: the change feed brings the new connection onto the page.
      await page.getByRole("heading", { name: /Estimates board/ }).waitFor();
      const item = page
        .getByRole("listitem")
        .filter({ has: page.getByRole("heading", { name: /Estimates board/ }) });
      await item.getByRole("button", { name: "Sync now" }).click();
      await item.getByRole("status").filter({ hasText: "Synced: 1 created" }).waitFor();
      await item.getByRole("button", { name: "Edit mapping" }).click();
      const editor = item.getByRole("form", { name: "Edit Notion mapping" });
      await editor.getByLabel("Property map").fill("title = Name\nestimate = Effort");
      await editor.getByLabel("Estimate unit").selectOption("minutes");
      await editor.getByRole("button", { name: "Save mapping" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: /Estimates board: Saved \(changed: estimateUnit/ })
        .waitFor();
      await item.getByRole("table").filter({ hasText: "Mapped tasks" }).waitFor();
      const listed = await callInPage(page, "/api/actions/list_tasks", { source: "notion", limit: 200 });
      const tasks = (listed.body as { tasks: { title: string; estimateMinutes: number | null }[] }).tasks;
      assert.equal(
        tasks.find((task) => task.title === "Estimate me")?.estimateMinutes,
        30,
        "Effort read in minutes",
      );
      assert.deepEqual(problems.errors, []);
    }));

  it("every page passes axe-core and is captured at 1280 and 390 px", () =>
    withPage(async (page, problems) => {
      await page.goto(`${cairn.url}/admin`);
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      await assertAccessible(page, "sign-in");
      await screenshot(page, "sign-in");
      await signIn(page, cairn.url, OWNER);
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        for (const label of NAV) {
          await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: label }).click();
          await page.getByRole("heading", { level: 1, name: label }).waitFor();
          await settled(page);
          await assertAccessible(page, `${label} at ${width} px`);
          await screenshot(page, label.toLowerCase().replaceAll(" ", "-"));
        }
      }
      assert.deepEqual(problems.errors, []);
    }));

  it("Insights: an owner's first view is one request for the aggregate and their own numbers", () =>
    withPage(async (page, problems) => {
      await signIn(page, cairn.url, OWNER);
      const peer = await callInPage(page, "/api/actions/add_person", {
        email: "insights-peer@example.com",
        name: "Ivy Insights",
      });
      assert.equal(peer.status, 200, JSON.stringify(peer.body));
      const peerId = (peer.body as { id: string }).id;
      const asked = insightRequests(page);
      await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Insights" }).click();
      await page.getByRole("heading", { level: 2, name: "The workspace" }).waitFor();
      await page.getByRole("heading", { level: 3, name: "Score" }).waitFor();
      await page.getByText(/^Figures as of /).waitFor();
      await settled(page);
      assert.equal(asked.length, 1, asked.join(", "));
      assert.match(asked[0] ?? "", /^\/admin\/api\/insights\/workspace\?personId=[0-9a-f-]{36}$/);
      // Another person is read on their own, through the person's endpoint.
      const answered = page.waitForResponse((response) =>
        response.url().endsWith(`/people/${peerId}/insights`),
      );
      await page.getByLabel("Person").selectOption({ label: "Ivy Insights" });
      assert.equal((await answered).status(), 200);
      await settled(page);
      assert.equal(asked.length, 2, asked.join(", "));
      assert.deepEqual(problems.errors, []);
    }));

  it("a member sees only their own pages and cannot open admin ones", async () => {
    let memberId = "";
    await withPage(async (page) => {
      await signIn(page, cairn.url, OWNER);
      const person = await callInPage(page, "/api/actions/add_person", {
        email: MEMBER.email,
        name: MEMBER.name,
      });
      assert.equal(person.status, 200, JSON.stringify(person.body));
      memberId = (person.body as { id: string }).id;
      const invited = await callInPage(page, `/admin/api/people/${memberId}/password`, {
        password: MEMBER.password,
      });
      assert.ok(invited.status < 300, JSON.stringify(invited.body));
    });
    await withPage(async (page, problems) => {
      problems.expect(403, /^\/admin\/api\/audit$/);
      await signIn(page, cairn.url, MEMBER);
      assert.deepEqual(
        await page.getByRole("navigation", { name: "Console" }).getByRole("link").allTextContents(),
        ["People", "Plans", "Insights", "Nudges"],
      );
      const asked = insightRequests(page);
      await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Insights" }).click();
      await page.getByRole("heading", { level: 3, name: "Score" }).waitFor();
      await settled(page);
      assert.equal(await page.getByRole("heading", { name: "The workspace" }).count(), 0, "no aggregate");
      assert.deepEqual(asked, [`/admin/api/people/${memberId}/insights`], "only their own insights");
      await page.goto(`${cairn.url}/admin/audit`);
      await page.getByRole("heading", { name: "Not available to your role" }).waitFor();
      const audit = await page.evaluate(async () => (await fetch("/admin/api/audit")).status);
      assert.equal(audit, 403, "the server refuses too, not only the menu");
      assert.deepEqual(problems.errors, []);
    });
  });

  it("refuses a state-changing request without the CSRF token", () =>
    withPage(async (page, problems) => {
      problems.expect(403, /^\/api\/actions\/create_task$/);
      await signIn(page, cairn.url, OWNER);
      const refused = await callInPage(
        page,
        "/api/actions/create_task",
        { title: "sneaky" },
        { csrf: false },
      );
      assert.equal(refused.status, 403);
      assert.equal((refused.body as { title: string }).title, "CSRF token missing or wrong");
      const allowed = await callInPage(page, "/api/actions/create_task", { title: "with the token" });
      assert.equal(allowed.status, 200);
      assert.deepEqual(problems.errors, []);
    }));

  it("rate-limits wrong passwords and says so", () =>
    withPage(async (page, problems) => {
      problems.expect(429, /^\/admin\/api\/session$/);
      await page.goto(`${cairn.url}/admin`);
      await page.getByLabel("Email").fill("guess@example.com");
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 6; attempt++) {
        await page.getByLabel("Password").fill(`wrong password ${attempt}`);
        const [response] = await Promise.all([
          page.waitForResponse(
            (r) => r.url().endsWith("/admin/api/session") && r.request().method() === "POST",
          ),
          page.getByRole("button", { name: "Sign in" }).click(),
        ]);
        statuses.push(response.status());
        await page.getByRole("alert").waitFor();
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      assert.match((await page.getByRole("alert").textContent()) ?? "", /.+/);
      assert.deepEqual(problems.errors, []);
    }));
});
