/**
 * Wires connectors/ into the engine: the sync service (on services.extensions), its job handlers, the
 * /webhooks router, connections from env, and the `cairn connect` and `cairn sync` commands.
 */
import { parseArgs } from "node:util";
import type { Config } from "../../engine/config.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import {
  createSyncService,
  getSyncService,
  SYNC_EXTENSION,
  type SyncServiceOptions,
} from "../../engine/sync/service.ts";
import { openRuntime } from "../compose.ts";
import { callLocalServer, runningServer } from "../local-server.ts";
import type { CommandIo, FaceModule } from "../modules/types.ts";

const started = new WeakMap<Engine, Promise<void>>();

/** Env connections and repeatable syncs, once per engine (both the worker and the web role may ask). */
function startConnections(engine: Engine, log: Logger): Promise<void> {
  let promise = started.get(engine);
  if (!promise) {
    promise = (async () => {
      const sync = getSyncService(engine.services);
      const env = await sync.ensureEnvConnections();
      const scheduled = await sync.scheduleAll();
      if (env.length > 0 || scheduled > 0) {
        log.info(
          { envConnections: env.map((c) => `${c.kind}:${c.name}`), scheduled },
          "connections scheduled",
        );
      }
    })().catch((error: unknown) => {
      log.error({ err: error }, "could not set up connections");
    });
    started.set(engine, promise);
  }
  return promise;
}

export function installSync(engine: Engine, options: SyncServiceOptions = {}): void {
  if (!engine.services.extensions.has(SYNC_EXTENSION)) {
    engine.services.extensions.set(
      SYNC_EXTENSION,
      createSyncService(engine.services, engine.connectors, options),
    );
  }
}

// -- CLI ------------------------------------------------------------------------------------------

/** Runs an action through the server that owns the data dir, or in this process. */
async function runAction(
  io: CommandIo,
  action: string,
  input: unknown,
  who: { workspace: string; person?: string },
  onProgress?: (message: string) => void,
  before?: (engine: Engine) => Promise<void>,
): Promise<unknown> {
  const config = io.config as Config;
  const log = io.log as Logger;
  const server = runningServer(config);
  if (server) return callLocalServer(server, "call", { action, input, ...who });
  const runtime = await openRuntime(config, log);
  try {
    await runtime.engine.prepare();
    installSync(runtime.engine);
    await before?.(runtime.engine);
    const actor = await runtime.engine.actorFor(who.workspace, who.person);
    const ctx = runtime.engine.context(actor, "cli", {
      ...(onProgress ? { reportProgress: (p) => onProgress(p.message ?? `progress ${p.progress}`) } : {}),
    });
    return await runtime.engine.registry.invoke(ctx, action, input);
  } finally {
    await runtime.close();
  }
}

export const connectUsage = `Usage: cairn connect <notion|jira|google|caldav|ics> [options]
  notion  --token <secret> [--api-url <url>] [--data-source <id>]... [--database <id>]... [--property field=Name]...
          [--estimate-unit minutes|hours]
  notion --webhook [--connection <id>]   open a 10-minute window to receive Notion's webhook verification token
          and print it when it arrives (on an existing Notion connection, e.g. the one from NOTION_TOKEN)
  jira    --host <https://x.atlassian.net> --email <email> --api-token <token> [--jql <jql>]
  google  --client-id <id> --client-secret <secret> --refresh-token <token> [--api-url <url>] [--token-url <url>]
          [--block-calendar <calendar id>]
  caldav  --url <url> --username <user> --password <password>
  ics     --url <url> [--url <url>]...
  common  [--name <name>] [--webhook-secret <secret>] [--sync-every <minutes>] [--workspace <slug>] [--person <email>] [--json]
Secrets not given as flags are read from the matching environment variables (NOTION_TOKEN, JIRA_API_TOKEN, ...).`;

