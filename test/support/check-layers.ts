/**
 * Enforces ARCHITECTURE.md's one-way arrows (bin → faces | connectors → engine → models), that SQL stays in
 * engine/db/, and that engine/ knows the Connector contract, never a connector: no connector's kind appears in
 * engine/ code.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const forbidden: Record<string, string[]> = {
  engine: ["bin", "bots", "mcp-server", "admin", "connectors"],
  models: ["bin", "bots", "mcp-server", "admin", "connectors", "engine"],
  connectors: ["bin", "bots", "mcp-server", "admin"],
  "mcp-server": ["bin", "bots", "admin", "connectors"],
  admin: ["bin", "bots", "mcp-server", "connectors"],
  bots: ["bin", "mcp-server", "admin", "connectors"],
};

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** The kinds of the connectors in connectors/ (a new connector adds its kind here). */
const connectorWords = ["notion", "jira", "google", "caldav", "ics"];

/**
 * Mentions that are not connector branches, with why. Each entry is a file and the exact text allowed there.
 * - The SSRF guard blocks Google Cloud's metadata host whatever connectors exist.
 */
const allowed: { file: string; text: string }[] = [
  { file: "engine/sync/url-guard.ts", text: "metadata.google.internal" },
];

/** The file's code without its comments (strings kept), so words in comments do not count. */
function withoutComments(text: string): string {
  let out = "";
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? "";
    if (quote) {
      out += char;
      if (char === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (char === quote) quote = null;
    } else if (char === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (char === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const skipped = text.slice(i, end < 0 ? text.length : end + 2);
      out += skipped.replace(/[^\n]/g, "");
      i = end < 0 ? text.length : end + 1;
    } else {
      if (char === '"' || char === "'" || char === "`") quote = char;
      out += char;
    }
  }
  return out;
}

/** Lines of engine/ code that name a connector kind as a word (case-insensitive), outside comments. */
export function connectorMentions(file: string, text: string): string[] {
  const found: string[] = [];
  withoutComments(text)
    .split("\n")
    .forEach((line, index) => {
      for (const word of connectorWords) {
        for (const match of line.matchAll(new RegExp(`\\b${word}\\b`, "gi"))) {
          const excused = allowed.some(
            (entry) =>
              entry.file === file &&
              line.toLowerCase().includes(entry.text) &&
              entry.text.includes(match[0].toLowerCase()),
          );
          if (!excused)
            found.push(`${file}:${index + 1} names the connector "${word}" (engine/ must stay generic)`);
        }
      }
    });
  return found;
}

const problems: string[] = [];
for (const [layer, banned] of Object.entries(forbidden)) {
  let list: string[] = [];
  try {
    list = files(join(root, layer));
  } catch {
    continue;
  }
  for (const file of list) {
    const text = readFileSync(file, "utf8");
    if (layer === "engine") problems.push(...connectorMentions(relative(root, file), text));
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) {
      const target = relative(root, join(file, "..", match[1] ?? ""));
      const top = target.split("/")[0] ?? "";
      if (banned.includes(top))
        problems.push(`${relative(root, file)} imports ${target} (${layer} must not import ${top})`);
    }
    // Files directly in connectors/ are the registry that lists every connector; folders never import each other.
    if (layer === "connectors" && relative(join(root, "connectors"), file).includes("/")) {
      const own = relative(join(root, "connectors"), file).split("/")[0];
      for (const match of text.matchAll(/["'](\.[^"']+)["']/g)) {
        const target = relative(join(root, "connectors"), join(file, "..", match[1] ?? ""));
        const other = target.split("/")[0];
        if (!target.startsWith("..") && other !== own && target.includes("/")) {
          problems.push(`${relative(root, file)} imports connector ${other}`);
        }
      }
    }
  }
}
// SQL lives only in engine/db/ (repositories, adapters, migrations): a statement in a literal anywhere else is a leak.
const SQL_LITERAL =
  /[`"']\s*(?:SELECT\b|INSERT INTO\b|UPDATE\s+[\w.]+(?:\s+\w+)?\s+SET\b|DELETE FROM\b|WITH\s+(?:RECURSIVE\s+)?\w+(?:\s*\([^)]*\))?\s+AS\b)/g;
/** Blanks comments (keeping line breaks, so line numbers stay true); `://` in URLs is not a comment. */
const blankComments = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .replace(/(^|[^:])\/\/.*$/gm, "$1");
for (const layer of ["engine", "bin", "connectors", "mcp-server", "admin", "bots"]) {
  let list: string[] = [];
  try {
    list = files(join(root, layer));
  } catch {
    continue;
  }
  for (const file of list) {
    const path = relative(root, file);
    if (path.startsWith("engine/db/")) continue;
    const text = blankComments(readFileSync(file, "utf8"));
    for (const match of text.matchAll(SQL_LITERAL)) {
      const line = text.slice(0, match.index).split("\n").length;
      problems.push(`${path}:${line} holds SQL (it belongs in engine/db/repositories/)`);
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`Layering violations:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
  process.exit(1);
}
process.stdout.write("layers ok\n");
