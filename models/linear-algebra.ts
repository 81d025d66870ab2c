/** The little dense linear algebra the slot-preference model needs (d ≈ 25): row-major Float64Arrays. */

/** Lower-triangular L with A = L Lᵀ for a symmetric positive-definite d×d matrix; jitter keeps it defined. */
export function cholesky(a: ArrayLike<number>, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (l[i * d + k] ?? 0) * (l[j * d + k] ?? 0);
      if (i === j) l[i * d + i] = Math.sqrt(Math.max(sum, 1e-10));
      else l[i * d + j] = sum / (l[j * d + j] ?? 1);
    }
  }
  return l;
}

/** Solves L y = b (forward substitution). */
export function solveLower(l: Float64Array, b: ArrayLike<number>, d: number): Float64Array {
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = b[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (l[i * d + k] ?? 0) * (y[k] ?? 0);
    y[i] = sum / (l[i * d + i] ?? 1);
  }
  return y;
}

/** Solves Lᵀ x = y (back substitution). */
export function solveUpperT(l: Float64Array, y: ArrayLike<number>, d: number): Float64Array {
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = y[i] ?? 0;
    for (let k = i + 1; k < d; k++) sum -= (l[k * d + i] ?? 0) * (x[k] ?? 0);
    x[i] = sum / (l[i * d + i] ?? 1);
  }
  return x;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}
