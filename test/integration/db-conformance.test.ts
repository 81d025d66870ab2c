/** One suite for the Db port, run on PGlite and on PostgreSQL: migrations, tenant isolation, the event log. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultMigrationsDir, migrate } from "../../engine/db/migrate.ts";
import type { Db } from "../../engine/db/port.ts";
import { appendEvent } from "../../engine/db/repositories/event-log.ts";
import { ensurePerson, ensureWorkspace } from "../../engine/db/repositories/workspaces.ts";
import { type Backend, freshDb, type TestDb } from "../support/harness.ts";
import { postgresUrl } from "../support/services.ts";

const adapters: { name: Backend; skip: string | false }[] = [
  { name: "pglite", skip: false },
  { name: "postgres", skip: postgresUrl() ? false : "DATABASE_URL not set" },
];

for (const adapter of adapters) {
  describe(`Db port on ${adapter.name}`, { skip: adapter.skip }, () => {
    let test: TestDb;
    let db: Db;
    let a: string;
    let b: string;
    let taskOfB: string;

    before(async () => {
      test = await freshDb(adapter.name);
      db = test.db;
      const result = await migrate(db);
      assert.deepEqual(result.applied.slice(0, 1), ["0001_init"]);
      [a, b] = await db.system(async (tx) => [
        (await ensureWorkspace(tx, "alpha")).id,
        (await ensureWorkspace(tx, "bravo")).id,
      ]);
      taskOfB = await db.scoped(b, async (tx) => {
        const person = await ensurePerson(tx, b, { email: "bea@bravo.test" });
        const inserted = await tx.query<{ id: string }>(
          "INSERT INTO tasks (workspace_id, person_id, title) VALUES ($1, $2, 'Bravo secret plan') RETURNING id",
          [b, person.id],
        );
        return inserted.rows[0]!.id;
      });
      await db.scoped(a, (tx) =>
        tx.query("INSERT INTO tasks (workspace_id, title) VALUES ($1, 'Alpha roadmap')", [a]),
      );
    });
    after(async () => test?.drop());

    it("re-running migrations applies nothing", async () => {
      const again = await migrate(db);
      assert.deepEqual(again.applied, []);
      assert.ok(again.alreadyApplied >= 1);
    });

    it("accepts 0001 applied in its earlier, equivalent text, and still refuses an edited migration", async () => {
      const earlier = "9e25f839a689f178b7b38b4bda9cab0ee70fed9ed0011fe28f2ee7d8a30b7efa";
      const current = await db.system(async (tx) => {
        const row = await tx.query<{ checksum: string }>(
          "SELECT checksum FROM schema_migrations WHERE version = 1",
        );
        await tx.query("UPDATE schema_migrations SET checksum = $1 WHERE version = 1", [earlier]);
        return row.rows[0]?.checksum as string;
      });
      try {
        assert.deepEqual((await migrate(db)).applied, []);
        await db.system((tx) =>
          tx.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"),
        );
        await assert.rejects(migrate(db), /0001_init was changed after it was applied/);
      } finally {
        await db.system((tx) =>
          tx.query("UPDATE schema_migrations SET checksum = $1 WHERE version = 1", [current]),
        );
      }
    });

    it("a failing migration leaves the schema as it was", async (t) => {
      const dir = mkdtempSync(join(tmpdir(), "cairn-migrations-"));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      for (const file of ["0001_init.sql"]) {
        writeFileSync(
          join(dir, file),
          (await import("node:fs")).readFileSync(join(defaultMigrationsDir, file)),
        );
      }
      writeFileSync(
        join(dir, "9999_broken.sql"),
        "CREATE TABLE half_done (id int);\nALTER TABLE tasks ADD COLUMN oops int;\nSELECT * FROM no_such_table;",
      );
      await assert.rejects(migrate(db, dir), /9999_broken failed and was rolled back/);
      const leftovers = await db.system((tx) =>
        tx.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done')::int
                + (SELECT count(*) FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'oops')::int AS n`,
        ),
      );
      assert.equal(leftovers.rows[0]?.n, 0);
      const recorded = await db.system((tx) =>
        tx.query("SELECT 1 FROM schema_migrations WHERE version = 9999"),
      );
      assert.equal(recorded.rows.length, 0);
    });

    it("workspace A cannot read B's rows", async () => {
      const seen = await db.scoped(a, (tx) => tx.query<{ title: string }>("SELECT title FROM tasks"));
      assert.deepEqual(
        seen.rows.map((r) => r.title),
        ["Alpha roadmap"],
      );
      const byId = await db.scoped(a, (tx) => tx.query("SELECT * FROM tasks WHERE id = $1", [taskOfB]));
      assert.equal(byId.rows.length, 0);
      const people = await db.scoped(a, (tx) => tx.query("SELECT * FROM people"));
      assert.equal(people.rows.length, 0);
      const workspaces = await db.scoped(a, (tx) =>
        tx.query<{ slug: string }>("SELECT slug FROM workspaces"),
      );
      assert.deepEqual(
        workspaces.rows.map((r) => r.slug),
        ["alpha"],
      );
    });

    it("workspace A cannot update or delete B's rows", async () => {
      const updated = await db.scoped(a, (tx) =>
        tx.query("UPDATE tasks SET title = 'pwned' WHERE id = $1", [taskOfB]),
      );
      assert.equal(updated.rowCount, 0);
      const deleted = await db.scoped(a, (tx) => tx.query("DELETE FROM tasks WHERE id = $1", [taskOfB]));
      assert.equal(deleted.rowCount, 0);
      const still = await db.scoped(b, (tx) =>
        tx.query<{ title: string }>("SELECT title FROM tasks WHERE id = $1", [taskOfB]),
      );
      assert.equal(still.rows[0]?.title, "Bravo secret plan");
    });

    it("workspace A cannot write rows into B", async () => {
      await assert.rejects(
        db.scoped(a, (tx) => tx.query("INSERT INTO tasks (workspace_id, title) VALUES ($1, 'planted')", [b])),
        /row-level security/,
      );
      await assert.rejects(
        db.scoped(a, (tx) => tx.query("UPDATE tasks SET workspace_id = $1", [b])),
        /row-level security/,
      );
    });

    it("a query that forgets its scope sees nothing", async () => {
      const rows = await db.system(async (tx) => {
        await tx.query("SET LOCAL ROLE cairn_app");
        return tx.query("SELECT * FROM tasks");
      });
      assert.equal(rows.rows.length, 0);
    });

    it("a scope is set exactly as given (quotes and backslashes included), under the app role", async () => {
      const odd = "x'); SELECT set_config('cairn.workspace_id', 'b', true); --\\";
      const seen = await db.scoped(odd, async (tx) => ({
        setting: (await tx.query<{ s: string }>("SELECT current_setting('cairn.workspace_id') AS s")).rows[0]
          ?.s,
        role: (await tx.query<{ r: string }>("SELECT current_user AS r")).rows[0]?.r,
      }));
      assert.deepEqual(seen, { setting: odd, role: "cairn_app" });
    });

    it("the event log is append-only", async () => {
      await db.scoped(a, (tx) =>
        appendEvent(tx, { workspaceId: a, type: "task_created", payload: { n: 1 } }),
      );
      await assert.rejects(
        db.scoped(a, (tx) => tx.query("UPDATE events SET type = 'x'")),
        /permission denied|append-only/,
      );
      await assert.rejects(
        db.scoped(a, (tx) => tx.query("DELETE FROM events")),
        /permission denied|append-only/,
      );
      const count = await db.scoped(a, (tx) => tx.query("SELECT * FROM events"));
      assert.equal(count.rows.length, 1);
      const fromB = await db.scoped(b, (tx) => tx.query("SELECT * FROM events"));
      assert.equal(fromB.rows.length, 0);
    });

    it("events land in a monthly partition", async () => {
      const when = new Date();
      await db.scoped(a, (tx) => appendEvent(tx, { workspaceId: a, type: "task_edited", occurredAt: when }));
      const partition = await db.system((tx) =>
        tx.query<{ part: string }>(
          "SELECT tableoid::regclass::text AS part FROM events WHERE type = 'task_edited' LIMIT 1",
        ),
      );
      const expected = `events_${when.getUTCFullYear()}_${String(when.getUTCMonth() + 1).padStart(2, "0")}`;
      assert.equal(partition.rows[0]?.part, expected);
    });

    it("a failed transaction writes nothing", async () => {
      await assert.rejects(
        db.scoped(a, async (tx) => {
          await tx.query("INSERT INTO tasks (workspace_id, title) VALUES ($1, 'half written')", [a]);
          throw new Error("boom");
        }),
        /boom/,
      );
      const rows = await db.scoped(a, (tx) => tx.query("SELECT 1 FROM tasks WHERE title = 'half written'"));
      assert.equal(rows.rows.length, 0);
    });

    it("stores embeddings and finds neighbours", async () => {
      const vector = `[${Array.from({ length: 256 }, (_, i) => (i === 0 ? 1 : 0)).join(",")}]`;
      await db.scoped(a, (tx) =>
        tx.query("INSERT INTO tasks (workspace_id, title, embedding) VALUES ($1, 'vec', $2::vector)", [
          a,
          vector,
        ]),
      );
      const nearest = await db.scoped(a, (tx) =>
        tx.query<{ title: string; d: number }>(
          "SELECT title, embedding <=> $1::vector AS d FROM tasks WHERE embedding IS NOT NULL ORDER BY 2 LIMIT 1",
          [vector],
        ),
      );
      assert.equal(nearest.rows[0]?.title, "vec");
      assert.ok(Number(nearest.rows[0]?.d) < 1e-6);
    });
  });
}
