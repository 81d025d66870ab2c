/**
 * Memory of an idle `cairn start` on embedded defaults (PGlite + in-process queue): starts the server on
 * a fresh data dir, waits until it is ready, then samples VmRSS every second for --seconds.
 *
 *   node --import tsx test/bench/foundation/idle-rss.ts [--seconds 20]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median, progress } from "../support/stats.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "20" } } });
const root = new URL("../../..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "cairn-rss-"));
const child = spawn(process.execPath, [join(root, "bin/cairn.js"), "start"], {
  cwd: root,
  env: {
    ...process.env,
    CAIRN_DATA_DIR: dataDir,
    PORT: "0",
    CAIRN_LOG_LEVEL: "warn",
    DATABASE_URL: "",
    REDIS_URL: "",
  },
  stdio: ["ignore", "pipe", "inherit"],
});

const rssMiB = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? 0) / 1024;
};

let output = "";
await new Promise<void>((resolve, reject) => {
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (/Health:/.test(output)) resolve();
  });
  child.once("exit", (code) => reject(new Error(`cairn start exited with ${code}`)));
});
progress("server ready; sampling RSS");
const samples: number[] = [];
for (let i = 0; i < Number(values.seconds); i++) {
  await new Promise((r) => setTimeout(r, 1000));
  samples.push(rssMiB(child.pid as number));
}
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ benchmark: "idle-rss", samples: samples.length, medianMiB: Number(median(samples).toFixed(1)), maxMiB: Number(Math.max(...samples).toFixed(1)) })}\n`,
);
