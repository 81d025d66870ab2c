/**
 * Every `cairn` command's name, usage and help, with nothing heavy imported: `cairn --help`, `cairn <command>
 * --help` and `cairn --version` answer from this file alone. A command's modules load only when it runs
 * (`load` for the commands that face modules implement; the built-in ones import lazily in bin/cairn.ts).
 */
import { readFileSync } from "node:fs";
import type { ExtraCommand } from "./modules/types.ts";

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  /** Printed by `cairn <name> --help`; the usage line and summary when absent. */
  help?: string | (() => Promise<string>);
  /** For commands implemented by a face module: loads that module and returns the command. */
  load?: () => Promise<ExtraCommand>;
}

const GLOBAL_OPTIONS = "  -h, --help   print this help and exit";

/** Finds a face module's command by name (the module is the source of its behaviour). */
function commandIn(commands: ExtraCommand[] | undefined, name: string): ExtraCommand {
  const command = commands?.find((c) => c.name === name);
  if (!command) throw new Error(`bin/commands.ts lists "${name}" but its face module does not define it`);
  return command;
}

export const commands: CommandSpec[] = [
  {
    name: "start",
    usage: "start [--role web|worker|all]",
    summary: "run the server and/or job workers (default: all)",
    help: `Usage: cairn start [--role web|worker|all]

Runs Cairn in the foreground until SIGTERM or Ctrl-C: the HTTP server (actions API, MCP, webhooks) and the
job workers. Applies pending migrations first. Settings come from the environment and .env (cairn config).

Options:
  --role <web|worker|all>   what this process runs (default: all)
${GLOBAL_OPTIONS}`,
  },
  {
    name: "worker",
    usage: "worker",
    summary: "run job workers only (same as start --role worker)",
  },
  { name: "migrate", usage: "migrate", summary: "apply database migrations" },
  {
    name: "config",
    usage: "config",
    summary: "print the configuration in effect (secrets masked, defaults marked)",
  },
  {
    name: "token",
    usage: "token create|list|revoke ...",
    summary: "create an API token (shown once), list tokens, or revoke one",
    help: `Usage: cairn token create --workspace <slug> --person <email> [--admin]
       cairn token list [--workspace <slug>] [--person <email>]
       cairn token revoke <id> [--workspace <slug>]

create  creates the workspace and the person if needed and prints a new API token on stdout, once.
list    lists API tokens (id, name, prefix, person, created, last used, revoked); never the tokens.
revoke  revokes a token: it is refused at once on HTTP and MCP.

Options:
  --workspace <slug>   workspace slug (create: created if missing; list/revoke: default CAIRN_WORKSPACE)
  --person <email>     create: the token's person (created if missing); list: only this person's tokens
  --admin              create: make the person a workspace admin
${GLOBAL_OPTIONS}`,
  },
  {
    name: "admin",
    usage: "admin create --email <email> [--password <pw>]",
    summary: "create or reset an owner of the admin console (/admin); asks for the password when absent",
    help: async () => (await import("./commands/admin.ts")).ADMIN_HELP,
  },
  {
    name: "call",
    usage: "call <action> ['<json>'] [--workspace <slug>] [--person <email>]",
    summary: "run an action and print its JSON output",
    help: `Usage: cairn call <action> ['<json>'] [--workspace <slug>] [--person <email>]

Runs one action (see cairn actions) with a JSON input and prints its JSON output. Goes through the running
server when one owns the embedded database.

Options:
  --workspace <slug>   workspace to act in (default: CAIRN_WORKSPACE)
  --person <email>     act as this person (default: the workspace's first admin)
${GLOBAL_OPTIONS}`,
  },
  { name: "actions", usage: "actions", summary: "list every action" },
  {
    name: "plan",
    usage: "plan --input <file|->",
    summary: "plan focus blocks for a scenario JSON (no database); prints the plan as JSON",
    help: `Usage: cairn plan --input <scenario.json | ->

Plans focus blocks for the scenario in the file (or stdin with -) and prints the plan as JSON. Needs no
database and no configuration.

Options:
  -i, --input <file|->   the scenario JSON
${GLOBAL_OPTIONS}`,
    load: async () => (await import("./commands/plan.ts")).planCommand,
  },
  {
    name: "insights",
    usage: "insights --input <file|->",
    summary: "behaviour insights for a history JSON (no database); prints them as JSON",
    help: `Usage: cairn insights --input <history.json | ->

Reads a person's history (tasks, events, busy time) from the file (or stdin with -) and prints their
insights as JSON: peak hours, effort calibration, completion likelihood, procrastination, burnout risk and
score. Needs no database and no configuration.

Options:
  -i, --input <file|->   the history JSON
${GLOBAL_OPTIONS}`,
    load: async () => (await import("./commands/insights.ts")).insightsCommand,
  },
  {
    name: "train",
    usage: "train [--quick] [--check] [--out <dir>]",
    summary: "reproduce the behaviour models from simulated people (models/trained/, cards)",
    help: `Usage: cairn train [--quick] [--check] [--out <dir>]

Trains every behaviour model behind cairn insights (peak hours, effort calibration, completion likelihood,
burnout risk) on seeded simulated people, scores each on held-out simulated people against a baseline,
exports the completion model to ONNX and checks it against the TypeScript reference (within 1e-5), then
writes models/trained/ and the figures in models/cards/. Progress goes to stderr, the figures to stdout as
JSON. Needs no database and no configuration; takes a few minutes on 2 cores.

Options:
  --quick       a small training run (seconds; for tests); never touches the cards
  --check       train, then compare with the files instead of writing them (exit 1 when they differ)
  --out <dir>   write (or compare) the artifacts there instead of models/trained/
${GLOBAL_OPTIONS}`,
    load: async () => (await import("./commands/train.ts")).trainCommand,
  },
  {
    name: "chat",
    usage:
      'chat [--workspace <slug>] [--person <email>] | chat --parse [--tz <IANA zone>] [--now <ISO time>] "<text>"',
    summary: "chat with Cairn in the terminal; --parse prints the action call a message becomes",
    help: `Usage: cairn chat [--workspace <slug>] [--person <email>]
       cairn chat --parse [--tz <IANA zone>] [--now <ISO time>] "<text>"

Without --parse: an interactive chat with Cairn as one person (default: the workspace's first admin), the
same conversation as in Slack and Teams. Type what you want ("add write the Q3 report by friday 2h",
"plan my day", "what should I do now?"); a number picks a button of the last reply; "exit" leaves.
Works beside a running "cairn start" (through its local API) or on its own.

With --parse: prints what the conversation core makes of one message, with no database and no AI service:
{"action": "<name>", "input": {...}} or {"action": null, "clarify": "<question>"}. Dates in input are ISO 8601
with the zone's offset, durations are minutes, and a task named by its words is {"taskQuery": "<words>"}.

Options:
  --workspace <slug>  the workspace to chat in (default CAIRN_WORKSPACE)
  --person <email>    the person to chat as
  --parse             parse one message and print the result
  --tz <zone>         the person's IANA time zone (default UTC)
  --now <time>        the moment "today", "tomorrow" and "in 2 hours" count from (default: now)
${GLOBAL_OPTIONS}`,
    load: async () => (await import("./faces/chat.ts")).chatCommand,
  },
  {
    name: "connect",
    // Kept literal so `cairn --help` loads no connector; test/integration/toy-connector.test.ts checks it
    // against the registered kinds.
    usage: "connect <notion|jira|google|caldav|ics> [...]",
    summary: "connect a source (cairn connect --help for its flags)",
    help: async () => (await import("./workers/sync.ts")).connectUsage,
    load: async () => commandIn((await import("./workers/sync.ts")).syncModule.commands, "connect"),
  },
  {
    name: "sync",
    usage: "sync [--connection <id>] [--full] [--json]",
    summary: "sync connections now and print what changed",
    help: `Usage: cairn sync [--connection <id>] [--full] [--json] [--workspace <slug>] [--person <email>]

Syncs every connection of the workspace (or one) now and prints what changed.

Options:
  --connection <id>    only this connection
  --full               ignore sync cursors and read everything again
  --json               print the results as JSON
  --workspace <slug>   workspace (default: CAIRN_WORKSPACE)
  --person <email>     act as this person
${GLOBAL_OPTIONS}`,
    load: async () => commandIn((await import("./workers/sync.ts")).syncModule.commands, "sync"),
  },
  {
    name: "mcp",
    usage: "mcp [--url <server url>]",
    summary: "MCP on stdio for AI assistants (CAIRN_TOKEN=<token>); --url relays to a remote Cairn",
    help: `Usage: CAIRN_TOKEN=<token> cairn mcp [--url <server url>]

Serves MCP on stdin/stdout as the token's person. Relays to the running server when one owns the embedded
database, or to --url.

Options:
  --url <url>   relay to the Cairn server at this URL
${GLOBAL_OPTIONS}`,
    load: async () => commandIn((await import("./faces/mcp.ts")).mcpModule.commands, "mcp"),
  },
  {
    name: "mail",
    usage: "mail test --to <address> | mail preview [--input <message.json>] [--out <file.html>]",
    summary: "send a test email through SMTP_URL, or preview an email (the weekly review) as HTML",
    help: `Usage: cairn mail test --to <address>
       cairn mail preview [--input <message.json>] [--out <file.html>]

test     sends a test email through SMTP_URL from CAIRN_MAIL_FROM and says whether the server took it.
preview  draws a message as the HTML part of its email: the weekly review (a sample week) by default, or a
         message model read from --input ({"text": "...", "parts": [...]}, "-" for stdin). Needs no config.

Options:
  --to <address>    test: where to send the test email
  --input <file>    preview: the message to draw (default: a sample weekly review)
  --out <file>      preview: write the HTML there instead of stdout
${GLOBAL_OPTIONS}`,
    load: async () => (await import("./faces/email.ts")).mailCommand,
  },
  {
    name: "teams-package",
    usage: "teams-package [--out <file>]",
    summary: "Write the Microsoft Teams app package (manifest.json and icons) as a zip; needs MicrosoftAppId",
    help: `Usage: cairn teams-package [--out <file>]

Writes the Teams app package to upload in Teams or the Developer Portal: manifest.json (schema 1.16, the bot
from MicrosoftAppId, links on CAIRN_PUBLIC_URL), color.png (192x192) and outline.png (32x32).

Options:
  --out <file>   where to write the zip (default cairn-teams.zip)
${GLOBAL_OPTIONS}`,
    load: async () => commandIn((await import("./faces/teams.ts")).teamsModule.commands, "teams-package"),
  },
];

export const findCommand = (name: string): CommandSpec | undefined => commands.find((c) => c.name === name);

function usageLine(command: string, summary: string): string {
  return command.length < 38
    ? `  ${command.padEnd(40)}${summary}`
    : `  ${command}\n${" ".repeat(42)}${summary}`;
}

export const usage = `cairn — self-hosted productivity agent

Usage:
${commands.map((c) => usageLine(`cairn ${c.usage}`, c.summary)).join("\n")}
  cairn <command> --help                  help for one command
  cairn --version                         print the version
`;

/** `-h`/`--help` anywhere before a `--` asks for help instead of running the command. */
export function wantsHelp(args: string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

export async function helpOf(command: CommandSpec): Promise<string> {
  if (typeof command.help === "function") return command.help();
  return (
    command.help ??
    `Usage: cairn ${command.usage}\n\n${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.\n\nOptions:\n${GLOBAL_OPTIONS}`
  );
}

/** The version in package.json (the source tree's, or the copy the build writes next to dist/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
