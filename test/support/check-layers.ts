/** Enforces ARCHITECTURE.md's one-way arrows (bin → faces | connectors → engine → models) and that SQL stays in engine/db/. */
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
const withoutComments = (text: string) =>
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
    const text = withoutComments(readFileSync(file, "utf8"));
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
