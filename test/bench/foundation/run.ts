/**
 * Foundation benchmark: batched task upserts per second, then search over the labelled query set
 * (search-queries.ts) at 10k and 100k tasks, on PGlite and on Postgres (DATABASE_URL). Side by side per query:
 * the query path before issue 14 ("legacy") and every bounded tuning given (--ef × --pool), each with its
 * p50/p95 and hybrid recall@10 against the exact hybrid ranking (same fusion, every match ranked, exact
 * distances); plus the search_tasks action's own p50/p95 and the HNSW-only recall@10.
 *
 *   node --import tsx test/bench/foundation/run.ts [--sizes 10000,100000] [--rounds 3] [--ef 100] [--pool 1000]
 *     [--paths bounded,parallel,walk,pooled] [--seed upsert|bulk]
 *
 * --paths: the candidate paths to compare with legacy ("bounded" is what search_tasks runs, both sides in one
 * statement; "parallel" the same with its two sides at once on two connections, Postgres only; "walk" the
 * full-text path before migration 0029; "pooled" the path before migration 0028). --seed bulk loads the tasks with the secondary indexes built
 * afterwards (100k tasks in minutes on PGlite) instead of measuring sync's upsert statement.
 *
 * Progress lines go to stderr; one JSON document goes to stdout.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { Actor } from "../../../engine/actions/define.ts";
import { issueApiToken } from "../../../engine/auth/api-tokens.ts";
import type { Db } from "../../../engine/db/port.ts";
import {
  getTasksByIds,
  textCandidates,
  textCandidatesExact,
  vectorCandidates,
} from "../../../engine/db/repositories/tasks.ts";
import { createEngine } from "../../../engine/engine.ts";
import { createJobs } from "../../../engine/jobs/index.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { HashingEmbedder, toVectorLiteral } from "../../../engine/search/embedder.ts";
import {
  defaultSearchTuning,
  reciprocalRankFusion,
  type SearchTuning,
  searchWorkspace,
} from "../../../engine/search/hybrid-search.ts";
import { createSecretBox } from "../../../engine/security/secret-box.ts";
import { type Backend, freshDb, testConfig } from "../../support/harness.ts";
import { percentile, progress, seededRandom } from "../support/stats.ts";
import { labelledQueries } from "./search-queries.ts";
import { bulkLoadTasks, upsertTasks } from "./seed-tasks.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    rounds: { type: "string", default: "3" },
    ef: { type: "string", default: String(defaultSearchTuning.efSearch) },
    pool: { type: "string", default: String(defaultSearchTuning.textPool) },
    batch: { type: "string", default: "500" },
    paths: { type: "string", default: "bounded,pooled" },
    seed: { type: "string", default: "upsert" },
    backends: { type: "string", default: process.env.DATABASE_URL ? "pglite,postgres" : "pglite" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const rounds = Number(values.rounds);
const SeedMode = z.enum(["upsert", "bulk"]);
const seedMode = SeedMode.parse(values.seed);
const BenchPath = z.enum(["bounded", "parallel", "walk", "pooled"]);
const tunings: SearchTuning[] = values.paths.split(",").flatMap((name) =>
  values.ef.split(",").flatMap((ef) =>
    values.pool.split(",").map((pool) => {
      const path = BenchPath.parse(name);
      const sizes = { efSearch: Number(ef), textPool: Number(pool) };
      // "parallel" is the bounded path with its two sides at once on two connections (Postgres).
      return path === "parallel"
        ? { ...sizes, path: "bounded", parallel: true }
        : { ...sizes, path, parallel: false };
    }),
  ),
);
const pathName = (tuning: SearchTuning) =>
  tuning.path === "bounded" && tuning.parallel ? "parallel" : tuning.path;
const legacy: SearchTuning = { ...defaultSearchTuning, path: "legacy" };
const batchSize = Number(values.batch);

/** The exact 10th-nearest distance: the bar an approximate neighbour must meet (ties count as hits). */
async function exactTenthDistance(db: Db, workspaceId: string, vector: string): Promise<number> {
  return db.scoped(workspaceId, async (tx) => {
    // Without index scans the planner computes every distance: the exact answer.
    await tx.query("SET LOCAL enable_indexscan = off");
    const rows = await tx.query<{ d: number }>(
      "SELECT embedding <=> $1::vector AS d FROM tasks WHERE embedding IS NOT NULL ORDER BY 1 LIMIT 10",
      [vector],
    );
    return Number(rows.rows[rows.rows.length - 1]?.d ?? 2);
  });
}

