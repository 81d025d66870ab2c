/**
 * Memory of an idle `cairn start` on embedded defaults (PGlite + in-process queue): starts the server on
 * a fresh data dir, waits until it is ready, then samples VmRSS every second for --seconds.
 *
 * With --restart it measures the second start on the same data dir (every start after the first, which
 * creates the database) instead.
 *
 *   node --import tsx test/bench/foundation/idle-rss.ts [--seconds 20] [--restart]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median, progress } from "../support/stats.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "20" }, restart: { type: "boolean", default: false } },
});
const root = new URL("../../..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "cairn-rss-"));
const start = () =>
  spawn(process.execPath, [join(root, "bin/cairn.js"), "start"], {
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

const ready = (child: ReturnType<typeof start>) =>
  new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/Health:/.test(output)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`cairn start exited with ${code}`)));
  });

const stop = async (child: ReturnType<typeof start>) => {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
};

if (values.restart) {
  const first = start();
  await ready(first);
  await stop(first);
  progress("first start done; starting again on the same data dir");
}
const child = start();
await ready(child);

const rssMiB = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? 0) / 1024;
};

progress("server ready; sampling RSS");
const samples: number[] = [];
for (let i = 0; i < Number(values.seconds); i++) {
  await new Promise((r) => setTimeout(r, 1000));
  samples.push(rssMiB(child.pid as number));
}
await stop(child);
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ benchmark: "idle-rss", start: values.restart ? "second" : "first", samples: samples.length, medianMiB: Number(median(samples).toFixed(1)), maxMiB: Number(Math.max(...samples).toFixed(1)) })}\n`,
);
