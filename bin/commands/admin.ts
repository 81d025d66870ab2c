/**
 * `cairn admin create --email <email> [--password <pw>]`: creates or resets a workspace owner for the admin
 * console. Without --password it asks for one (hidden when typed in a terminal, else the first line of
 * stdin). Goes through the running server when one owns the embedded database.
 */
import { parseArgs } from "node:util";
import { createOrResetOwner } from "../../admin/auth/owners.ts";
import { MIN_PASSWORD_LENGTH } from "../../admin/auth/passwords.ts";
import type { Config } from "../../engine/config.ts";
import type { Logger } from "../../engine/logger.ts";
import { openRuntime } from "../compose.ts";
import { callLocalServer, runningServer } from "../local-server.ts";

export const ADMIN_USAGE = `Usage: cairn admin create --email <email> [--password <password>] [--name <name>] [--workspace <slug>]`;

export const ADMIN_HELP = `${ADMIN_USAGE}

Creates a console owner (or resets an existing person's password and makes them an owner), who then signs
in at /admin with that email and password. Without --password, asks for it (input hidden). Passwords have at
least ${MIN_PASSWORD_LENGTH} characters. Signing in again is needed after a reset: old sessions end.

Options:
  --email <email>       the owner's email (created in the workspace when missing)
  --password <pw>       the password (prefer the prompt: a flag stays in your shell history)
  --name <name>         the person's name, for a new person
  --workspace <slug>    the workspace (default: CAIRN_WORKSPACE)
  -h, --help            print this help and exit`;

interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Reads a line without echoing it (a terminal), or the first line of piped stdin. */
export async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) {
      text += String(chunk);
      if (text.includes("\n")) break;
    }
    return text.split(/\r?\n/)[0] ?? "";
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new Error("cancelled"));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on("data", onData);
  });
}

export async function runAdminCommand(config: Config, log: Logger, io: Io, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      workspace: { type: "string" },
    },
  });
  if (positionals[0] !== "create" || positionals.length > 1 || !values.email) {
    io.err(ADMIN_USAGE);
    return 2;
  }
  let password = values.password;
  if (password === undefined) {
    password = await readPassword("Password (at least 10 characters): ");
    if (process.stdin.isTTY) {
      const again = await readPassword("Same password again: ");
      if (again !== password) {
        io.err("cairn admin create: the two passwords differ; nothing changed.");
        return 2;
      }
    }
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    io.err(
      `cairn admin create: the password needs at least ${MIN_PASSWORD_LENGTH} characters; nothing changed.`,
    );
    return 2;
  }
  const request = {
    workspace: values.workspace ?? config.CAIRN_WORKSPACE,
    email: values.email,
    password,
    ...(values.name ? { name: values.name } : {}),
  };
  const server = runningServer(config);
  const result = server
    ? ((await callLocalServer(server, "admin", request)) as {
        workspace: string;
        email: string;
        created: boolean;
      })
    : await (async () => {
        const runtime = await openRuntime(config, log);
        try {
          await runtime.engine.prepare();
          const owner = await createOrResetOwner(runtime.engine.services.db, request);
          return { workspace: owner.workspace.slug, email: owner.person.email, created: owner.created };
        } finally {
          await runtime.close();
        }
      })();
  io.out(
    `${result.created ? "Created" : "Updated"} owner ${result.email} in workspace ${result.workspace}. Sign in at /admin with this email and password.`,
  );
  return 0;
}
