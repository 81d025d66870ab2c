/**
 * `npm test`: static checks (types, lint, circular imports), the build (so the spawned `cairn` runs the
 * JavaScript users run), then every *.test.ts under test/ with node's test runner, and a closing line that
 * counts skipped groups too. Bench files are not tests; run them with `npm run bench`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/** What test/support/count-reporter.mjs writes. */
interface TestCounts {
  passed: number;
  failed: number;
  skippedTests: number;
  skippedGroups: number;
  todo: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "N passed, N failed, N skipped (G groups, T tests)": skipped groups are whole describes left out. */
function closingLine(counts: TestCounts): string {
  const skipped = counts.skippedTests + counts.skippedGroups;
  let line = `${counts.passed} passed, ${counts.failed} failed, ${skipped} skipped`;
  if (skipped > 0)
    line += ` (${plural(counts.skippedGroups, "group")}, ${plural(counts.skippedTests, "test")})`;
  if (counts.todo > 0) line += `, ${counts.todo} todo`;
  return line;
}

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
if (only.length === 0) step("build (dist/)", process.execPath, [join(root, "bin", "build.js")]);

const files = only.length > 0 ? only : findTests(join(root, "test"));
const services = [
  `Postgres: ${process.env.DATABASE_URL ? "yes" : "no (PGlite only)"}`,
  `Redis: ${process.env.REDIS_URL ? "yes" : "no (in-process only)"}`,
];
process.stdout.write(`\n▶ ${files.length} test files · ${services.join(" · ")}\n`);
const countsDir = mkdtempSync(join(tmpdir(), "cairn-test-counts-"));
const countsFile = join(countsDir, "counts.json");
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=2",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(root, "test", "support", "count-reporter.mjs")}`,
    `--test-reporter-destination=${countsFile}`,
    ...files,
  ],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CAIRN_LOG_LEVEL: process.env.CAIRN_LOG_LEVEL ?? "silent" },
  },
);
let counts: TestCounts | undefined;
try {
  counts = JSON.parse(readFileSync(countsFile, "utf8")) as TestCounts;
} catch {
  // The runner died before its reporter finished.
}
rmSync(countsDir, { recursive: true, force: true });
process.stdout.write(`\n${counts ? closingLine(counts) : "no counts: the test runner stopped early"}\n`);
process.exit(result.status ?? 1);
