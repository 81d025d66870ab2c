/**
 * The slot-preference model: Bayesian linear regression of the reward (kept = 1, moved/deleted = 0) on the
 * slot features, served by Thompson sampling. Hierarchical pooling: a population belief (the trained prior,
 * refined by the pooled statistics of everyone in the workspace) is the prior mean of each person's
 * deviation-shrunk belief, so a new person starts from what works for people in general and moves away as
 * their own feedback arrives. Exploration is conservative: the posterior spread is scaled down (`scale`).
 */
import { cholesky, dot, solveLower, solveUpperT } from "./linear-algebra.ts";
import type { Rng } from "./random.ts";
import { FEATURE_COUNT, FEATURE_VERSION } from "./slot-features.ts";

/** Σ x xᵀ, Σ x r and the count: all the model needs to remember about someone's feedback. */
export interface SufficientStats {
  n: number;
  /** d×d row-major. */
  xtx: Float64Array;
  xtr: Float64Array;
}

export function emptyStats(d: number = FEATURE_COUNT): SufficientStats {
  return { n: 0, xtx: new Float64Array(d * d), xtr: new Float64Array(d) };
}

/** Adds one observation (features x, reward r) in place. */
export function observe(stats: SufficientStats, x: ArrayLike<number>, reward: number, weight = 1): void {
  const d = stats.xtr.length;
  for (let i = 0; i < d; i++) {
    const xi = (x[i] ?? 0) * weight;
    if (xi === 0) continue;
    stats.xtr[i] = (stats.xtr[i] ?? 0) + xi * reward;
    for (let j = 0; j < d; j++) stats.xtx[i * d + j] = (stats.xtx[i * d + j] ?? 0) + xi * (x[j] ?? 0);
  }
  stats.n += 1;
}

/** The trained, pooled starting point (see models/train-slot-prior.ts and the model card). */
export interface SlotPreferencePrior {
  featureVersion: number;
  featureNames: readonly string[];
  /** Population mean of θ. */
  mean: readonly number[];
  /** Diagonal precision of the population mean estimate. */
  meanPrecision: readonly number[];
  /** Per-feature variance of a person's θ around the population mean (τ²). */
  personVariance: readonly number[];
  /** Reward noise variance σ². */
  noiseVariance: number;
}

/** A Gaussian belief over θ, kept as its mean and the Cholesky factor of its precision. */
export interface Belief {
  mean: Float64Array;
  precisionCholesky: Float64Array;
  d: number;
}

/** Posterior of θ under prior N(mean, diag(precision)⁻¹) after `stats`, with noise variance σ². */
export function posterior(
  priorMean: ArrayLike<number>,
  priorPrecisionDiag: ArrayLike<number>,
  stats: SufficientStats,
  noiseVariance: number,
): Belief {
  const d = stats.xtr.length;
  const a = new Float64Array(d * d);
  const h = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) a[i * d + j] = (stats.xtx[i * d + j] ?? 0) / noiseVariance;
    const p = priorPrecisionDiag[i] ?? 1;
    a[i * d + i] = (a[i * d + i] ?? 0) + p;
    h[i] = p * (priorMean[i] ?? 0) + (stats.xtr[i] ?? 0) / noiseVariance;
  }
  const l = cholesky(a, d);
  const mean = solveUpperT(l, solveLower(l, h, d), d);
  return { mean, precisionCholesky: l, d };
}

/** The population belief: the trained prior refined by the workspace's pooled statistics. */
export function populationBelief(prior: SlotPreferencePrior, pooled?: SufficientStats): Belief {
  return posterior(
    prior.mean,
    prior.meanPrecision,
    pooled ?? emptyStats(prior.mean.length),
    prior.noiseVariance,
  );
}

/** One person's belief: centred on the population mean, shrunk towards it with variance τ². */
export function personBelief(prior: SlotPreferencePrior, population: Belief, own?: SufficientStats): Belief {
  const precision = prior.personVariance.map((v) => 1 / v);
  return posterior(population.mean, precision, own ?? emptyStats(prior.mean.length), prior.noiseVariance);
}

/** A Thompson draw θ ~ N(mean, scale² · precision⁻¹). scale 0 returns the mean (pure exploitation). */
export function sampleTheta(belief: Belief, rng: Rng, scale: number): Float64Array {
  if (scale <= 0) return Float64Array.from(belief.mean);
  const z = new Float64Array(belief.d);
  for (let i = 0; i < belief.d; i++) z[i] = rng.normal() * scale;
  const offset = solveUpperT(belief.precisionCholesky, z, belief.d);
  return belief.mean.map((m, i) => m + (offset[i] ?? 0));
}

/** Predicted reward of a feature vector under θ (the serving path in plain TS). */
export function scoreFeatures(theta: ArrayLike<number>, x: ArrayLike<number>): number {
  return dot(theta, x);
}

/** A flat, uninformed prior: what a bandit without pooling starts from (used as an ablation). */
export function flatPrior(d: number = FEATURE_COUNT): SlotPreferencePrior {
  return {
    featureVersion: FEATURE_VERSION,
    featureNames: [],
    mean: new Array(d).fill(0),
    meanPrecision: new Array(d).fill(1),
    personVariance: new Array(d).fill(1),
    noiseVariance: 0.25,
  };
}
