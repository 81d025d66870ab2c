/**
 * The Db port. Business code never opens connections: it asks for a transaction scoped to one workspace
 * (row-level security then shows only that workspace's rows) or, for the few cross-workspace jobs
 * (migrations, token resolution, scheduling syncs), a system transaction as the schema owner.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface ScopedOptions {
  /**
   * A read-only transaction whose statements all see one snapshot (REPEATABLE READ). Use it when one answer
   * is built from several queries: under the default READ COMMITTED, a plan stored between two of them
   * would show new history next to old blocks.
   */
  snapshot?: boolean;
}

export interface Db {
  readonly kind: "postgres" | "pglite";
  /** A transaction as the `cairn_app` role with `cairn.workspace_id` set: RLS scopes every query. */
  scoped<T>(workspaceId: string, fn: (tx: Queryable) => Promise<T>, options?: ScopedOptions): Promise<T>;
  /** A transaction as the schema owner, unscoped. Only for cross-workspace work. */
  system<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Readiness: throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const APP_ROLE = "cairn_app";
export const WORKSPACE_SETTING = "cairn.workspace_id";
