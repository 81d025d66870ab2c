/**
 * CPU per sync bench run, for a shared machine where wall time says little: runs run.ts (in this checkout or
 * in another tree given by --tree, alternating when several are given) and reports, per run, the wall time and
 * items/s run.ts printed (all connections at once, or its sources one after the other summed), the bench
 * process's CPU (user + sys, from /proc while it runs, and its rusage at the end), and the CPU of the
 * PostgreSQL backends serving the bench's database (their /proc times sampled every 100 ms, so work for other
 * databases on a shared server is left out; the shared background processes, WAL writer and checkpointer, are
 * given apart as the server's other CPU, which other users' work also adds to).
 *
 *   node --import tsx test/bench/sync/cpu.ts [--tree /path/a --tree /path/b] [--rounds 3] [--node-flag=--cpu-prof] -- [run.ts flags]
 *
 * Linux only (reads /proc). Progress on stderr, a table and the raw runs (JSON) on stdout.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { median, progress } from "../support/stats.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tree: { type: "string", multiple: true },
    rounds: { type: "string", default: "3" },
    "node-flag": { type: "string", multiple: true },
  },
});
const trees = values.tree ?? [fileURLToPath(new URL("../../..", import.meta.url))];
const rounds = Number(values.rounds);
const TICK = 100; // clock ticks per second on Linux (sysconf(_SC_CLK_TCK))

function statOf(pid: number): { ppid: number; cpu: number; childCpu: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    return {
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / TICK,
      childCpu: (Number(fields[13]) + Number(fields[14])) / TICK,
    };
  } catch {
    return null;
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function postmaster(): number {
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const cmd = cmdlineOf(pid);
    if (/\/postgres\s+-D\s/.test(cmd)) return pid;
  }
  throw new Error("no PostgreSQL postmaster found in /proc");
}

/** The postmaster's whole tree, reaped children included. */
function serverCpu(master: number): number {
  const own = statOf(master);
  if (!own) return 0;
  let total = own.cpu + own.childCpu;
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = statOf(pid);
    if (stat?.ppid === master) total += stat.cpu;
  }
  return total;
}

interface Run {
  tree: string;
  round: number;
  itemsPerSecond: number;
  seconds: number;
  benchCpu: number;
  benchDbBackendsCpu: number;
  serverCpu: number;
  load: string;
}

/** What run.ts printed: its "all connections at once" line, or else its sources one after the other, summed. */
function throughputOf(stderr: string): { items: number; seconds: number } {
  const together = /(\d+) items in ([\d.]+)s \(\d+ items\/s\)/.exec(stderr);
  if (together) return { items: Number(together[1]), seconds: Number(together[2]) };
  let items = 0;
  let seconds = 0;
  for (const [, count, took] of stderr.matchAll(/^\S+ \S+: (\d+) items in ([\d.]+)s,/gm)) {
    items += Number(count);
    seconds += Number(took);
  }
  return seconds > 0 ? { items, seconds } : { items: Number.NaN, seconds: Number.NaN };
}

function runOnce(tree: string, round: number, master: number): Promise<Run> {
  const args = [...(values["node-flag"] ?? []), "--import", "tsx", "test/bench/sync/run.ts", ...positionals];
  const serverBefore = serverCpu(master);
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: tree, stdio: ["ignore", "ignore", "pipe"] });
    const backends = new Map<number, number>(); // pid → last CPU seen, for backends of the bench's database
    let benchCpu = 0;
    const sample = () => {
      const own = child.pid ? statOf(child.pid) : null;
      if (own) benchCpu = Math.max(benchCpu, own.cpu);
      for (const name of readdirSync("/proc")) {
        const pid = Number(name);
        if (!Number.isInteger(pid)) continue;
        const stat = statOf(pid);
        if (stat?.ppid !== master) continue;
        if (backends.has(pid) || /cairn_t_[0-9a-f]+/.test(cmdlineOf(pid))) backends.set(pid, stat.cpu);
      }
    };
    const sampler = setInterval(sample, TICK);
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", () => sample());
    child.on("close", (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`bench exited with ${code}: ${err.slice(-2000)}`));
      const { items, seconds } = throughputOf(err);
      resolve({
        tree,
        round,
        itemsPerSecond: Math.round(items / seconds),
        seconds: Math.round(seconds * 10) / 10,
        benchCpu: Math.round(benchCpu * 100) / 100,
        benchDbBackendsCpu: Math.round([...backends.values()].reduce((a, b) => a + b, 0) * 100) / 100,
        serverCpu: Math.round((serverCpu(master) - serverBefore) * 100) / 100,
        load,
      });
    });
  });
}

const master = postmaster();
const runs: Run[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const tree of trees) {
    const run = await runOnce(tree, round, master);
    progress(
      `${tree} round ${round}: ${run.itemsPerSecond} items/s (${run.seconds} s), bench CPU ${run.benchCpu} s, bench-db backends ${run.benchDbBackendsCpu} s, whole server ${run.serverCpu} s, load ${run.load}`,
    );
    runs.push(run);
  }
}
const lines = [
  "| tree | runs | items/s (median) | bench CPU s | bench-db backends CPU s | whole server CPU s |",
  "|---|---:|---:|---:|---:|---:|",
];
for (const tree of trees) {
  const mine = runs.filter((run) => run.tree === tree);
  const col = (key: keyof Run) => median(mine.map((run) => run[key] as number));
  lines.push(
    `| ${tree} | ${mine.length} | ${col("itemsPerSecond")} | ${col("benchCpu")} | ${col("benchDbBackendsCpu")} | ${col("serverCpu")} |`,
  );
}
process.stdout.write(`${lines.join("\n")}\n\n${JSON.stringify(runs, null, 2)}\n`);
