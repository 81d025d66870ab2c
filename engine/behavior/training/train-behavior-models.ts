/**
 * Trains every behaviour model on a TRAINING group of simulated people and scores it on a HELD-OUT group
 * (different seed, different people) against a naive baseline. Deterministic: the seeds fix everything, and
 * the search over parameters is a fixed grid. `cairn train` writes the result to models/trained/.
 */
import { fitLogistic, type LogisticModel } from "../../../models/learn/logistic.ts";
import {
  auc,
  expectedCalibrationError,
  mean,
  medianOf,
  quantileOf,
  spearman,
} from "../../../models/learn/metrics.ts";
import { simulateWorkforce } from "../../../models/simulator/workers.ts";
import { type BurnoutSignals, burnoutScales } from "../burnout.ts";
import { completionProbability, completionRows } from "../completion.ts";
import { calibratedLogRatio, effort, intervalFor, personLogRatio } from "../effort.ts";
import { peakFromMinutes } from "../peak-hours.ts";
import {
  type BurnoutModel,
  COMPLETION_FEATURES,
  type CompletionModel,
  type EffortModel,
  type PeakHoursModel,
  REFERENCE_MODELS,
  type TrainedModels,
} from "../trained-models.ts";
import { type Snapshot, snapshotAt } from "./snapshots.ts";

export interface TrainConfig {
  mode: "full" | "quick";
  trainSeed: number;
  testSeed: number;
  trainPeople: number;
  testPeople: number;
  days: number;
}

export const FULL_CONFIG: TrainConfig = {
  mode: "full",
  trainSeed: 20_260_312,
  testSeed: 20_260_913,
  trainPeople: 200,
  testPeople: 100,
  days: 42,
};
export const QUICK_CONFIG: TrainConfig = { ...FULL_CONFIG, mode: "quick", trainPeople: 24, testPeople: 12 };

/** Moments each person is seen at: day 14 for peak hours (two weeks of history), later days for the rest. */
const PEAK_DAY = 14;
const LATER_DAYS = [15, 22, 29];

export interface Figures {
  config: TrainConfig;
  peakHours: { people: number; hitRate: number; baselineHitRate: number; rawArgmaxHitRate: number };
  effort: {
    tasks: number;
    medianAbsLogError: number;
    baselineMedianAbsLogError: number;
    improvement: number;
    coverage: number;
    referenceMedianAbsLogError: number;
  };
  completion: {
    tasks: number;
    positiveRate: number;
    auc: number;
    ece: number;
    baselineAuc: number;
    baselineEce: number;
    referenceAuc: number;
    referenceEce: number;
  };
  burnout: { people: number; spearman: number; baselineSpearman: number };
  procrastination: { people: number; spearman: number };
  score: { people: number; spearmanWithNextWeekOnTime: number };
}

