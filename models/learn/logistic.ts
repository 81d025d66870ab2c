/** Logistic regression fitted by Newton's method (IRLS) with a small L2 penalty: deterministic, no learning rate. */
import { cholesky, dot, solveLower, solveUpperT } from "../linear-algebra.ts";

export interface LogisticModel {
  /** Weights of the features, then the intercept. */
  weights: number[];
  intercept: number;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function predictLogistic(model: LogisticModel, x: ArrayLike<number>): number {
  return sigmoid(model.intercept + dot(model.weights, x));
}

/** Fits p(y=1|x) = σ(b + w·x); `l2` penalises w (not b). */
export function fitLogistic(
  xs: number[][],
  ys: number[],
  options: { l2?: number; iterations?: number } = {},
): LogisticModel {
  const l2 = options.l2 ?? 1e-3;
  const d = (xs[0]?.length ?? 0) + 1;
  const beta = new Float64Array(d);
  for (let iter = 0; iter < (options.iterations ?? 25); iter++) {
    const hessian = new Float64Array(d * d);
    const gradient = new Float64Array(d);
    xs.forEach((row, n) => {
      const x = [...row, 1];
      const p = sigmoid(dot(beta, x));
      const w = Math.max(p * (1 - p), 1e-9);
      const r = (ys[n] ?? 0) - p;
      for (let i = 0; i < d; i++) {
        gradient[i] = (gradient[i] ?? 0) + r * (x[i] ?? 0);
        for (let j = 0; j <= i; j++)
          hessian[i * d + j] = (hessian[i * d + j] ?? 0) + w * (x[i] ?? 0) * (x[j] ?? 0);
      }
    });
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) hessian[j * d + i] = hessian[i * d + j] ?? 0;
      if (i < d - 1) {
        hessian[i * d + i] = (hessian[i * d + i] ?? 0) + l2 * xs.length;
        gradient[i] = (gradient[i] ?? 0) - l2 * xs.length * (beta[i] ?? 0);
      }
    }
    const l = cholesky(hessian, d);
    const step = solveUpperT(l, solveLower(l, gradient, d), d);
    let change = 0;
    for (let i = 0; i < d; i++) {
      beta[i] = (beta[i] ?? 0) + (step[i] ?? 0);
      change = Math.max(change, Math.abs(step[i] ?? 0));
    }
    if (change < 1e-10) break;
  }
  return { weights: Array.from(beta.slice(0, d - 1)), intercept: beta[d - 1] ?? 0 };
}
