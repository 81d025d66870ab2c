/** The slot-choice policies compared on simulated people: the fixed rule, the bandit and the oracle. */
import {
  type Belief,
  emptyStats,
  observe,
  personBelief,
  populationBelief,
  type SlotPreferencePrior,
  type SufficientStats,
  sampleTheta,
  scoreFeatures,
} from "../bandit.ts";
import { MOVED_TO_REWARD, OUTCOME_REWARD } from "../feedback.ts";
import type { Rng } from "../random.ts";
import { FEATURE_COUNT, slotFeatures } from "../slot-features.ts";
import { type SimDecision, type SimPerson, type SimReaction, trueUtility } from "./people.ts";

export interface SlotPolicy {
  name: string;
  /** Index of the candidate to offer. */
  choose(decision: SimDecision, rng: Rng): number;
  /** Feedback on the offered block. */
  learn(decision: SimDecision, chosen: number, reaction: SimReaction): void;
}

/**
 * What the planner does without learning: the earliest feasible slot, with the energy rule (high-energy work
 * in declared peak hours, low-energy work outside them, when such a slot exists).
 */
export function baselinePolicy(): SlotPolicy {
  return {
    name: "baseline (earliest feasible + energy rule)",
    choose(decision) {
      const want = decision.task.energy;
      if (want !== "medium") {
        const index = decision.candidates.findIndex((c) => c.inPeak === (want === "high"));
        if (index >= 0) return index;
      }
      return 0;
    },
    learn() {},
  };
}

/** Knows the hidden preferences: the best any policy can do on expectation. */
export function oraclePolicy(person: SimPerson): SlotPolicy {
  return {
    name: "oracle (hidden preferences)",
    choose(decision) {
      let best = 0;
      let bestValue = Number.NEGATIVE_INFINITY;
      decision.candidates.forEach((c, i) => {
        const u = trueUtility(person, c);
        if (u > bestValue) {
          bestValue = u;
          best = i;
        }
      });
      return best;
    },
    learn() {},
  };
}

export interface BanditOptions {
  prior: SlotPreferencePrior;
  /** Thompson spread multiplier: 1 is plain Thompson sampling, lower explores less (default 0.5). */
  explorationScale?: number;
  /** Pooled statistics of other people, shared across policies of one cohort (hierarchical pooling). */
  pooled?: SufficientStats;
  name?: string;
}

/** Thompson-sampling bandit over the shared slot features, with the pooled prior. */
export function banditPolicy(options: BanditOptions): SlotPolicy & { stats: SufficientStats } {
  const stats = emptyStats(FEATURE_COUNT);
  const scale = options.explorationScale ?? 0.5;
  const x = new Float64Array(FEATURE_COUNT);
  let belief: Belief | null = null;
  const currentBelief = (): Belief => {
    belief ??= personBelief(options.prior, populationBelief(options.prior, options.pooled), stats);
    return belief;
  };
  return {
    name: options.name ?? "bandit (Thompson, pooled prior)",
    stats,
    choose(decision, rng) {
      const theta = sampleTheta(currentBelief(), rng, scale);
      let best = 0;
      let bestValue = Number.NEGATIVE_INFINITY;
      decision.candidates.forEach((c, i) => {
        const value = scoreFeatures(theta, slotFeatures(c, x));
        if (value > bestValue) {
          bestValue = value;
          best = i;
        }
      });
      return best;
    },
    learn(decision, chosen, reaction) {
      const offered = decision.candidates[chosen];
      if (offered) observe(stats, slotFeatures(offered, x), OUTCOME_REWARD[reaction.outcome]);
      const moved = reaction.movedTo === null ? undefined : decision.candidates[reaction.movedTo];
      if (moved) observe(stats, slotFeatures(moved, x), MOVED_TO_REWARD);
      belief = null;
    },
  };
}
