import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { HttpException, Version3Client } from "jira.js";
import { buildJiraWebhookEvent, type FakeJira, signJiraWebhook, startFakeJira } from "./jira.ts";

/** Retry-After as the connector will see it: jira.js wraps the AxiosError in `cause`. */
function retryAfterOf(error: unknown): string | undefined {
  if (!(error instanceof HttpException)) return undefined;
  const cause: unknown = error.cause;
  if (typeof cause !== "object" || cause === null || !("response" in cause)) return undefined;
  const response: unknown = cause.response;
  if (typeof response !== "object" || response === null || !("headers" in response)) return undefined;
  const headers: unknown = response.headers;
  if (typeof headers !== "object" || headers === null || !("retry-after" in headers)) return undefined;
  const value: unknown = headers["retry-after"];
  return typeof value === "string" ? value : undefined;
}

describe("fake Jira Cloud (REST v3) with jira.js Version3Client", () => {
  let fake: FakeJira;
  let jira: Version3Client;

  before(async () => {
    fake = await startFakeJira({
      email: "me@example.com",
      apiToken: "tok_123",
      userTimeZone: "Europe/Paris",
    });
    fake.state.generateIssues(250, {
      projectKey: "CAIRN",
      startTime: "2026-03-01T08:00:00.000Z",
      stepMinutes: 1,
    });
    fake.state.generateIssues(20, { projectKey: "OTHER", startTime: "2026-03-01T08:00:00.000Z", seed: 2 });
    jira = new Version3Client({
      host: fake.url,
      authentication: { basic: { email: "me@example.com", apiToken: "tok_123" } },
    });
  });

  after(async () => {
    await fake.close();
  });

  it("identifies the API user", async () => {
    const me = await jira.myself.getCurrentUser();
    assert.equal(me.emailAddress, "me@example.com");
    assert.equal(me.accountId, fake.state.me.accountId);
    assert.equal(me.timeZone, "Europe/Paris");
  });

  it("paginates the enhanced JQL search with nextPageToken / isLast", async () => {
    const seen: string[] = [];
    let nextPageToken: string | undefined;
    let pages = 0;
    do {
      const page = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
        jql: "project = CAIRN ORDER BY updated ASC",
        fields: ["summary", "status", "updated"],
        maxResults: 100,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      pages++;
      for (const issue of page.issues ?? []) seen.push(issue.key);
      nextPageToken = page.nextPageToken ?? undefined;
      // jira.js 5.4 types the response as SearchAndReconcileResults, which omits the documented `isLast`.
      const { isLast } = page as typeof page & { isLast?: boolean };
      assert.equal(isLast, nextPageToken === undefined);
    } while (nextPageToken);
    assert.equal(pages, 3);
    assert.equal(seen.length, 250);
    assert.equal(seen[0], "CAIRN-1");
    assert.equal(seen[249], "CAIRN-250");
  });

  it("filters on updated >= in the user's time zone, assignee and project (POST)", async () => {
    // 12:00 Paris (UTC+1 in March) is 11:00Z, i.e. issue 181 onwards (08:00Z + 180 min).
    const result = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
      jql: 'project = CAIRN AND updated >= "2026-03-01 12:00" ORDER BY updated ASC',
      fields: ["summary", "updated", "assignee"],
      maxResults: 100,
    });
    assert.equal(result.issues?.length, 70);
    assert.equal(result.issues?.[0]?.key, "CAIRN-181");
    assert.equal(result.issues?.[0]?.fields.updated, "2026-03-01T12:00:00.000+0100");

    const mine = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
      jql: "project = CAIRN AND assignee = currentUser() ORDER BY updated ASC",
      fields: ["assignee"],
      maxResults: 100,
    });
    assert.ok((mine.issues?.length ?? 0) > 0);
    assert.ok(mine.issues?.every((i) => i.fields.assignee?.accountId === fake.state.me.accountId));
  });

  it("returns only ids by default and rejects unbounded JQL", async () => {
    const ids = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: "project = OTHER" });
    assert.equal(ids.issues?.length, 20);
    assert.equal(ids.issues?.[0]?.fields, undefined);
    await assert.rejects(
      jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: "ORDER BY updated ASC" }),
      (error: unknown) => error instanceof HttpException && error.status === 400,
    );
  });

  it("reads an issue with its documented field shapes", async () => {
    fake.state.addIssue({
      key: "CAIRN-900",
      summary: "Ship the planner",
      description: "Full text",
      priority: "High",
      duedate: "2026-03-20",
      originalEstimateSeconds: 7200,
      remainingEstimateSeconds: 3600,
      parentKey: "CAIRN-1",
      labels: ["backend"],
      blockedBy: ["CAIRN-2"],
    });
    const issue = await jira.issues.getIssue({ issueIdOrKey: "CAIRN-900" });
    assert.equal(issue.fields.summary, "Ship the planner");
    assert.equal(issue.fields.priority?.name, "High");
    assert.equal(issue.fields.duedate, "2026-03-20");
    assert.equal(issue.fields.timetracking?.originalEstimateSeconds, 7200);
    assert.equal(issue.fields.timeoriginalestimate, 7200);
    assert.equal(issue.fields.status?.statusCategory?.key, "new");
    assert.equal(issue.fields.parent?.key, "CAIRN-1");
    assert.equal(issue.fields.description?.type, "doc");
    const link = issue.fields.issuelinks?.[0];
    assert.equal(link?.type?.inward, "is blocked by");
    assert.equal(link?.inwardIssue?.key, "CAIRN-2");
    const blocker = await jira.issues.getIssue({ issueIdOrKey: "CAIRN-2", fields: ["issuelinks"] });
    assert.ok(blocker.fields.issuelinks?.some((l) => l.outwardIssue?.key === "CAIRN-900"));
  });

  it("transitions an issue to a done category and bumps updated", async () => {
    const before = fake.state.issues.get("CAIRN-900")?.updated.getTime() ?? 0;
    const { transitions } = await jira.issues.getTransitions({ issueIdOrKey: "CAIRN-900" });
    const done = transitions?.find((t) => t.to?.statusCategory?.key === "done");
    assert.ok(done?.id);
    await jira.issues.doTransition({ issueIdOrKey: "CAIRN-900", transition: { id: done.id } });
    const issue = await jira.issues.getIssue({ issueIdOrKey: "CAIRN-900", fields: ["status", "updated"] });
    assert.equal(issue.fields.status?.statusCategory?.key, "done");
    assert.ok((fake.state.issues.get("CAIRN-900")?.updated.getTime() ?? 0) > before);
  });

  it("drops deleted issues from search and 404s them", async () => {
    fake.state.deleteIssue("OTHER-3");
    const ids = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: "project = OTHER" });
    assert.equal(ids.issues?.length, 19);
    await assert.rejects(
      jira.issues.getIssue({ issueIdOrKey: "OTHER-3" }),
      (error: unknown) => error instanceof HttpException && error.status === 404,
    );
  });

  it("surfaces 429 Retry-After, 5xx and 401", async () => {
    fake.state.failNext({ status: 429, retryAfterSeconds: 12 });
    await assert.rejects(jira.myself.getCurrentUser(), (error: unknown) => {
      assert.ok(error instanceof HttpException);
      assert.equal(error.status, 429);
      assert.equal(retryAfterOf(error), "12");
      return true;
    });
    fake.state.failNext({ status: 503 });
    await assert.rejects(
      jira.myself.getCurrentUser(),
      (error: unknown) => error instanceof HttpException && error.status === 503,
    );
    const wrong = new Version3Client({
      host: fake.url,
      authentication: { basic: { email: "me@example.com", apiToken: "nope" } },
    });
    await assert.rejects(
      wrong.myself.getCurrentUser(),
      (error: unknown) => error instanceof HttpException && error.status === 401,
    );
  });

  it("signs webhooks with X-Hub-Signature", () => {
    const event = buildJiraWebhookEvent("jira:issue_updated", fake.state.renderIssue("CAIRN-900"));
    const body = JSON.stringify(event);
    assert.equal(
      signJiraWebhook(body, "s3cret"),
      `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`,
    );
    assert.equal(event.issue.key, "CAIRN-900");
    assert.equal(event.changelog?.items[0]?.field, "status");
  });
});
