/**
 * `cairn mcp` as an assistant runs it: a real process spawned by the SDK's StdioClientTransport, with
 * CAIRN_TOKEN from `cairn token create` on the same data dir. Checks stdout carries only MCP, the
 * token errors exit 2, and that with `cairn start` running on the data dir, `cairn mcp` relays to the
 * server instead of opening PGlite a second time. On Postgres it runs against a fresh database.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import pg from "pg";
import { allActions } from "../../engine/actions/index.ts";
import { ActionRegistry } from "../../engine/actions/registry.ts";
import { readLock } from "../../engine/db/data-dir-lock.ts";
import type { Task } from "../../engine/domain.ts";
import { backends } from "../support/harness.ts";
import { postgresUrl, redisUrl } from "../support/services.ts";
import { cairnEnv, cli, createToken, root } from "./mcp-process.ts";

interface Spawned {
  client: Client;
  stderr: () => string;
  errors: Error[];
}

async function spawnMcp(env: Record<string, string>): Promise<Spawned> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, "mcp"],
    env,
    cwd: root,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const errors: Error[] = [];
  const client = new Client({ name: "cairn-stdio-test", version: "1.0.0" });
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  return { client, stderr: () => stderr, errors };
}

async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = postgresUrl() as string;
  const name = `cairn_mcp_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => {
  const result = await client.callTool({ name, arguments: args });
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  return result.structuredContent as Record<string, unknown>;
};

/**
 * Writes initialize, the initialized notification and two requests in ONE write, without waiting for the
 * initialize answer (as some assistants do), and returns the answers by id and what went to stderr.
 */
