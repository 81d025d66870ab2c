/**
 * The full-text side's work per labelled query, measured in ways a busy machine does not distort: shared
 * buffers touched (EXPLAIN BUFFERS of the whole function, nested statements included) and the server
 * process's CPU time (from /proc, so Postgres must run on this host). Side by side for the bucketed scan
 * search_tasks runs (migration 0029), the id-range walk (0028) and reading every match (0023).
 *
 *   DATABASE_URL=postgres://… node --import tsx test/bench/foundation/text-work.ts [--size 100000] [--reps 10]
 *
 * Progress lines go to stderr; one JSON document goes to stdout.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { issueApiToken } from "../../../engine/auth/api-tokens.ts";
import { createEngine } from "../../../engine/engine.ts";
import { createJobs } from "../../../engine/jobs/index.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { createSecretBox } from "../../../engine/security/secret-box.ts";
import { freshDb, testConfig } from "../../support/harness.ts";
import { percentile, progress, seededRandom } from "../support/stats.ts";
import { labelledQueries } from "./search-queries.ts";
import { bulkLoadTasks } from "./seed-tasks.ts";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "100000" },
    reps: { type: "string", default: "10" },
  },
});
const size = Number(values.size);
const reps = Number(values.reps);
const scans = {
  buckets: "cairn_task_text_buckets",
  walk: "cairn_task_text_walk",
  "all-matches": "cairn_task_text_candidates",
} as const;
type Scan = keyof typeof scans;

/** utime + stime of a process in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const { db, drop } = await freshDb("postgres");
const engine = createEngine({
  config: testConfig(),
  db,
  jobs: createJobs({ logger: silentLogger }),
  secrets: createSecretBox(Buffer.alloc(32, 1)),
  log: silentLogger,
});
const clients: pg.Client[] = [];
try {
  await engine.prepare();
  const issued = await issueApiToken(db, { workspace: "bench", email: "bench@example.com" });
  const owner = { workspaceId: issued.workspace.id, personId: issued.person.id };
  progress(`seeding ${size} tasks`);
  await bulkLoadTasks(db, owner, size, seededRandom(42));
  await db.system((tx) => tx.query("ANALYZE tasks"));
  const database = await db.system(
    async (tx) => (await tx.query<{ name: string }>("SELECT current_database() AS name")).rows[0]?.name,
  );
  const url = new URL(process.env.DATABASE_URL ?? "");
  url.pathname = `/${database}`;
  const results = [];
  for (const [scan, fn] of Object.entries(scans) as [Scan, string][]) {
    // One connection per scan, as the app role in the workspace, warmed up on every query once.
    const client = new pg.Client({ connectionString: url.toString() });
    clients.push(client);
    await client.connect();
    const pid = Number((await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid);
    await client.query("SET ROLE cairn_app");
    await client.query("SELECT set_config('cairn.workspace_id', $1, false)", [owner.workspaceId]);
    const call = `SELECT id FROM ${fn}($1, NULL, NULL, false, 1000, 40)`;
    for (const { query } of labelledQueries) await client.query(call, [query]);
    const buffers: number[] = [];
    const cpu: number[] = [];
    for (const { query } of labelledQueries) {
      const explained = await client.query<{ "QUERY PLAN": { Plan: Record<string, number> }[] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${call}`,
        [query],
      );
      const plan = explained.rows[0]?.["QUERY PLAN"][0]?.Plan ?? {};
      buffers.push((plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0));
      const before = cpuMs(pid);
      for (let i = 0; i < reps; i++) await client.query(call, [query]);
      cpu.push((cpuMs(pid) - before) / reps);
    }
    progress(`  ${scan} done`);
    const mean = (list: number[]) => Number((list.reduce((a, b) => a + b, 0) / list.length).toFixed(2));
    results.push({
      scan,
      buffers: {
        p50: percentile(buffers, 50),
        p95: percentile(buffers, 95),
        max: Math.max(...buffers),
        mean: mean(buffers),
      },
      cpuMsPerQuery: {
        p50: percentile(cpu, 50),
        p95: percentile(cpu, 95),
        max: Math.max(...cpu),
        mean: mean(cpu),
      },
    });
  }
  process.stdout.write(
    `${JSON.stringify({ benchmark: "text-work", tasks: size, queries: labelledQueries.length, reps, results }, null, 2)}\n`,
  );
} finally {
  for (const client of clients) await client.end();
  await engine.services.jobs.close(0);
  await drop();
}
