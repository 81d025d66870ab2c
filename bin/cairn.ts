/**
 * The `cairn` command: the one composition root. Reads config, picks adapters, starts faces.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Config } from "../engine/config.ts";
import type { Logger } from "../engine/logger.ts";
import { findCommand, helpOf, usage, version, wantsHelp } from "./commands.ts";
import type { Runtime } from "./compose.ts";
import type { ExtraCommand, StartedFaces } from "./modules/index.ts";

// Modules load per command (dynamic imports below), so `cairn --help` or `cairn plan` never pays for the
// database, the queue, express or the MCP SDK.

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

// A reader that went away (a closed pipe, `| head`, a dead parent) is not an error worth crashing or
// spinning over: output is dropped from then on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

/** After CAIRN_SHUTDOWN_TIMEOUT_MS of draining, how long closing may still take before the process exits 1. */
const SHUTDOWN_GRACE_MS = 3_000;

async function loadEnv(): Promise<Config> {
  if (existsSync(".env")) {
    const dotenv = await import("dotenv");
    dotenv.default.config({ path: ".env", quiet: true });
  }
  const { loadConfig } = await import("../engine/config.ts");
  const { connectorSettings } = await import("./connectors.ts");
  return loadConfig(process.env, connectorSettings);
}

async function withRuntime<T>(config: Config, log: Logger, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const { openRuntime } = await import("./compose.ts");
  const runtime = await openRuntime(config, log);
  try {
    await runtime.engine.prepare();
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

async function start(config: Config, log: Logger, role: "web" | "worker" | "all"): Promise<void> {
  await (await import("./preflight.ts")).reachConfiguredServices(config);
  const [
    { dataDirOf, openRuntime },
    { installFaces, installWorkers, prepareModules },
    { assertPortFree, startServer },
    { armShutdownDeadline, watchWrapper },
  ] = await Promise.all([
    import("./compose.ts"),
    import("./modules/index.ts"),
    import("./server.ts"),
    import("./process-guards.ts"),
  ]);
  if (role !== "worker") await assertPortFree(config.PORT, config.HOST);
  const runtime = await openRuntime(config, log);
  const { firstStart, demo, migrationsApplied } = await runtime.engine.prepare();
  if (migrationsApplied.length > 0) log.info({ migrations: migrationsApplied }, "migrations applied");
  let faces: StartedFaces | undefined;
  prepareModules(runtime.engine, config, log);
  if (role !== "web") installWorkers(runtime.engine, config, log);
  if (role !== "worker") faces = await installFaces(runtime.engine, config, log);
  // The control token exists once the server listens (it is advertised with the URL); read per request.
  let controlToken: string | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server =
      role === "worker"
        ? undefined
        : await startServer({
            engine: runtime.engine,
            port: config.PORT,
            host: config.HOST,
            mounts: faces?.mounts,
            controlToken: () => controlToken,
          });
  } catch (error) {
    // Taken between the check and the listen (or not listenable at all): release the data dir lock.
    await faces?.close().catch(() => {});
    await runtime.close().catch(() => {});
    throw error;
  }
  if (role !== "web") await runtime.engine.services.jobs.start();
  if (server && runtime.lock) controlToken = runtime.lock.advertise(server.url);
  await faces?.afterListen?.(server?.url);

  const db = runtime.engine.services.db.kind === "pglite" ? `PGlite in ${dataDirOf(config)}` : "PostgreSQL";
  const jobs = runtime.engine.services.jobs.kind === "bullmq" ? "BullMQ on Redis" : "in-process queue";
  out(`Cairn is running (${role}) · database: ${db} · jobs: ${jobs}`);
  if (server) {
    out(
      `  Health:         ${server.url}/healthz   (ready: ${server.url}/readyz, metrics: ${server.url}/metrics)`,
    );
    out(`  Actions API:    POST ${server.url}/api/actions/<name>   (list: GET ${server.url}/api/actions)`);
    const { ownerExists } = await import("../engine/db/repositories/console-users.ts");
    const hasOwner = await runtime.engine.services.db.system((tx) => ownerExists(tx));
    out(
      hasOwner
        ? `  Admin console:  ${server.url}/admin`
        : `  Admin console:  ${server.url}/admin   (no owner yet: open it from this machine, or run cairn admin create --email <you>)`,
    );
    for (const line of faces?.describe(server.url) ?? []) out(`  ${line}`);
  }
  if (firstStart) {
    out(`\nFirst start: created workspace "${demo.workspace.slug}" with ${demo.person.email} (admin).`);
    out(
      `Get an API token:  npx cairn token create --workspace ${demo.workspace.slug} --person ${demo.person.email} --admin`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: draining requests and jobs");
    const timeout = config.CAIRN_SHUTDOWN_TIMEOUT_MS;
    // Draining is bounded by the timeout; this bounds everything else (a stuck close, a hung connection).
    armShutdownDeadline(timeout + SHUTDOWN_GRACE_MS, (deadlineMs) =>
      log.error({ deadlineMs }, "shutdown did not finish in time; exiting"),
    );
    await server?.close(timeout);
    await faces?.close?.();
    await runtime.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  watchWrapper(() => void stop("parent exited"));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    err(usage);
    return 2;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    const about = rest[0] ? findCommand(rest[0]) : undefined;
    out(about ? await helpOf(about) : usage);
    return 0;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    out(`cairn ${version()}`);
    return 0;
  }
  const spec = findCommand(command);
  if (!spec) {
    err(`cairn: unknown command "${command}".\n`);
    err(usage);
    return 2;
  }
  if (wantsHelp(rest)) {
    out(await helpOf(spec));
    return 0;
  }
  try {
    return await runCommand(command, rest, spec.load ? await spec.load() : undefined);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS")) throw error;
    const message = (error as Error).message;
    const option = /^Unknown option '([^']+)'/.exec(message)?.[1];
    err(`cairn ${command}: ${option ? `unknown option ${option}` : message.replace(/\.$/, "")}.`);
    err(`Run "cairn ${command} --help" for usage.`);
    return 2;
  }
}

