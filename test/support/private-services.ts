/**
 * A PostgreSQL cluster and a redis-server of a test's own: initdb into a temporary directory, a free port,
 * started and restarted by the test, so that crashing them touches nothing else on the machine. pgvector
 * works when its extension files are installed system-wide (.ci/install-pgvector.sh). Everything is removed
 * by stop(), by the process exit hooks when a test fails half-way, and by a detached reaper when the test
 * process itself is killed.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { requireServices } from "./services.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function which(name: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = found.status === 0 ? found.stdout.trim() : "";
  return path !== "" ? path : undefined;
}

/** PostgreSQL's bin directory (where initdb, pg_ctl and postgres are), or undefined when not installed. */
export function postgresBinDir(): string | undefined {
  const onPath = which("initdb");
  // Debian links /usr/local/bin/initdb into the versioned directory where pg_ctl and postgres live.
  const initdb =
    (onPath ? realpathSync(onPath) : undefined) ??
    ["17", "16", "15", "14", "13"]
      .map((major) => `/usr/lib/postgresql/${major}/bin/initdb`)
      .find((path) => existsSync(path));
  if (!initdb) return undefined;
  const dir = dirname(initdb);
  return existsSync(join(dir, "pg_ctl")) ? dir : undefined;
}

export const redisServerBinary = (): string | undefined => which("redis-server");

/**
 * node:test `skip` option for tests that run their own PostgreSQL and Redis: a reason when initdb or
 * redis-server is missing; with CAIRN_REQUIRE_SERVICES=1 a missing one throws (CI must run the test).
 */
export function skipWithoutPrivateServices(): string | false {
  const missing = [
    postgresBinDir() ? undefined : "initdb/pg_ctl (PostgreSQL server)",
    redisServerBinary() ? undefined : "redis-server",
  ].filter((name): name is string => name !== undefined);
  if (missing.length === 0) return false;
  const reason = `${missing.join(" and ")} not installed`;
  if (requireServices)
    throw new Error(`${reason} but CAIRN_REQUIRE_SERVICES=1: the scale-out test must run.`);
  return reason;
}

// -- cleanup that survives a failing or killed test ------------------------------------------------

const cleanups = new Map<string, () => void>();
let hooked = false;

/** Runs synchronously at exit (normal, uncaught error, SIGINT/SIGTERM) unless removed first. */
function onExit(key: string, cleanup: () => void): void {
  cleanups.set(key, cleanup);
  if (hooked) return;
  hooked = true;
  const runAll = () => {
    for (const [name, fn] of [...cleanups]) {
      cleanups.delete(name);
      try {
        fn();
      } catch {
        // Best effort: the next cleanup still runs.
      }
    }
  };
  process.once("exit", runAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      runAll();
      process.exit(130);
    });
  }
}

/**
 * A detached watcher that outlives a SIGKILLed test process: when `parent` is gone it kills the pids listed
 * in `<dir>/pids`, stops the cluster in `<dir>/pgdata` and removes `dir`.
 */
