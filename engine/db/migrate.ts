import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "./port.ts";

export const defaultMigrationsDir = new URL("./migrations", import.meta.url).pathname;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/**
 * Earlier texts of migrations amended since in a way that changes nothing for a database they already ran
 * on: an applied migration whose stored checksum is listed here counts as unchanged.
 */
const EQUIVALENT_CHECKSUMS: Readonly<Record<number, readonly string[]>> = {
  // 0001 before it skipped CREATE ROLE when cairn_app exists (a login role without CREATEROLE can migrate).
  1: ["9e25f839a689f178b7b38b4bda9cab0ee70fed9ed0011fe28f2ee7d8a30b7efa"],
};

function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), "utf8");
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ""),
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    });
}

/**
 * Applies pending migrations in order, each in its own transaction: a failing one rolls back whole and
 * leaves the schema as it was. Concurrent starts serialize on an advisory lock. A changed migration that
 * was already applied is an error, not silently ignored.
 */
export async function migrate(db: Db, dir = defaultMigrationsDir): Promise<MigrationResult> {
  const migrations = readMigrations(dir);
  const applied: string[] = [];
  let alreadyApplied = 0;
  await db.system(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(4242001)");
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  for (const migration of migrations) {
    await db.system(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(4242001)");
      const existing = await tx.query<{ checksum: string }>(
        "SELECT checksum FROM schema_migrations WHERE version = $1",
        [migration.version],
      );
      const row = existing.rows[0];
      if (row) {
        const equivalent = EQUIVALENT_CHECKSUMS[migration.version] ?? [];
        if (row.checksum !== migration.checksum && !equivalent.includes(row.checksum)) {
          throw new Error(
            `Migration ${migration.name} was changed after it was applied. Add a new migration instead of editing it.`,
          );
        }
        alreadyApplied += 1;
        return;
      }
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        const message = (error as Error).message;
        const hint =
          /extension "vector" is not available|could not open extension control file.*vector/i.test(message)
            ? " Install pgvector on the PostgreSQL server (Debian: `bash .ci/install-pgvector.sh` builds it from source), or unset DATABASE_URL to use embedded PGlite."
            : "";
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${message}${hint}`);
      }
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      applied.push(migration.name);
    });
  }
  return { applied, alreadyApplied };
}
