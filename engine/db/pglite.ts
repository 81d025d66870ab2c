import { mkdirSync } from "node:fs";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { APP_ROLE, type Db, type Queryable, type QueryResult, WORKSPACE_SETTING } from "./port.ts";

export interface PgliteOptions {
  /** Directory for the database files; undefined keeps everything in memory (tests). */
  dataDir?: string;
}

function wrap(tx: Transaction): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await tx.query<Row>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ? result.affectedRows : result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await tx.exec(sql);
    },
  };
}

/**
 * Embedded PostgreSQL (WASM) with pgvector. PGlite is single-connection and single-process: its
 * transactions are serialized, and only one process may open a data dir (see engine/db/data-dir-lock.ts).
 */
export async function createPgliteDb(options: PgliteOptions = {}): Promise<Db> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir: options.dataDir, extensions: { vector } });
  return {
    kind: "pglite",
    // PGlite runs one transaction at a time, so every transaction already reads one snapshot.
    scoped: (workspaceId, fn) =>
      pg.transaction(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${APP_ROLE}`);
        await tx.query("SELECT set_config($1, $2, true)", [WORKSPACE_SETTING, workspaceId]);
        return fn(wrap(tx));
      }),
    system: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async ping() {
      await pg.query("SELECT 1");
    },
    async close() {
      await pg.close();
    },
  };
}
