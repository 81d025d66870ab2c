/**
 * The `cairn` command: the one composition root. Reads config, picks adapters, starts faces.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import dotenv from "dotenv";
import { issueApiToken } from "../engine/auth/api-tokens.ts";
import { type Config, ConfigError, describeConfig, loadConfig } from "../engine/config.ts";
import { migrate } from "../engine/db/migrate.ts";
import { CairnError } from "../engine/errors.ts";
import { createLogger, type Logger } from "../engine/logger.ts";
import { dataDirOf, openRuntime, type Runtime } from "./compose.ts";
import { extraCommands, installFaces, installWorkers, prepareModules, type StartedFaces } from "./faces.ts";
import { callLocalServer, runningServer } from "./local-server.ts";
import { startServer } from "./server.ts";
import { runTokenCommand, TOKEN_USAGE } from "./token-commands.ts";

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

function formatUsage(command: string, summary: string): string {
  return command.length < 38
    ? `  ${command.padEnd(40)}${summary}`
    : `  ${command}\n${" ".repeat(42)}${summary}`;
}

const usage = `cairn — self-hosted productivity agent

Usage:
  cairn start [--role web|worker|all]     run the server and/or job workers (default: all)
  cairn worker                            run job workers only (same as start --role worker)
  cairn migrate                           apply database migrations
  cairn config                            print the effective configuration (secrets masked)
  cairn token create --workspace <slug> --person <email> [--admin]
                                          create workspace/person if needed and print an API token once
  cairn token list [--workspace <slug>] [--person <email>]
                                          list API tokens (id, prefix, person, last used, revoked)
  cairn token revoke <id> [--workspace <slug>]
                                          revoke an API token: refused at once on HTTP and MCP
  cairn call <action> ['<json>'] [--workspace <slug>] [--person <email>]
                                          run an action and print its JSON output
  cairn actions                           list every action
${extraCommands.map((c) => formatUsage(`cairn ${c.usage}`, c.summary)).join("\n")}
`;

function loadEnv(): Config {
  if (existsSync(".env")) dotenv.config({ path: ".env", quiet: true });
  return loadConfig();
}

async function withRuntime<T>(config: Config, log: Logger, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(config, log);
  try {
    await runtime.engine.prepare();
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

async function start(config: Config, log: Logger, role: "web" | "worker" | "all"): Promise<void> {
  const runtime = await openRuntime(config, log);
  const { firstStart, demo, migrationsApplied } = await runtime.engine.prepare();
  if (migrationsApplied.length > 0) log.info({ migrations: migrationsApplied }, "migrations applied");
  let faces: StartedFaces | undefined;
  prepareModules(runtime.engine, config, log);
  if (role !== "web") installWorkers(runtime.engine, config, log);
  if (role !== "worker") faces = await installFaces(runtime.engine, config, log);
  // The control token exists once the server listens (it is advertised with the URL); read per request.
  let controlToken: string | undefined;
  const server =
    role === "worker"
      ? undefined
      : await startServer({
          engine: runtime.engine,
          port: config.PORT,
          host: config.HOST,
          mounts: faces?.mounts,
          controlToken: () => controlToken,
        });
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
    await server?.close(timeout);
    await faces?.close?.();
    await runtime.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    out(usage);
    return command ? 0 : 2;
  }
  const extra = extraCommands.find((c) => c.name === command);
  if (extra?.noConfig) return extra.run(rest, { out, err });

  const config = loadEnv();
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
      const rows = describeConfig(config);
      const width = Math.max(...rows.map((r) => r.variable.length));
      for (const row of rows) out(`${row.variable.padEnd(width)}  ${row.value}`);
      return 0;
    }
    case "migrate": {
      if (runningServer(config)) {
        out("The running server applied migrations when it started; nothing to do.");
        return 0;
      }
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
      if (subcommand === "list" || subcommand === "revoke") {
        return runTokenCommand(config, log, { out, err }, { subcommand, id, ...values });
      }
      if (subcommand !== "create" || !values.workspace || !values.person) {
        err(TOKEN_USAGE);
        return 2;
      }
      const request = { workspace: values.workspace, person: values.person, admin: values.admin };
      const server = runningServer(config);
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
      const server = runningServer(config);
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
      const { allActions } = await import("../engine/actions/index.ts");
      for (const action of [...allActions].sort((a, b) => a.name.localeCompare(b.name))) {
        out(`${action.name.padEnd(22)}${action.title}${action.scope === "admin" ? " (admin)" : ""}`);
      }
      return 0;
    }
    default:
      if (extra) return extra.run(rest, { out, err, config, log });
      err(`Unknown command "${command}".\n`);
      err(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as NodeJS.ErrnoException)?.code ?? "";
    if (code.startsWith("ERR_PARSE_ARGS")) {
      err(`cairn: ${(error as Error).message}\nRun "cairn help" for usage.`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof ConfigError) err(error.message);
    else if (error instanceof CairnError) err(`cairn: ${error.message}`);
    else err(`cairn: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
