/**
 * The foundation bench's workspace: repetitive work titles ("Review budget for Q3 (kalomi)") with their
 * hashed embeddings, seeded deterministically. Two ways in: `upsertTasks` measures the statement shape sync
 * uses (every row maintains every index); `bulkLoadTasks` fills 100k tasks in minutes by loading rows first
 * and building the secondary indexes afterwards, as a restore would (the same index definitions, rebuilt).
 */
import type { Db } from "../../../engine/db/port.ts";
import { HashingEmbedder, toVectorLiteral } from "../../../engine/search/embedder.ts";
import { progress } from "../support/stats.ts";

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

export function benchTitle(random: () => number): string {
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  const codename = Array.from({ length: 3 }, () => pick(syllables)).join("");
  return `${pick(verbs)} ${pick(objects)} ${pick(contexts)} (${codename})`;
}

interface Batch {
  titles: string[];
  externalIds: string[];
  vectors: string[];
}

function* batches(n: number, batchSize: number, random: () => number): Generator<Batch> {
  const embedder = new HashingEmbedder();
  for (let offset = 0; offset < n; offset += batchSize) {
    const batch: Batch = { titles: [], externalIds: [], vectors: [] };
    for (let i = 0; i < Math.min(batchSize, n - offset); i++) {
      const title = benchTitle(random);
      batch.titles.push(title);
      batch.externalIds.push(`bench-${offset + i}`);
      batch.vectors.push(toVectorLiteral(embedder.embed(title)));
    }
    yield batch;
  }
}

const insertRows = `INSERT INTO tasks (workspace_id, person_id, title, source, external_id, embedding, priority)
  SELECT $1, $2, t, 'bench', x, v::vector, 1 + (ord % 4)
  FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(t, x, v, ord)`;

/** Sync's statement shape: one multi-row upsert per batch with every index maintained. Returns rows/s. */
export async function upsertTasks(
  db: Db,
  owner: { workspaceId: string; personId: string },
  n: number,
  batchSize: number,
  random: () => number,
): Promise<number> {
  const started = performance.now();
  let done = 0;
  for (const batch of batches(n, batchSize, random)) {
    await db.scoped(owner.workspaceId, (tx) =>
      tx.query(
        `${insertRows}
         ON CONFLICT (workspace_id, source, external_id) WHERE external_id IS NOT NULL
         DO UPDATE SET title = EXCLUDED.title, embedding = EXCLUDED.embedding, updated_at = now()`,
        [owner.workspaceId, owner.personId, batch.titles, batch.externalIds, batch.vectors],
      ),
    );
    done += batch.titles.length;
    if (done % (batchSize * 20) === 0 || done === n) progress(`  upserted ${done}/${n}`);
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

/**
 * Loads the same rows as upsertTasks into an empty workspace in seconds to minutes: the full-text and HNSW
 * indexes (and every other non-unique index on tasks) are dropped, the rows inserted in large batches, and
 * the indexes recreated from their own definitions. Returns rows/s including the index builds.
 */
export async function bulkLoadTasks(
  db: Db,
  owner: { workspaceId: string; personId: string },
  n: number,
  random: () => number,
): Promise<number> {
  const started = performance.now();
  const indexes = await db.system(async (tx) => {
    const found = await tx.query<{ name: string; definition: string }>(
      `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       WHERE x.indrelid = 'tasks'::regclass AND NOT x.indisunique AND NOT x.indisprimary`,
    );
    for (const index of found.rows) await tx.query(`DROP INDEX ${index.name}`);
    // CAIRN_BENCH_HNSW_WITH="m = 12, ef_construction = 40" rebuilds the vector index with other build settings.
    const hnswWith = process.env.CAIRN_BENCH_HNSW_WITH;
    return found.rows.map((index) =>
      hnswWith && index.name === "tasks_embedding"
        ? { ...index, definition: `${index.definition.replace(/ WITH \(.*\)$/, "")} WITH (${hnswWith})` }
        : index,
    );
  });
  let done = 0;
  for (const batch of batches(n, 5000, random)) {
    await db.scoped(owner.workspaceId, (tx) =>
      tx.query(insertRows, [
        owner.workspaceId,
        owner.personId,
        batch.titles,
        batch.externalIds,
        batch.vectors,
      ]),
    );
    done += batch.titles.length;
    if (done % 20_000 === 0 || done === n) progress(`  loaded ${done}/${n}`);
  }
  await db.system(async (tx) => {
    // An HNSW build that fits maintenance_work_mem builds the graph in memory (minutes, not an hour).
    await tx.query("SET LOCAL maintenance_work_mem = '1GB'");
    for (const index of indexes) {
      progress(`  building ${index.name}`);
      await tx.query(index.definition);
    }
  });
  return Math.round(n / ((performance.now() - started) / 1000));
}
