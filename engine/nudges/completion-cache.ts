/**
 * Completion probabilities for the deadline-at-risk trigger, computed by the behaviour insights (90 days of
 * history: the costly part of a sweep) at most once per person per data version and half hour. The version is
 * a stamp of what the models read (tasks, event log, blocks, calendar, working hours), so a person whose data
 * did not change is not recomputed by the next sweep five minutes later; the half-hour bucket bounds how stale
 * the time-dependent part (free time left before each due date) may get.
 */
import { insightsFor } from "../behavior/insights.ts";
import type { Person } from "../domain.ts";
import type { EngineServices } from "../services.ts";

export const PROBABILITY_BUCKET_MS = 30 * 60_000;
const MAX_ENTRIES = 50_000;

interface Entry {
  key: string;
  probabilities: Map<string, number>;
}

/** One cache per engine (tests run several engines in one process). */
const caches = new WeakMap<EngineServices, Map<string, Entry>>();

function cacheOf(services: EngineServices): Map<string, Entry> {
  let cache = caches.get(services);
  if (!cache) {
    cache = new Map();
    caches.set(services, cache);
  }
  return cache;
}

export const cacheKey = (version: string, now: Date): string =>
  `${version}@${Math.floor(now.getTime() / PROBABILITY_BUCKET_MS)}`;

/** The cached probabilities of a person when their data version and the half hour still match. */
export function cachedProbabilities(
  services: EngineServices,
  personId: string,
  key: string,
): Map<string, number> | undefined {
  const entry = cacheOf(services).get(personId);
  return entry?.key === key ? entry.probabilities : undefined;
}

/** Computes (through the behaviour insights) and caches the person's completion probabilities. */
export async function computeProbabilities(
  services: EngineServices,
  workspaceId: string,
  person: Person,
  key: string,
  now: Date,
): Promise<Map<string, number>> {
  const insights = await insightsFor(services.db, workspaceId, person, now);
  const probabilities = new Map(insights.completion.map((c) => [c.taskId, c.probability]));
  const cache = cacheOf(services);
  // Re-inserting keeps the map in recency order, so the oldest entries go first when it is full.
  cache.delete(person.id);
  if (cache.size >= MAX_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(person.id, { key, probabilities });
  return probabilities;
}
