/**
 * Sync benchmark: a full sync of 10,000 Jira issues, 5,000 Notion pages and 2,000 Google Calendar events
 * from the local fakes into a fresh database (PGlite; and Postgres when DATABASE_URL is set), then a second
 * sync with no changes. Reports items/s, API calls per item and peak RSS (of this process, which also runs
 * the fakes). Provider rate limits are off by default (they would measure the providers, not Cairn);
 * `--limits` turns them on. Progress on stderr, JSON on stdout.
 *
 *   node --import tsx test/bench/sync/run.ts [--jira 10000] [--notion 5000] [--events 2000] [--db pglite|postgres|both] [--limits] [--together]
 *
 * `--together` runs the full syncs of all connections at once, as the sync queue does (two jobs at a time per
 * worker: a workspace's Jira and Notion connections sync side by side), and reports the workspace's full
 * sync as a whole: all items over the wall time until the last connection is done.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { loadCairnConfig, registeredConnectors } from "../../../bin/connectors.ts";
import { installSync } from "../../../bin/workers/sync.ts";
import { createEngine } from "../../../engine/engine.ts";
import { createInProcessJobs } from "../../../engine/jobs/in-process.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { createSecretBox } from "../../../engine/security/secret-box.ts";
import { getSyncService } from "../../../engine/sync/service.ts";
import { startFakeGoogle } from "../../fakes/google-calendar.ts";
import { startFakeJira } from "../../fakes/jira.ts";
import { startFakeNotion } from "../../fakes/notion.ts";
import { type Backend, freshDb } from "../../support/harness.ts";

const { values } = parseArgs({
  options: {
    jira: { type: "string", default: "10000" },
    notion: { type: "string", default: "5000" },
    events: { type: "string", default: "2000" },
    db: { type: "string" },
    limits: { type: "boolean", default: false },
    together: { type: "boolean", default: false },
  },
});
const counts = { jira: Number(values.jira), notion: Number(values.notion), events: Number(values.events) };
const dbs: Backend[] =
  values.db === "both"
    ? ["pglite", "postgres"]
    : values.db
      ? [values.db as Backend]
      : process.env.DATABASE_URL
        ? ["pglite", "postgres"]
        : ["pglite"];
const progress = (text: string) => process.stderr.write(`${text}\n`);

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

async function benchOne(kind: Backend) {
  const jira = await startFakeJira({ email: "bench@example.com", apiToken: "bench", recordRequests: false });
  const notion = await startFakeNotion({ token: "ntn_bench", recordRequests: false });
  const google = await startFakeGoogle({ recordRequests: false, userEmail: "bench@example.com" });
  jira.state.generateIssues(counts.jira, { projectKey: "BENCH", assignedToMeRate: 1, seed: 1 });
  const { dataSources } = notion.state.addDatabase({ title: "Bench" });
  notion.state.generatePages(dataSources[0]?.id as string, counts.notion, { seed: 2 });
  google.state.generateEvents(google.state.primaryCalendarId, counts.events, {
    seed: 3,
    recurringRate: 0,
    days: 120,
  });

  const config = loadCairnConfig({
    CAIRN_LOG_LEVEL: "silent",
    CAIRN_ALLOW_PRIVATE_URLS: "1",
    CAIRN_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  const { db, drop } = await freshDb(kind);
  const jobs = createInProcessJobs({ logger: silentLogger });
  const engine = createEngine({
    config,
    db,
    jobs,
    secrets: createSecretBox(Buffer.from(config.CAIRN_MASTER_KEY as string, "base64")),
    log: silentLogger,
    connectors: registeredConnectors,
  });
  const { demo } = await engine.prepare();
  installSync(engine, values.limits ? {} : { rateLimits: { notion: null, jira: null, google: null } });
  const sync = getSyncService(engine.services);
  const connect = async (action: string, input: Record<string, unknown>) =>
    (await engine.call(demo, "cli", action, { ...input, syncEveryMinutes: 0 })) as {
      id: string;
      kind: string;
    };
  const connections = [
    {
      items: counts.jira,
      ...(await connect("connect_jira", {
        host: jira.url,
        email: "bench@example.com",
        apiToken: "bench",
        jql: "project = BENCH",
      })),
    },
    {
      items: counts.notion,
      ...(await connect("connect_notion", { token: "ntn_bench", apiUrl: notion.url })),
    },
    ...(counts.events > 0
      ? [
          {
            items: counts.events,
            ...(await connect("connect_google", {
              clientId: google.state.clientId,
              clientSecret: google.state.clientSecret,
              refreshToken: "1//fake-refresh-token",
              apiUrl: google.url,
              tokenUrl: google.tokenUrl,
            })),
          },
        ]
      : []),
  ];

  if (values.together) {
    const started = performance.now();
    const fulls = await Promise.all(
      connections.map((connection) =>
        sync.sync({
          workspaceId: demo.workspace.id,
          connectionId: connection.id,
          onPage: ({ page, totals }) => {
            if (page % 10 === 0)
              progress(`${kind} ${connection.kind} · page ${page} · ${totals.created} created`);
          },
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const stored = fulls.reduce((sum, full) => sum + full.created + full.merged, 0);
    const agains = await Promise.all(
      connections.map((connection) =>
        sync.sync({ workspaceId: demo.workspace.id, connectionId: connection.id }),
      ),
    );
    progress(
      `${kind} all connections at once: ${stored} items in ${seconds.toFixed(1)}s (${Math.round(stored / seconds)} items/s); no-change sync: ${agains.map((again) => again.apiCalls).join(" + ")} calls`,
    );
    await jobs.close(1000);
    await drop();
    await Promise.all([jira.close(), notion.close(), google.close()]);
    return {
      db: kind,
      rateLimits: values.limits ? "provider limits" : "off",
      together: {
        items: stored,
        expected: connections.reduce((sum, connection) => sum + connection.items, 0),
        seconds: Math.round(seconds * 1000) / 1000,
        itemsPerSecond: Math.round(stored / seconds),
        perConnection: connections.map((connection, i) => ({
          source: connection.kind,
          items: (fulls[i]?.created ?? 0) + (fulls[i]?.merged ?? 0),
          seconds: Math.round(fulls[i]?.durationMs ?? 0) / 1000,
          apiCalls: fulls[i]?.apiCalls,
          noChangeApiCalls: agains[i]?.apiCalls,
        })),
      },
    };
  }

  const results = [];
  for (const connection of connections) {
    peakRss = process.memoryUsage().rss;
    const full = await sync.sync({
      workspaceId: demo.workspace.id,
      connectionId: connection.id,
      onPage: ({ page, totals }) => {
        if (page % 10 === 0)
          progress(`${kind} ${connection.kind} · page ${page} · ${totals.created} created`);
      },
    });
    const fullPeak = peakRss;
    const again = await sync.sync({ workspaceId: demo.workspace.id, connectionId: connection.id });
    const stored = full.created + full.merged;
    progress(
      `${kind} ${connection.kind}: ${stored} items in ${(full.durationMs / 1000).toFixed(1)}s, ${full.apiCalls} API calls; no-change sync: ${again.apiCalls} calls`,
    );
    results.push({
      source: connection.kind,
      items: stored,
      merged: full.merged,
      expected: connection.items,
      skipped: full.skipped,
      fullSync: {
        seconds: Math.round(full.durationMs) / 1000,
        itemsPerSecond: Math.round((stored / full.durationMs) * 1000),
        apiCalls: full.apiCalls,
        apiCallsPerItem: Math.round((full.apiCalls / Math.max(1, stored)) * 10000) / 10000,
        peakRssMb: Math.round(fullPeak / 1024 / 1024),
      },
      noChangeSync: {
        seconds: Math.round(again.durationMs) / 1000,
        apiCalls: again.apiCalls,
        created: again.created,
        updated: again.updated,
        unchanged: again.unchanged,
      },
    });
  }
  await jobs.close(1000);
  await drop();
  await Promise.all([jira.close(), notion.close(), google.close()]);
  return { db: kind, rateLimits: values.limits ? "provider limits" : "off", results };
}

const runs = [];
for (const kind of dbs) runs.push(await benchOne(kind));
clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({ node: process.version, cpus: (await import("node:os")).cpus().length, runs }, null, 2)}\n`,
);
