/**
 * The nearest-neighbour side of cross-source dedupe, exact and in memory: the workspace's stored task
 * vectors, held as one posting list per dimension (a hashed text vector has few non-zero dimensions), so
 * that probing a page of items costs a pass over the postings of each item's non-zero dimensions instead
 * of a scan of every task per item in the database (about 10 ms an item at 10,000 tasks).
 *
 * It answers what the per-item SQL probe answered: the `limit` nearest tasks by cosine distance (as
 * pgvector's `<=>` computes it, on the same stored vectors), kept when within `maxDistance`.
 */

export interface Neighbour {
  id: string;
  distance: number;
}

class Postings {
  rows = new Int32Array(64);
  values = new Float32Array(64);
  length = 0;

  push(row: number, value: number): void {
    if (this.length === this.rows.length) {
      const rows = new Int32Array(this.rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
      const values = new Float32Array(this.values.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.rows[this.length] = row;
    this.values[this.length] = value;
    this.length += 1;
  }
}

export class NearDuplicateIndex {
  private readonly postings: Postings[];
  /** Per row: the task id, or null once the task's vector was replaced or removed. */
  private ids: (string | null)[] = [];
  private norms: number[] = [];
  private readonly rowOf = new Map<string, number>();
  private scores = new Float64Array(0);
  private readonly prepared = new Map<string, EarlyAnswer>();

  constructor(readonly dimensions: number) {
    this.postings = Array.from({ length: dimensions }, () => new Postings());
  }

  get size(): number {
    return this.rowOf.size;
  }

  /** Adds a task's vector, replacing the one it had. A zero vector (or null) removes it. */
  upsert(id: string, vector: ArrayLike<number> | null): void {
    const previous = this.rowOf.get(id);
    if (previous !== undefined) {
      this.ids[previous] = null;
      this.rowOf.delete(id);
    }
    if (!vector) return;
    let norm = 0;
    for (let d = 0; d < vector.length; d++) norm += (vector[d] as number) ** 2;
    if (norm === 0) return;
    const row = this.ids.length;
    this.ids.push(id);
    this.norms.push(Math.sqrt(norm));
    this.rowOf.set(id, row);
    for (let d = 0; d < this.dimensions; d++) {
      const value = vector[d] ?? 0;
      if (value !== 0) this.postings[d]?.push(row, value);
    }
  }

  /** The `limit` nearest tasks to the vector, those within `maxDistance`, nearest first. */
  near(vector: ArrayLike<number>, maxDistance: number, limit: number): Neighbour[] {
    const key = keyOf(vector);
    const early = this.prepared.get(key);
    let found: Match[];
    if (early && early.maxDistance >= maxDistance) {
      this.prepared.delete(key);
      // Exact still: the early answer, less the rows replaced or removed since, plus the rows added since.
      found = early.found
        .filter((match) => this.ids[match.row] != null && match.distance <= maxDistance)
        .concat(this.scan(vector, maxDistance, early.rows));
    } else {
      found = this.scan(vector, maxDistance, 0);
    }
    // Row order, then a stable sort: ties rank as a single full scan ranks them.
    return found
      .sort((a, b) => a.distance - b.distance)
      .slice(0, limit)
      .map(({ row, distance }) => ({ id: this.ids[row] as string, distance }));
  }

  /**
   * Answers, ahead of time, the probes `near` will get for these vectors (a page being prepared while the
   * previous one is written); `near` then only looks at the rows added since. Kept under `tag` until forgotten.
   */
  prepare(tag: number, vectors: readonly ArrayLike<number>[], maxDistance: number): void {
    const rows = this.ids.length;
    for (const vector of vectors) {
      this.prepared.set(keyOf(vector), { tag, rows, maxDistance, found: this.scan(vector, maxDistance, 0) });
    }
  }

  /** Drops the early answers prepared under tags up to this one that no probe used. */
  forgetPrepared(upToTag: number): void {
    for (const [key, entry] of this.prepared) if (entry.tag <= upToTag) this.prepared.delete(key);
  }

  /**
   * Live rows from `fromRow` on within `maxDistance` of the vector, in row order. Each row's dot product is
   * summed dimension by dimension in ascending order whatever `fromRow` is, so distances are bit-identical.
   */
  private scan(vector: ArrayLike<number>, maxDistance: number, fromRow: number): Match[] {
    let norm = 0;
    for (let d = 0; d < vector.length; d++) norm += (vector[d] as number) ** 2;
    const rows = this.ids.length;
    if (norm === 0 || this.rowOf.size === 0 || fromRow >= rows) return [];
    const span = rows - fromRow;
    if (this.scores.length < span) this.scores = new Float64Array(Math.max(span, this.scores.length * 2));
    const scores = this.scores;
    scores.fill(0, 0, span);
    for (let d = 0; d < this.dimensions; d++) {
      const weight = vector[d] ?? 0;
      if (weight === 0) continue;
      const list = this.postings[d] as Postings;
      const listRows = list.rows;
      const listValues = list.values;
      // Rows are appended in increasing order, so each list is sorted: skip to fromRow.
      let i = fromRow === 0 ? 0 : firstAtLeast(listRows, list.length, fromRow);
      for (; i < list.length; i++)
        scores[(listRows[i] as number) - fromRow]! += weight * (listValues[i] as number);
    }
    const queryNorm = Math.sqrt(norm);
    // A distance within maxDistance < 1 needs a positive dot product: most rows stop here.
    const positiveOnly = maxDistance < 1;
    const found: Match[] = [];
    for (let offset = 0; offset < span; offset++) {
      const dot = scores[offset] as number;
      if (positiveOnly && dot <= 0) continue;
      const row = offset + fromRow;
      if (this.ids[row] == null) continue;
      const distance = 1 - dot / (queryNorm * (this.norms[row] as number));
      if (distance <= maxDistance) found.push({ row, distance });
    }
    return found;
  }
}

interface Match {
  row: number;
  distance: number;
}

interface EarlyAnswer {
  tag: number;
  /** The row count when it was computed: rows from here on are scanned at probe time. */
  rows: number;
  maxDistance: number;
  found: Match[];
}

function firstAtLeast(rows: Int32Array, length: number, row: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid] as number) < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A probe vector's identity: its float32 bytes (callers pass the vector as stored). */
function keyOf(vector: ArrayLike<number>): string {
  const floats = vector instanceof Float32Array ? vector : Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString("base64");
}

/** A sync run's index and how far it has read the tasks table (see refreshDuplicateProbe in sync-store). */
export interface DuplicateProbe {
  index: NearDuplicateIndex;
  /**
   * The oldest transaction still running when the index last read the table: rows written by it or later
   * are read again at the next refresh, so a task committed by another sync meanwhile is never missed.
   */
  sinceXid: string | null;
}

export function createDuplicateProbe(dimensions: number): DuplicateProbe {
  return { index: new NearDuplicateIndex(dimensions), sinceXid: null };
}

/** How many nearest tasks an item's text is compared with (as the per-item SQL probe's LIMIT 5 did). */
export const NEAREST_CANDIDATES = 5;
