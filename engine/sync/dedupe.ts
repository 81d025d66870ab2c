/**
 * Cross-source duplicates: the same work item in two systems (a Notion page that links the Jira issue, or
 * the same text) becomes one task with two sources.
 */

/**
 * Cosine similarity (HashingEmbedder vectors of title, description and tags) at or above which two items
 * from different connections are taken for the same work. Measured on the labelled pairs in
 * test/bench/sync/dedupe-threshold.ts (see BENCHMARKS.md, "Sync"): 15 duplicate and 18 distinct pairs; the
 * highest distinct pair scores 0.823, so 0.84 merges none of them and still finds 14 of 15 duplicates.
 */
export const DEDUPE_SIMILARITY_THRESHOLD = 0.84;

/**
 * A source's own rule for its links: the stable identity of the item behind a URL (a page id whose URL slug
 * changes with the title), or undefined when the URL is not one of its items. Connectors contribute them.
 */
export type LinkIdentity = (url: URL) => string | undefined;

/**
 * A comparable form of a URL: a connector's link identity when one recognizes it, else lowercase scheme and
 * host, no trailing slash, no fragment or tracking query.
 */
export function canonicalUrl(raw: string, identities: readonly LinkIdentity[] = []): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  for (const identity of identities) {
    const id = identity(url);
    if (id) return id;
  }
  const host = url.hostname.toLowerCase().replace(/^www\./, "");
  const path = url.pathname.replace(/\/+$/, "");
  const query = [...url.searchParams.entries()].filter(([key]) => !/^utm_|^ref$/i.test(key));
  const search = query.length > 0 ? `?${new URLSearchParams(query).toString()}` : "";
  return `${host}${url.port ? `:${url.port}` : ""}${path}${search}`;
}

/** URLs in free text (descriptions), for items that mention the other system's link in prose. */
export function urlsIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)].map((match) => match[0].replace(/[.,;:!?]+$/, ""));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
