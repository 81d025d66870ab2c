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
  /** Per row: its non-zero dimensions (ascending) and their values as the postings hold them. */
  private rowDims: Int32Array[] = [];
  private rowValues: Float32Array[] = [];
  /** Per row: the squared norm of the values as held (float32). */
  private heldSquares: number[] = [];
  /** Per-probe scratch for the pruned scan: partial sums over the heavy dimensions, by row. */
  private heavyDot = new Float64Array(0);
  private heavySquares = new Float64Array(0);
  private stamps = new Int32Array(0);
  /** The rows the heavy postings reached, in the order first reached. */
  private touched = new Int32Array(0);
  private stamp = 0;
  private readonly rowOf = new Map<string, number>();
  private scores = new Float64Array(0);
  private readonly prepared = new Map<string, EarlyAnswer>();
  /** Rows whose exact dot product the pruned scan computed (what the bound did not rule out), for tests. */
  exactCount = 0;

  constructor(
    readonly dimensions: number,
    /** Off: every probe scans every row (what the tests compare the pruned scan with). */
    private readonly prune = true,
  ) {
    this.postings = Array.from({ length: dimensions }, () => new Postings());
  }

  get size(): number {
    return this.rowOf.size;
  }

  /** Rows held, replaced ones included: what a probe's postings walk over. */
  get heldRows(): number {
    return this.ids.length;
  }

  /** Adds a task's vector, replacing the one it had. A zero vector (or null) removes it. */
  upsert(id: string, vector: ArrayLike<number> | null): void {
    const previous = this.rowOf.get(id);
    // A row read again with the same vector (a refresh re-reads what was in flight at the last one) stays.
    if (previous !== undefined && vector && this.holds(previous, vector)) return;
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
    const dims: number[] = [];
    for (let d = 0; d < this.dimensions; d++) {
      const value = vector[d] ?? 0;
      if (value !== 0) {
        this.postings[d]?.push(row, value);
        dims.push(d);
      }
    }
    const values = Float32Array.from(dims, (d) => vector[d] as number);
    let held = 0;
    for (const value of values) held += value * value;
    this.rowDims.push(Int32Array.from(dims));
    this.rowValues.push(values);
    this.heldSquares.push(held);
  }

  /** Whether the row holds exactly this vector (its non-zero dimensions, as float32). */
  private holds(row: number, vector: ArrayLike<number>): boolean {
    const dims = this.rowDims[row] as Int32Array;
    const values = this.rowValues[row] as Float32Array;
    let j = 0;
    let norm = 0;
    for (let d = 0; d < this.dimensions; d++) {
      const value = vector[d] ?? 0;
      if (value === 0) continue;
      if (dims[j] !== d || values[j] !== Math.fround(value)) return false;
      norm += value ** 2;
      j += 1;
    }
    return j === dims.length && Math.sqrt(norm) === this.norms[row];
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
    if (this.prune && fromRow === 0 && maxDistance < 1) {
      const pruned = this.prunedScan(vector, norm, maxDistance);
      if (pruned) return pruned;
    }
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

  /**
   * The same answer as the full scan, from fewer rows: with H the probe's heaviest dimensions and L the rest,
   * q·x ≤ q_H·x_H + |q_L|·|x_L| (Cauchy–Schwarz on L). H is taken large enough that |q_L| alone is below what a
   * match needs, so only rows in H's postings can match; a row whose bound still falls short is skipped, and
   * every other row gets the full dot product, summed exactly as the full scan sums it. Undefined when H would
   * be every dimension (the full scan is then as cheap).
   */
  private prunedScan(
    vector: ArrayLike<number>,
    normSquared: number,
    maxDistance: number,
  ): Match[] | undefined {
    const queryNorm = Math.sqrt(normSquared);
    const needed = (1 - maxDistance) * queryNorm;
    const dims: number[] = [];
    for (let d = 0; d < this.dimensions; d++) if ((vector[d] ?? 0) !== 0) dims.push(d);
    // Most of the probe's mass for the fewest postings read first.
    const gain = (d: number) => (vector[d] as number) ** 2 / (1 + (this.postings[d] as Postings).length);
    dims.sort((a, b) => gain(b) - gain(a));
    let light = normSquared;
    let heavy = 0;
    const lightLimit = (LIGHT_SHARE * needed) ** 2;
    while (heavy < dims.length && light > lightLimit) {
      light -= (vector[dims[heavy] as number] as number) ** 2;
      heavy += 1;
    }
    if (heavy >= dims.length) return undefined;
    const lightNorm = Math.sqrt(Math.max(0, light));
    const rows = this.ids.length;
    if (this.stamps.length < rows) {
      const size = Math.max(rows, this.stamps.length * 2);
      this.stamps = new Int32Array(size);
      this.heavyDot = new Float64Array(size);
      this.heavySquares = new Float64Array(size);
      this.touched = new Int32Array(size);
      this.stamp = 0;
    }
    this.stamp += 1;
    const { stamps, heavyDot, heavySquares, stamp, touched } = this;
    let touchedCount = 0;
    for (let h = 0; h < heavy; h++) {
      const d = dims[h] as number;
      const weight = vector[d] as number;
      const list = this.postings[d] as Postings;
      const listRows = list.rows;
      const listValues = list.values;
      for (let i = 0; i < list.length; i++) {
        const row = listRows[i] as number;
        const value = listValues[i] as number;
        if (stamps[row] !== stamp) {
          stamps[row] = stamp;
          touched[touchedCount++] = row;
          heavyDot[row] = weight * value;
          heavySquares[row] = value * value;
        } else {
          heavyDot[row]! += weight * value;
          heavySquares[row]! += value * value;
        }
      }
    }
    const positiveOnly = maxDistance < 1;
    const found: Match[] = [];
    let exact = 0;
    // Only rows in the heavy postings can match (the rest of the table is never looked at).
    for (let t = 0; t < touchedCount; t++) {
      const row = touched[t] as number;
      if (this.ids[row] == null) continue;
      const norm = this.norms[row] as number;
      const rest = Math.sqrt(Math.max(0, (this.heldSquares[row] as number) - (heavySquares[row] as number)));
      if ((heavyDot[row] as number) + lightNorm * rest < needed * norm * (1 - BOUND_SLACK)) continue;
      exact += 1;
      const rowDims = this.rowDims[row] as Int32Array;
      const rowValues = this.rowValues[row] as Float32Array;
      let dot = 0;
      for (let j = 0; j < rowDims.length; j++) {
        const weight = vector[rowDims[j] as number] ?? 0;
        if (weight !== 0) dot += weight * (rowValues[j] as number);
      }
      if (positiveOnly && dot <= 0) continue;
      const distance = 1 - dot / (queryNorm * norm);
      if (distance <= maxDistance) found.push({ row, distance });
    }
    this.exactCount += exact;
    // In row order, as the full scan finds them (equal distances then rank alike).
    return found.sort((a, b) => a.row - b.row);
  }
}

/**
 * How much of the probe's norm the light dimensions may keep, as a share of the smallest dot product a match
 * needs: a row with nothing in the heavy dimensions then cannot match, and is never looked at.
 */
const LIGHT_SHARE = 0.8;
/** Relative slack on the bound, far above float rounding: the bound only decides which rows get the exact sum. */
const BOUND_SLACK = 1e-6;

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
