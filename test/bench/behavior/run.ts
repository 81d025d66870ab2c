/**
 * `npm run bench -- behavior [--only models-10k,insights-http,cli-history,models] [flags for insights-http]`:
 * the behaviour suite, one benchmark after another, each as its own process. Progress on stderr; each
 * benchmark's JSON on stdout under its name.
 *   models-10k     the models alone on a 10,000-task history (per part, and a digest of the answer)
 *   insights-http  get_insights over HTTP at 10,000 tasks (flags after the suite's go to it, e.g. --calls 10)
 *   cli-history    writes a 90-day history and times `cairn insights --input` on it as a whole process
 *   models         serving cost of the trained models (TypeScript against ONNX)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, progress } from "../support/stats.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));
const ALL = ["models-10k", "insights-http", "cli-history", "models"] as const;

const args = process.argv.slice(2);
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(",") : [...ALL];
const passOn = onlyAt >= 0 ? [...args.slice(0, onlyAt), ...args.slice(onlyAt + 2)] : args;
const unknown = only.filter((name) => !(ALL as readonly string[]).includes(name));
if (unknown.length) {
  process.stderr.write(`--only: unknown benchmark ${unknown.join(", ")}; pick from ${ALL.join(", ")}\n`);
  process.exit(2);
}

const run = (file: string, flags: string[] = []) => {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(here, file), ...flags], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${file} exited ${result.status}`);
  return result.stdout;
};

const results: Record<string, unknown> = {};
for (const name of only) {
  progress(`behavior: ${name}`);
  if (name === "models-10k") results[name] = JSON.parse(run("models-10k.ts", ["--hash"]));
  if (name === "insights-http") results[name] = JSON.parse(run("insights-http.ts", passOn));
  if (name === "models") results[name] = JSON.parse(run("models.ts"));
  if (name === "cli-history") {
    const dir = mkdtempSync(join(tmpdir(), "cairn-insights-"));
    try {
      const file = join(dir, "history90.json");
      writeFileSync(file, run("cli-history.ts"));
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const cli = spawnSync(process.execPath, [join(root, "bin/cairn.js"), "insights", "--input", file], {
          cwd: root,
          stdio: ["ignore", "ignore", "inherit"],
        });
        if (cli.status !== 0) throw new Error(`cairn insights exited ${cli.status}`);
        times.push(performance.now() - t0);
      }
      results[name] = { wholeProcessMedianMs: Math.round(median(times)) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
