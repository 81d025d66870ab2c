/**
 * Side by side: the sync bench (run.ts) against the engine of another commit and this one, alternating in
 * one run on the same machine, so that load from anything else falls on both. The other commit's files are
 * exported with `git archive` into a temporary directory (no worktree registered) that shares this
 * checkout's node_modules; this checkout's bench driver runs in both, so only the engine differs.
 *
 *   node --import tsx test/bench/sync/compare.ts --base <commit> [--rounds 1] [run.ts flags: --db --jira --notion --events]
 *
 * Progress on stderr; a table (median items/s per source) on stdout, and the raw runs in JSON after it.
 */
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { median, progress } from "../support/stats.ts";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    rounds: { type: "string", default: "1" },
    db: { type: "string", default: "both" },
    jira: { type: "string", default: "10000" },
    notion: { type: "string", default: "5000" },
    events: { type: "string", default: "0" },
  },
});
if (!values.base) {
  process.stderr.write("--base <commit> is required (the engine to compare against)\n");
  process.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write("--rounds must be a positive integer\n");
  process.exit(2);
}

const here = fileURLToPath(new URL("../../..", import.meta.url));
const BenchOutput = z.object({
  runs: z.array(
    z.object({
      db: z.string(),
      results: z.array(
        z.object({
          source: z.string(),
          items: z.number(),
          merged: z.number().optional(),
          fullSync: z.object({ seconds: z.number(), itemsPerSecond: z.number(), apiCalls: z.number() }),
          noChangeSync: z.object({ apiCalls: z.number() }),
        }),
      ),
    }),
  ),
});
type BenchOutput = z.infer<typeof BenchOutput>;

function exportCommit(commit: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-sync-base-"));
  const archive = execFileSync("git", ["-C", here, "archive", "--format=tar", commit], {
    maxBuffer: 1 << 30,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(here, "node_modules"), join(dir, "node_modules"));
  // The same driver in both trees: only the engine differs.
  cpSync(join(here, "test/bench/sync/run.ts"), join(dir, "test/bench/sync/run.ts"));
  return dir;
}

function runBench(cwd: string, label: string): Promise<BenchOutput> {
  const args = ["--import", "tsx", "test/bench/sync/run.ts", "--db", values.db as string];
  for (const key of ["jira", "notion", "events"] as const) args.push(`--${key}`, values[key] as string);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (line && !line.includes(" · page ")) progress(`[${label}] ${line}`);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${label} bench exited with ${code}`));
      try {
        resolve(BenchOutput.parse(JSON.parse(out)));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const baseDir = exportCommit(values.base);
const outputs: { engine: "base" | "this"; output: BenchOutput }[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    progress(`round ${round}/${rounds}: base (${values.base})`);
    outputs.push({ engine: "base", output: await runBench(baseDir, "base") });
    progress(`round ${round}/${rounds}: this checkout`);
    outputs.push({ engine: "this", output: await runBench(here, "this") });
  }
} finally {
  rmSync(baseDir, { recursive: true, force: true });
}

const rows = new Map<string, { base: number[]; this: number[]; merged: Set<string>; calls: Set<string> }>();
for (const { engine, output } of outputs) {
  for (const run of output.runs) {
    // The whole full sync of every source, one after the other, as one figure.
    const items = run.results.reduce((sum, result) => sum + result.items, 0);
    const seconds = run.results.reduce((sum, result) => sum + result.fullSync.seconds, 0);
    const total: (typeof run.results)[number] = {
      source: "all sources",
      items,
      fullSync: { seconds, itemsPerSecond: Math.round(items / seconds), apiCalls: 0 },
      noChangeSync: { apiCalls: 0 },
    };
    for (const result of [...run.results, total]) {
      const key = `${run.db}\u0000${result.source}\u0000${result.items}`;
      const row = rows.get(key) ?? { base: [], this: [], merged: new Set(), calls: new Set() };
      row[engine].push(result.fullSync.itemsPerSecond);
      if (result.merged !== undefined && result.source !== "all sources")
        row.merged.add(`${engine}:${result.merged}`);
      row.calls.add(`${engine}:${result.fullSync.apiCalls}/${result.noChangeSync.apiCalls}`);
      rows.set(key, row);
    }
  }
}
const lines = [
  "| database | source | items | base items/s | this items/s | ratio | merged (base / this) | API calls full / no-change |",
  "|---|---|---:|---:|---:|---:|---|---|",
];
for (const [key, row] of rows) {
  const [db, source, items] = key.split("\u0000");
  const base = median(row.base);
  const mine = median(row.this);
  lines.push(
    `| ${db} | ${source} | ${Number(items).toLocaleString("en-US")} | ${base} | ${mine} | ${(mine / base).toFixed(2)}× | ${[...row.merged].join(" / ")} | ${[...row.calls].join(", ")} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n\n${JSON.stringify(outputs, null, 2)}\n`);
