import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  APIErrorCode,
  APIResponseError,
  Client,
  collectPaginatedAPI,
  isFullPage,
  LogLevel,
} from "@notionhq/client";
import {
  buildNotionWebhookEvent,
  type FakeNotion,
  notionVerificationBody,
  signNotionWebhook,
  startFakeNotion,
} from "./notion.ts";

describe("fake Notion (2025-09-03) with @notionhq/client v5", () => {
  let fake: FakeNotion;
  let notion: Client;
  let databaseId: string;
  let dataSourceId: string;

  before(async () => {
    fake = await startFakeNotion({ token: "ntn_test" });
    const { database, dataSources } = fake.state.addDatabase({ title: "Tasks" });
    fake.state.addDatabase({
      title: "Reading list",
      dataSources: [{ name: "Reading list", schema: { Title: "title" } }],
    });
    databaseId = database.id;
    dataSourceId = dataSources[0]?.id ?? "";
    fake.state.generatePages(dataSourceId, 250, { startTime: "2026-03-01T08:00:00.000Z", stepMinutes: 1 });
    notion = new Client({
      auth: "ntn_test",
      baseUrl: fake.url,
      notionVersion: "2025-09-03",
      logLevel: LogLevel.ERROR,
      retry: { maxRetries: 2, initialRetryDelayMs: 20 },
    });
  });

  after(async () => {
    await fake.close();
  });

  it("finds data sources through paginated search", async () => {
    const first = await notion.search({ filter: { property: "object", value: "data_source" }, page_size: 1 });
    assert.equal(first.results.length, 1);
    assert.equal(first.has_more, true);
    assert.ok(first.next_cursor);
    const all = await collectPaginatedAPI(notion.search, {
      filter: { property: "object", value: "data_source" },
      page_size: 1,
    });
    assert.equal(all.length, 2);
    assert.ok(all.every((r) => r.object === "data_source"));
  });

  it("resolves a database to its data sources and reads the schema", async () => {
    const database = await notion.databases.retrieve({ database_id: databaseId });
    assert.ok("data_sources" in database);
    assert.deepEqual(
      database.data_sources.map((d) => d.id),
      [dataSourceId],
    );
    const source = await notion.dataSources.retrieve({ data_source_id: dataSourceId });
    assert.ok("properties" in source);
    assert.equal(source.properties.Status?.type, "status");
    assert.equal(source.properties.Due?.type, "date");
    assert.equal(source.properties["Blocked by"]?.type, "relation");
  });

  it("paginates a query and filters on last_edited_time", async () => {
    const all = await collectPaginatedAPI(notion.dataSources.query, {
      data_source_id: dataSourceId,
      sorts: [{ timestamp: "last_edited_time", direction: "ascending" }],
      page_size: 100,
    });
    assert.equal(all.length, 250);
    const pages = fake.requests.filter((r) => r.path.endsWith("/query"));
    assert.equal(pages.length, 3);

    const since = "2026-03-01T12:00:00.000Z"; // page 241 onwards (08:00 + 240 min)
    const recent = await notion.dataSources.query({
      data_source_id: dataSourceId,
      filter: { timestamp: "last_edited_time", last_edited_time: { on_or_after: since } },
      sorts: [{ timestamp: "last_edited_time", direction: "ascending" }],
    });
    assert.equal(recent.results.length, 10);
    assert.equal(recent.has_more, false);
    const firstResult = recent.results[0];
    assert.ok(firstResult && isFullPage(firstResult));
    assert.equal(firstResult.last_edited_time, since);
  });

  it("shows edits and trash in incremental queries", async () => {
    const target = [...fake.state.pages.values()][5];
    assert.ok(target);
    const edited = fake.state.editPage(target.id, { Status: "In progress" });
    const cursor = new Date(Math.floor(edited.lastEditedTime.getTime() / 60000) * 60000).toISOString();
    const changed = await notion.dataSources.query({
      data_source_id: dataSourceId,
      filter: { timestamp: "last_edited_time", last_edited_time: { on_or_after: cursor } },
    });
    assert.ok(changed.results.some((r) => r.id === target.id));

    fake.state.trashPage(target.id);
    const afterTrash = await notion.dataSources.query({
      data_source_id: dataSourceId,
      filter: { timestamp: "last_edited_time", last_edited_time: { on_or_after: cursor } },
    });
    assert.ok(!afterTrash.results.some((r) => r.id === target.id));
    const trashed = await notion.pages.retrieve({ page_id: target.id });
    assert.ok(isFullPage(trashed));
    assert.equal(trashed.in_trash, true);
  });

  it("writes status and checkbox back", async () => {
    const target = [...fake.state.pages.values()][10];
    assert.ok(target);
    const updated = await notion.pages.update({
      page_id: target.id,
      properties: { Status: { status: { name: "Done" } }, Done: { checkbox: true } },
    });
    assert.ok(isFullPage(updated));
    const status = updated.properties.Status;
    assert.ok(status?.type === "status");
    assert.equal(status.status?.name, "Done");
    assert.deepEqual(updated.properties.Done, {
      id: updated.properties.Done?.id,
      type: "checkbox",
      checkbox: true,
    });
    assert.equal(fake.state.pages.get(target.id)?.values.get("Status"), "Done");

    await assert.rejects(
      notion.pages.update({ page_id: target.id, properties: { Status: { status: { name: "Nope" } } } }),
      (error: unknown) =>
        APIResponseError.isAPIResponseError(error) && error.code === APIErrorCode.ValidationError,
    );
  });

  it("rejects a wrong token with 401 unauthorized", async () => {
    const stranger = new Client({ auth: "ntn_wrong", baseUrl: fake.url, notionVersion: "2025-09-03" });
    await assert.rejects(
      stranger.dataSources.retrieve({ data_source_id: dataSourceId }),
      (error: unknown) =>
        APIResponseError.isAPIResponseError(error) &&
        error.status === 401 &&
        error.code === APIErrorCode.Unauthorized,
    );
  });

  it("answers 429 with Retry-After and rate_limited, and the client retries on it", async () => {
    const noRetry = new Client({
      auth: "ntn_test",
      baseUrl: fake.url,
      notionVersion: "2025-09-03",
      retry: false,
      logLevel: LogLevel.ERROR,
    });
    fake.state.failNext({ status: 429, retryAfterSeconds: 7 });
    await assert.rejects(noRetry.dataSources.retrieve({ data_source_id: dataSourceId }), (error: unknown) => {
      assert.ok(APIResponseError.isAPIResponseError(error));
      assert.equal(error.code, APIErrorCode.RateLimited);
      assert.equal(error.status, 429);
      assert.ok(error.headers instanceof Headers);
      assert.equal(error.headers.get("retry-after"), "7");
      return true;
    });

    fake.state.failNext({ status: 429, retryAfterSeconds: 0 });
    fake.state.failNext({ status: 503, match: /^GET / });
    const source = await notion.dataSources.retrieve({ data_source_id: dataSourceId });
    assert.equal(source.id, dataSourceId);
  });

  it("signs webhooks like Notion", () => {
    const event = buildNotionWebhookEvent("page.properties_updated", {
      pageId: "0f1e2d3c-4b5a-4697-8877-665544332211",
      dataSourceId,
      updatedProperties: ["title"],
    });
    const body = JSON.stringify(event);
    const expected = `sha256=${createHmac("sha256", "secret_verify").update(body).digest("hex")}`;
    assert.equal(signNotionWebhook(body, "secret_verify"), expected);
    assert.equal(event.entity.type, "page");
    assert.deepEqual(event.data.parent, { id: dataSourceId, type: "data_source" });
    assert.deepEqual(JSON.parse(notionVerificationBody("secret_verify")), {
      verification_token: "secret_verify",
    });
  });
});
