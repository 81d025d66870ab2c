/**
 * PGlite is single-process: while `cairn start` owns the embedded data dir, other CLI commands reach the
 * database through that server (its URL and a control token are in the data dir's lock file, mode 0600).
 */
import type { Config } from "../engine/config.ts";
import { readLock } from "../engine/db/data-dir-lock.ts";
import { CairnError, type ErrorCode } from "../engine/errors.ts";
import { dataDirOf } from "./compose.ts";

export interface LocalServer {
  url: string;
  controlToken: string;
  pid: number;
}

/** The server that owns the embedded database, if one runs; throws when another process holds it without serving. */
export function runningServer(config: Config): LocalServer | undefined {
  if (config.DATABASE_URL) return undefined;
  const lock = readLock(dataDirOf(config));
  if (lock?.url && lock.controlToken)
    return { url: lock.url, controlToken: lock.controlToken, pid: lock.pid };
  if (lock) {
    throw new CairnError(
      "embedded_db_busy",
      `Another Cairn process (pid ${lock.pid}) has the embedded database in ${dataDirOf(config)} open and is not serving HTTP. Stop it first.`,
    );
  }
  return undefined;
}

/** POSTs to the server's /api/local/<path>; its error object becomes a CairnError with the same code. */
export async function callLocalServer(
  server: LocalServer,
  path: "call" | "token" | "admin",
  body: unknown,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${server.url}/api/local/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-cairn-control": server.controlToken },
      body: JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CairnError(
      "unavailable",
      `The Cairn server that has the embedded database open (pid ${server.pid}, ${server.url}) does not answer (${cause?.code ?? cause?.message ?? (error as Error).message}). ` +
        `If it is stuck, stop it (kill ${server.pid}) and run this command again.`,
    );
  }
  const payload = (await response.json()) as { error?: { code: ErrorCode; message: string } };
  if (!response.ok) {
    throw new CairnError(
      payload.error?.code ?? "internal",
      payload.error?.message ?? `HTTP ${response.status}`,
    );
  }
  return payload;
}
