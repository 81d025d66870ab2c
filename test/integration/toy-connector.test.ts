/**
 * Adding a connector is one folder and one registration line: a toy connector defined here (its kind, settings
 * schema, env variable, connect input and a pull of two tasks) is registered next to the real list, and gets its
 * connect action on every face, its config variable, its env connection and its synced tasks, with no change to
 * the engine, the faces or bin/.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { z } from "zod";
import { commands } from "../../bin/commands.ts";
import { connectorSettingsOf, registeredConnectors } from "../../bin/connectors.ts";
import { describeConfig, optionalText } from "../../engine/config.ts";
import { type Connector, envValues, SourceTask } from "../../engine/sync/connector.ts";
import { getSyncService } from "../../engine/sync/service.ts";
import { startTestCairn, type TestCairn } from "../support/harness.ts";

const toyEnv = [
  { env: "TOY_PROJECT", description: "Toy project whose cards sync (tests only).", schema: optionalText },
] as const;

const ToySettings = z.object({ project: z.string().min(1) });
type ToySettings = z.infer<typeof ToySettings>;

/** The whole connector: what a connectors/toy/index.ts would export. */
const toyConnector: Connector<Record<string, unknown>, ToySettings> = {
  kind: "toy",
  title: "Toy board",
  limits: { perSecond: 100, burst: 100 },
  env: toyEnv,
  credentials: z.record(z.string(), z.unknown()),
  settings: ToySettings,
  connect: {
    title: "Connect a toy board",
    description: "Connects a toy board whose two cards sync as tasks. Returns the connection.",
    input: { project: z.string().min(1).optional().describe("The board's project") },
    seed: (given, { fromEnv }) => fromEnv({ TOY_PROJECT: given.project }, ["TOY_PROJECT"]),
  },
  cli: {
    usage: ["  toy     --project <name>"],
    flags: { project: { type: "string" } },
    input: (values) => ({ project: values.project }),
  },
  docs: { env: "`TOY_PROJECT`." },
  fromEnv(config) {
    const { TOY_PROJECT } = envValues(config, toyEnv);
    return TOY_PROJECT
      ? [{ name: `Toy ${TOY_PROJECT}`, credentials: {}, settings: { project: TOY_PROJECT } }]
      : [];
  },
  scopes: async (ctx) => [{ id: ctx.settings.project, kind: "tasks", label: ctx.settings.project }],
  pull: async (_ctx, scope) => ({
    items: ["1", "2"].map((n) => ({
      externalId: `${scope.id}-${n}`,
      title: `Toy card ${n} of ${scope.id}`,
      status: "todo",
      updatedAt: "2026-01-01T00:00:00.000Z",
    })),
    nextCursor: "read",
    hasMore: false,
    apiCalls: 1,
  }),
  normalize: (raw) => ({ type: "task", task: SourceTask.parse(raw) }),
};

// The one registration line.
const connectors = [...registeredConnectors, toyConnector];

describe("a connector added by one folder and one line", () => {
  let cairn: TestCairn;
  let admin: { token: string };

  before(async () => {
    cairn = await startTestCairn({ connectors, env: { TOY_PROJECT: "from-env" } });
    admin = await cairn.token({ admin: true });
  });
  after(() => cairn?.close());

  it("has a connect_toy action on HTTP and MCP, with the input its definition declares", async () => {
    assert.ok(cairn.engine.registry.get("connect_toy"));
    const listed = await fetch(`${cairn.url}/api/actions`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const body = JSON.stringify(await listed.json());
    assert.match(body, /connect_toy/);

    const transport = new StreamableHTTPClientTransport(new URL(`${cairn.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${admin.token}` } },
    });
    const client = new Client({ name: "toy-connector-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      const tool = tools.find((candidate) => candidate.name === "connect_toy");
      assert.ok(tool, "connect_toy is an MCP tool");
      assert.equal(tool.title, "Connect a toy board");
      assert.ok("project" in (tool.inputSchema.properties ?? {}));
      assert.ok("syncEveryMinutes" in (tool.inputSchema.properties ?? {}));
    } finally {
      await client.close();
    }
  });

  it("connects over HTTP and syncs the two tasks its pull returns", async () => {
    const { status, body } = await cairn.call(admin.token, "connect_toy", {
      project: "alpha",
      syncEveryMinutes: 0,
    });
    assert.equal(status, 200, JSON.stringify(body));
    const connection = body as { id: string; kind: string; name: string };
    assert.equal(connection.kind, "toy");
    const synced = await cairn.call(admin.token, "sync_now", { connection: connection.id });
    assert.equal(synced.status, 200, JSON.stringify(synced.body));
    const stats = (synced.body as { results: { ok: boolean; stats: { created: number } }[] }).results[0];
    assert.equal(stats?.ok, true);
    assert.equal(stats?.stats.created, 2);
    const listed = await cairn.call(admin.token, "list_tasks", { source: "toy" });
    const titles = (listed.body as { tasks: { title: string }[] }).tasks.map((task) => task.title).sort();
    assert.deepEqual(titles, ["Toy card 1 of alpha", "Toy card 2 of alpha"]);
  });

  it("reads its env variable: listed by `cairn config`, and a connection in CAIRN_WORKSPACE", async () => {
    const rows = describeConfig(cairn.config, { TOY_PROJECT: "from-env" }, connectorSettingsOf(connectors));
    assert.deepEqual(
      rows.find((row) => row.variable === "TOY_PROJECT"),
      {
        variable: "TOY_PROJECT",
        value: "from-env",
        description: "Toy project whose cards sync (tests only).",
      },
    );
    const env = await getSyncService(cairn.engine.services).ensureEnvConnections();
    assert.ok(env.some((connection) => connection.kind === "toy" && connection.name === "Toy from-env"));
  });

  it("leaves the light `cairn --help` naming exactly the registered kinds", async () => {
    const { syncModule } = await import("../../bin/workers/sync.ts");
    const generated = syncModule.commands?.find((command) => command.name === "connect")?.usage;
    assert.equal(generated, `connect <${registeredConnectors.map((c) => c.kind).join("|")}> [...]`);
    assert.equal(commands.find((command) => command.name === "connect")?.usage, generated);
  });

  it("is refused by the webhooks router, which only serves connectors with webhooks", async () => {
    const response = await fetch(`${cairn.url}/webhooks/toy`, { method: "POST", body: "{}" });
    assert.equal(response.status, 404);
  });
});
