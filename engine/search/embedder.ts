/**
 * Text embeddings computed in-process with no network. Any model can replace the default by
 * implementing Embedder; stored vectors must then be recomputed (`cairn reindex`).
 */

export interface Embedder {
  readonly name: string;
  readonly dimensions: number;
  embed(text: string): Float32Array;
}

export const EMBEDDING_DIMENSIONS = 256;

const stopWords = new Set(
  "a an and are as at be by for from has have in into is it its of on or that the this to was were will with".split(
    " ",
  ),
);

/** Light suffix stripping so that "planning", "planned" and "plans" share a feature. */
export function stem(word: string): string {
  for (const suffix of ["ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"]) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) {
      return suffix === "ies" ? `${word.slice(0, -3)}y` : word.slice(0, -suffix.length);
    }
  }
  return word;
}

function fnv1a(text: string, seed: number): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0 && !stopWords.has(word));
}

/**
 * Feature hashing of stemmed words (weight 1) and character trigrams of each word (weight 0.35, so typos
 * and unseen words still land near their relatives), signed to keep collisions unbiased, L2-normalized.
 */
export class HashingEmbedder implements Embedder {
  readonly name = "hashing-v1";
  constructor(readonly dimensions = EMBEDDING_DIMENSIONS) {}

  embed(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    const add = (feature: string, weight: number) => {
      const hash = fnv1a(feature, 0);
      const sign = fnv1a(feature, 0x9e3779b9) & 1 ? 1 : -1;
      vector[hash % this.dimensions]! += sign * weight;
    };
    for (const word of tokenize(text)) {
      const root = stem(word);
      add(`w:${root}`, 1);
      const padded = `<${root}>`;
      for (let i = 0; i + 3 <= padded.length; i++) add(`c:${padded.slice(i, i + 3)}`, 0.35);
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
    return vector;
  }
}

/** The pgvector text form of a vector, as a query parameter for `$n::vector`. */
export function toVectorLiteral(vector: Float32Array): string {
  // The text pgvector.toSql makes of the rounded values (JSON numbers), built in one pass: a sync writes
  // one per new task.
  let text = "[";
  for (let i = 0; i < vector.length; i++) {
    const value = Math.round((vector[i] as number) * 1e6) / 1e6;
    text += i === 0 ? `${value}` : `,${value}`;
  }
  return `${text}]`;
}

export function isZero(vector: Float32Array): boolean {
  return vector.every((v) => v === 0);
}
