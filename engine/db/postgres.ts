import pg from "pg";
import { redactUrl } from "../config.ts";
import { CairnError, ErrorCode } from "../errors.ts";
import { APP_ROLE, type Db, type Queryable, type QueryResult, WORKSPACE_SETTING } from "./port.ts";

export interface PostgresOptions {
  url: string;
  maxConnections?: number;
  connectTimeoutMs?: number;
}

function wrap(client: pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

/** PostgreSQL (with pgvector) through a `pg` pool. */
export async function createPostgresDb(options: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 8_000,
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new CairnError(
      ErrorCode.Unavailable,
      `Cannot connect to DATABASE_URL (${redactUrl(options.url)}): ${(error as Error).message}`,
    );
  }

  /** `opening` is sent as one simple query (BEGIN and the scope together: one round trip, not three). */
  async function inTransaction<T>(
    opening: (client: pg.PoolClient) => string,
    fn: (tx: Queryable) => Promise<T>,
  ) {
    const client = await pool.connect();
    // A checked-out client has no pool listener: a connection lost between two queries (a restarted server)
    // would be an unhandled 'error' event and end the process. The next query fails instead, and release()
    // drops the dead client from the pool.
    const onLost = () => {};
    client.on("error", onLost);
    try {
      await client.query(opening(client));
      const result = await fn(wrap(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.off("error", onLost);
      client.release();
    }
  }

  return {
    kind: "postgres",
    scoped: (workspaceId, fn, scopedOptions) =>
      inTransaction((client) => {
        const begin = scopedOptions?.snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
        const setting = `SELECT set_config('${WORKSPACE_SETTING}', ${client.escapeLiteral(workspaceId)}, true)`;
        return `${begin}; SET LOCAL ROLE ${APP_ROLE}; ${setting}`;
      }, fn),
    system: (fn) => inTransaction(() => "BEGIN", fn),
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
    },
  };
}

export interface LoginRole {
  name: string;
  superuser: boolean;
  bypassRls: boolean;
}

/** The role DATABASE_URL logs in as, and whether row-level security applies to it. */
export async function loginRole(db: Db): Promise<LoginRole> {
  return db.system(async (tx) => {
    const result = await tx.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
      "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = session_user",
    );
    const row = result.rows[0];
    return {
      name: row?.rolname ?? "(unknown)",
      superuser: row?.rolsuper ?? false,
      bypassRls: row?.rolbypassrls ?? false,
    };
  });
}

/** Why this login role must not run Cairn (RLS would not hold), or undefined when it may. */
export function loginRoleProblem(role: LoginRole): string | undefined {
  if (!role.superuser && !role.bypassRls) return undefined;
  const what = role.superuser ? "a superuser" : "a BYPASSRLS role";
  return `DATABASE_URL logs in as ${role.name}, ${what}, so row-level security would not hold: connect as a non-superuser login role (README, "Running on PostgreSQL and Redis"), or set CAIRN_ALLOW_SUPERUSER=1 to accept the risk.`;
}
