/**
 * Wires mcp-server/ into Cairn: Streamable HTTP at /mcp (plus the OAuth protected-resource metadata) on
 * the main server, and `cairn mcp` for assistants that start Cairn as a stdio subprocess.
 */
import { parseArgs } from "node:util";
import { resolveApiToken } from "../../engine/auth/api-tokens.ts";
import type { Config } from "../../engine/config.ts";
import { readLock } from "../../engine/db/data-dir-lock.ts";
import type { Logger } from "../../engine/logger.ts";
import { bridgeStdioToHttp, createMcpHttp, mcpEndpoint, serveStdio } from "../../mcp-server/index.ts";
import { dataDirOf, openRuntime } from "../compose.ts";
import type { CommandIo, ExtraCommand, FaceModule } from "../modules/types.ts";

const TOKEN_HELP =
  "Set CAIRN_TOKEN to an API token. Create one with: npx cairn token create --workspace <slug> --person <email>";

/** Asks the running server whether it accepts the token (any answer but 401 means yes). */
async function tokenAccepted(url: string, token: string): Promise<{ ok: boolean; problem?: string }> {
  try {
    const response = await fetch(mcpEndpoint(url), {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: "{}",
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    if (response.status === 401)
      return { ok: false, problem: "the running Cairn server rejected CAIRN_TOKEN" };
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      problem: `cannot reach the running Cairn server at ${url}: ${(error as Error).message}`,
    };
  }
}

async function relay(url: string, token: string, log: Logger, io: CommandIo): Promise<number> {
  const check = await tokenAccepted(url, token);
  if (!check.ok) {
    io.err(`cairn mcp: ${check.problem}. ${TOKEN_HELP}`);
    return 2;
  }
  await bridgeStdioToHttp({ url, token, log });
  return 0;
}

async function runMcp(
  config: Config,
  log: Logger,
  io: CommandIo,
  token: string,
  url?: string,
): Promise<number> {
  if (url) return relay(url, token, log, io);
  if (!config.DATABASE_URL) {
    const holder = readLock(dataDirOf(config));
    if (holder?.url) return relay(holder.url, token, log, io);
    if (holder) {
      io.err(
        `cairn mcp: another Cairn process (pid ${holder.pid}) has the embedded database in ${dataDirOf(config)} open and is not serving HTTP. Stop it, or start the server (cairn start) so cairn mcp can go through it.`,
      );
      return 1;
    }
  }
  const runtime = await openRuntime(config, log);
  try {
    const { engine } = runtime;
    await engine.prepare();
    const resolved = await resolveApiToken(engine.services.db, token);
    if (!resolved) {
      io.err(`cairn mcp: CAIRN_TOKEN is unknown or revoked. ${TOKEN_HELP}`);
      return 2;
    }
    // This process is the only one on its database: it also runs the engine's modules and, with the
    // in-process queue, their job workers (sync, write-back). The composition root hands them over.
    if (!io.modules) throw new Error("cairn mcp needs the module hooks from bin/cairn.ts");
    const faces = await io.modules();
    faces.prepareModules(engine, config, log);
    if (!config.REDIS_URL) {
      faces.installWorkers(engine, config, log);
      await engine.services.jobs.start();
    }
    await serveStdio({
      engine,
      actor: { workspace: resolved.workspace, person: resolved.person },
      principal: `token:${resolved.tokenId}`,
      log,
      // A token revoked while the assistant keeps this process open is refused from its next message on.
      authorize: async () => (await resolveApiToken(engine.services.db, token))?.tokenId === resolved.tokenId,
    });
    return 0;
  } finally {
    await runtime.close();
  }
}

const mcpCommand: ExtraCommand = {
  name: "mcp",
  usage: "mcp [--url <server url>]",
  summary: "MCP on stdio for AI assistants (CAIRN_TOKEN=<token>); --url relays to a remote Cairn",
  async run(args, io) {
    let url: string | undefined;
    try {
      url = parseArgs({ args, options: { url: { type: "string" } } }).values.url;
      if (url) mcpEndpoint(url);
    } catch (error) {
      io.err(`cairn mcp: ${(error as Error).message}. Usage: cairn mcp [--url https://cairn.example.com]`);
      return 2;
    }
    const config = io.config as Config; // Present: this command loads the configuration.
    const log = (io.log as Logger).child({ face: "mcp", transport: "stdio" });
    const token = process.env.CAIRN_TOKEN?.trim();
    if (!token) {
      io.err(`cairn mcp: CAIRN_TOKEN is not set. ${TOKEN_HELP}`);
      return 2;
    }
    return runMcp(config, log, io, token, url);
  },
};

export const mcpModule: FaceModule = {
  name: "mcp",
  commands: [mcpCommand],
  async installFace(engine, config, log) {
    const http = createMcpHttp({ engine, config, log });
    return {
      mounts: [{ path: "/", router: http.router }],
      describe: (url) => [`MCP (HTTP):     ${url}/mcp   (stdio: CAIRN_TOKEN=<token> npx cairn mcp)`],
      close: () => http.close(),
    };
  },
};
