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
    let norm = 0;
    for (let d = 0; d < vector.length; d++) norm += (vector[d] as number) ** 2;
    if (norm === 0 || this.rowOf.size === 0) return [];
    const rows = this.ids.length;
    if (this.scores.length < rows) this.scores = new Float64Array(Math.max(rows, this.scores.length * 2));
    const scores = this.scores;
    scores.fill(0, 0, rows);
    for (let d = 0; d < this.dimensions; d++) {
      const weight = vector[d] ?? 0;
      if (weight === 0) continue;
      const list = this.postings[d] as Postings;
      const listRows = list.rows;
      const listValues = list.values;
      for (let i = 0; i < list.length; i++)
        scores[listRows[i] as number]! += weight * (listValues[i] as number);
    }
    const queryNorm = Math.sqrt(norm);
    // A distance within maxDistance < 1 needs a positive dot product: most rows stop here.
    const positiveOnly = maxDistance < 1;
    const found: Neighbour[] = [];
    for (let row = 0; row < rows; row++) {
      const dot = scores[row] as number;
      if (positiveOnly && dot <= 0) continue;
      const id = this.ids[row];
      if (id === null || id === undefined) continue;
      const distance = 1 - dot / (queryNorm * (this.norms[row] as number));
      if (distance <= maxDistance) found.push({ id, distance });
    }
    return found.sort((a, b) => a.distance - b.distance).slice(0, limit);
  }
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
