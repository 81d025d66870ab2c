/**
 * Notion estimates over HTTP: the unit comes from the connection's setting, else the number property's own name
 * or description; story points and sizes are not time; list_connections shows the mapping and why.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadCairnConfig } from "../../bin/connectors.ts";
import { notionConnector } from "../../connectors/notion/index.ts";
import { inferEstimateUnit } from "../../connectors/notion/properties.ts";
import { type FakeNotion, type SchemaSpec, startFakeNotion } from "../fakes/notion.ts";
import { type SyncCairn, type SyncOutput, startSyncCairn } from "./sync-support.ts";

const TOKEN = "ntn_estimates";

interface Mapping {
  scope: string;
  fields: Record<string, string>;
  estimate: { property: string; unit: string; reason: string } | null;
  ignored: { property: string; reason: string }[];
}

describe("Notion estimate units", () => {
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

  /** One data source with one page; connects it and syncs; returns the task's estimate and the mapping shown. */
  async function syncOne(
    name: string,
    schema: SchemaSpec,
    values: Record<string, number | string>,
    connect: Record<string, unknown> = {},
  ) {
    const source = fake.state.addDatabase({ title: name, dataSources: [{ name, schema }] }).dataSources[0]
      ?.id as string;
    const page = fake.state.addPage(source, { properties: { Name: name, ...values } });
    const connection = await app.call<{ id: string }>("connect_notion", {
      name,
      token: TOKEN,
      apiUrl: fake.url,
      dataSourceIds: [source],
      syncEveryMinutes: 0,
      ...connect,
    });
    const out = await app.call<SyncOutput>("sync_now", { connection: connection.id });
    assert.equal(out.results[0]?.ok, true, JSON.stringify(out.results[0]));
    const task = (await app.tasks()).find((t) => t.externalId === page.id);
    const listed = await app.call<{ connections: { id: string; mapping: Mapping[] }[] }>(
      "list_connections",
      {},
    );
    const mapping = listed.connections.find((c) => c.id === connection.id)?.mapping[0];
    return { estimate: task?.estimateMinutes, mapping, connectionId: connection.id, pageId: page.id };
  }

  it('reads "Estimate" described as "Minutes" as minutes, and says why', async () => {
    const { estimate, mapping } = await syncOne(
      "Described in minutes",
      { Name: "title", Estimate: { type: "number", description: "Minutes" } },
      { Estimate: 90 },
    );
    assert.equal(estimate, 90);
    assert.equal(mapping?.fields.estimate, "Estimate");
    assert.equal(mapping?.fields.title, "Name");
    assert.equal(mapping?.estimate?.unit, "minutes");
    assert.match(mapping?.estimate?.reason ?? "", /description "Minutes"/);
  });

  it("takes the unit from the property's name: (h) is hours, mins is minutes", async () => {
    const hours = await syncOne(
      "Effort in hours",
      { Name: "title", "Effort (h)": "number" },
      { "Effort (h)": 2 },
    );
    assert.equal(hours.estimate, 120);
    assert.equal(hours.mapping?.estimate?.unit, "hours");
    assert.match(hours.mapping?.estimate?.reason ?? "", /name "Effort \(h\)"/);
    const minutes = await syncOne(
      "Time in mins",
      { Name: "title", "Time (mins)": "number" },
      { "Time (mins)": 45 },
    );
    assert.equal(minutes.estimate, 45);
  });

  it("does not read story points or a size as time, unless propertyMap names them", async () => {
    const points = await syncOne(
      "Points only",
      { Name: "title", "Story points": "number", Size: "number" },
      { "Story points": 5, Size: 3 },
    );
    assert.equal(points.estimate, null);
    assert.equal(points.mapping?.fields.estimate, undefined);
    assert.equal(points.mapping?.estimate, null);
    assert.deepEqual(points.mapping?.ignored.map((i) => i.property).sort(), ["Size", "Story points"]);

    const mapped = await syncOne(
      "Points mapped",
      { Name: "title", "Story points": "number" },
      { "Story points": 5 },
      { propertyMap: { estimate: "Story points" }, estimateUnit: "hours" },
    );
    assert.equal(mapped.estimate, 300);
    assert.equal(mapped.mapping?.estimate?.property, "Story points");
    assert.match(mapped.mapping?.estimate?.reason ?? "", /set on the connection/);
  });

  it("lets the connection's estimateUnit override what the description says", async () => {
    const { estimate, mapping } = await syncOne(
      "Overridden",
      { Name: "title", Estimate: { type: "number", description: "Minutes" } },
      { Estimate: 2 },
      { estimateUnit: "hours" },
    );
    assert.equal(estimate, 120);
    assert.equal(mapping?.estimate?.unit, "hours");
  });
});

describe("Notion estimate unit inference", () => {
  it("reads minutes and hours from names and descriptions, and nothing from other words", () => {
    assert.equal(inferEstimateUnit("Estimate", "Minutes")?.unit, "minutes");
    assert.equal(inferEstimateUnit("Estimate (m)", null)?.unit, "minutes");
    assert.equal(inferEstimateUnit("Estimate", "in min")?.unit, "minutes");
    assert.equal(inferEstimateUnit("Hours", null)?.unit, "hours");
    assert.equal(inferEstimateUnit("Estimate", "hrs of work")?.unit, "hours");
    assert.equal(inferEstimateUnit("Estimate (h)", "")?.unit, "hours");
    assert.equal(inferEstimateUnit("Estimate", "How long it takes"), undefined);
    assert.equal(inferEstimateUnit("Milestone", "Month"), undefined);
  });

  it("NOTION_ESTIMATE_UNIT sets the env connection's unit", () => {
    const [seed] =
      notionConnector.fromEnv?.(
        loadCairnConfig({
          NOTION_TOKEN: "ntn_env",
          NOTION_ESTIMATE_UNIT: "minutes",
          CAIRN_LOG_LEVEL: "silent",
        }),
      ) ?? [];
    assert.equal(seed?.settings.estimateUnit, "minutes");
    assert.throws(() => loadCairnConfig({ NOTION_ESTIMATE_UNIT: "days" }), /NOTION_ESTIMATE_UNIT/);
  });
});
