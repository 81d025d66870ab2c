/**
 * Quick quality check without HiGHS, for iterating on the search: `node --import tsx test/bench/planner/quick.ts`.
 * Totals of weighted tardiness and late tasks, planner vs EDF, on both suites (generated seed 2026 × 32,
 * independent seed 77 × 36), plus the gap to the optima HiGHS proved on the small instances (from BENCHMARKS.md):
 * the faithful model's (solveExactBlocks: real plans on the planner's grid, the issue's target) and, for
 * reference, the relaxed model's (solveExact: preemptive 30-minute buckets, only a lower bound).
 */
import {
  checkHardRules,
  evaluatePlan,
  parsePlanInput,
  planSchedule,
} from "../../../engine/scheduling/index.ts";
import { edfQuality, scenarioSuite } from "./scorer.ts";

/** True optima (faithful model: `run.ts --faithful-seconds 90`, i14 with `faithful.ts --seconds 240`). */
const faithful: Record<string, number> = {
  s12: 0,
  s20: 17139,
  s25: 13058,
  i14: 18225,
  i20: 55780,
  i24: 34330,
  i30: 98180,
  i31: 74340,
};
/** Optima of the relaxed model: lower bounds that no real plan may reach. */
const relaxed: Record<string, number> = {
  s12: 0,
  s25: 13058,
  i10: 17600,
  i11: 82200,
  i14: 15250,
  i20: 55620,
  i24: 34320,
  i26: 85300,
};
const verbose = process.argv.includes("--verbose");
let within = 0;
const t0 = performance.now();
for (const [suite, scenarios] of [
  ["generated", scenarioSuite("generated", 32, 2026)],
  ["independent", scenarioSuite("independent", 36, 77)],
] as const) {
  let wt = 0;
  let wtEdf = 0;
  let late = 0;
  let lateEdf = 0;
  let worse = 0;
  let violations = 0;
  let evaluations = 0;
  for (const { name, input } of scenarios) {
    const parsed = parsePlanInput(input);
    const out = planSchedule(input);
    const q = evaluatePlan(parsed, out.blocks);
    violations += checkHardRules(input, out).length;
    evaluations += out.metrics.search?.evaluations ?? 0;
    const e = edfQuality(parsed);
    wt += q.weightedTardiness;
    wtEdf += e.weightedTardiness;
    late += q.lateTasks;
    lateEdf += e.lateTasks;
    if (q.weightedTardiness > e.weightedTardiness + 1e-6) worse++;
    const key = name.slice(0, 3);
    const opt = faithful[key];
    const bound = relaxed[key];
    if (opt !== undefined || bound !== undefined) {
      const ok = opt !== undefined && q.weightedTardiness <= opt * 1.05 + 1e-6;
      if (ok) within++;
      const gap = (to: number) => (to > 0 ? `+${((q.weightedTardiness / to - 1) * 100).toFixed(1)} %` : "");
      process.stderr.write(
        `${key}: ${q.weightedTardiness} vs optimum ${opt === undefined ? "not proved" : `${opt} ${gap(opt)} ${ok ? "ok" : "MISS"}`} (relaxed bound ${bound ?? "not proved"}${bound === undefined ? "" : ` ${gap(bound)}`})\n`,
      );
    }
    if (verbose)
      process.stderr.write(
        `${name}: WT ${q.weightedTardiness} / ${e.weightedTardiness} late ${q.lateTasks} / ${e.lateTasks}\n`,
      );
  }
  process.stdout.write(
    `${suite}: WT ${wt} / ${wtEdf} = ${(wt / wtEdf).toFixed(3)}x · late ${late} / ${lateEdf} = ${(late / lateEdf).toFixed(3)}x · worse ${worse} · violations ${violations} · evaluations ${evaluations}\n`,
  );
}
process.stdout.write(
  `within 5% of the proven (faithful) optimum: ${within}/${Object.keys(faithful).length} · ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
);