function startReaper(dir: string, pgCtl: string | undefined, asUser: string[]): void {
  const script = `
const { readFileSync, rmSync, existsSync } = require("node:fs");
const { spawnSync } = require("node:child_process");
const [parent, dir, pgCtl, ...asUser] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
const timer = setInterval(() => {
  if (!existsSync(dir)) { clearInterval(timer); return; }
  if (alive(parent)) return;
  clearInterval(timer);
  try { for (const pid of readFileSync(dir + "/pids", "utf8").split(/\\s+/).filter(Boolean)) { try { process.kill(Number(pid), "SIGKILL"); } catch {} } } catch {}
  if (pgCtl && existsSync(dir + "/pgdata/postmaster.pid")) {
    const args = [pgCtl, "stop", "-D", dir + "/pgdata", "-m", "immediate", "-w"];
    spawnSync(asUser.length ? asUser[0] : args.shift(), asUser.length ? [...asUser.slice(1), ...args] : args, { stdio: "ignore" });
  }
  rmSync(dir, { recursive: true, force: true });
}, 1000);`;
  const child = spawn(process.execPath, ["-e", script, String(process.pid), dir, pgCtl ?? "", ...asUser], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
}

// -- the services ---------------------------------------------------------------------------------

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication, the cluster's superuser). */
  url: string;
  port: number;
  /** Crash-stops the server (immediate mode, no checkpoint: like a killed process) and starts it again. */
  restart(): Promise<void>;
  stopImmediately(): void;
  start(): void;
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILLs redis-server and starts it again on the same port and append-only file. */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface PrivateServices {
  /** The temporary directory holding both (removed by stop()); a test may keep its own files in it. */
  dir: string;
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  /** Records a child's pid so the reaper kills it if this process dies without cleaning up. */
  track(pid: number | undefined): void;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Starts a private PostgreSQL (with pgvector when installed) and a private redis-server. */
export async function startPrivateServices(): Promise<PrivateServices> {
  const binDir = postgresBinDir();
  const redisBin = redisServerBinary();
  if (!binDir || !redisBin) throw new Error("initdb or redis-server is not installed");
  const dir = mkdtempSync(join(tmpdir(), "cairn-scale-out-"));
  const pgdata = join(dir, "pgdata");
  const pidsFile = join(dir, "pids");
  const pids = new Set<number>();
  const writePids = () => writeFileSync(pidsFile, [...pids].join("\n"));
  writePids();
  const key = `private-services:${dir}`;
  let stopSync = () => rmSync(dir, { recursive: true, force: true });
  onExit(key, () => stopSync());
  // initdb refuses to run as root: the cluster belongs to the postgres account, which must own the directory.
  let asUser: string[] = [];
  if (isRoot()) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    if (!Number.isInteger(uid) || uid <= 0)
      throw new Error("running as root and there is no postgres account");
    chownSync(dir, uid, gid);
    asUser = ["runuser", "-u", "postgres", "--"];
  }
  const pgCtl = join(binDir, "pg_ctl");
  startReaper(dir, pgCtl, asUser);
  const run = (command: string, args: string[], what: string) => {
    const [program, ...prefix] = asUser.length > 0 ? asUser : [command];
    const result = spawnSync(program as string, asUser.length > 0 ? [...prefix, command, ...args] : args, {
      encoding: "utf8",
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`${what} failed: ${result.stderr || result.stdout}`);
  };

  const pgPort = await freePort();
  run(
    join(binDir, "initdb"),
    ["-D", pgdata, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"],
    "initdb",
  );
  // fsync=off only loses data when the machine crashes; a killed server's writes are in the kernel already,
  // and synchronous_commit stays on, so an acknowledged commit survives the immediate-mode restart.
  const options = [
    `-p ${pgPort}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
    "-c shared_buffers=64MB",
  ].join(" ");
  const pgStart = () =>
    run(
      pgCtl,
      ["start", "-D", pgdata, "-l", join(dir, "postgres.log"), "-w", "-t", "120", "-o", options],
      "pg_ctl start",
    );
  const pgStop = () => run(pgCtl, ["stop", "-D", pgdata, "-m", "immediate", "-w", "-t", "60"], "pg_ctl stop");
  stopSync = () => {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (existsSync(join(pgdata, "postmaster.pid"))) {
      try {
        pgStop();
      } catch {
        // The reaper or the next line still removes the directory.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  pgStart();

  const redisPort = await freePort();
  let redisChild: ChildProcess | undefined;
  // Append-only file, fsync every second: jobs BullMQ acknowledged survive a killed redis-server (its writes
  // reach the kernel before the reply), as the README asks of a production Redis. Snapshots off.
  const redisStart = async () => {
    const child = spawn(
      redisBin,
      [
        "--port",
        String(redisPort),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--maxmemory-policy",
        "noeviction",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    redisChild = child;
    if (child.pid) pids.add(child.pid);
    writePids();
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 60_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready to accept connections/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
    child.stdout?.resume();
    child.stderr?.resume();
  };
  const redisKill = async () => {
    const child = redisChild;
    redisChild = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    if (child.pid) pids.delete(child.pid);
    writePids();
  };
  await redisStart();

  return {
    dir,
    postgres: {
      url: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      port: pgPort,
      async restart() {
        pgStop();
        pgStart();
      },
      stopImmediately: pgStop,
      start: pgStart,
    },
    redis: {
      url: `redis://127.0.0.1:${redisPort}`,
      port: redisPort,
      async restart() {
        await redisKill();
        await redisStart();
      },
      kill: redisKill,
      start: redisStart,
    },
    track(pid) {
      if (pid === undefined) return;
      pids.add(pid);
      writePids();
    },
    async stop() {
      await redisKill();
      cleanups.delete(key);
      stopSync();
    },
  };
}
