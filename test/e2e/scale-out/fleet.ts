/**
 * The processes of a multi-process Cairn deployment, as the README's production section runs them:
 * `cairn start --role web` on fixed ports (so a restarted one comes back where the load balancer expects it)
 * and `cairn worker`, all on one DATABASE_URL and one REDIS_URL. Each can be killed (any signal) and started
 * again; output is kept for the report and for failure messages.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const root = new URL("../../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

export type Role = "web" | "worker";

export interface CairnProcess {
  role: Role;
  name: string;
  /** http://127.0.0.1:<port> for a web process. */
  url?: string;
  child?: ChildProcess;
  /** Everything it printed (stdout and stderr), across restarts. */
  output: string;
}

/** Cairn's pino lines worth counting in the report. */
export interface LogCounts {
  stalled: number;
  errors: number;
}

export interface Fleet {
  processes: CairnProcess[];
  start(proc: CairnProcess): Promise<void>;
  /** Sends the signal and resolves when the process has exited (with how long that took). */
  stop(proc: CairnProcess, signal: NodeJS.Signals): Promise<number>;
  stopAll(): Promise<void>;
  logCounts(): LogCounts;
  /** The last `lines` log lines of each process, for failure messages. */
  logTails(lines: number): Record<string, string[]>;
}

/** Runs `cairn <args>` to completion (e.g. `migrate`); rejects with its output when it fails. */
export function runCairn(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`cairn ${args.join(" ")} exited with ${code ?? signal}:\n${output}`));
    });
  });
}

export function createFleet(options: {
  env: NodeJS.ProcessEnv;
  webPorts: number[];
  workers: number;
  onSpawn?: (pid: number | undefined) => void;
  startTimeoutMs?: number;
}): Fleet {
  const processes: CairnProcess[] = [
    ...options.webPorts.map(
      (port, i): CairnProcess => ({
        role: "web",
        name: `web-${i + 1}`,
        url: `http://127.0.0.1:${port}`,
        output: "",
      }),
    ),
    ...Array.from(
      { length: options.workers },
      (_, i): CairnProcess => ({
        role: "worker",
        name: `worker-${i + 1}`,
        output: "",
      }),
    ),
  ];
  const portOf = (proc: CairnProcess) => (proc.url ? new URL(proc.url).port : "0");

  const start = (proc: CairnProcess) =>
    new Promise<void>((resolve, reject) => {
      const args = proc.role === "web" ? ["start", "--role", "web"] : ["worker"];
      const child = spawn(process.execPath, [cli, ...args], {
        cwd: root,
        env: { ...options.env, PORT: portOf(proc) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      proc.child = child;
      options.onSpawn?.(child.pid);
      const ready = /Cairn is running \((web|worker)\)/;
      let fresh = "";
      const timer = setTimeout(
        () => reject(new Error(`${proc.name} did not start in time:\n${fresh}`)),
        options.startTimeoutMs ?? 180_000,
      );
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        proc.output += text;
        if (fresh.length < 200_000) fresh += text;
        if (ready.test(fresh)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${proc.name} exited with ${code ?? signal} before it was ready:\n${fresh}`));
      });
    });

  const stop = async (proc: CairnProcess, signal: NodeJS.Signals): Promise<number> => {
    const child = proc.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return 0;
    const began = performance.now();
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
    return performance.now() - began;
  };

  return {
    processes,
    start,
    stop,
    async stopAll() {
      await Promise.all(
        processes.map(async (proc) => {
          const child = proc.child;
          if (!child || child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
    logTails(lines) {
      return Object.fromEntries(
        processes.map((proc) => [
          proc.name,
          proc.output
            .trim()
            .split("\n")
            .slice(-lines)
            .map((line) => line.slice(0, 400)),
        ]),
      );
    },
    logCounts() {
      let stalled = 0;
      let errors = 0;
      for (const proc of processes) {
        for (const line of proc.output.split("\n")) {
          if (line.includes("stalled job put back in the queue")) stalled++;
          if (line.includes('"level":50') || line.includes('"level":60')) errors++;
        }
      }
      return { stalled, errors };
    },
  };
}
