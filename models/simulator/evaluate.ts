/**
 * Kept-block rate of slot policies on simulated people, week by week. Every policy sees the same people, the
 * same weeks and the same reaction noise (paired comparison): only the offered slots differ.
 */

import { isKept } from "../feedback.ts";
import { createRng } from "../random.ts";
import { generateCohort, generateWeek, type SimPerson } from "./people.ts";
import type { SlotPolicy } from "./policies.ts";

export interface EvaluationOptions {
  seed: number;
  people: number;
  weeks: number;
  blocksPerWeek: number;
  /** Builds each policy fresh for each person (a policy may learn from that person only). */
  policies: Array<{ name: string; make(person: SimPerson): SlotPolicy }>;
  onPerson?: (done: number, total: number) => void;
}

export interface PolicyResult {
  name: string;
  /** Mean over people of the kept share of offered blocks, per week. */
  keptRateByWeek: number[];
  keptRate: number;
  /** Kept rate over the last half of the weeks (after learning had time). */
  keptRateLateWeeks: number;
  /** Per-person kept rate over all weeks (for paired tests). */
  perPerson: number[];
}

export function evaluatePolicies(options: EvaluationOptions): PolicyResult[] {
  const people = generateCohort({ seed: options.seed, people: options.people });
  const kept = options.policies.map(() => people.map(() => new Array<number>(options.weeks).fill(0)));
  const offered = people.map(() => new Array<number>(options.weeks).fill(0));
  people.forEach((person, p) => {
    const policies = options.policies.map((spec) => spec.make(person));
    const policyRngs = policies.map((_, k) => createRng(options.seed * 7919 + p * 104_729 + k * 31));
    for (let week = 0; week < options.weeks; week++) {
      const decisions = generateWeek(
        createRng(options.seed * 15_485_863 + p * 1009 + week),
        person,
        options.blocksPerWeek,
      );
      (offered[p] as number[])[week] = decisions.length;
      decisions.forEach((decision, d) => {
        policies.forEach((policy, k) => {
          const chosen = policy.choose(decision, policyRngs[k] ?? createRng(1));
          // Shared reaction noise: the same draw for every policy on this decision.
          const reaction = reactWithSeed(
            person,
            decision,
            chosen,
            options.seed * 49_979_687 + p * 7_919 + week * 131 + d,
          );
          if (isKept(reaction.outcome)) {
            const row = kept[k]?.[p];
            if (row) row[week] = (row[week] ?? 0) + 1;
          }
          policy.learn(decision, chosen, reaction);
        });
      });
    }
    options.onPerson?.(p + 1, people.length);
  });
  return options.policies.map((spec, k) => {
    const rates = people.map((_, p) =>
      Array.from({ length: options.weeks }, (_, w) => {
        const n = offered[p]?.[w] ?? 0;
        return n === 0 ? 0 : (kept[k]?.[p]?.[w] ?? 0) / n;
      }),
    );
    const keptRateByWeek = Array.from(
      { length: options.weeks },
      (_, w) => rates.reduce((s, r) => s + (r[w] ?? 0), 0) / people.length,
    );
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
    return {
      name: spec.name,
      keptRateByWeek,
      keptRate: mean(keptRateByWeek),
      keptRateLateWeeks: mean(keptRateByWeek.slice(Math.floor(options.weeks / 2))),
      perPerson: rates.map(mean),
    };
  });
}

import type { SimDecision, SimReaction } from "./people.ts";
import { react } from "./people.ts";

function reactWithSeed(person: SimPerson, decision: SimDecision, chosen: number, seed: number): SimReaction {
  return react(createRng(seed), person, decision, chosen);
}