async function connectCommand(args: string[], io: CommandIo): Promise<number> {
  const config = io.config as Config;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      token: { type: "string" },
      "api-url": { type: "string" },
      "data-source": { type: "string", multiple: true },
      database: { type: "string", multiple: true },
      property: { type: "string", multiple: true },
      "webhook-secret": { type: "string" },
      "estimate-unit": { type: "string" },
      webhook: { type: "boolean", default: false },
      connection: { type: "string" },
      host: { type: "string" },
      email: { type: "string" },
      "api-token": { type: "string" },
      jql: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "refresh-token": { type: "string" },
      "token-url": { type: "string" },
      "block-calendar": { type: "string" },
      url: { type: "string", multiple: true },
      username: { type: "string" },
      password: { type: "string" },
      "sync-every": { type: "string" },
      workspace: { type: "string" },
      person: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const kind = positionals[0];
  if (values.help) {
    io.out(connectUsage);
    return 0;
  }
  const who = {
    workspace: values.workspace ?? config.CAIRN_WORKSPACE,
    ...(values.person ? { person: values.person } : {}),
  };
  if (values.webhook) {
    if (kind !== "notion") {
      io.err("--webhook is for Notion: cairn connect notion --webhook [--connection <id>]");
      return 2;
    }
    return notionWebhookSetup(io, values.connection, who);
  }
  const common = {
    ...(values.name ? { name: values.name } : {}),
    ...(values["sync-every"] ? { syncEveryMinutes: Number(values["sync-every"]) } : {}),
  };
  let input: Record<string, unknown>;
  switch (kind) {
    case "notion": {
      const propertyMap: Record<string, string> = {};
      for (const entry of values.property ?? []) {
        const [field, ...rest] = entry.split("=");
        if (!field || rest.length === 0) {
          io.err(`--property expects field=Property Name (got "${entry}")`);
          return 2;
        }
        propertyMap[field] = rest.join("=");
      }
      input = {
        ...common,
        token: values.token ?? config.NOTION_TOKEN,
        ...(values["api-url"] ? { apiUrl: values["api-url"] } : {}),
        ...(values["data-source"] ? { dataSourceIds: values["data-source"] } : {}),
        ...(values.database ? { databaseIds: values.database } : {}),
        ...(Object.keys(propertyMap).length > 0 ? { propertyMap } : {}),
        ...(values["estimate-unit"] ? { estimateUnit: values["estimate-unit"] } : {}),
        ...((values["webhook-secret"] ?? config.NOTION_WEBHOOK_SECRET)
          ? { webhookSecret: values["webhook-secret"] ?? config.NOTION_WEBHOOK_SECRET }
          : {}),
      };
      break;
    }
    case "jira":
      input = {
        ...common,
        host: values.host ?? config.JIRA_HOST,
        email: values.email ?? config.JIRA_EMAIL,
        apiToken: values["api-token"] ?? config.JIRA_API_TOKEN,
        ...((values.jql ?? config.JIRA_JQL) ? { jql: values.jql ?? config.JIRA_JQL } : {}),
        ...((values["webhook-secret"] ?? config.JIRA_WEBHOOK_SECRET)
          ? { webhookSecret: values["webhook-secret"] ?? config.JIRA_WEBHOOK_SECRET }
          : {}),
      };
      break;
    case "google":
      input = {
        ...common,
        clientId: values["client-id"] ?? config.GOOGLE_CLIENT_ID,
        clientSecret: values["client-secret"] ?? config.GOOGLE_CLIENT_SECRET,
        refreshToken: values["refresh-token"] ?? config.GOOGLE_REFRESH_TOKEN,
        ...(values["api-url"] ? { apiUrl: values["api-url"] } : {}),
        ...(values["token-url"] ? { tokenUrl: values["token-url"] } : {}),
        ...(values["block-calendar"] ? { blockCalendarId: values["block-calendar"] } : {}),
      };
      break;
    case "caldav":
      input = {
        ...common,
        url: values.url?.[0] ?? config.CALDAV_URL,
        username: values.username ?? config.CALDAV_USERNAME,
        password: values.password ?? config.CALDAV_PASSWORD,
      };
      break;
    case "ics":
      input = { ...common, urls: values.url ?? config.ICS_URLS };
      break;
    default:
      io.err(connectUsage);
      return 2;
  }
  const output = (await runAction(io, `connect_${kind}`, input, who)) as {
    id: string;
    name: string;
    kind: string;
    status: string;
  };
  if (values.json) io.out(JSON.stringify(output, null, 2));
  else {
    io.out(`Connected ${output.kind} "${output.name}" (${output.id}), status ${output.status}.`);
    io.out(`Sync it now with: cairn sync --connection ${output.id}`);
  }
  return 0;
}

interface WebhookTokenView {
  state: "waiting" | "captured" | "verified" | "configured" | "closed";
  token: string | null;
}

/**
 * Opens the Notion webhook set-up window, then waits for the running server to capture Notion's verification
 * token and prints it, for the admin to paste into Notion's Verify dialog.
 */
