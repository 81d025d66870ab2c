/**
 * `cairn admin create` as a person runs it: creates an owner with --password or a password read from
 * stdin, resets it on a second run, refuses a short password, and the owner then signs in to the console.
 * Embedded (a data dir) always; with DATABASE_URL when Postgres is configured.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { createPgliteDb } from "../../engine/db/pglite.ts";
import type { Db } from "../../engine/db/port.ts";
import { createPostgresDb } from "../../engine/db/postgres.ts";
import { ConsoleClient } from "../support/console-client.ts";
import { startTestCairn } from "../support/harness.ts";
import { postgresUrl } from "../support/services.ts";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "bin", "cairn.js");

function cairn(args: string[], env: Record<string, string>, input?: string) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CAIRN_LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
    input: input ?? "",
    timeout: 120_000,
  });
}

/** Creates an owner twice (flag, then stdin) and checks which password signs in. */
async function createThenReset(env: Record<string, string>, openDb: () => Promise<Db>): Promise<void> {
  const created = cairn(
    ["admin", "create", "--email", "boss@example.com", "--password", "first password 1", "--name", "Boss"],
    env,
  );
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /Created owner boss@example.com in workspace demo/);

  const short = cairn(["admin", "create", "--email", "boss@example.com", "--password", "short"], env);
  assert.equal(short.status, 2);
  assert.match(short.stderr, /at least 10 characters/);

  const usage = cairn(["admin", "create"], env);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /Usage: cairn admin create --email <email>/);

  const reset = cairn(["admin", "create", "--email", "Boss@Example.com"], env, "second password 2\n");
  assert.equal(reset.status, 0, reset.stderr);
  assert.match(reset.stdout, /Updated owner boss@example.com/);
  assert.doesNotMatch(reset.stdout + reset.stderr, /second password/, "the password is never echoed");

  const db = await openDb();
  const server = await startTestCairn({ sharedDb: db, startWorkers: false });
  try {
    const browser = new ConsoleClient(server.url);
    const old = await browser.request("POST", "/admin/api/session", {
      email: "boss@example.com",
      password: "first password 1",
    });
    assert.equal(old.status, 401, "the reset replaced the first password");
    const signedIn = await browser.signIn("boss@example.com", "second password 2");
    const { user } = signedIn.body as { user: { role: string; name: string } };
    assert.equal(user.role, "owner");
    assert.equal(user.name, "Boss");
  } finally {
    await server.close();
    await db.close();
  }
}

describe("cairn admin create (embedded)", () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "cairn-admin-"));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("creates an owner, resets the password from stdin, and the owner signs in", async () => {
    await createThenReset({ CAIRN_DATA_DIR: dataDir }, () =>
      createPgliteDb({ dataDir: join(dataDir, "pgdata") }),
    );
  });
});

const base = postgresUrl();
describe("cairn admin create (DATABASE_URL)", { skip: base ? false : "DATABASE_URL not set" }, () => {
  const name = `cairn_t_${randomBytes(6).toString("hex")}`;
  let url: string;
  before(async () => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const parsed = new URL(base as string);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  });
  after(async () => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it("creates an owner, resets the password from stdin, and the owner signs in", async () => {
    await createThenReset(
      {
        DATABASE_URL: url,
        CAIRN_MASTER_KEY: randomBytes(32).toString("base64"),
        CAIRN_ALLOW_SUPERUSER: "1",
      },
      () => createPostgresDb({ url, maxConnections: 3 }),
    );
  });
});