async function pipelined(
  env: Record<string, string>,
): Promise<{ answers: Map<number, Record<string, unknown>>; stderr: string }> {
  const child = spawn(process.execPath, [cli, "mcp"], { cwd: root, env, stdio: ["pipe", "pipe", "pipe"] });
  const messages = [
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "pipelined", version: "1" },
      },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
    {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "create_task", arguments: { title: "Pipelined" } },
    },
  ];
  child.stdin.write(messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
  const answers = new Map<number, Record<string, unknown>>();
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answers to all requests; stdout:\n${stdout}\nstderr:\n${stderr}`)),
        60_000,
      );
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        for (const line of stdout.split("\n").slice(0, -1)) {
          const message = JSON.parse(line) as Record<string, unknown>;
          if (typeof message.id === "number") answers.set(message.id, message);
        }
        if (answers.size >= 3) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    child.stdin.end();
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  return { answers, stderr };
}

function assertPipelinedAnswered(result: { answers: Map<number, Record<string, unknown>>; stderr: string }) {
  for (const id of [1, 2, 3]) {
    const answer = result.answers.get(id);
    assert.ok(answer?.result, `request ${id} answered with a result: ${JSON.stringify(answer)}`);
  }
  const created = (result.answers.get(3)?.result ?? {}) as { structuredContent?: { title?: string } };
  assert.equal(created.structuredContent?.title, "Pipelined");
  assert.doesNotMatch(result.stderr, /Mcp-Session-Id/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack traces");
}

/** Output schemas checked with the registry's own zod schemas (no database needed to build them). */
const registry = new ActionRegistry(allActions);

function matchesOutput(name: string, value: unknown): void {
  const action = registry.get(name);
  assert.ok(action);
  const parsed = action.output.safeParse(value);
  assert.ok(parsed.success, `${name}: ${parsed.error?.message}`);
}

for (const backend of backends()) {
  describe(`cairn mcp over stdio (${backend.name})`, { skip: backend.skip }, () => {
    let dataDir: string;
    let env: Record<string, string>;
    let token: string;
    let database: { url: string; drop(): Promise<void> } | undefined;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "cairn-mcp-"));
      const extra: Record<string, string> = { CAIRN_DATA_DIR: dataDir };
      if (backend.db === "postgres") {
        database = await freshPostgres();
        extra.DATABASE_URL = database.url;
        extra.REDIS_URL = redisUrl() as string;
        extra.CAIRN_MASTER_KEY = randomBytes(32).toString("base64");
        extra.CAIRN_ALLOW_SUPERUSER = "1"; // the suite's DATABASE_URL logs in as postgres
      }
      env = cairnEnv(extra);
      token = await createToken(env);
      assert.match(token, /^cairn_/);
    });

    after(async () => {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("lists tools and creates, lists, searches and completes tasks; stdout carries only MCP", async () => {
      const { client, stderr, errors } = await spawnMcp({ ...env, CAIRN_TOKEN: token });
      try {
        const { tools } = await client.listTools();
        for (const tool of tools) {
          assert.equal(tool.inputSchema.type, "object");
          assert.equal(tool.outputSchema?.type, "object");
        }
        const created = await call(client, "create_task", {
          title: "Write the stdio guide",
          estimateMinutes: 45,
        });
        matchesOutput("create_task", created);
        const listed = await call(client, "list_tasks", { mine: true });
        matchesOutput("list_tasks", listed);
        assert.ok((listed.tasks as Task[]).some((task) => task.id === created.id));
        const found = await call(client, "search_tasks", { query: "stdio guide" });
        matchesOutput("search_tasks", found);
        assert.equal((found.results as { task: Task }[])[0]?.task.id, created.id);
        const done = await call(client, "complete_task", { id: created.id });
        matchesOutput("complete_task", done);
        assert.equal(done.status, "done");
        const plan = await client.readResource({ uri: "cairn://plan/today" });
        assert.equal(plan.contents[0]?.mimeType, "application/json");
        assert.deepEqual(errors, [], "nothing but MCP messages on stdout");
        assert.match(stderr(), /MCP on stdio/, "logs go to stderr");
      } finally {
        await client.close();
      }
    });

    it("answers requests written all at once, before the initialize answer", async () => {
      assertPipelinedAnswered(await pipelined({ ...env, CAIRN_TOKEN: token }));
    });

    it("exits 2 with a clear message when CAIRN_TOKEN is missing or wrong", async () => {
      for (const [label, value, expected] of [
        ["missing", undefined, /CAIRN_TOKEN is not set/],
        ["wrong", "cairn_wrong", /CAIRN_TOKEN is unknown or revoked/],
      ] as const) {
        const child = spawn(process.execPath, [cli, "mcp"], {
          cwd: root,
          env: value ? { ...env, CAIRN_TOKEN: value } : env,
          stdio: ["pipe", "pipe", "pipe"],
        });
        const { code, stdout, stderr } = await finished(child);
        assert.equal(code, 2, label);
        assert.equal(stdout, "", `${label}: nothing on stdout`);
        assert.match(stderr, expected, label);
        assert.match(stderr, /cairn token create/, label);
      }
    });

    it("relays to the running server when one owns the embedded data dir", {
      skip: backend.db === "postgres" ? "relaying applies to the embedded database only" : false,
    }, async () => {
      const server = spawn(process.execPath, [cli, "start"], {
        cwd: root,
        env: { ...env, PORT: "0", CAIRN_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      try {
        const deadline = Date.now() + 30_000;
        while (!readLock(dataDir)?.url) {
          if (Date.now() > deadline || server.exitCode !== null) assert.fail("cairn start did not come up");
          await sleep(100);
        }
        const url = readLock(dataDir)?.url as string;
        const { client, stderr, errors } = await spawnMcp({ ...env, CAIRN_TOKEN: token });
        try {
          const created = await call(client, "create_task", { title: "Relayed through the server" });
          assert.match(stderr(), /relayed to the running Cairn server/);
          assert.deepEqual(errors, []);
          // The running server has it: the relay did not open the data dir itself.
          const response = await fetch(`${url}/api/actions/get_task`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ id: created.id }),
          });
          assert.equal(response.status, 200);
          assert.equal(((await response.json()) as Task).title, "Relayed through the server");
        } finally {
          await client.close();
        }
        // Same as direct mode: requests written before the initialize answer all get answers.
        assertPipelinedAnswered(await pipelined({ ...env, CAIRN_TOKEN: token }));
        const wrong = spawn(process.execPath, [cli, "mcp"], {
          cwd: root,
          env: { ...env, CAIRN_TOKEN: "cairn_wrong" },
        });
        const outcome = await finished(wrong);
        assert.equal(outcome.code, 2);
        assert.match(outcome.stderr, /rejected CAIRN_TOKEN/);
      } finally {
        server.kill("SIGTERM");
        await finished(server);
      }
    });
  });
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin?.end();
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve({ code: child.exitCode, stdout, stderr });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
