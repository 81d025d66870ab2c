/** The `cairn` command as a person runs it: start, token create, call, config, and failures at start-up. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { waitForOutput } from "../support/child-output.ts";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

function baseEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CAIRN_DATA_DIR: dataDir,
    PORT: "0",
    ...extra,
  };
  return env;
}

function run(args: string[], env: NodeJS.ProcessEnv) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { ...result, ms: Date.now() - started };
}

describe("cairn start on embedded defaults", () => {
  let dataDir: string;
  let server: ChildProcess;
  let url: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cairn-cli-"));
    server = spawn(process.execPath, [cli, "start"], {
      cwd: root,
      env: baseEnv(dataDir, { CAIRN_LOG_LEVEL: "warn" }),
    });
    const match = await waitForOutput(
      server,
      /Health:\s+(http:\/\/[\d.:]+)\/healthz[\s\S]*Admin console:\s+http:\/\/[\d.:]+\/admin[\s\S]*Get an API token:/,
    );
    url = match[1] as string;
    assert.match(
      match[0],
      /\/admin\s+\(no owner yet: open it from this machine/,
      "a fresh data dir has no owner",
    );
  });
  after(() => {
    if (server.exitCode === null) server.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves /healthz and /readyz", async () => {
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: "ok" });
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
  });

  it("issues a token through the running server, which then creates, searches and completes a task", async () => {
    const issued = run(
      ["token", "create", "--workspace", "demo", "--person", "you@example.com"],
      baseEnv(dataDir),
    );
    assert.equal(issued.status, 0, issued.stderr);
    const token = issued.stdout.trim();
    assert.match(token, /^cairn_[\w-]{40,}$/);
    assert.match(issued.stderr, /shown once/);

    const call = async (action: string, input: unknown) => {
      const response = await fetch(`${url}/api/actions/${action}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(input),
      });
      assert.equal(response.status, 200);
      return (await response.json()) as Record<string, unknown>;
    };
    const task = await call("create_task", { title: "Prepare board deck", estimateMinutes: 90 });
    const found = (await call("search_tasks", { query: "board deck" })) as {
      results: { task: { id: string } }[];
    };
    assert.equal(found.results[0]?.task.id, task.id);
    const done = await call("complete_task", { id: task.id });
    assert.equal(done.status, "done");
  });

  it("runs `cairn call` through the server without opening the database twice", () => {
    const created = run(["call", "create_task", '{"title":"From the CLI","priority":2}'], baseEnv(dataDir));
    assert.equal(created.status, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).title, "From the CLI");
    const listed = run(["call", "list_tasks", '{"status":"todo"}'], baseEnv(dataDir));
    assert.ok(JSON.parse(listed.stdout).tasks.some((t: { title: string }) => t.title === "From the CLI"));
    const bad = run(["call", "create_task", '{"priority":7}'], baseEnv(dataDir));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /title/);
  });

  it("lists and revokes tokens through the server with `cairn token list` and `cairn token revoke`", async () => {
    const env = baseEnv(dataDir);
    const issued = run(["token", "create", "--workspace", "tokens-cli", "--person", "kim@example.com"], env);
    assert.equal(issued.status, 0, issued.stderr);
    const token = issued.stdout.trim();
    const whoami = () =>
      fetch(`${url}/api/actions/whoami`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{}",
      }).then((response) => response.status);
    assert.equal(await whoami(), 200);

    const listed = run(["token", "list", "--workspace", "tokens-cli"], env);
    assert.equal(listed.status, 0, listed.stderr);
    const [header, row] = listed.stdout.trim().split("\n");
    assert.match(header ?? "", /^ID\s+NAME\s+PREFIX\s+PERSON\s+CREATED\s+LAST USED\s+REVOKED$/);
    assert.ok(row?.includes(token.slice(0, 12)) && row.includes("kim@example.com"), row);
    assert.ok(!listed.stdout.includes(token), "the token itself is never printed");
    const id = row?.split(/\s+/)[0] as string;

    const revoked = run(["token", "revoke", id, "--workspace", "tokens-cli"], env);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, /^Revoked cairn_\S+… \(cli\) of kim@example\.com in tokens-cli at \d{4}-/);
    assert.equal(await whoami(), 401);
    assert.match(
      run(["token", "list", "--workspace", "tokens-cli"], env).stdout,
      /\d{4}-\d\d-\d\dT[\d:]+Z\s*$/,
    );
  });

  it("refuses a second server on the same data dir", () => {
    const second = run(["start"], baseEnv(dataDir));
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, /open in another Cairn process/);
  });

  it("drains and exits 0 on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    server.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});

describe("cairn token list and revoke without a running server", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "cairn-cli-tokens-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("open the embedded database themselves, and a revoked token shows when it was revoked", () => {
    const env = baseEnv(dataDir, { CAIRN_LOG_LEVEL: "silent" });
    const issued = run(
      ["token", "create", "--workspace", "direct", "--person", "lee@example.com", "--admin"],
      env,
    );
    assert.equal(issued.status, 0, issued.stderr);
    const listed = run(["token", "list", "--workspace", "direct"], env);
    assert.equal(listed.status, 0, listed.stderr);
    const row = listed.stdout.trim().split("\n")[1] ?? "";
    assert.ok(row.includes(issued.stdout.trim().slice(0, 12)), row);
    const revoked = run(["token", "revoke", row.split(/\s+/)[0] as string, "--workspace", "direct"], env);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, /^Revoked .* of lee@example\.com in direct at \d{4}-/);
    const unknown = run(
      ["token", "revoke", "00000000-0000-4000-8000-000000000000", "--workspace", "direct"],
      env,
    );
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /No token 00000000-0000-4000-8000-000000000000 in workspace direct/);
  });
});

describe("cairn start-up failures", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "cairn-cli-fail-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("names an invalid variable and exits 2", () => {
    const result = run(["start"], baseEnv(dataDir, { PORT: "eighty", CAIRN_LOG_LEVEL: "loud" }));
    assert.equal(result.status, 2);
    assert.match(result.stderr, /PORT:/);
    assert.match(result.stderr, /CAIRN_LOG_LEVEL:/);
  });

  it("fails within 10 seconds naming an unreachable DATABASE_URL", () => {
    const result = run(
      ["start"],
      baseEnv(dataDir, {
        DATABASE_URL: "postgres://cairn:hunter2@127.0.0.1:1/cairn",
        CAIRN_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
      }),
    );
    assert.notEqual(result.status, 0);
    assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
    assert.match(result.stderr, /DATABASE_URL/);
    assert.doesNotMatch(result.stderr, /hunter2/);
  });

  it("fails within 10 seconds naming an unreachable REDIS_URL", () => {
    const result = run(["start"], baseEnv(dataDir, { REDIS_URL: "redis://:hunter2@127.0.0.1:1" }));
    assert.notEqual(result.status, 0);
    assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
    assert.match(result.stderr, /REDIS_URL/);
    assert.doesNotMatch(result.stderr, /hunter2/);
  });

  it("prints the effective configuration with secrets masked", () => {
    const result = run(
      ["config"],
      baseEnv(dataDir, { NOTION_TOKEN: "secret_abcdef", JIRA_HOST: "https://acme.atlassian.net" }),
    );
    assert.equal(result.status, 0);
    assert.match(result.stdout, /NOTION_TOKEN\s+•+ \(set\)/);
    assert.match(result.stdout, /JIRA_HOST\s+https:\/\/acme\.atlassian\.net/);
    assert.match(result.stdout, /PORT\s+0/);
    assert.doesNotMatch(result.stdout, /secret_abcdef/);
  });
});
