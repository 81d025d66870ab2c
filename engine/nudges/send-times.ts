/**
 * Learned send times: a Thompson-sampling bandit over the local hour a nudge is sent in, rewarded when the
 * person acts on it. Pooled across the workspace's people (everyone's sent and acted-on counts per hour), so a
 * new person starts from what works for their colleagues. Each arm's belief is Beta(a + acted, b + ignored),
 * whose prior (a, b) is the workspace's overall acted-on rate worth PRIOR_WEIGHT nudges (an hour never tried
 * starts at the average, not at a coin flip), sampled through its normal approximation with the seeded
 * generator: the same inputs choose the same hour.
 */
import { createRng, seedFromValue } from "../../models/random.ts";

export interface HourStats {
  sent: number;
  acted: number;
}

/** Pooled counts per local hour (0-23); hours never tried are absent. */
export type SendTimeStats = ReadonlyMap<number, HourStats>;

/** How many nudges the prior is worth. */
export const PRIOR_WEIGHT = 4;

export interface BetaPrior {
  a: number;
  b: number;
}

/** The pooled prior: the overall acted-on rate (a half when nothing was sent yet), worth PRIOR_WEIGHT nudges. */
export function pooledPrior(stats: SendTimeStats): BetaPrior {
  let sent = 0;
  let acted = 0;
  for (const hour of stats.values()) {
    sent += hour.sent;
    acted += hour.acted;
  }
  const rate = (acted + 1) / (sent + 2);
  return { a: rate * PRIOR_WEIGHT, b: (1 - rate) * PRIOR_WEIGHT };
}

export function sampleRate(
  stats: HourStats | undefined,
  draw: number,
  prior: BetaPrior = { a: 1, b: 1 },
): number {
  const a = prior.a + (stats?.acted ?? 0);
  const b = prior.b + Math.max(0, (stats?.sent ?? 0) - (stats?.acted ?? 0));
  const mean = a / (a + b);
  const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  return Math.min(1, Math.max(0, mean + sd * draw));
}

/**
 * Chooses one of `hours` (candidate local hours, earliest first) for a nudge; `seed` makes the choice
 * repeatable (e.g. person, day and kind). Ties go to the earliest hour.
 */
export function chooseSendHour(
  hours: readonly number[],
  stats: SendTimeStats,
  seed: unknown,
): number | undefined {
  if (hours.length <= 1) return hours[0];
  const rng = createRng(seedFromValue(seed));
  const prior = pooledPrior(stats);
  let best: number | undefined;
  let bestValue = -1;
  for (const hour of hours) {
    const value = sampleRate(stats.get(hour), rng.normal(), prior);
    if (value > bestValue) {
      best = hour;
      bestValue = value;
    }
  }
  return best;
}
