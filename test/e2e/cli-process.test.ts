/**
 * The `cairn` process as a person and an operator meet it: help and version without side effects, `cairn
 * config` in effect, and a server that always ends (closed output pipes, keep-alive clients, its npm wrapper
 * killed), a taken port, and a lock left by a process whose PID now belongs to another one.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { commands } from "../../bin/commands.ts";
import { lockPath, readLock } from "../../engine/db/data-dir-lock.ts";
import { waitForOutput } from "../support/child-output.ts";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const temps: string[] = [];
const children: ChildProcess[] = [];
/** Servers started by a parent that is gone (not our children): killed at the end if still running. */
const orphans: number[] = [];

function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cairn-${label}-`));
  temps.push(dir);
  return dir;
}

after(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of temps) {
    // A server left behind by a failing test must not outlive it.
    const holder = readLock(dir);
    if (holder) process.kill(holder.pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("CAIRN_") && !key.startsWith("npm_") && key !== "DATABASE_URL" && key !== "REDIS_URL")
      env[key] = value;
  }
  return { ...env, CAIRN_LOG_LEVEL: "warn", ...extra };
}

async function cairn(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      cwd: root,
      env,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** Milliseconds until the child exits, or undefined when it is still running after withinMs. */
async function exitsWithin(
  child: ChildProcess,
  withinMs: number,
): Promise<{ ms?: number; code: number | null }> {
  const started = Date.now();
  if (child.exitCode !== null) return { ms: 0, code: child.exitCode };
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const code = await Promise.race([exited, sleep(withinMs).then(() => "running" as const)]);
  return code === "running" ? { code: null } : { ms: Date.now() - started, code };
}

async function startServer(dataDir: string, extra: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, "start"], {
    cwd: root,
    env: cleanEnv({ CAIRN_DATA_DIR: dataDir, PORT: "0", ...extra }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const match = await waitForOutput(child, /Health:\s+(http:\/\/[\d.:]+)\/healthz/);
  return { child, url: match[1] as string };
}

async function listeningPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, port: (server.address() as { port: number }).port };
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = http.get({ host: "127.0.0.1", port, path: "/healthz", timeout: 1_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe("cairn --help, -h and --version", () => {
  it("prints every command's usage and exits 0 without reading config or touching the data dir", async () => {
    const dataDir = join(tempDir("help"), "never-created");
    // An invalid setting proves the configuration is not even read.
    const env = cleanEnv({ CAIRN_DATA_DIR: dataDir, PORT: "eighty" });
    const cases: { args: string[]; usage: RegExp }[] = [
      { args: ["--help"], usage: /^cairn — self-hosted/ },
      { args: ["-h"], usage: /^cairn — self-hosted/ },
      { args: ["help", "start"], usage: /^Usage: cairn start/ },
      { args: ["token", "create", "--help"], usage: /^Usage: cairn token create/ },
      { args: ["connect", "notion", "-h"], usage: /^Usage: cairn connect/ },
      ...commands.flatMap((command) => [
        {
          args: [command.name, "--help"],
          usage: new RegExp(`^Usage: (CAIRN_TOKEN=<token> )?cairn ${command.name}`),
        },
        {
          args: [command.name, "-h"],
          usage: new RegExp(`^Usage: (CAIRN_TOKEN=<token> )?cairn ${command.name}`),
        },
      ]),
    ];
    const results: Awaited<ReturnType<typeof cairn>>[] = [];
    for (const c of cases) results.push(await cairn(c.args, env));
    cases.forEach((c, i) => {
      const result = results[i] as Awaited<ReturnType<typeof cairn>>;
      const label = `cairn ${c.args.join(" ")}`;
      assert.equal(result.code, 0, `${label}: ${result.stderr}`);
      assert.match(result.stdout, c.usage, label);
      assert.equal(result.stderr, "", `${label}: nothing on stderr`);
    });
    assert.equal(
      existsSync(dataDir),
      false,
      "no command created the data dir (migrate --help ran migrations)",
    );
  });

  it("prints the version with --version and -v", async () => {
    for (const flag of ["--version", "-v"]) {
      const result = await cairn([flag], cleanEnv({}));
      assert.equal(result.code, 0);
      assert.equal(result.stdout.trim(), `cairn ${version}`);
    }
  });

  it("names an unknown option plainly and points at the command's help", async () => {
    const result = await cairn(["call", "--bogus"], cleanEnv({ CAIRN_DATA_DIR: tempDir("opt") }));
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'cairn call: unknown option --bogus.\nRun "cairn call --help" for usage.\n');
  });
});

describe("cairn config", () => {
  it("shows defaults as defaults, the generated master key, and booleans as the README writes them", async () => {
    const dataDir = tempDir("config");
    const result = await cairn(
      ["config"],
      cleanEnv({ CAIRN_DATA_DIR: dataDir, CAIRN_ALLOW_PRIVATE_URLS: "true", NOTION_TOKEN: "secret_abc" }),
    );
    assert.equal(result.code, 0, result.stderr);
    const rows = new Map(
      result.stdout
        .trim()
        .split("\n")
        .map((line) => {
          const [name, ...value] = line.split(/\s{2,}/);
          return [name, value.join("  ")] as const;
        }),
    );
    assert.equal(rows.get("PORT"), "3000 (default)");
    assert.equal(rows.get("CAIRN_WORKSPACE"), "demo (default)");
    assert.equal(rows.get("CAIRN_DATA_DIR"), dataDir);
    assert.equal(rows.get("CAIRN_PUBLIC_URL"), "http://127.0.0.1:3000 (default)");
    assert.match(rows.get("CAIRN_MASTER_KEY") ?? "", /^\(generated, in the data dir: .*master\.key\)$/);
    assert.equal(rows.get("CAIRN_ALLOW_PRIVATE_URLS"), "1");
    assert.equal(rows.get("NOTION_TOKEN"), "•••••• (set)");
    assert.equal(rows.get("JIRA_API_TOKEN"), "(unset)");
    assert.doesNotMatch(result.stdout, /secret_abc|true|false/);
  });
});

describe("a server that always ends", () => {
  it("exits promptly on SIGTERM after the parent reading its output died (EPIPE)", async () => {
    const dataDir = tempDir("epipe");
    // A parent that starts the server with piped output, waits for the banner, and dies without a word.
    const parent = spawn(
      process.execPath,
      [
        "-e",
        `const child = require("node:child_process").spawn(process.execPath, [${JSON.stringify(cli)}, "start"], { stdio: ["ignore", "pipe", "pipe"] });
         child.stdout.on("data", (d) => { if (String(d).includes("Cairn is running")) { console.log(child.pid); process.exit(0); } });`,
      ],
      {
        cwd: root,
        env: cleanEnv({
          CAIRN_DATA_DIR: dataDir,
          PORT: "0",
          CAIRN_LOG_LEVEL: "info",
          CAIRN_SHUTDOWN_TIMEOUT_MS: "2000",
        }),
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    children.push(parent);
    const parentExited = new Promise<void>((resolve) => parent.once("exit", () => resolve()));
    const pid = Number((await waitForOutput(parent, /^(\d+)\n/))[1]);
    orphans.push(pid);
    await parentExited; // the server's stdout now leads nowhere
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    const running = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (running() && Date.now() < deadline) await sleep(100);
    assert.equal(running(), false, "still running 15 s after SIGTERM");
  });

  it("does not wait on a keep-alive connection whose request finished during shutdown", async () => {
    const { child, url } = await startServer(tempDir("keepalive"), {
      CAIRN_SHUTDOWN_TIMEOUT_MS: "30000",
      CAIRN_LOG_LEVEL: "info",
    });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const answered = new Promise<string | undefined>((resolve, reject) => {
        const request = http.request(
          `${url}/api/actions/list_tasks`,
          { method: "POST", agent, headers: { "content-type": "application/json", "content-length": "2" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.headers.connection));
          },
        );
        request.on("error", reject);
        request.flushHeaders();
        // The request is in flight (headers sent, body not yet) when SIGTERM arrives; the body follows
        // once the server says it is shutting down. No event tells when the server has read the headers,
        // so that first step still gives it 300 ms.
        let logged = "";
        child.stderr?.on("data", (chunk: Buffer) => {
          logged += chunk.toString();
          if (/shutting down/.test(logged) && !request.writableEnded) request.end("{}");
        });
        setTimeout(() => child.kill("SIGTERM"), 300);
      });
      assert.equal(await answered, "close", "the response during shutdown ends the keep-alive");
      const outcome = await exitsWithin(child, 15_000);
      assert.ok(outcome.ms !== undefined, "waited on the idle keep-alive connection");
      assert.equal(outcome.code, 0);
    } finally {
      agent.destroy();
    }
  });

  it("stops listening within 5 s when its `npm start` is sent SIGTERM", async () => {
    const dataDir = tempDir("npm-start");
    const { server: probe, port } = await listeningPort();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const npm = spawn("npm", ["start"], {
      cwd: root,
      env: cleanEnv({ CAIRN_DATA_DIR: dataDir, PORT: String(port) }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(npm);
    await waitForOutput(npm, /Cairn is running/);
    assert.equal(await portAnswers(port), true);
    npm.kill("SIGTERM");
    const deadline = Date.now() + 5_000;
    while ((await portAnswers(port)) && Date.now() < deadline) await sleep(100);
    assert.equal(
      await portAnswers(port),
      false,
      `something still listens on ${port} 5 s after SIGTERM to npm`,
    );
  });
});

describe("start-up conflicts", () => {
  it("says in one line that PORT is taken, exits 1 and leaves no lock", async () => {
    const dataDir = tempDir("port");
    const { server, port } = await listeningPort();
    try {
      const result = await cairn(["start"], cleanEnv({ CAIRN_DATA_DIR: dataDir, PORT: String(port) }));
      assert.equal(result.code, 1);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`PORT ${port} is already in use on 127\\.0\\.0\\.1`));
      assert.doesNotMatch(result.stderr, /EADDRINUSE|\n\s+at /);
      assert.equal(existsSync(lockPath(dataDir)), false, "the data dir lock was released");
    } finally {
      server.close();
    }
  });

  it("ignores a lock whose PID now belongs to another process", async () => {
    const dataDir = tempDir("stale-lock");
    const { server, port } = await listeningPort();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Written by a Cairn server that crashed long ago; its PID is now this test runner's.
    writeFileSync(
      lockPath(dataDir),
      JSON.stringify({
        pid: process.pid,
        startedAt: "2020-01-01T00:00:00.000Z",
        url: `http://127.0.0.1:${port}`,
        controlToken: "stale",
      }),
    );
    const result = await cairn(
      ["call", "create_task", '{"title":"After a crash"}'],
      cleanEnv({ CAIRN_DATA_DIR: dataDir }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).title, "After a crash");
  });

  it("says what to do when the lock's live holder does not answer, instead of `fetch failed`", async () => {
    const dataDir = tempDir("silent-holder");
    const { server, port } = await listeningPort();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    writeFileSync(
      lockPath(dataDir),
      JSON.stringify({
        pid: process.pid,
        startedAt: new Date().toISOString(),
        url: `http://127.0.0.1:${port}`,
        controlToken: "silent",
      }),
    );
    const result = await cairn(["call", "list_tasks"], cleanEnv({ CAIRN_DATA_DIR: dataDir }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`pid ${process.pid}.*does not answer`));
    assert.match(result.stderr, new RegExp(`kill ${process.pid}`));
    assert.doesNotMatch(result.stderr, /TypeError|fetch failed|\n\s+at /);
  });
});
