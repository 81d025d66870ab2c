/**
 * The README's MCP section, generated from the action registry so it cannot drift. bin/docs.ts writes it
 * with every registered action (the connectors' included):
 *   node --import tsx bin/docs.ts --write   rewrites README.md's generated regions, this one among them
 * test/integration/mcp-readme.test.ts runs the check, and the inspector test runs the Claude Desktop
 * config below against `cairn mcp`.
 */
import { fileURLToPath } from "node:url";
import type { AnyAction } from "../engine/actions/define.ts";
import { INSIGHTS_URI, PLAN_TODAY_URI, TASK_URI_TEMPLATE } from "./resources.ts";

export const BEGIN = "<!-- mcp:begin -->";
export const END = "<!-- mcp:end -->";

const CHECKOUT = "/path/to/cairn";
/** VS Code's input variable syntax (a literal, not a template). */
const VSCODE_TOKEN = ["$", "{input:cairn-token}"].join("");
const TOKEN = "cairn_…";
const LOCAL_URL = "http://127.0.0.1:3000/mcp";

export interface StdioServerConfig {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** How an assistant starts `cairn mcp` (the README shows it with placeholders; tests run it for real). */
export function stdioServer(options: {
  checkout: string;
  token: string;
  dataDir?: string;
}): StdioServerConfig {
  return {
    command: "node",
    args: [`${options.checkout}/bin/cairn.js`, "mcp"],
    env: { CAIRN_TOKEN: options.token, CAIRN_DATA_DIR: options.dataDir ?? `${options.checkout}/.cairn` },
  };
}

/** Claude Desktop's (and Cursor's) `mcpServers` file for stdio. */
export const claudeDesktopConfig = (server: StdioServerConfig) => ({ mcpServers: { cairn: server } });

const json = (value: unknown): string => ["```json", JSON.stringify(value, null, 2), "```"].join("\n");
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

function kind(action: AnyAction): string {
  const { readOnlyHint, destructiveHint, openWorldHint } = action.annotations;
  const parts = [readOnlyHint ? "read-only" : destructiveHint ? "**destructive**" : "writes"];
  if (openWorldHint) parts.push("reaches external services");
  if (action.scope === "admin") parts.push("admin only");
  return parts.join(", ");
}

export function toolTable(actions: readonly AnyAction[]): string {
  const rows = [...actions]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (action) =>
        `| \`${action.name}\` | ${cell(action.title)} | ${kind(action)} | ${cell(action.description)} |`,
    );
  return ["| Tool | Title | Kind | What it does |", "|---|---|---|---|", ...rows].join("\n");
}

