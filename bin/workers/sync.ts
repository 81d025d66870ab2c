/**
 * Wires the registered connectors into the engine: the sync service (services.sync), its job handlers, the
 * /webhooks router, connections from env, and the `cairn connect` and `cairn sync` commands (built from the
 * connectors' definitions).
 */
import { parseArgs } from "node:util";
import type { Config } from "../../engine/config.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Logger } from "../../engine/logger.ts";
import type { CliFlag, WebhookSetupCli } from "../../engine/sync/connector.ts";
import { createSyncService, getSyncService, type SyncServiceOptions } from "../../engine/sync/service.ts";
import type { SyncStats } from "../../engine/sync/stats.ts";
import { openRuntime } from "../compose.ts";
import { registeredConnectors } from "../connectors.ts";
import { callLocalServer, runningServer } from "../local-server.ts";
import type { CommandIo, FaceModule } from "../modules/types.ts";

const webhookKinds = registeredConnectors
  .filter((connector) => connector.webhook || connector.pushChannels)
  .map((connector) => connector.kind);

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
  engine.services.sync ??= createSyncService(engine.services, engine.connectors, options);
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

const kinds = registeredConnectors.map((connector) => connector.kind);

/** The variables a reader is pointed to for secrets: the first secret of the first two connectors. */
const secretExamples = registeredConnectors
  .slice(0, 2)
  .flatMap((connector) => connector.env.find((spec) => spec.secret)?.env ?? []);

export const connectUsage = [
  `Usage: cairn connect <${kinds.join("|")}> [options]`,
  ...registeredConnectors.flatMap((connector) => connector.cli.usage),
  "  common  [--name <name>] [--webhook-secret <secret>] [--sync-every <minutes>] [--workspace <slug>] [--person <email>] [--json]",
  `Secrets not given as flags are read from the matching environment variables (${[...secretExamples, "..."].join(", ")}).`,
].join("\n");

const commonFlags: Record<string, CliFlag & { short?: string; default?: boolean }> = {
  name: { type: "string" },
  "webhook-secret": { type: "string" },
  webhook: { type: "boolean", default: false },
  connection: { type: "string" },
  "sync-every": { type: "string" },
  workspace: { type: "string" },
  person: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
};

/** Every connector's flags and the common ones (a flag two connectors share, like --api-url, is parsed once). */
const connectFlags: Record<string, CliFlag & { short?: string; default?: boolean }> = {
  ...Object.fromEntries(registeredConnectors.flatMap((connector) => Object.entries(connector.cli.flags))),
  ...commonFlags,
};

async function connectCommand(args: string[], io: CommandIo): Promise<number> {
  const config = io.config as Config;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: connectFlags });
  const kind = positionals[0];
  if (values.help) {
    io.out(connectUsage);
    return 0;
  }
  const who = {
    workspace: text(values.workspace) ?? config.CAIRN_WORKSPACE,
    ...(values.person ? { person: text(values.person) } : {}),
  };
  const connector = registeredConnectors.find((candidate) => candidate.kind === kind);
  if (values.webhook) {
    const setup = connector?.cli.webhookSetup;
    if (!setup) {
      const owner = registeredConnectors.find((candidate) => candidate.cli.webhookSetup);
      io.err(
        owner?.cli.webhookSetup
          ? `--webhook is for ${owner.cli.webhookSetup.provider}: ${owner.cli.webhookSetup.usage}`
          : "--webhook is not supported by any connector of this build",
      );
      return 2;
    }
    return webhookSetup(io, setup, text(values.connection), who);
  }
  if (!connector) {
    io.err(connectUsage);
    return 2;
  }
  const common = {
    ...(values.name ? { name: values.name } : {}),
    ...(values["sync-every"] ? { syncEveryMinutes: Number(values["sync-every"]) } : {}),
  };
  const flat = connector.cli.input(values, config);
  if ("error" in flat && typeof flat.error === "string") {
    io.err(flat.error);
    return 2;
  }
  const input = { ...common, ...flat };
  interface Connected {
    id: string;
    name: string;
    kind: string;
    status: string;
  }
  const output = (await runAction(io, `connect_${connector.kind}`, input, who)) as Connected & {
    connections?: Connected[];
  };
  if (values.json) io.out(JSON.stringify(output, null, 2));
  else {
    for (const one of output.connections ?? [output]) {
      io.out(`Connected ${one.kind} "${one.name}" (${one.id}), status ${one.status}.`);
      io.out(`Sync it now with: cairn sync --connection ${one.id}`);
    }
  }
  return 0;
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

interface WebhookTokenView {
  state: "waiting" | "captured" | "verified" | "configured" | "closed";
  token: string | null;
}

/**
 * Opens a connector's webhook set-up window, then waits for the running server to capture the provider's
 * verification token and prints it, for the admin to paste into the provider's Verify dialog.
 */
async function webhookSetup(
  io: CommandIo,
  setup: WebhookSetupCli,
  connection: string | undefined,
  who: { workspace: string; person?: string },
): Promise<number> {
  const config = io.config as Config;
  const { provider } = setup;
  const input = connection ? { connection } : {};
  const opened = (await runAction(io, setup.openAction, input, who)) as {
    connectionId: string;
    webhookUrl: string;
    expiresAt: string;
  };
  io.out(`Webhook set-up window open for connection ${opened.connectionId} until ${opened.expiresAt}.`);
  io.out(`In ${provider} (${setup.where}), create a subscription with this URL:\n  ${opened.webhookUrl}`);
  const server = runningServer(config);
  const show = `cairn call ${setup.showAction} '{"connection":"${opened.connectionId}"}'`;
  if (!server) {
    io.out(
      `Cairn must be running to receive ${provider}'s request. Once ${provider} has sent it, show the token with:\n  ${show}`,
    );
    return 0;
  }
  io.err(`Waiting for ${provider}'s verification token (Ctrl-C to stop)...`);
  const until = Date.parse(opened.expiresAt);
  while (Date.now() < until) {
    const view = (await callLocalServer(server, "call", {
      action: setup.showAction,
      input: { connection: opened.connectionId },
      ...who,
    })) as WebhookTokenView;
    if (view.state === "captured" && view.token) {
      io.out(`Verification token (paste it into ${provider}'s Verify dialog):\n  ${view.token}`);
      return 0;
    }
    if (view.state !== "waiting") {
      io.err(`The set-up ended without a token for you (state: ${view.state}). Show it with: ${show}`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  io.err(`The set-up window closed before ${provider} sent a token; run this command again to reopen it.`);
  return 1;
}

interface SyncOutput {
  results: {
    connectionId: string;
    kind: string;
    name: string;
    ok: boolean;
    error: string | null;
    stats: SyncStats;
  }[];
  totals: SyncStats;
  pages: { connectionId: string; scope: string; page: number; items: number }[];
}

function countsLine(stats: SyncStats): string {
  const seconds = (stats.durationMs / 1000).toFixed(1);
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
    if (output.results.length === 0) io.out(`No connections. Add one with: cairn connect ${kinds.join("|")}`);
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
      describe: (url) => [`Webhooks:       ${url}/webhooks/{${webhookKinds.join(",")}}`],
    };
  },
  commands: [
    {
      name: "connect",
      usage: `connect <${kinds.join("|")}> [...]`,
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
