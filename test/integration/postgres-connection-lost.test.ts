/**
 * A PostgreSQL restart (or a terminated backend) while a transaction holds a pooled connection between two
 * queries: the transaction fails, the process lives on, and the next transaction gets a fresh connection.
 * Before, the lost connection was an unhandled 'error' event that ended the whole process (found by the
 * scale-out harness, test/e2e/scale-out). Runs only with DATABASE_URL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { freshDb, type TestDb } from "../support/harness.ts";
import { postgresUrl, skipWithout } from "../support/services.ts";

const base = postgresUrl();

describe("PostgreSQL connection lost inside a transaction", {
  skip: skipWithout(base, "DATABASE_URL"),
}, () => {
  let store: TestDb;
  let admin: pg.Client;

  before(async () => {
    store = await freshDb("postgres");
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await store?.drop();
  });

  it("fails that transaction only; the next one runs on a new connection", async () => {
    const failed = store.db.system(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const pid = rows[0]?.pid;
      // Terminated while no query runs on it: the server's notice arrives as an 'error' event.
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      for (;;) {
        const gone = await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]);
        if (gone.rowCount === 0) break;
      }
      await tx.query("SELECT 1");
    });
    await assert.rejects(failed);
    const { rows } = await store.db.system((tx) => tx.query<{ ok: number }>("SELECT 1 AS ok"));
    assert.deepEqual(rows, [{ ok: 1 }]);
  });
});
