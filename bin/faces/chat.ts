/**
 * `cairn chat`: the conversation in a terminal, as a chosen person (the same core as Slack and Teams), and
 * `cairn chat --parse --tz <IANA> --now <ISO> "<text>"`: what the core makes of one message, as JSON, with no
 * database and no configuration.
 */
import { parseArgs } from "node:util";
import type { ConversationPort } from "../../bots/conversation/conversation.ts";
import { inMemoryConversation } from "../../bots/conversation/memory.ts";
import { parseStandalone, validTimezone } from "../../bots/conversation/parse.ts";
import { terminalMessenger } from "../../bots/terminal/messenger.ts";
import { runTerminalChat } from "../../bots/terminal/session.ts";
import type { Actor } from "../../engine/actions/define.ts";
import type { Config } from "../../engine/config.ts";
import { CairnError } from "../../engine/errors.ts";
import type { Logger } from "../../engine/logger.ts";
import { firstReachable } from "../../engine/messaging/route.ts";
import type { CommandIo, ExtraCommand, FaceModule } from "../modules/types.ts";

export const CHAT_USAGE =
  'chat [--workspace <slug>] [--person <email>] | chat --parse [--tz <IANA zone>] [--now <ISO time>] "<text>"';

function parseOnce(values: { tz?: string; now?: string }, positionals: string[], io: CommandIo): number {
  const timezone = values.tz ?? "UTC";
  if (!validTimezone(timezone)) {
    io.err(`cairn chat: --tz "${timezone}" is not an IANA time zone (for example Europe/Berlin).`);
    return 2;
  }
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime()) || (values.now !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(values.now))) {
    io.err(`cairn chat: --now "${values.now}" is not an ISO 8601 time (for example 2026-03-20T08:00:00Z).`);
    return 2;
  }
  io.out(JSON.stringify(parseStandalone(positionals.join(" "), { timezone, now })));
  return 0;
}

const errorLine = (log: Logger | undefined) => (error: unknown) => {
  if (error instanceof CairnError) return `cairn: ${error.message}`;
  log?.error({ err: error }, "chat message failed");
  return "Something went wrong on my side; it is in the log.";
};

/** Terminal chat against the server that owns the embedded database: actions through its local API. */
async function relayPort(
  config: Config,
  workspace: string,
  person: string | undefined,
): Promise<ConversationPort | undefined> {
  const { callLocalServer, runningServer } = await import("../local-server.ts");
  const server = runningServer(config);
  if (!server) return undefined;
  const { allActions } = await import("../../engine/actions/index.ts");
  const call = (action: string, input: Record<string, unknown>) =>
    callLocalServer(server, "call", { action, input, workspace, person });
  const me = await call("whoami", {});
  const { Person } = await import("../../engine/domain.ts");
  const { z } = await import("zod");
  const parsed = z.object({ person: Person }).parse(me);
  return {
    call,
    has: (name) => allActions.some((a) => a.name === name && (a.scope !== "admin" || parsed.person.isAdmin)),
    memory: inMemoryConversation(),
    timezone: parsed.person.timezone,
    now: () => new Date(),
  };
}

async function interactive(values: { workspace?: string; person?: string }, io: CommandIo): Promise<number> {
  const { config, log } = io;
  if (!config || !log) throw new Error("cairn chat needs the configuration");
  const workspace = values.workspace ?? config.CAIRN_WORKSPACE;
  const style = {
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    width: process.stdout.columns ?? 80,
  };
  const session = (actor: string) => ({
    input: process.stdin,
    output: process.stdout,
    style,
    greeting: `Cairn chat as ${actor} in ${workspace}. Say "help" for examples, "exit" to leave.`,
  });
  const relayed = await relayPort(config, workspace, values.person);
  if (relayed) {
    await runTerminalChat(relayed, session(values.person ?? "the workspace's first admin"), errorLine(log));
    return 0;
  }
  const [{ openRuntime }, { enginePort }] = await Promise.all([
    import("../compose.ts"),
    import("../../bots/conversation/engine-port.ts"),
  ]);
  const runtime = await openRuntime(config, log);
  try {
    const { engine } = runtime;
    await engine.prepare();
    const terminal = terminalMessenger();
    engine.services.messenger = firstReachable([engine.services.messenger, terminal]);
    // This process is the only one running the engine here: it also runs the modules and their workers.
    if (io.modules) {
      const modules = await io.modules();
      modules.prepareModules(engine, config, log);
      if (!config.REDIS_URL) {
        modules.installWorkers(engine, config, log);
        await engine.services.jobs.start();
      }
    }
    const actor: Actor = await engine.actorFor(workspace, values.person);
    const port = enginePort(engine, actor, "terminal", `terminal:${process.pid}:${Date.now()}`);
    await runTerminalChat(
      port,
      { ...session(actor.person.email), subscribe: (deliver) => terminal.attach(actor.person.id, deliver) },
      errorLine(log),
    );
    return 0;
  } finally {
    await runtime.close();
  }
}

export const chatCommand: ExtraCommand = {
  name: "chat",
  usage: CHAT_USAGE,
  summary: "chat with Cairn in the terminal; --parse prints the action call a message becomes",
  noConfig: (args) => args.includes("--parse"),
  async run(args, io) {
    let values: { parse?: boolean; tz?: string; now?: string; workspace?: string; person?: string };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          parse: { type: "boolean" },
          tz: { type: "string" },
          now: { type: "string" },
          workspace: { type: "string" },
          person: { type: "string" },
        },
      }));
    } catch (error) {
      io.err(`cairn chat: ${(error as Error).message}`);
      return 2;
    }
    if (values.parse) return parseOnce(values, positionals, io);
    if (positionals.length > 0) {
      io.err(
        `cairn chat: to see what one message becomes, add --parse: cairn chat --parse "${positionals.join(" ")}"`,
      );
      return 2;
    }
    return interactive(values, io);
  },
};

/** The terminal chat as a face of the start banner; the command itself is `cairn chat`. */
export const chatModule: FaceModule = {
  name: "chat",
  commands: [chatCommand],
  async installFace() {
    return { describe: () => ["Chat:           npx cairn chat   (in a terminal, as you)"] };
  },
};
