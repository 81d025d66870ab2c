/**
 * Production on PostgreSQL with a non-superuser login role, as the README's production section sets it
 * up: the role owns a fresh database, runs the migrations and the actions, and row-level security keeps
 * workspaces apart. Cairn refuses to start as a superuser or a BYPASSRLS role unless
 * CAIRN_ALLOW_SUPERUSER=1. Runs only with DATABASE_URL (a superuser login, as in CI).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { openRuntime } from "../../bin/compose.ts";
import { issueApiToken } from "../../engine/auth/api-tokens.ts";
import { silentLogger } from "../../engine/logger.ts";
import { testConfig } from "../support/harness.ts";
import { postgresUrl, skipWithout } from "../support/services.ts";

const base = postgresUrl();
const root = new URL("../..", import.meta.url).pathname;

async function asSuperuser(database: string | undefined, ...statements: string[]): Promise<void> {
  const url = new URL(base as string);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

const urlFor = (user: string, password: string, database: string): string => {
  const url = new URL(base as string);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
};

describe("PostgreSQL with a non-superuser login role", { skip: skipWithout(base, "DATABASE_URL") }, () => {
  const suffix = randomBytes(5).toString("hex");
  const login = `cairn_login_${suffix}`;
  const bypasser = `cairn_bypass_${suffix}`;
  const database = `cairn_prod_${suffix}`;
  const password = randomBytes(12).toString("hex");

  before(async () => {
    // The README's one-time set-up, as a superuser.
    await asSuperuser(
      undefined,
      `CREATE ROLE ${login} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB`,
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cairn_app') THEN
         CREATE ROLE cairn_app NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$`,
      `GRANT cairn_app TO ${login}`,
      `CREATE DATABASE ${database} OWNER ${login}`,
      `CREATE ROLE ${bypasser} LOGIN PASSWORD '${password}' NOSUPERUSER BYPASSRLS`,
    );
    await asSuperuser(database, "CREATE EXTENSION IF NOT EXISTS vector");
  });

  after(async () => {
    await asSuperuser(
      undefined,
      `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
      `DROP ROLE IF EXISTS ${login}`,
      `DROP ROLE IF EXISTS ${bypasser}`,
    );
  });

  it("migrates and runs actions as that role, and row-level security keeps workspaces apart", async () => {
    const config = testConfig({
      DATABASE_URL: urlFor(login, password, database),
      CAIRN_ALLOW_SUPERUSER: "0",
    });
    const runtime = await openRuntime(config, silentLogger);
    try {
      const { migrationsApplied } = await runtime.engine.prepare();
      assert.ok(migrationsApplied.includes("0001_init"), "the login role applied the migrations");
      const db = runtime.engine.services.db;
      const acme = await issueApiToken(db, { workspace: "acme", email: "ann@acme.test" });
      const globex = await issueApiToken(db, { workspace: "globex", email: "eve@globex.test" });
      await runtime.engine.call(acme, "http", "create_task", { title: "Acme secret roadmap" });
      await runtime.engine.call(globex, "http", "create_task", { title: "Globex budget" });

      const seen = (await runtime.engine.call(globex, "http", "list_tasks", {})) as {
        tasks: { title: string }[];
      };
      assert.deepEqual(
        seen.tasks.map((t) => t.title),
        ["Globex budget"],
      );
      // search_tasks' full-text side runs as the schema owner (migration 0023) and must scope itself too.
      const search = async (actor: typeof acme, query: string) =>
        (
          (await runtime.engine.call(actor, "http", "search_tasks", { query })) as {
            results: { task: { title: string } }[];
          }
        ).results.map((hit) => hit.task.title);
      assert.deepEqual(await search(globex, "secret roadmap"), []);
      assert.deepEqual(await search(acme, "secret roadmap"), ["Acme secret roadmap"]);
      // A query that forgets its scope sees nothing; one scoped to globex sees only globex's rows.
      const counts = await db.scoped(globex.workspace.id, async (tx) => {
        const all = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks");
        const people = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM people");
        return { tasks: all.rows[0]?.n, people: people.rows[0]?.n };
      });
      assert.deepEqual(counts, { tasks: 1, people: 1 });
      const unscoped = await db.system(async (tx) => {
        await tx.query("SET LOCAL ROLE cairn_app");
        return (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks")).rows[0]?.n;
      });
      assert.equal(unscoped, 0);
    } finally {
      await runtime.close();
    }
  });

  it("refuses to start as a superuser or a BYPASSRLS role unless CAIRN_ALLOW_SUPERUSER=1", async () => {
    const superuserUrl = new URL(base as string);
    superuserUrl.pathname = `/${database}`;
    await assert.rejects(
      openRuntime(
        testConfig({ DATABASE_URL: superuserUrl.toString(), CAIRN_ALLOW_SUPERUSER: "0" }),
        silentLogger,
      ),
      /a superuser, so row-level security would not hold: .*CAIRN_ALLOW_SUPERUSER=1/,
    );
    await assert.rejects(
      openRuntime(
        testConfig({ DATABASE_URL: urlFor(bypasser, password, database), CAIRN_ALLOW_SUPERUSER: "0" }),
        silentLogger,
      ),
      /a BYPASSRLS role/,
    );
    const allowed = await openRuntime(testConfig({ DATABASE_URL: superuserUrl.toString() }), silentLogger);
    await allowed.close();
  });

  it("`cairn migrate` as a superuser exits 1 with one line saying what to do, and no password", () => {
    const superuserUrl = new URL(base as string);
    superuserUrl.pathname = `/${database}`;
    superuserUrl.password ||= "not-printed-7f3a"; // ignored by a trust login; must never be shown
    const result = spawnSync(process.execPath, [join(root, "bin", "cairn.js"), "migrate"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CAIRN_LOG_LEVEL: "silent",
        DATABASE_URL: superuserUrl.toString(),
        CAIRN_MASTER_KEY: randomBytes(32).toString("base64"),
      },
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(result.status, 1, result.stderr);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? "", /^cairn: DATABASE_URL logs in as \S+, a superuser.*CAIRN_ALLOW_SUPERUSER=1/);
    assert.ok(!result.stderr.includes(decodeURIComponent(superuserUrl.password)));
  });
});
