/**
 * Regenerates the README regions that are derived from code, so they cannot drift:
 * `node --import tsx bin/docs.ts --write` (a test fails when the README is stale; `--check` exits 1 then).
 * The configuration table (Cairn's settings, then each connector's), the connectors' list under
 * "Connectors", the inbound routes (with each connector's webhook) and the MCP tool table (every registered
 * action) come from the same lists `cairn` runs on.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type SettingSpec, settings } from "../engine/config.ts";
import type { AnyConnector } from "../engine/sync/connector.ts";
import { renderMcpSection, withSection } from "../mcp-server/docs.ts";
import { connectorSettings, everyAction, registeredConnectors } from "./connectors.ts";

export const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));

export function configTable(connectorVariables: readonly SettingSpec[] = connectorSettings): string {
  const specs: readonly SettingSpec[] = [...settings, ...connectorVariables];
  const rows = specs.map((spec) => {
    const fallback = spec.default ? `\`${spec.default}\`` : "";
    const secret = spec.secret ? " *(secret)*" : "";
    return `| \`${spec.env}\` | ${fallback} | ${spec.description.replace(/\|/g, "\\|")}${secret} |`;
  });
  return ["| Variable | Default | Meaning |", "|---|---|---|", ...rows].join("\n");
}

/** Words joined as prose: "a", "a and b", "a, b and c". */
const prose = (words: string[]): string =>
  words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;

/** Wraps a Markdown list item at the README's width, continuation lines indented under its text. */
function wrapItem(first: string, indent: string, width = 110): string {
  const lines: string[] = [];
  let line = "";
  for (const word of first.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (next.length > width && line) {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = next;
  }
  return [...lines, line].join("\n");
}

/** "**Connecting.**": the connect actions and each connector's env variables. */
export function connectingList(connectors: readonly AnyConnector[] = registeredConnectors): string {
  const actions = prose(connectors.map((connector) => `\`connect_${connector.kind}\``));
  return [
    wrapItem(`- Per workspace, with \`cairn connect …\` or the admin actions ${actions}.`, "  "),
    "- For a single-workspace setup, from the environment. Connections configured there belong to",
    "  `CAIRN_WORKSPACE` (default `demo`):",
    ...connectors.map((connector) => `  - ${connector.docs.env}`),
  ].join("\n");
}

/** The routes the server itself mounts (bin/server.ts, admin/api, mcp-server), before the connectors' webhooks. */
const coreRoutes = [
  "| `GET /healthz` | nothing (liveness only) | — |",
  "| `GET /readyz`, `GET /metrics` | nothing: counts and statuses, no data. Keep them off the public internet (`HOST` is `127.0.0.1` by default). | — |",
  "| `GET /api/actions`, `POST /api/actions/:name` | bearer API token (hash lookup, revocation checked each call); scope per action | `401`; `403` for admin actions; `429` per token and per failing address |",
  "| `POST /api/local/call`, `POST /api/local/token` | `X-Cairn-Control`: the control token in the data dir's lock file (`0600`), only while `cairn start` owns an embedded database; compared in constant time | `401`, nothing created; `429` per failing address |",
  "| `POST`, `GET`, `DELETE /mcp` | Host and Origin checks, then a bearer API token or (with `CAIRN_OAUTH_ISSUER`) a JWT checked against the issuer's JWKS; a session belongs to the token that opened it | `403` (Host/Origin, another token's session), `401` with `WWW-Authenticate`, `429` per failing address |",
  "| `OPTIONS /mcp` | Host and Origin checks (CORS preflight) | `403` |",
  "| `GET /.well-known/oauth-protected-resource[/mcp]` | nothing (RFC 9728 metadata) | — |",
];

/** "Inbound routes": the server's own routes, then each connector's webhook route. */
export function inboundRoutesTable(connectors: readonly AnyConnector[] = registeredConnectors): string {
  const webhooks = connectors.flatMap((connector) => {
    const route = connector.docs.webhookRoute;
    return route ? [`| \`POST ${route.path}\` | ${route.authenticatedBy} | ${route.refusedWith} |`] : [];
  });
  return ["| Route | Authenticated by | Refused with |", "|---|---|---|", ...coreRoutes, ...webhooks].join(
    "\n",
  );
}

export function replaceRegion(text: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`README has no ${begin} … ${end} region`);
  return `${text.slice(0, start + begin.length)}\n${body}\n${text.slice(stop)}`;
}

export function renderReadme(text: string): string {
  const regions = replaceRegion(replaceRegion(text, "config", configTable()), "connectors", connectingList());
  return withSection(regions, renderMcpSection(everyAction));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const current = readFileSync(readmePath, "utf8");
  const next = renderReadme(current);
  if (process.argv.includes("--write")) {
    if (next !== current) writeFileSync(readmePath, next);
    process.stderr.write(next === current ? "README.md is up to date\n" : "README.md updated\n");
  } else if (process.argv.includes("--check") && next !== current) {
    process.stderr.write("README.md is stale: run node --import tsx bin/docs.ts --write\n");
    process.exit(1);
  }
}