async function runCommand(command: string, rest: string[], extra: ExtraCommand | undefined): Promise<number> {
  const pure = typeof extra?.noConfig === "function" ? extra.noConfig(rest) : extra?.noConfig;
  if (extra && pure) return extra.run(rest, { out, err });

  const config = await loadEnv();
  const { createLogger } = await import("../engine/logger.ts");
  const log = createLogger(config.CAIRN_LOG_LEVEL);

  switch (command) {
    case "start":
    case "worker": {
      const { values } = parseArgs({
        args: rest,
        options: { role: { type: "string", default: command === "worker" ? "worker" : "all" } },
      });
      const role = values.role;
      if (role !== "web" && role !== "worker" && role !== "all") {
        err(`--role must be web, worker or all (got "${role}")`);
        return 2;
      }
      await start(config, log, role);
      return -1;
    }
    case "config": {
      const { describeConfig } = await import("../engine/config.ts");
      const { connectorSettings } = await import("./connectors.ts");
      const rows = describeConfig(config, process.env, connectorSettings);
      const width = Math.max(...rows.map((r) => r.variable.length));
      for (const row of rows) out(`${row.variable.padEnd(width)}  ${row.value}`);
      return 0;
    }
    case "migrate": {
      const { runningServer } = await import("./local-server.ts");
      if (await runningServer(config)) {
        out("The running server applied migrations when it started; nothing to do.");
        return 0;
      }
      const [{ openRuntime }, { migrate }] = await Promise.all([
        import("./compose.ts"),
        import("../engine/db/migrate.ts"),
      ]);
      const runtime = await openRuntime(config, log);
      try {
        const result = await migrate(runtime.engine.services.db);
        out(
          result.applied.length
            ? `Applied: ${result.applied.join(", ")}`
            : `Up to date (${result.alreadyApplied} migrations).`,
        );
      } finally {
        await runtime.close();
      }
      return 0;
    }
    case "token": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          workspace: { type: "string" },
          person: { type: "string" },
          admin: { type: "boolean", default: false },
        },
      });
      const [subcommand, id] = positionals;
      const { runTokenCommand, TOKEN_USAGE } = await import("./commands/token.ts");
      if (subcommand === "list" || subcommand === "revoke") {
        return runTokenCommand(config, log, { out, err }, { subcommand, id, ...values });
      }
      if (subcommand !== "create" || !values.workspace || !values.person) {
        err(TOKEN_USAGE);
        return 2;
      }
      const request = { workspace: values.workspace, person: values.person, admin: values.admin };
      const { callLocalServer, runningServer } = await import("./local-server.ts");
      const { issueApiToken } = await import("../engine/auth/api-tokens.ts");
      const server = await runningServer(config);
      const issued = server
        ? ((await callLocalServer(server, "token", request)) as {
            token: string;
            workspace: string;
            person: string;
            admin: boolean;
          })
        : await withRuntime(config, log, async (runtime) => {
            const t = await issueApiToken(runtime.engine.services.db, {
              workspace: request.workspace,
              email: request.person,
              admin: request.admin,
            });
            return {
              token: t.token,
              workspace: t.workspace.slug,
              person: t.person.email,
              admin: t.person.isAdmin,
            };
          });
      err(
        `Token for ${issued.person} in ${issued.workspace}${issued.admin ? " (admin)" : ""}. It is shown once; store it now.`,
      );
      out(issued.token);
      return 0;
    }
    case "admin": {
      const { runAdminCommand } = await import("./commands/admin.ts");
      return runAdminCommand(config, log, { out, err }, rest);
    }
    case "call": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { workspace: { type: "string" }, person: { type: "string" } },
      });
      const [action, json] = positionals;
      if (!action) {
        err("Usage: cairn call <action> '<json>' [--workspace <slug>] [--person <email>]");
        return 2;
      }
      let input: unknown;
      try {
        input = json ? JSON.parse(json) : {};
      } catch (error) {
        err(`The input is not valid JSON: ${(error as Error).message}`);
        return 2;
      }
      const workspace = values.workspace ?? config.CAIRN_WORKSPACE;
      const { callLocalServer, runningServer } = await import("./local-server.ts");
      const server = await runningServer(config);
      const output = server
        ? await callLocalServer(server, "call", { action, input, workspace, person: values.person })
        : await withRuntime(config, log, async (runtime) =>
            runtime.engine.call(
              await runtime.engine.actorFor(workspace, values.person),
              "cli",
              action,
              input,
            ),
          );
      out(JSON.stringify(output, null, 2));
      return 0;
    }
    case "actions": {
      const { everyAction } = await import("./connectors.ts");
      for (const action of [...everyAction].sort((a, b) => a.name.localeCompare(b.name))) {
        out(`${action.name.padEnd(22)}${action.title}${action.scope === "admin" ? " (admin)" : ""}`);
      }
      return 0;
    }
    default:
      if (extra)
        return extra.run(rest, { out, err, config, log, modules: () => import("./modules/index.ts") });
      throw new Error(`bin/commands.ts lists "${command}" but nothing runs it`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  async (error: unknown) => {
    // ConfigError by name: importing engine/config.ts here would load zod for every command.
    const { CairnError } = await import("../engine/errors.ts");
    const isConfigError = (error as Error)?.name === "ConfigError";
    if (isConfigError) err((error as Error).message);
    else if (error instanceof CairnError) err(`cairn: ${error.message}`);
    else err(`cairn: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = isConfigError ? 2 : 1;
    // A failed start may leave timers or sockets behind; they must not keep a failed process alive.
    setTimeout(() => process.exit(), 2_000).unref();
  },
);