async function approxDistances(db: Db, workspaceId: string, vector: string): Promise<number[]> {
  return db.scoped(workspaceId, async (tx) =>
    (await vectorCandidates(tx, vector, {}, 10, { efSearch: defaultSearchTuning.efSearch })).map(
      (hit) => hit.distance,
    ),
  );
}

/** Fused scores of the exact hybrid ranking and the 10th best of them. */
async function exactHybridScores(db: Db, workspaceId: string, embedder: HashingEmbedder, query: string) {
  const depth = 40;
  const vector = embedder.embed(query);
  const [text, nearest] = await db.scoped(workspaceId, async (tx) => [
    await textCandidatesExact(tx, query, {}, depth),
    await vectorCandidates(tx, toVectorLiteral(vector), {}, depth, { efSearch: depth, exact: true }),
  ]);
  const fused = reciprocalRankFusion([
    { name: "text", ids: text.map((hit) => hit.id) },
    { name: "vector", ids: nearest.filter((hit) => hit.distance <= 0.85).map((hit) => hit.id) },
  ]);
  const scores = new Map([...fused].map(([id, entry]) => [id, entry.score]));
  const sorted = [...scores.values()].sort((a, b) => b - a);
  return { scores, bar: (sorted[Math.min(9, sorted.length - 1)] ?? 0) - 1e-9 };
}

const breakdownParts = ["embed", "session", "text", "vector", "hydrate"] as const;
type BreakdownPart = (typeof breakdownParts)[number];

/**
 * Where search_tasks' time goes, part by part, for the shipped tuning: embedding the query, opening a scoped
 * transaction (BEGIN, SET LOCAL ROLE, the workspace setting, COMMIT), the full-text side, the vector side
 * (ef_search set and the HNSW query) and hydrating 10 tasks.
 */
async function timeParts(
  db: Db,
  workspaceId: string,
  embedder: HashingEmbedder,
  query: string,
): Promise<Record<BreakdownPart, number>> {
  const tuning = defaultSearchTuning;
  let started = performance.now();
  const vector = toVectorLiteral(embedder.embed(query));
  const embed = performance.now() - started;
  started = performance.now();
  await db.scoped(workspaceId, async () => {});
  const session = performance.now() - started;
  return db.scoped(workspaceId, async (tx) => {
    started = performance.now();
    const text = await textCandidates(tx, query, {}, 40, tuning.textPool);
    const textMs = performance.now() - started;
    started = performance.now();
    const nearest = await vectorCandidates(tx, vector, {}, 40, { efSearch: tuning.efSearch });
    const vectorMs = performance.now() - started;
    started = performance.now();
    await getTasksByIds(
      tx,
      [...text, ...nearest].slice(0, 10).map((hit) => hit.id),
    );
    return { embed, session, text: textMs, vector: vectorMs, hydrate: performance.now() - started };
  });
}

