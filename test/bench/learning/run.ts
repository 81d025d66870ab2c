/**
 * Learning bench: kept-block rate of slot policies on simulated people (baseline / bandit / oracle, plus a
 * bandit without the pooled prior), by week; serving latency per candidate set (plain TS vs onnxruntime-node);
 * and the planner's runtime with and without the learned slot preference.
 *
 *   node --import tsx test/bench/learning/run.ts [--people 100] [--weeks 8]
 *
 * Progress on stderr, JSON on stdout.
 */
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { parsePlanInput, planSchedule } from "../../../engine/scheduling/index.ts";
import { profileFromRow } from "../../../engine/scheduling/input/profile.ts";
import { EXPLORATION_SCALE, servePreference } from "../../../engine/scheduling/learning/slot-preference.ts";
import {
  emptyStats,
  flatPrior,
  observe,
  personBelief,
  populationBelief,
  sampleTheta,
  scoreFeatures,
} from "../../../models/bandit.ts";
import { linearScorerModel } from "../../../models/onnx/linear-scorer.ts";
import { createRng } from "../../../models/random.ts";
import { evaluatePolicies } from "../../../models/simulator/evaluate.ts";
import { generateCohort, generateWeek } from "../../../models/simulator/people.ts";
import { banditPolicy, baselinePolicy, oraclePolicy } from "../../../models/simulator/policies.ts";
import { FEATURE_COUNT, type SlotContext, slotFeatures } from "../../../models/slot-features.ts";
import { SLOT_PREFERENCE_PRIOR } from "../../../models/slot-preference-prior.ts";
import { generateScenarios } from "../planner/generator.ts";

const { values } = parseArgs({
  options: {
    people: { type: "string", default: "100" },
    weeks: { type: "string", default: "8" },
    blocks: { type: "string", default: "12" },
    seed: { type: "string", default: "2026" },
  },
});
const people = Number(values.people);
const weeks = Number(values.weeks);
const blocksPerWeek = Number(values.blocks);
const seed = Number(values.seed);
const log = (text: string) => process.stderr.write(`${text}\n`);
const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

// 1. Kept-block rate on simulated people (evaluation cohort; the prior was trained on a disjoint seed).
log(`simulating ${people} people × ${weeks} weeks × ${blocksPerWeek} blocks (seed ${seed})`);
const started = performance.now();
const results = evaluatePolicies({
  seed,
  people,
  weeks,
  blocksPerWeek,
  policies: [
    { name: "baseline (earliest feasible + energy rule)", make: () => baselinePolicy() },
    {
      name: `bandit (Thompson ×${EXPLORATION_SCALE}, pooled prior)`,
      make: () => banditPolicy({ prior: SLOT_PREFERENCE_PRIOR, explorationScale: EXPLORATION_SCALE }),
    },
    {
      name: "bandit without pooled prior (ablation)",
      make: () => banditPolicy({ prior: flatPrior(), explorationScale: 1 }),
    },
    { name: "oracle (hidden preferences)", make: (person) => oraclePolicy(person) },
  ],
  onPerson: (done, total) => {
    if (done % 20 === 0 || done === total) log(`  ${done}/${total} people`);
  },
});
const simulationMs = performance.now() - started;

// 2. Serving latency per candidate set: features + score, plain TS vs onnxruntime-node.
const [person] = generateCohort({ seed: 5, people: 1 });
if (!person) throw new Error("no simulated person");
const pool: SlotContext[] = [];
for (let w = 0; pool.length < 1000; w++) {
  for (const decision of generateWeek(createRng(w), person, 12)) pool.push(...decision.candidates);
}
const belief = personBelief(SLOT_PREFERENCE_PRIOR, populationBelief(SLOT_PREFERENCE_PRIOR));
const theta = sampleTheta(belief, createRng(1), EXPLORATION_SCALE);
const theta32 = Float32Array.from(theta);
const session = await ort.InferenceSession.create(linearScorerModel(FEATURE_COUNT), {
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
});

function quantiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50Us: round(at(0.5) * 1000, 1), p95Us: round(at(0.95) * 1000, 1) };
}

const serving: Array<Record<string, unknown>> = [];
for (const n of [20, 100, 400, 1000]) {
  const candidates = pool.slice(0, n);
  const x = new Float64Array(FEATURE_COUNT);
  const ts: number[] = [];
  const onnx: number[] = [];
  let maxDiff = 0;
  for (let r = 0; r < 300; r++) {
    let t = performance.now();
    const tsScores = candidates.map((c) => scoreFeatures(theta, slotFeatures(c, x)));
    ts.push(performance.now() - t);
    t = performance.now();
    const batch = new Float32Array(n * FEATURE_COUNT);
    candidates.forEach((c, i) => {
      batch.set(slotFeatures(c, x), i * FEATURE_COUNT);
    });
    const out = await session.run({
      features: new ort.Tensor("float32", batch, [n, FEATURE_COUNT]),
      theta: new ort.Tensor("float32", theta32, [FEATURE_COUNT, 1]),
    });
    onnx.push(performance.now() - t);
    if (r === 0) {
      const data = out.scores?.data as Float32Array;
      tsScores.forEach((s, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(s - (data[i] ?? 0)));
      });
    }
  }
  serving.push({
    candidates: n,
    ts: quantiles(ts.slice(50)),
    onnx: quantiles(onnx.slice(50)),
    maxAbsDiff: round(maxDiff, 6),
  });
  log(`  serving ${n} candidates: TS p50 ${quantiles(ts).p50Us} µs, ONNX p50 ${quantiles(onnx).p50Us} µs`);
}

// 3. Planner runtime with the learned preference (post-pass), on the planner bench's generated scenarios.
const scenarios = generateScenarios(32, 2026);
const learner = { person: emptyStats(), pooled: emptyStats(), implicitUntil: null };
const rng = createRng(3);
for (let i = 0; i < 40; i++) {
  const c = pool[rng.int(pool.length)] as SlotContext;
  const features = slotFeatures(c);
  observe(learner.person, features, rng.next() < 0.5 ? 1 : 0);
  observe(learner.pooled, features, rng.next() < 0.5 ? 1 : 0);
}
const planner: Array<{ plain: number; learned: number; moved: number }> = [];
for (const scenario of scenarios) {
  const parsed = parsePlanInput(scenario.input);
  const profile = profileFromRow({
    timezone: parsed.person.timezone,
    working_hours: parsed.person.workingHours,
    preferences: {},
  });
  const served = servePreference(learner, profile, parsed.busy, 1);
  const options = { maxEvaluations: 500, timeLimitMs: 120 };
  const plain = planSchedule(scenario.input, options);
  const learned = planSchedule(scenario.input, {
    ...options,
    ...(served.slotPreference && {
      slotPreference: served.slotPreference,
      preferencePass: { weight: served.weight },
    }),
  });
  planner.push({
    plain: plain.metrics.runtimeMs,
    learned: learned.metrics.runtimeMs,
    moved: learned.blocks.filter((b) => b.reason.includes("tend to keep")).length,
  });
}
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(0.95 * (xs.length - 1))] ?? 0;

const output = {
  simulation: {
    people,
    weeks,
    blocksPerWeek,
    seed,
    priorTraining: "models/train-slot-prior.ts (300 people × 6 weeks × 15 blocks, seed 20260301)",
    ms: Math.round(simulationMs),
    policies: results.map((r) => ({
      name: r.name,
      keptRate: round(r.keptRate),
      keptRateLateWeeks: round(r.keptRateLateWeeks),
      keptRateByWeek: r.keptRateByWeek.map((v) => round(v)),
    })),
  },
  serving,
  planner: {
    scenarios: scenarios.length,
    p95PlainMs: round(p95(planner.map((p) => p.plain)), 1),
    p95LearnedMs: round(p95(planner.map((p) => p.learned)), 1),
    blocksMovedByPreference: planner.reduce((s, p) => s + p.moved, 0),
  },
};
process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
