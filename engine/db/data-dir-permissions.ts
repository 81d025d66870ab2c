/**
 * The embedded data dir holds every workspace's data, the master key and the lock's control token: only
 * the user running Cairn may read it. Directories are 0700 and files 0600; a looser tree left by an older
 * version (or a copy) is tightened at start, with a warning.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Files and directories Cairn creates from here on get no group or other bits. */
const PRIVATE_UMASK = 0o077;

export interface SecuredDataDir {
  created: boolean;
  /** Paths whose group or other permission bits were removed. */
  tightened: string[];
}

function tighten(path: string, tightened: string[]): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== PRIVATE_DIR_MODE) {
      chmodSync(path, PRIVATE_DIR_MODE);
      tightened.push(path);
    }
    for (const entry of readdirSync(path)) tighten(join(path, entry), tightened);
  } else if ((stat.mode & 0o077) !== 0) {
    chmodSync(path, stat.mode & 0o700);
    tightened.push(path);
  }
}

/**
 * Creates the data dir 0700 (or tightens an existing one and everything under it), and sets the process
 * umask so the files PGlite and Cairn write next are private too. Embedded mode only.
 */
export function secureDataDir(dataDir: string): SecuredDataDir {
  process.umask(PRIVATE_UMASK);
  const created = mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE }) !== undefined;
  const tightened: string[] = [];
  tighten(dataDir, tightened);
  return { created, tightened };
}
