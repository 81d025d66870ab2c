/**
 * A real CalDAV server for tests: Radicale (Debian package `radicale`, installed by .ci/install-radicale.sh),
 * started on a free 127.0.0.1 port with its own temporary storage and a plain htpasswd user, and stopped
 * (storage removed) by stop(). Each test makes its own calendar with `createCalendar`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireServices } from "./services.ts";

export interface RadicaleServer {
  /** Server root without trailing slash, e.g. `http://127.0.0.1:51234`. */
  url: string;
  username: string;
  password: string;
  /** A calendar collection made for the caller (`<url>/<user>/default/`). */
  calendarUrl: string;
  /** Makes another calendar collection (MKCALENDAR) and returns its URL (with trailing slash). */
  createCalendar(name: string, displayName?: string): Promise<string>;
  /** Another user with a random password and one calendar of their own (`<url>/<user>/default/`). */
  addAccount(displayName?: string): Promise<RadicaleAccount>;
  /** Revokes an account's password: every later request with it answers 401. */
  revokeAccount(username: string): void;
  stop(): Promise<void>;
}

export interface RadicaleAccount {
  username: string;
  password: string;
  calendarUrl: string;
}

const CANDIDATES = ["/usr/bin/radicale", "/usr/local/bin/radicale"];

/** The radicale executable, or undefined when it is not installed. */
export function radicaleBinary(): string | undefined {
  for (const candidate of CANDIDATES) {
    if (spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0) return candidate;
  }
  const which = spawnSync("sh", ["-c", "command -v radicale"], { encoding: "utf8" });
  const path = which.status === 0 ? which.stdout.trim() : "";
  return path !== "" ? path : undefined;
}

/**
 * node:test `skip` option for Radicale tests: a reason when it is not installed, false when it is.
 * With CAIRN_REQUIRE_SERVICES=1 a missing Radicale throws instead (CI must run these tests).
 */
export function skipWithoutRadicale(): string | false {
  if (radicaleBinary()) return false;
  const reason = "radicale not installed (run .ci/install-radicale.sh)";
  if (requireServices) throw new Error(`${reason} but CAIRN_REQUIRE_SERVICES=1: the CalDAV tests must run.`);
  return reason;
}

async function freePort(): Promise<number> {
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function waitUntilUp(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`radicale exited with ${child.exitCode}: ${output()}`);
    try {
      const response = await fetch(`${url}/.web/`, { redirect: "manual" });
      await response.body?.cancel();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`radicale did not answer at ${url} within ${timeoutMs} ms: ${output()}`);
}

/** Starts Radicale with htpasswd (plain) auth, owner-only rights and filesystem storage in a temp dir. */
export async function startRadicale(options: { timeoutMs?: number } = {}): Promise<RadicaleServer> {
  const binary = radicaleBinary();
  if (!binary) throw new Error("radicale is not installed (run .ci/install-radicale.sh)");
  const dir = mkdtempSync(join(tmpdir(), "cairn-radicale-"));
  const username = "cairn";
  const password = randomBytes(12).toString("hex");
  writeFileSync(join(dir, "users"), `${username}:${password}\n`, { mode: 0o600 });
  const port = await freePort();
  writeFileSync(
    join(dir, "config"),
    [
      "[server]",
      `hosts = 127.0.0.1:${port}`,
      "[auth]",
      "type = htpasswd",
      `htpasswd_filename = ${join(dir, "users")}`,
      "htpasswd_encryption = plain",
      "delay = 0",
      "[rights]",
      "type = owner_only",
      "[storage]",
      `filesystem_folder = ${join(dir, "collections")}`,
      "[web]",
      "type = none",
      "[logging]",
      "level = warning",
      "mask_passwords = True",
      "",
    ].join("\n"),
  );
  let log = "";
  const child = spawn(binary, ["--config", join(dir, "config")], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HOME: dir },
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-4000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child, () => log, options.timeoutMs ?? 15_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const basicAuth = (user: string, secret: string) =>
    `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
  const authorization = basicAuth(username, password);

  async function createCalendar(name: string, displayName = name): Promise<string> {
    return makeCalendar(username, authorization, name, displayName);
  }

  async function makeCalendar(
    owner: string,
    ownerAuthorization: string,
    name: string,
    displayName: string,
  ): Promise<string> {
    const calendarUrl = `${url}/${owner}/${encodeURIComponent(name)}/`;
    const body = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>${escapeXml(displayName)}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`;
    const response = await fetch(calendarUrl, {
      method: "MKCALENDAR",
      headers: { Authorization: ownerAuthorization, "Content-Type": "application/xml; charset=utf-8" },
      body,
    });
    const text = await response.text();
    if (response.status !== 201)
      throw new Error(`MKCALENDAR ${calendarUrl} answered ${response.status}: ${text}`);
    return calendarUrl;
  }

  // Radicale reads the htpasswd file at every login, so accounts come and go without a restart.
  const usersFile = join(dir, "users");
  let accounts = 0;
  async function addAccount(displayName = "Cairn test calendar"): Promise<RadicaleAccount> {
    accounts += 1;
    const account = `cairn${accounts}-${randomBytes(3).toString("hex")}`;
    const secret = randomBytes(12).toString("hex");
    appendFileSync(usersFile, `${account}:${secret}\n`);
    const calendarUrl = await makeCalendar(account, basicAuth(account, secret), "default", displayName);
    return { username: account, password: secret, calendarUrl };
  }
  function revokeAccount(account: string): void {
    const kept = readFileSync(usersFile, "utf8")
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith(`${account}:`));
    writeFileSync(usersFile, `${kept.join("\n")}\n`, { mode: 0o600 });
  }

  try {
    const calendarUrl = await createCalendar("default", "Cairn test calendar");
    return { url, username, password, calendarUrl, createCalendar, addAccount, revokeAccount, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
