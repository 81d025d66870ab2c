/**
 * `cairn token list` and `cairn token revoke <id>`: the list_tokens and revoke_token actions run as the
 * workspace's first admin (or --person), directly on the database or through the running server that
 * owns the embedded one.
 */

import type { Config } from "../../engine/config.ts";
import type { ApiToken } from "../../engine/db/repositories/api-tokens.ts";
import type { Logger } from "../../engine/logger.ts";
import { openRuntime } from "../compose.ts";
import { callLocalServer, runningServer } from "../local-server.ts";

export const TOKEN_USAGE = `Usage: cairn token create --workspace <slug> --person <email> [--admin]
       cairn token list [--workspace <slug>] [--person <email>]
       cairn token revoke <id> [--workspace <slug>]`;

interface Io {
  out(text: string): void;
  err(text: string): void;
}

async function callAction(
  config: Config,
  log: Logger,
  request: { action: string; input: unknown; workspace: string; person?: string },
): Promise<unknown> {
  const server = await runningServer(config);
  if (server) return callLocalServer(server, "call", request);
  const runtime = await openRuntime(config, log);
  try {
    await runtime.engine.prepare();
    const actor = await runtime.engine.actorFor(request.workspace, request.person);
    return await runtime.engine.call(actor, "cli", request.action, request.input);
  } finally {
    await runtime.close();
  }
}

const when = (iso: string | null): string => (iso ? iso.replace(/\.\d{3}Z$/, "Z") : "-");

export function formatTokenTable(tokens: readonly ApiToken[]): string[] {
  const rows = [
    ["ID", "NAME", "PREFIX", "PERSON", "CREATED", "LAST USED", "REVOKED"],
    ...tokens.map((t) => [
      t.id,
      t.name,
      t.prefix,
      t.person.email,
      when(t.createdAt),
      when(t.lastUsedAt),
      when(t.revokedAt),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd(),
  );
}

export async function runTokenCommand(
  config: Config,
  log: Logger,
  io: Io,
  args: { subcommand: "list" | "revoke"; id?: string; workspace?: string; person?: string },
): Promise<number> {
  const workspace = args.workspace ?? config.CAIRN_WORKSPACE;
  if (args.subcommand === "list") {
    const input = args.person ? { person: args.person } : {};
    // Boundary: list_tokens' output schema is {tokens: ApiToken[]}.
    const { tokens } = (await callAction(config, log, { action: "list_tokens", input, workspace })) as {
      tokens: ApiToken[];
    };
    if (tokens.length === 0) {
      io.err(`No API tokens in workspace ${workspace}.`);
      return 0;
    }
    for (const line of formatTokenTable(tokens)) io.out(line);
    return 0;
  }
  if (!args.id) {
    io.err(TOKEN_USAGE);
    return 2;
  }
  const token = (await callAction(config, log, {
    action: "revoke_token",
    input: { id: args.id },
    workspace,
    person: args.person,
  })) as ApiToken;
  io.out(
    `Revoked ${token.prefix}… (${token.name}) of ${token.person.email} in ${workspace} at ${when(token.revokedAt)}.`,
  );
  return 0;
}