async function benchBackend(backend: Backend, size: number) {
  progress(`${backend} · ${size} tasks`);
  const { db, drop } = await freshDb(backend);
  const config = testConfig();
  const engine = createEngine({
    config,
    db,
    jobs: createJobs({ logger: silentLogger }),
    secrets: createSecretBox(Buffer.alloc(32, 1)),
    log: silentLogger,
  });
  try {
    await engine.prepare();
    const issued = await issueApiToken(db, { workspace: "bench", email: "bench@example.com" });
    const actor: Actor = { workspace: issued.workspace, person: issued.person };
    const random = seededRandom(42);
    const owner = { workspaceId: actor.workspace.id, personId: actor.person.id };
    const rowsPerSecond =
      seedMode === "bulk"
        ? await bulkLoadTasks(db, owner, size, random)
        : await upsertTasks(db, owner, size, batchSize, random);
    progress(`  ${rowsPerSecond} rows/s (${seedMode}); analyzing`);
    await db.system((tx) => tx.query("ANALYZE tasks"));

    const embedder = new HashingEmbedder();
    const search = (query: string, tuning: SearchTuning) =>
      searchWorkspace(db, actor.workspace.id, embedder, query, {}, 10, tuning);
    const paths = [legacy, ...tunings];
    const latencies = paths.map((): number[] => []);
    const recallHits = paths.map(() => 0);
    const actionLatencies: number[] = [];
    const partLatencies = new Map(breakdownParts.map((part): [BreakdownPart, number[]] => [part, []]));
    let vectorHits = 0;
    for (const [q, { query }] of labelledQueries.entries()) {
      // The exact hybrid scores: an id counts as a hit when it scores at least the exact 10th (ties count).
      const reference = await exactHybridScores(db, actor.workspace.id, embedder, query);
      for (let round = 0; round < rounds; round++) {
        for (const [p, tuning] of paths.entries()) {
          const started = performance.now();
          const hits = await search(query, tuning);
          latencies[p]?.push(performance.now() - started);
          if (round === 0) {
            const good = hits.filter((hit) => (reference.scores.get(hit.task.id) ?? 0) >= reference.bar);
            recallHits[p] = (recallHits[p] ?? 0) + good.length;
          }
        }
        const started = performance.now();
        await engine.call(actor, "cli", "search_tasks", { query, limit: 10 });
        actionLatencies.push(performance.now() - started);
        const parts = await timeParts(db, actor.workspace.id, embedder, query);
        for (const part of breakdownParts) partLatencies.get(part)?.push(parts[part]);
      }
      const vector = toVectorLiteral(embedder.embed(query));
      const bar = await exactTenthDistance(db, actor.workspace.id, vector);
      const approx = await approxDistances(db, actor.workspace.id, vector);
      vectorHits += approx.filter((distance) => distance <= bar + 1e-6).length;
      if (q % 20 === 0) progress(`  query ${q}/${labelledQueries.length}`);
    }
    const total = labelledQueries.length * 10;
    const ms = (list: number[], p: number) => Number(percentile(list, p).toFixed(1));
    return {
      backend,
      tasks: size,
      ...(seedMode === "bulk"
        ? { bulkLoadRowsPerSecond: rowsPerSecond }
        : { upsertsPerSecond: rowsPerSecond }),
      loadAverage: os.loadavg().map((load) => Number(load.toFixed(1))),
      searchTasksP50Ms: ms(actionLatencies, 50),
      searchTasksP95Ms: ms(actionLatencies, 95),
      vectorRecallAt10: Number((vectorHits / total).toFixed(3)),
      searchTasksBreakdown: Object.fromEntries(
        breakdownParts.map((part) => {
          const list = partLatencies.get(part) ?? [];
          return [
            part,
            {
              p50Ms: Number(percentile(list, 50).toFixed(2)),
              p95Ms: Number(percentile(list, 95).toFixed(2)),
            },
          ];
        }),
      ),
      paths: paths.map((tuning, p) => ({
        path: pathName(tuning),
        ...(tuning.path === "legacy" ? {} : { efSearch: tuning.efSearch, textPool: tuning.textPool }),
        p50Ms: ms(latencies[p] ?? [], 50),
        p95Ms: ms(latencies[p] ?? [], 95),
        hybridRecallAt10: Number(((recallHits[p] ?? 0) / total).toFixed(3)),
      })),
    };
  } finally {
    await engine.services.jobs.close(0);
    await drop();
  }
}

const results = [];
for (const backend of values.backends.split(",") as Backend[]) {
  for (const size of sizes) results.push(await benchBackend(backend, size));
}
process.stdout.write(
  `${JSON.stringify({ benchmark: "foundation", batchSize, queries: labelledQueries.length, rounds, results }, null, 2)}\n`,
);