export function renderMcpSection(actions: readonly AnyAction[]): string {
  const stdio = stdioServer({ checkout: CHECKOUT, token: TOKEN });
  const vscodeInput = {
    type: "promptString",
    id: "cairn-token",
    description: "Cairn API token",
    password: true,
  };
  return [
    "Cairn is an MCP server: every action below is a tool, with today's plan, tasks and insights as resources",
    "and `plan-my-day` / `weekly-review` as prompts. Two transports:",
    "",
    "- **stdio**: the assistant starts `cairn mcp` with `CAIRN_TOKEN` in its environment. Logs go to stderr.",
    "  With the embedded database, if `cairn start` is already running on the same `CAIRN_DATA_DIR`,",
    "  `cairn mcp` relays to that server instead of opening the database (PGlite allows one process).",
    "- **Streamable HTTP** at `/mcp` on the server (`cairn start`), with `Authorization: Bearer <token>`.",
    "  Browser origins other than localhost, `CAIRN_PUBLIC_URL` and `CAIRN_ALLOWED_ORIGINS` are refused.",
    "  With `CAIRN_OAUTH_ISSUER` set, JWT access tokens from that issuer are accepted too (audience",
    "  `CAIRN_OAUTH_AUDIENCE`, default `<CAIRN_PUBLIC_URL>/mcp`), mapped to an existing person by their `email`",
    "  claim in the workspace of the `cairn_workspace` claim (default `CAIRN_WORKSPACE`). Metadata:",
    "  `/.well-known/oauth-protected-resource` (RFC 9728).",
    "",
    "Tool calls and resource reads share one limit per token, `CAIRN_RATE_LIMIT_PER_MINUTE`. A refused tool",
    "call comes back as an error result with `retryAfterSeconds`; a refused read is a JSON-RPC error.",
    "",
    "Get a token (shown once) and replace `/path/to/cairn` with your checkout:",
    "",
    "```sh",
    "npx cairn token create --workspace demo --person you@example.com",
    "```",
    "",
    "### Claude Desktop",
    "",
    "`claude_desktop_config.json` (Settings → Developer → Edit Config):",
    "",
    json(claudeDesktopConfig(stdio)),
    "",
    'To reach a Cairn server elsewhere with a token, keep the same config and add `"--url", "https://<your cairn>"`',
    "to `args`: `cairn mcp --url` relays stdio to that server's `/mcp`. Claude Desktop's own remote connectors",
    "(Settings → Connectors, URL `https://<your cairn>/mcp`) sign in with OAuth, so they need `CAIRN_OAUTH_ISSUER`.",
    "",
    "### Claude Code",
    "",
    "```sh",
    `claude mcp add cairn --env CAIRN_TOKEN=${TOKEN} --env CAIRN_DATA_DIR=${CHECKOUT}/.cairn -- node ${CHECKOUT}/bin/cairn.js mcp`,
    `claude mcp add --transport http cairn ${LOCAL_URL} --header "Authorization: Bearer ${TOKEN}"`,
    "```",
    "",
    "### Cursor",
    "",
    "`~/.cursor/mcp.json` (or `.cursor/mcp.json` in a project), stdio or HTTP:",
    "",
    json(claudeDesktopConfig(stdio)),
    "",
    json({ mcpServers: { cairn: { url: LOCAL_URL, headers: { Authorization: `Bearer ${TOKEN}` } } } }),
    "",
    "### VS Code",
    "",
    "`.vscode/mcp.json` (VS Code asks for the token once and stores it securely), stdio or HTTP:",
    "",
    json({
      inputs: [vscodeInput],
      servers: {
        cairn: { type: "stdio", ...stdio, env: { ...stdio.env, CAIRN_TOKEN: VSCODE_TOKEN } },
      },
    }),
    "",
    json({
      inputs: [vscodeInput],
      servers: {
        cairn: { type: "http", url: LOCAL_URL, headers: { Authorization: `Bearer ${VSCODE_TOKEN}` } },
      },
    }),
    "",
    "### Tools",
    "",
    "Generated from the action registry (`node --import tsx bin/docs.ts --write`). Each tool has an input",
    "and an output schema and returns `structuredContent` plus a short text; failures come back as results",
    'with `isError: true`, a message that says what to fix and `_meta["cairn/error"].code` (`forbidden` when a',
    "member calls an admin-only tool, which members do not see in `tools/list`; `rate_limited` past",
    "`CAIRN_RATE_LIMIT_PER_MINUTE` calls per token per minute).",
    "",
    toolTable(actions),
    "",
    "### Resources and prompts",
    "",
    "| URI or name | What it is |",
    "|---|---|",
    `| \`${PLAN_TODAY_URI}\` | Today's schedule (from \`get_schedule\` when planning is set up: Cairn's task, focus and habit blocks beside the calendar's events) and the tasks that matter today |`,
    `| \`${TASK_URI_TEMPLATE}\` | One task; the 50 most recent are listed. Subscribe to be told when it changes |`,
    `| \`${INSIGHTS_URI}\` | Open, overdue and due-soon counts, work left, completed this week, on-time rate |`,
    "| `plan-my-day` prompt | Gathers today's plan and asks the assistant to propose the day, then act with the tools |",
    "| `weekly-review` prompt | Gathers the week's completed, slipped and upcoming tasks with the numbers |",
  ].join("\n");
}

/** The README with its MCP region replaced by `section`. */
export function withSection(readme: string, section: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} … ${END} region`);
  return `${readme.slice(0, start + BEGIN.length)}\n${section}\n${readme.slice(end)}`;
}

export const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // The full tool list includes the connectors' actions, which only bin/ composes.
  process.stderr.write("The MCP section is written by bin/docs.ts: node --import tsx bin/docs.ts --write\n");
  process.exit(1);
}
