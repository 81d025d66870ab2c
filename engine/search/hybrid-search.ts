import type { Db, Queryable } from "../db/port.ts";
import {
  getTasksByIds,
  nearestCandidates,
  type RankedId,
  type SearchCandidateFilter,
  searchCandidates,
  type TaskFilter,
  textCandidates,
  textCandidatesExact,
  vectorCandidates,
} from "../db/repositories/tasks.ts";
import type { Task } from "../domain.ts";
import { type Embedder, isZero, toVectorLiteral } from "./embedder.ts";

/** Reciprocal rank fusion constant: the usual 60 keeps one list's top hit from drowning the other list. */
const RRF_K = 60;
/** Vector neighbours farther than this (cosine distance) are noise for hashed embeddings. */
const MAX_VECTOR_DISTANCE = 0.85;

/**
 * How candidates are gathered. "bounded" is what search_tasks runs (full-text pool narrowed to an id range
 * inside the GIN index, migration 0029, both sides in one round trip); "walk" is the same answer found by
 * ANDing the GIN bitmap with a primary-key range (migration 0028, before the buckets); "pooled" the same
 * answer found by reading every match (migration 0023); "legacy" is the query path before issue 14 (every
 * full-text match ranked, through the tenant policy). The last three are kept for the bench's side-by-side.
 */
export type SearchPath = "bounded" | "walk" | "pooled" | "legacy";

export interface SearchTuning {
  path: SearchPath;
  /** Full-text matches ranked by ts_rank_cd at most (bounded path). */
  textPool: number;
  /** HNSW candidate list size (bounded path). */
  efSearch: number;
  /**
   * Bounded path on Postgres (searchWorkspace): the two sides in two transactions at once, on two pooled
   * connections, instead of one after the other in one statement. PGlite has one connection: no effect.
   * Off by default: on a busy 2-core host the extra transaction cost more than the overlap saved
   * (BENCHMARKS.md, "Search (issue 14)"); a host with idle cores may gain.
   */
  parallel?: boolean;
}

/** Chosen by measurement on the labelled query set (BENCHMARKS.md, "Search"). */
export const defaultSearchTuning: SearchTuning = {
  path: "bounded",
  textPool: 1000,
  efSearch: 200,
  parallel: false,
};

export interface SearchHit {
  task: Task;
  score: number;
  matchedBy: ("text" | "vector")[];
}

export function reciprocalRankFusion(
  lists: { name: "text" | "vector"; ids: string[] }[],
): Map<string, { score: number; matchedBy: ("text" | "vector")[] }> {
  const fused = new Map<string, { score: number; matchedBy: ("text" | "vector")[] }>();
  for (const list of lists) {
    list.ids.forEach((id, index) => {
      const entry = fused.get(id) ?? { score: 0, matchedBy: [] };
      entry.score += 1 / (RRF_K + index + 1);
      entry.matchedBy.push(list.name);
      fused.set(id, entry);
    });
  }
  return fused;
}

function onlyWalkFilters(filter: TaskFilter): filter is SearchCandidateFilter {
  const walkFilters: readonly string[] = ["status", "personId", "includeSourceDeleted"];
  return Object.entries(filter).every(([key, value]) => value === undefined || walkFilters.includes(key));
}

async function gatherText(
  tx: Queryable,
  query: string,
  filter: TaskFilter,
  depth: number,
  tuning: SearchTuning,
): Promise<RankedId[]> {
  if (tuning.path === "legacy") return textCandidatesExact(tx, query, filter, depth);
  const scan = tuning.path === "pooled" ? "all-matches" : tuning.path === "walk" ? "walk" : "buckets";
  return textCandidates(tx, query, filter, depth, Math.max(tuning.textPool, depth), scan);
}

type Ranked = [string, { score: number; matchedBy: ("text" | "vector")[] }][];

function fuse(text: RankedId[], nearest: (RankedId & { distance: number })[], limit: number): Ranked {
  const fused = reciprocalRankFusion([
    { name: "text", ids: text.map((hit) => hit.id) },
    {
      name: "vector",
      ids: nearest.filter((hit) => hit.distance <= MAX_VECTOR_DISTANCE).map((hit) => hit.id),
    },
  ]);
  return [...fused.entries()].sort((a, b) => b[1].score - a[1].score).slice(0, limit);
}

async function hydrate(tx: Queryable, ranked: Ranked): Promise<SearchHit[]> {
  const tasks = new Map(
    (
      await getTasksByIds(
        tx,
        ranked.map(([id]) => id),
      )
    ).map((task) => [task.id, task]),
  );
  return ranked.flatMap(([id, entry]) => {
    const task = tasks.get(id);
    return task ? [{ task, score: Number(entry.score.toFixed(6)), matchedBy: entry.matchedBy }] : [];
  });
}

const searchDepth = (limit: number) => Math.max(limit * 4, 40);

/** Hybrid search inside one transaction: the sides one after the other (one statement on the bounded path). */
export async function hybridSearch(
  tx: Queryable,
  embedder: Embedder,
  query: string,
  filter: TaskFilter,
  limit: number,
  tuning: SearchTuning = defaultSearchTuning,
): Promise<SearchHit[]> {
  const depth = searchDepth(limit);
  const vector = embedder.embed(query);
  const { text, nearest } =
    (tuning.path === "bounded" || tuning.path === "walk") && onlyWalkFilters(filter)
      ? await searchCandidates(tx, query, isZero(vector) ? null : toVectorLiteral(vector), filter, {
          depth,
          pool: Math.max(tuning.textPool, depth),
          efSearch: tuning.efSearch,
          scan: tuning.path === "walk" ? "walk" : "buckets",
        })
      : {
          // One transaction runs one statement at a time: the two sides go one after the other.
          text: await gatherText(tx, query, filter, depth, tuning),
          nearest: isZero(vector)
            ? []
            : await vectorCandidates(tx, toVectorLiteral(vector), filter, depth, {
                efSearch: tuning.path === "legacy" ? Math.max(100, depth * 2) : tuning.efSearch,
              }),
        };
  return hydrate(tx, fuse(text, nearest, limit));
}

/**
 * search_tasks: hybrid search in a workspace. With `parallel` on Postgres the bounded path runs its full-text
 * and vector sides at once, each in its own scoped transaction on its own pooled connection (neither waits for
 * the other while holding a connection), then reads the winning tasks in a third; otherwise it is
 * hybridSearch in one transaction.
 */
export async function searchWorkspace(
  db: Db,
  workspaceId: string,
  embedder: Embedder,
  query: string,
  filter: TaskFilter,
  limit: number,
  tuning: SearchTuning = defaultSearchTuning,
): Promise<SearchHit[]> {
  const vector = embedder.embed(query);
  if (
    !tuning.parallel ||
    db.kind !== "postgres" ||
    tuning.path !== "bounded" ||
    !onlyWalkFilters(filter) ||
    isZero(vector)
  ) {
    return db.scoped(workspaceId, (tx) => hybridSearch(tx, embedder, query, filter, limit, tuning));
  }
  const depth = searchDepth(limit);
  const [text, nearest] = await Promise.all([
    db.scoped(workspaceId, (tx) =>
      textCandidates(tx, query, filter, depth, Math.max(tuning.textPool, depth), "buckets"),
    ),
    db.scoped(workspaceId, (tx) =>
      nearestCandidates(tx, toVectorLiteral(vector), filter, { depth, efSearch: tuning.efSearch }),
    ),
  ]);
  const ranked = fuse(text, nearest, limit);
  return ranked.length === 0 ? [] : db.scoped(workspaceId, (tx) => hydrate(tx, ranked));
}
