/**
 * Idempotency-Key across processes: two `cairn start --role web` processes on one PostgreSQL database get the
 * same create_task with the same key, sequentially and concurrently, and exactly one task exists each time;
 * every answer is the first answer (replayed) or a 409 asking to retry while the first still runs. Skipped
 * without DATABASE_URL (never with CAIRN_REQUIRE_SERVICES=1).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import type { Db } from "../../engine/db/port.ts";
import { createPostgresDb } from "../../engine/db/postgres.ts";
import { waitForOutput } from "../support/child-output.ts";
import { postgresUrl, redisUrl, skipWithout } from "../support/services.ts";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");
const base = postgresUrl();

describe("Idempotency-Key across two web processes on PostgreSQL", {
  skip: skipWithout(base, "DATABASE_URL"),
}, () => {
  const name = `cairn_idem_${randomBytes(6).toString("hex")}`;
  const children: ChildProcess[] = [];
  const temps: string[] = [];
  const urls: string[] = [];
  let db: Db | undefined;
  let token: string;
  let workspaceId: string;

  const databaseUrl = () => {
    const url = new URL(base as string);
    url.pathname = `/${name}`;
    return url.toString();
  };

  async function startWeb(env: NodeJS.ProcessEnv): Promise<string> {
    const dataDir = mkdtempSync(join(tmpdir(), "cairn-idem-"));
    temps.push(dataDir);
    const child = spawn(process.execPath, [cli, "start", "--role", "web"], {
      cwd: root,
      env: { ...env, CAIRN_DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const match = await waitForOutput(child, /Health:\s+(http:\/\/[\d.:]+)\/healthz/, 120_000);
    return match[1] as string;
  }

  before(async () => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: "0",
      HOST: "127.0.0.1",
      CAIRN_LOG_LEVEL: "warn",
      DATABASE_URL: databaseUrl(),
      CAIRN_ALLOW_SUPERUSER: "1",
      // Every process of one deployment shares the master key: answers are stored sealed under it.
      CAIRN_MASTER_KEY: randomBytes(32).toString("base64"),
      ...(redisUrl() ? { REDIS_URL: redisUrl() } : {}),
    };
    // The first process migrates; the second starts on the migrated database.
    urls.push(await startWeb(env));
    urls.push(await startWeb(env));
    db = await createPostgresDb({ url: databaseUrl(), maxConnections: 2 });
    const issued = await issueApiToken(db, { workspace: "idem-e2e", email: "pat@idem.test" });
    token = issued.token;
    workspaceId = issued.workspace.id;
  });

  after(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await db?.close();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  const create = async (url: string, key: string, title: string) => {
    const response = await fetch(`${url}/api/actions/create_task`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify({ title }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { id?: string },
      replayed: response.headers.get("idempotent-replayed"),
    };
  };

  const countTitled = async (title: string) =>
    (db as Db).scoped(workspaceId, async (tx) => {
      const { rows } = await tx.query<{ n: string }>("SELECT count(*) AS n FROM tasks WHERE title = $1", [
        title,
      ]);
      return Number(rows[0]?.n ?? 0);
    });

  it("sequentially: the second process replays the first one's answer", async () => {
    const key = randomUUID();
    const title = `Sequential ${key.slice(0, 8)}`;
    const first = await create(urls[0] as string, key, title);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const second = await create(urls[1] as string, key, title);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.replayed, "true");
    assert.equal(second.body.id, first.body.id);
    assert.equal(await countTitled(title), 1);
  });

  it("concurrently: one task, and every answer is the first one or a 409 to retry", async () => {
    for (let round = 0; round < 5; round++) {
      const key = randomUUID();
      const title = `Concurrent ${key.slice(0, 8)}`;
      const answers = await Promise.all([0, 1, 0, 1].map((i) => create(urls[i] as string, key, title)));
      const ok = answers.filter((answer) => answer.status === 200);
      assert.ok(ok.length >= 1, JSON.stringify(answers));
      for (const answer of answers) assert.ok([200, 409].includes(answer.status), JSON.stringify(answer));
      assert.equal(new Set(ok.map((answer) => answer.body.id)).size, 1);
      assert.equal(await countTitled(title), 1);
      // A retry after the 409s gets the stored answer.
      const retry = await create(urls[1] as string, key, title);
      assert.equal(retry.replayed, "true");
      assert.equal(retry.body.id, ok[0]?.body.id);
    }
  });
});