export interface TrainResult {
  models: TrainedModels;
  figures: Figures;
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
const hit = (best: number, hidden: number) => Math.abs(best - Math.floor(hidden)) <= 1;

function snapshots(
  seed: number,
  people: number,
  days: number,
  progress: (line: string) => void,
  label: string,
) {
  const sims = simulateWorkforce({ seed, people, days });
  const peak: Snapshot[] = [];
  const later: Snapshot[] = [];
  sims.forEach((sim, i) => {
    peak.push(snapshotAt(sim, PEAK_DAY));
    for (const day of LATER_DAYS) later.push(snapshotAt(sim, day));
    if ((i + 1) % 25 === 0 || i + 1 === sims.length)
      progress(`${label}: ${i + 1}/${sims.length} people simulated`);
  });
  return {
    peak,
    later,
    last: later.filter(
      (s) => s.now === Math.max(...later.filter((t) => t.person === s.person).map((t) => t.now)),
    ),
  };
}

function weighted(s: Snapshot, afterHoursWeight: number): number[] {
  return s.hourMinutes.map((m, h) => (s.workingMask[h] ? m : afterHoursWeight * m));
}

function trainPeak(train: Snapshot[], trainLater: Snapshot[]): PeakHoursModel {
  let best: PeakHoursModel = REFERENCE_MODELS.peakHours;
  let bestHits = -1;
  for (const afterHoursWeight of [0, 0.25, 0.5, 1]) {
    const sum = new Array<number>(24).fill(0);
    for (const s of trainLater) {
      const m = weighted(s, afterHoursWeight);
      const total = m.reduce((a, b) => a + b, 0) || 1;
      m.forEach((v, h) => {
        sum[h] = (sum[h] ?? 0) + v / total;
      });
    }
    const curve = sum.map((v) => v / trainLater.length);
    for (const priorMinutes of [60, 120, 240, 480, 960]) {
      const model: PeakHoursModel = {
        model: "peak-hours",
        version: 1,
        populationCurve: curve.map(r6),
        priorMinutes,
        afterHoursWeight,
      };
      const hits = train.filter((s) =>
        hit(peakFromMinutes(weighted(s, afterHoursWeight), s.personal, model).bestHour, s.hiddenPeakHour),
      ).length;
      if (hits > bestHits) {
        bestHits = hits;
        best = model;
      }
    }
  }
  return best;
}

interface EffortCase {
  logEstimate: number;
  logActual: number;
  tokens: string[];
  snapshot: Snapshot;
}

function effortCases(snaps: Snapshot[]): EffortCase[] {
  const out: EffortCase[] = [];
  for (const s of snaps)
    for (const t of s.openTasks)
      if (t.actualMinutes && t.estimateMinutes > 0)
        out.push({
          logEstimate: Math.log(t.estimateMinutes),
          logActual: Math.log(t.actualMinutes),
          tokens: t.tokens,
          snapshot: s,
        });
  return out;
}

function effortResiduals(cases: EffortCase[], model: EffortModel): number[] {
  const personLogs = new Map<Snapshot, number>();
  return cases.map((c) => {
    let p = personLogs.get(c.snapshot);
    if (p === undefined) {
      p = personLogRatio(c.snapshot.samples, model);
      personLogs.set(c.snapshot, p);
    }
    return c.logActual - c.logEstimate - calibratedLogRatio(c.tokens, c.snapshot.samples, p, model).logRatio;
  });
}

const INTERVAL_BUCKETS = [0, 5, 15, 30];

function trainEffort(train: Snapshot[]): EffortModel {
  const cases = effortCases(train);
  const allSamples = train.flatMap((s) => s.samples.map((x) => x.logRatio));
  const populationLogRatio = r6(
    mean(allSamples.length ? allSamples : [REFERENCE_MODELS.effort.populationLogRatio]),
  );
  const spreads = train
    .filter((s) => s.samples.length >= 3)
    .map((s) => {
      const logs = s.samples.map((x) => x.logRatio);
      const m = mean(logs);
      return logs.reduce((acc, v) => acc + (v - m) ** 2, 0) / (logs.length - 1);
    });
  const withinPersonVariance = r6(
    spreads.length ? mean(spreads) : REFERENCE_MODELS.effort.withinPersonVariance,
  );
  let best: EffortModel = REFERENCE_MODELS.effort;
  let bestError = Number.POSITIVE_INFINITY;
  for (const personPriorSamples of [1, 2, 4, 8, 16])
    for (const similarPriorWeight of [0.05, 0.1, 0.25, 0.5, 1, 2, 4]) {
      const model: EffortModel = {
        ...REFERENCE_MODELS.effort,
        populationLogRatio,
        withinPersonVariance,
        personPriorSamples,
        similarPriorWeight,
      };
      const error = medianOf(effortResiduals(cases, model).map(Math.abs));
      if (error < bestError) {
        bestError = error;
        best = model;
      }
    }
  const residuals = effortResiduals(cases, best);
  const intervals: EffortModel["intervals"] = [];
  INTERVAL_BUCKETS.forEach((minSamples, i) => {
    const next = INTERVAL_BUCKETS[i + 1] ?? Number.POSITIVE_INFINITY;
    const inBucket = residuals.filter((_, k) => {
      const n = cases[k]?.snapshot.samples.length ?? 0;
      return n >= minSamples && n < next;
    });
    const chosen = inBucket.length >= 30 ? inBucket : intervals.length === 0 ? residuals : null;
    if (chosen)
      intervals.push({ minSamples, low: r6(quantileOf(chosen, 0.1)), high: r6(quantileOf(chosen, 0.9)) });
  });
  return { ...best, intervals };
}

interface CompletionData {
  features: number[][];
  labels: number[];
}

/** Effort "model" that takes every estimate as it is (for the slack-only baseline). */
const RAW_ESTIMATES: EffortModel = {
  ...REFERENCE_MODELS.effort,
  populationLogRatio: 0,
  personPriorSamples: 1e9,
  similarPriorWeight: 1e9,
};

function completionData(snaps: Snapshot[], effortModel: EffortModel): CompletionData {
  const features: number[][] = [];
  const labels: number[] = [];
  for (const s of snaps) {
    const eff = effort(s.input.tasks, s.work, s.personal && effortModel !== RAW_ESTIMATES, effortModel);
    for (const row of completionRows(s.input, eff.tasks, s.personal, s.procrastinationIndex)) {
      const label = s.doneByDue.get(row.taskId);
      if (label === undefined || row.features.length === 0) continue;
      features.push(row.features);
      labels.push(label ? 1 : 0);
    }
  }
  return { features, labels };
}

function toCompletionModel(fit: LogisticModel): CompletionModel {
  return {
    model: "completion",
    version: 1,
    features: [...COMPLETION_FEATURES],
    weights: fit.weights.map(r6),
    intercept: r6(fit.intercept),
  };
}

const burnoutVector = (v: BurnoutSignals) => {
  const s = burnoutScales(v);
  return [s.afterHours, s.load, s.missed, s.weekend, s.trend];
};

/** Non-negative least squares by projected coordinate descent (fixed sweeps: deterministic). */
function nonNegativeLeastSquares(xs: number[][], ys: number[]): number[] {
  const d = xs[0]?.length ?? 0;
  const w = new Array<number>(d).fill(0);
  const residual = [...ys];
  for (let sweep = 0; sweep < 300; sweep++)
    for (let j = 0; j < d; j++) {
      let num = 0;
      let den = 0;
      xs.forEach((x, n) => {
        const v = x[j] ?? 0;
        num += v * ((residual[n] ?? 0) + v * (w[j] ?? 0));
        den += v * v;
      });
      const next = den > 0 ? Math.max(0, num / den) : 0;
      const delta = next - (w[j] ?? 0);
      if (delta !== 0)
        xs.forEach((x, n) => {
          residual[n] = (residual[n] ?? 0) - delta * (x[j] ?? 0);
        });
      w[j] = next;
    }
  return w;
}

function trainBurnout(train: Snapshot[]): BurnoutModel {
  const personal = train.filter((s) => s.personal);
  const scale =
    quantileOf(
      personal.map((s) => s.hiddenExhaustion),
      0.95,
    ) || 1;
  const w = nonNegativeLeastSquares(
    personal.map((s) => burnoutVector(s.burnout)),
    personal.map((s) => Math.min(1, s.hiddenExhaustion / scale)),
  );
  return {
    model: "burnout",
    version: 1,
    weights: {
      afterHours: r6(w[0] ?? 0),
      load: r6(w[1] ?? 0),
      missed: r6(w[2] ?? 0),
      weekend: r6(w[3] ?? 0),
      trend: r6(w[4] ?? 0),
    },
  };
}

const burnoutRisk = (model: BurnoutModel, v: BurnoutSignals) => {
  const x = burnoutVector(v);
  const w = model.weights;
  return [w.afterHours, w.load, w.missed, w.weekend, w.trend].reduce((s, wi, i) => s + wi * (x[i] ?? 0), 0);
};

export function trainBehaviorModels(
  config: TrainConfig,
  progress: (line: string) => void = () => {},
): TrainResult {
  progress(
    `simulating ${config.trainPeople} training and ${config.testPeople} held-out people, ${config.days} days each`,
  );
  const train = snapshots(config.trainSeed, config.trainPeople, config.days, progress, "training");
  const test = snapshots(config.testSeed, config.testPeople, config.days, progress, "held-out");

  progress("peak hours: population curve and prior weight");
  const peakModel = trainPeak(train.peak, train.last);
  const peakTest = test.peak;
  const peakHits = peakTest.filter((s) =>
    hit(
      peakFromMinutes(weighted(s, peakModel.afterHoursWeight), s.personal, peakModel).bestHour,
      s.hiddenPeakHour,
    ),
  ).length;
  const populationBest = peakFromMinutes([], false, peakModel).bestHour;
  const rawHits = peakTest.filter((s) => {
    const m = s.hourMinutes;
    return hit(m.indexOf(Math.max(...m)), s.hiddenPeakHour);
  }).length;

  progress("effort: shrinkage, similar tasks and intervals");
  const effortModel = trainEffort(train.later);
  const testCases = effortCases(test.later);
  const residuals = effortResiduals(testCases, effortModel);
  const covered = testCases.filter((c, k) => {
    const [lo, hi] = intervalFor(c.snapshot.samples.length, effortModel);
    const r = residuals[k] ?? 0;
    return r >= lo && r <= hi;
  }).length;
  const modelError = medianOf(residuals.map(Math.abs));
  const rawError = medianOf(testCases.map((c) => Math.abs(c.logActual - c.logEstimate)));
  const referenceError = medianOf(effortResiduals(testCases, REFERENCE_MODELS.effort).map(Math.abs));

  progress("completion: logistic regression");
  const trainRows = completionData(train.later, effortModel);
  const completionModel = toCompletionModel(fitLogistic(trainRows.features, trainRows.labels, { l2: 1e-3 }));
  const rawTrain = completionData(train.later, RAW_ESTIMATES);
  const slackOnly = fitLogistic(
    rawTrain.features.map((f) => [f[0] ?? 0]),
    rawTrain.labels,
    { l2: 1e-3 },
  );
  const testRows = completionData(test.later, effortModel);
  const rawTest = completionData(test.later, RAW_ESTIMATES);
  const p = testRows.features.map((f) => completionProbability(completionModel, f));
  const pBase = rawTest.features.map(
    (f) => 1 / (1 + Math.exp(-(slackOnly.intercept + (slackOnly.weights[0] ?? 0) * (f[0] ?? 0)))),
  );
  const pRef = testRows.features.map((f) => completionProbability(REFERENCE_MODELS.completion, f));

  progress("burnout: non-negative weights against hidden exhaustion");
  const burnoutModel = trainBurnout(train.later);
  const burnoutTest = test.last.filter((s) => s.personal);
  const exhaustion = burnoutTest.map((s) => s.hiddenExhaustion);
  const scoreTest = test.last.filter((s) => s.nextWeekOnTime !== null);

  const figures: Figures = {
    config,
    peakHours: {
      people: peakTest.length,
      hitRate: r4(peakHits / peakTest.length),
      baselineHitRate: r4(
        peakTest.filter((s) => hit(populationBest, s.hiddenPeakHour)).length / peakTest.length,
      ),
      rawArgmaxHitRate: r4(rawHits / peakTest.length),
    },
    effort: {
      tasks: testCases.length,
      medianAbsLogError: r4(modelError),
      baselineMedianAbsLogError: r4(rawError),
      improvement: r4(1 - modelError / rawError),
      coverage: r4(covered / Math.max(1, testCases.length)),
      referenceMedianAbsLogError: r4(referenceError),
    },
    completion: {
      tasks: testRows.labels.length,
      positiveRate: r4(mean(testRows.labels)),
      auc: r4(auc(p, testRows.labels)),
      ece: r4(expectedCalibrationError(p, testRows.labels)),
      baselineAuc: r4(auc(pBase, rawTest.labels)),
      baselineEce: r4(expectedCalibrationError(pBase, rawTest.labels)),
      referenceAuc: r4(auc(pRef, testRows.labels)),
      referenceEce: r4(expectedCalibrationError(pRef, testRows.labels)),
    },
    burnout: {
      people: burnoutTest.length,
      spearman: r4(
        spearman(
          burnoutTest.map((s) => burnoutRisk(burnoutModel, s.burnout)),
          exhaustion,
        ),
      ),
      baselineSpearman: r4(
        spearman(
          burnoutTest.map((s) => burnoutRisk(REFERENCE_MODELS.burnout, s.burnout)),
          exhaustion,
        ),
      ),
    },
    procrastination: {
      people: test.last.filter((s) => s.personal).length,
      spearman: r4(
        spearman(
          test.last.filter((s) => s.personal).map((s) => s.procrastinationIndex),
          test.last.filter((s) => s.personal).map((s) => s.hiddenProcrastination),
        ),
      ),
    },
    score: {
      people: scoreTest.length,
      spearmanWithNextWeekOnTime: r4(
        spearman(
          scoreTest.map((s) => s.scoreValue),
          scoreTest.map((s) => s.nextWeekOnTime ?? 0),
        ),
      ),
    },
  };
  progress("done");
  return {
    models: { peakHours: peakModel, effort: effortModel, completion: completionModel, burnout: burnoutModel },
    figures,
  };
}

/** Completion features of held-out rows, for checking the ONNX export against the TS reference. */
export function completionCheckRows(config: TrainConfig, effortModel: EffortModel, people = 6): number[][] {
  const sims = simulateWorkforce({ seed: config.testSeed, people, days: config.days });
  return completionData(
    sims.map((sim) => snapshotAt(sim, LATER_DAYS[LATER_DAYS.length - 1] ?? 29)),
    effortModel,
  ).features;
}
