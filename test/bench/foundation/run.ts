/**
 * Foundation benchmark: batched task upserts per second, search_tasks p50/p95 at 10k and 100k tasks,
 * recall@10 of the (HNSW) vector part against exact search, on PGlite and on Postgres (DATABASE_URL).
 *
 *   node --import tsx test/bench/foundation/run.ts [--sizes 10000,100000] [--queries 200]
 *
 * Progress lines go to stderr; one JSON document goes to stdout.
 */
import { parseArgs } from "node:util";
import type { Actor } from "../../../engine/actions/define.ts";
import { issueApiToken } from "../../../engine/auth/api-tokens.ts";
import type { Db } from "../../../engine/db/port.ts";
import { vectorCandidates } from "../../../engine/db/repositories/tasks.ts";
import { createEngine } from "../../../engine/engine.ts";
import { createJobs } from "../../../engine/jobs/index.ts";
import { silentLogger } from "../../../engine/logger.ts";
import { HashingEmbedder, toVectorLiteral } from "../../../engine/search/embedder.ts";
import { createSecretBox } from "../../../engine/security/secret-box.ts";
import { type Backend, freshDb, testConfig } from "../../support/harness.ts";
import { percentile, progress, seededRandom } from "../support/stats.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    queries: { type: "string", default: "200" },
    batch: { type: "string", default: "500" },
    backends: { type: "string", default: process.env.DATABASE_URL ? "pglite,postgres" : "pglite" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const queryCount = Number(values.queries);
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
    (await vectorCandidates(tx, vector, {}, 10)).map((hit) => hit.distance),
  );
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
    const latencies: number[] = [];
    let recallHits = 0;
    let recallTotal = 0;
    for (let q = 0; q < queryCount; q++) {
      const query = title(random).split(" ").slice(0, 3).join(" ");
      const started = performance.now();
      await engine.call(actor, "cli", "search_tasks", { query, limit: 10 });
      latencies.push(performance.now() - started);
      if (q < 50) {
        const vector = toVectorLiteral(embedder.embed(query));
        const bar = await exactTenthDistance(db, actor.workspace.id, vector);
        const approx = await approxDistances(db, actor.workspace.id, vector);
        recallHits += approx.filter((distance) => distance <= bar + 1e-6).length;
        recallTotal += 10;
      }
      if (q % 50 === 0) progress(`  query ${q}/${queryCount}`);
    }
    return {
      backend,
      tasks: size,
      upsertsPerSecond,
      searchP50Ms: Number(percentile(latencies, 50).toFixed(1)),
      searchP95Ms: Number(percentile(latencies, 95).toFixed(1)),
      vectorRecallAt10: Number((recallHits / Math.max(1, recallTotal)).toFixed(3)),
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
  `${JSON.stringify({ benchmark: "foundation", batchSize, queries: queryCount, results }, null, 2)}\n`,
);
