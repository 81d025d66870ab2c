/**
 * Foundation benchmark: batched task upserts per second, then search over the labelled query set
 * (search-queries.ts) at 10k and 100k tasks, on PGlite and on Postgres (DATABASE_URL). Side by side per query:
 * the query path before issue 14 ("legacy") and every bounded tuning given (--ef × --pool), each with its
 * p50/p95 and hybrid recall@10 against the exact hybrid ranking (same fusion, every match ranked, exact
 * distances); plus the search_tasks action's own p50/p95 and the HNSW-only recall@10.
 *
 *   node --import tsx test/bench/foundation/run.ts [--sizes 10000,100000] [--rounds 3] [--ef 100] [--pool 1000]
 *
 * Progress lines go to stderr; one JSON document goes to stdout.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import type { Actor } from "../../../engine/actions/define.ts";
import { issueApiToken } from "../../../engine/auth/api-tokens.ts";
import type { Db } from "../../../engine/db/port.ts";
import { textCandidatesExact, vectorCandidates } from "../../../engine/db/repositories/tasks.ts";
import { createEngine } from "../../../engine/engine.ts";
import { createJobs } from "../../../engine/jobs/index.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { HashingEmbedder, toVectorLiteral } from "../../../engine/search/embedder.ts";
import {
  defaultSearchTuning,
  hybridSearch,
  reciprocalRankFusion,
  type SearchTuning,
} from "../../../engine/search/hybrid-search.ts";
import { createSecretBox } from "../../../engine/security/secret-box.ts";
import { type Backend, freshDb, testConfig } from "../../support/harness.ts";
import { percentile, progress, seededRandom } from "../support/stats.ts";
import { labelledQueries } from "./search-queries.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    rounds: { type: "string", default: "3" },
    ef: { type: "string", default: String(defaultSearchTuning.efSearch) },
    pool: { type: "string", default: String(defaultSearchTuning.textPool) },
    batch: { type: "string", default: "500" },
    backends: { type: "string", default: process.env.DATABASE_URL ? "pglite,postgres" : "pglite" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const rounds = Number(values.rounds);
const tunings: SearchTuning[] = values.ef
  .split(",")
  .flatMap((ef) =>
    values.pool
      .split(",")
      .map((pool) => ({ path: "bounded" as const, efSearch: Number(ef), textPool: Number(pool) })),
  );
const legacy: SearchTuning = { ...defaultSearchTuning, path: "legacy" };
const batchSize = Number(values.batch);

const verbs = [
  "Review",
  "Draft",
  "Fix",
  "Plan",
  "Prepare",
  "Update",
  "Write",
  "Test",
  "Refactor",
  "Call",
  "Email",
  "Design",
  "Ship",
  "Migrate",
  "Audit",
];
const objects = [
  "budget",
  "roadmap",
  "report",
  "invoice",
  "release notes",
  "onboarding guide",
  "API docs",
  "login bug",
  "database schema",
  "pricing page",
  "board deck",
  "hiring plan",
  "security review",
  "customer survey",
  "sprint backlog",
  "payment flow",
  "search index",
  "mobile app",
  "newsletter",
  "contract",
];
const contexts = [
  "for Q3",
  "for the marketing team",
  "with finance",
  "before launch",
  "for Acme Corp",
  "for the offsite",
  "in staging",
  "for investors",
  "with legal",
  "for the Berlin office",
  "next sprint",
  "for support",
];

const syllables = [
  "ka",
  "lo",
  "mi",
  "ra",
  "ton",
  "vel",
  "zu",
  "pra",
  "den",
  "sil",
  "mor",
  "qui",
  "bex",
  "nau",
  "fi",
  "gro",
  "hal",
  "jun",
  "wes",
  "yor",
];

function title(random: () => number): string {
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  const codename = Array.from({ length: 3 }, () => pick(syllables)).join("");
  return `${pick(verbs)} ${pick(objects)} ${pick(contexts)} (${codename})`;
}

async function bulkInsert(db: Db, workspaceId: string, personId: string, n: number, random: () => number) {
  const embedder = new HashingEmbedder();
  const started = performance.now();
  for (let offset = 0; offset < n; offset += batchSize) {
    const count = Math.min(batchSize, n - offset);
    const titles: string[] = [];
    const ids: string[] = [];
    const vectors: string[] = [];
    for (let i = 0; i < count; i++) {
      const t = title(random);
      titles.push(t);
      ids.push(`bench-${offset + i}`);
      vectors.push(toVectorLiteral(embedder.embed(t)));
    }
    // The same statement shape sync uses: one multi-row upsert keyed on (workspace, source, external id).
    await db.scoped(workspaceId, (tx) =>
      tx.query(
        `INSERT INTO tasks (workspace_id, person_id, title, source, external_id, embedding, priority)
         SELECT $1, $2, t, 'bench', x, v::vector, 1 + (ord % 4)
         FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(t, x, v, ord)
         ON CONFLICT (workspace_id, source, external_id) WHERE external_id IS NOT NULL
         DO UPDATE SET title = EXCLUDED.title, embedding = EXCLUDED.embedding, updated_at = now()`,
        [workspaceId, personId, titles, ids, vectors],
      ),
    );
    if ((offset / batchSize) % 20 === 0) progress(`  upserted ${offset + count}/${n}`);
  }
  const seconds = (performance.now() - started) / 1000;
  return Math.round(n / seconds);
}

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
    const upsertsPerSecond = await bulkInsert(db, actor.workspace.id, actor.person.id, size, random);
    progress(`  ${upsertsPerSecond} upserts/s; analyzing`);
    await db.system((tx) => tx.query("ANALYZE tasks"));

    const embedder = new HashingEmbedder();
    const search = (query: string, tuning: SearchTuning) =>
      db.scoped(actor.workspace.id, (tx) => hybridSearch(tx, embedder, query, {}, 10, tuning));
    const paths = [legacy, ...tunings];
    const latencies = paths.map((): number[] => []);
    const recallHits = paths.map(() => 0);
    const actionLatencies: number[] = [];
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
      upsertsPerSecond,
      loadAverage: os.loadavg().map((load) => Number(load.toFixed(1))),
      searchTasksP50Ms: ms(actionLatencies, 50),
      searchTasksP95Ms: ms(actionLatencies, 95),
      vectorRecallAt10: Number((vectorHits / total).toFixed(3)),
      paths: paths.map((tuning, p) => ({
        path: tuning.path,
        ...(tuning.path === "bounded" ? { efSearch: tuning.efSearch, textPool: tuning.textPool } : {}),
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
