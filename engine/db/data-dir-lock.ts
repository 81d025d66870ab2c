import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CairnError, ErrorCode } from "../errors.ts";

/**
 * PGlite is single-process: two processes opening one data dir corrupt it. The process that opens the
 * embedded database holds this lock; a running server also writes where it listens and a control token
 * (file mode 0600) so CLI commands can go through it instead of opening the files.
 */
export interface LockInfo {
  pid: number;
  startedAt: string;
  url?: string;
  controlToken?: string;
}

export const lockPath = (dataDir: string): string => join(dataDir, "cairn.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every mainstream architecture). */
const USER_HZ = 100;

/** When a process started (ms since the epoch), where the system tells (Linux /proc); undefined elsewhere. */
export function processStartedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces and parentheses): starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootTime)) return undefined;
    return bootTime * 1000 + (ticks * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's process still runs: its PID is alive and, where the start time is known, that process
 * started before the lock was written. A PID reused by another process since a crash does not count.
 */
function holderAlive(info: LockInfo): boolean {
  if (!Number.isInteger(info.pid) || info.pid <= 0 || !alive(info.pid)) return false;
  const started = processStartedAt(info.pid);
  const locked = Date.parse(info.startedAt);
  // Two seconds of slack for clock granularity between the kernel's boot time and ours.
  return started === undefined || Number.isNaN(locked) || started <= locked + 2_000;
}

/** The live holder of the data dir, if any (a stale lock from a crashed process does not count). */
export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as LockInfo;
    return info.pid !== process.pid && holderAlive(info) ? info : undefined;
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  /** Records where the server listens, for CLI commands. */
  advertise(url: string): string;
  release(): void;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const holder = readLock(dataDir);
  if (holder) {
    throw new CairnError(
      ErrorCode.EmbeddedDbBusy,
      `The embedded database in ${dataDir} is open in another Cairn process (pid ${holder.pid}${holder.url ? `, serving ${holder.url}` : ""}). ` +
        "PGlite allows one process: stop that process, or use commands that go through it (cairn call, cairn token create).",
    );
  }
  const path = lockPath(dataDir);
  const write = (info: LockInfo) => {
    writeFileSync(path, JSON.stringify(info), { mode: 0o600 });
    chmodSync(path, 0o600);
  };
  const base: LockInfo = { pid: process.pid, startedAt: new Date().toISOString() };
  write(base);
  return {
    advertise(url) {
      const controlToken = randomBytes(24).toString("base64url");
      write({ ...base, url, controlToken });
      return controlToken;
    },
    release() {
      try {
        const info = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
        if (info.pid === process.pid) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
