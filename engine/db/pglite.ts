import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { PGlite, type PGliteOptions, type Transaction } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { APP_ROLE, type Db, type Queryable, type QueryResult, WORKSPACE_SETTING } from "./port.ts";

export interface PgliteOptions {
  /** Directory for the database files; undefined keeps everything in memory (tests). */
  dataDir?: string;
}

/**
 * PostgreSQL memory settings for the embedded database, on top of PGlite's defaults (which keep fsync and
 * full page writes as they are: durability does not change). initdb sizes shared_buffers for a server
 * (128 MB); 16 MB holds Cairn's working set for one workspace, and idle RSS drops by about 100 MiB.
 * work_mem and maintenance_work_mem stay at PostgreSQL's defaults. Figures in BENCHMARKS.md ("Idle memory").
 */
export const PGLITE_MEMORY_PARAMS: readonly string[] = ["-c", "shared_buffers=16MB"];

const startParams = (): string[] => [...PGlite.defaultStartParams, ...PGLITE_MEMORY_PARAMS];

const execFileAsync = promisify(execFile);

type WasmModule = NonNullable<PGliteOptions["pgliteWasmModule"]>;
/** Node's WebAssembly global, which the project's libs (ES2023, no DOM) do not declare. */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> };

/**
 * Creates a new data dir in a short-lived process. PGlite's initdb runs a second WASM PostgreSQL next to
 * the first; in this process its memory (about 300 MiB) would stay in RSS for as long as the server runs,
 * since nothing at idle makes V8 or malloc give it back. Every later start opens the existing dir directly.
 */
async function initializeInChildProcess(dataDir: string): Promise<void> {
  const script = [
    "const { PGlite } = await import(process.argv[1]);",
    "const pg = await PGlite.create({ dataDir: process.argv[2], startParams: JSON.parse(process.argv[3]) });",
    "await pg.close();",
  ].join("\n");
  try {
    await execFileAsync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        script,
        import.meta.resolve("@electric-sql/pglite"),
        dataDir,
        JSON.stringify(startParams()),
      ],
      { timeout: 300_000, env: { ...process.env, NODE_OPTIONS: "" } },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    const reason = stderr.split("\n").at(-1) || (error as Error).message;
    throw new Error(`Could not create the embedded database in ${dataDir}: ${reason}`);
  }
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
  let pgliteWasmModule: WasmModule | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
      // Compile PostgreSQL's WASM here while the helper process creates the data dir.
      const wasm = new URL("./pglite.wasm", import.meta.resolve("@electric-sql/pglite"));
      const compiled = readFile(wasm).then((bytes) => WebAssembly.compile(bytes));
      compiled.catch(() => {});
      await initializeInChildProcess(options.dataDir);
      pgliteWasmModule = await compiled;
    }
  }
  const pg = await PGlite.create({
    dataDir: options.dataDir,
    extensions: { vector },
    startParams: startParams(),
    ...(pgliteWasmModule ? { pgliteWasmModule } : {}),
  });
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