async function notionWebhookSetup(
  io: CommandIo,
  connection: string | undefined,
  who: { workspace: string; person?: string },
): Promise<number> {
  const config = io.config as Config;
  const input = connection ? { connection } : {};
  const opened = (await runAction(io, "open_notion_webhook_setup", input, who)) as {
    connectionId: string;
    webhookUrl: string;
    expiresAt: string;
  };
  io.out(`Webhook set-up window open for connection ${opened.connectionId} until ${opened.expiresAt}.`);
  io.out(
    `In Notion (your integration → Webhooks), create a subscription with this URL:\n  ${opened.webhookUrl}`,
  );
  const server = runningServer(config);
  const show = `cairn call get_notion_webhook_token '{"connection":"${opened.connectionId}"}'`;
  if (!server) {
    io.out(
      `Cairn must be running to receive Notion's request. Once Notion has sent it, show the token with:\n  ${show}`,
    );
    return 0;
  }
  io.err("Waiting for Notion's verification token (Ctrl-C to stop)...");
  const until = Date.parse(opened.expiresAt);
  while (Date.now() < until) {
    const view = (await callLocalServer(server, "call", {
      action: "get_notion_webhook_token",
      input: { connection: opened.connectionId },
      ...who,
    })) as WebhookTokenView;
    if (view.state === "captured" && view.token) {
      io.out(`Verification token (paste it into Notion's Verify dialog):\n  ${view.token}`);
      return 0;
    }
    if (view.state !== "waiting") {
      io.err(`The set-up ended without a token for you (state: ${view.state}). Show it with: ${show}`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  io.err("The set-up window closed before Notion sent a token; run this command again to reopen it.");
  return 1;
}

interface SyncOutput {
  results: {
    connectionId: string;
    kind: string;
    name: string;
    ok: boolean;
    error: string | null;
    stats: Record<string, number>;
  }[];
  totals: Record<string, number>;
  pages: { connectionId: string; scope: string; page: number; items: number }[];
}

function countsLine(stats: Record<string, number>): string {
  const seconds = ((stats.durationMs ?? 0) / 1000).toFixed(1);
  return `created ${stats.created}, updated ${stats.updated}, deleted ${stats.deleted}, unchanged ${stats.unchanged}, skipped ${stats.skipped} · ${stats.apiCalls} API calls · ${seconds}s`;
}

async function syncCommand(args: string[], io: CommandIo): Promise<number> {
  const config = io.config as Config;
  const { values } = parseArgs({
    args,
    options: {
      connection: { type: "string" },
      full: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      workspace: { type: "string" },
      person: { type: "string" },
    },
  });
  let live = false;
  const output = (await runAction(
    io,
    "sync_now",
    { ...(values.connection ? { connection: values.connection } : {}), full: values.full },
    {
      workspace: values.workspace ?? config.CAIRN_WORKSPACE,
      ...(values.person ? { person: values.person } : {}),
    },
    (message) => {
      live = true;
      io.err(message);
    },
    async (engine) => {
      // Env connections exist before the first sync even when no server ever ran.
      await getSyncService(engine.services).ensureEnvConnections();
    },
  )) as SyncOutput;
  if (!live) {
    for (const page of output.pages) io.err(`${page.scope} · page ${page.page}: ${page.items} items`);
  }
  if (values.json) {
    io.out(JSON.stringify({ results: output.results, totals: output.totals }, null, 2));
  } else {
    if (output.results.length === 0)
      io.out("No connections. Add one with: cairn connect notion|jira|google|caldav|ics");
    for (const result of output.results) {
      io.out(
        `${result.kind} "${result.name}": ${result.ok ? countsLine(result.stats) : `failed: ${result.error}`}`,
      );
    }
    if (output.results.length > 1) io.out(`total: ${countsLine(output.totals)}`);
  }
  return output.results.every((result) => result.ok) ? 0 : 1;
}

export const syncModule: FaceModule = {
  name: "sync",
  prepare(engine) {
    installSync(engine);
  },
  installWorkers(engine, _config, log) {
    getSyncService(engine.services).installWorkers();
    void startConnections(engine, log);
  },
  async installFace(engine, _config, log) {
    await startConnections(engine, log);
    return {
      mounts: [{ path: "/webhooks", router: getSyncService(engine.services).webhookRouter() }],
      describe: (url) => [`Webhooks:       ${url}/webhooks/{notion,jira,google}`],
    };
  },
  commands: [
    {
      name: "connect",
      usage: "connect <notion|jira|google|caldav|ics> [...]",
      summary: "connect a source (cairn connect --help for its flags)",
      run: connectCommand,
    },
    {
      name: "sync",
      usage: "sync [--connection <id>] [--full] [--json]",
      summary: "sync connections now and print what changed",
      run: syncCommand,
    },
  ],
};
