/**
 * `npm test`: static checks (types, lint, circular imports), then every *.test.ts under test/ with
 * node's test runner. Bench files are not tests; run them with `npm run bench`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "bench" && name !== "node_modules") found.push(...findTests(path));
    } else if (name.endsWith(".test.ts")) {
      found.push(relative(root, path));
    }
  }
  return found.sort();
}

function step(title: string, command: string, args: string[]): void {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    process.stdout.write(`✗ ${title} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
}

const bin = (name: string) => join(root, "node_modules", ".bin", name);

if (only.length === 0 && process.env.CAIRN_SKIP_STATIC !== "1") {
  step("typecheck (tsc --noEmit)", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  step("lint (biome)", bin("biome"), ["check", "--diagnostic-level=error", "."]);
  step("circular imports (madge)", process.execPath, [
    bin("madge"),
    "--circular",
    "--extensions",
    "ts",
    "--ts-config",
    "tsconfig.json",
    "bin",
    "engine",
    "connectors",
    "bots",
    "mcp-server",
    "models",
    "admin",
  ]);
  step("layering (one-way arrows)", process.execPath, ["--import", "tsx", "test/support/check-layers.ts"]);
}

const files = only.length > 0 ? only : findTests(join(root, "test"));
const services = [
  `Postgres: ${process.env.DATABASE_URL ? "yes" : "no (PGlite only)"}`,
  `Redis: ${process.env.REDIS_URL ? "yes" : "no (in-process only)"}`,
];
process.stdout.write(`\n▶ ${files.length} test files · ${services.join(" · ")}\n`);
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CAIRN_LOG_LEVEL: process.env.CAIRN_LOG_LEVEL ?? "silent" },
  },
);
process.exit(result.status ?? 1);
