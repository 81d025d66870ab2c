/**
 * `npm run bench -- <name> [flags]` runs one benchmark suite (test/bench/<name>/run.ts) with its flags;
 * without a name it lists them. Each suite prints progress on stderr and its results on stdout, and
 * BENCHMARKS.md gives the exact command behind every published figure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const suites = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${benchDir}${entry.name}/run.ts`))
  .map((entry) => entry.name)
  .sort();

const [name, ...flags] = process.argv.slice(2);
if (!name || !suites.includes(name)) {
  if (name) process.stderr.write(`No benchmark "${name}".\n`);
  process.stderr.write(`Usage: npm run bench -- <${suites.join("|")}> [flags]\n`);
  process.exit(name ? 2 : 0);
}
// The MCP suite measures memory per session, which needs explicit garbage collection.
const nodeFlags = name === "mcp" ? ["--expose-gc"] : [];
const result = spawnSync(
  process.execPath,
  [...nodeFlags, "--import", "tsx", `${benchDir}${name}/run.ts`, ...flags],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
