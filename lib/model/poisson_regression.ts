/**
 * Poisson regression (log link) fitted by iteratively reweighted least squares with a ridge
 * penalty, on standardised features.
 *
 * @module
 */

/**
 * A fitted Poisson regression: rate = exp(bias + weights . standardised(x)).
 *
 * @category model
 */
export interface PoissonRegression {
  /** Per-feature weights on standardised features. */
  weights: Float64Array;
  /** Intercept. */
  bias: number;
  /** Feature means used for standardising. */
  mean: Float64Array;
  /** Feature standard deviations used for standardising (1 where a feature is constant). */
  std: Float64Array;
}

/**
 * Options of {@linkcode fitPoissonRegression}.
 *
 * @category model
 */
export interface PoissonOptions {
  /** Ridge penalty on the weights (default 1). */
  l2?: number;
  /** IRLS iterations (default 25). */
  iterations?: number;
}

function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  // Cholesky a = L L^T, then two triangular solves.
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/**
 * Fit a Poisson regression of counts on features by IRLS.
 *
 * @param features one feature vector per sample (all the same length).
 * @param counts the non-negative count of each sample.
 * @param opts ridge penalty and iterations.
 * @returns the fitted model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitPoissonRegression, poissonRate } from "@avscene/avscene/model";
 * const x = [[0], [1], [2], [3]].map((r) => Float32Array.from(r));
 * const m = fitPoissonRegression(x, [1, 2, 3, 4], { l2: 0 });
 * assert.equal(Math.round(poissonRate(m, x[3])), 4);
 * ```
 * @category model
 */
export function fitPoissonRegression(
  features: readonly ArrayLike<number>[],
  counts: readonly number[],
  opts: PoissonOptions = {},
): PoissonRegression {
  const m = features.length;
  if (m === 0 || counts.length !== m) {
    throw new Error(
      `fitPoissonRegression: need as many counts (${counts.length}) as feature vectors (${m}), > 0`,
    );
  }
  const d = features[0].length;
  if (counts.some((c) => !(c >= 0))) throw new Error("fitPoissonRegression: counts must be >= 0");
  const l2 = opts.l2 ?? 1;
  const mean = new Float64Array(d), std = new Float64Array(d);
  for (const f of features) {
    if (f.length !== d) throw new Error("fitPoissonRegression: feature vectors differ in length");
    for (let j = 0; j < d; j++) mean[j] += f[j] / m;
  }
  for (const f of features) for (let j = 0; j < d; j++) std[j] += (f[j] - mean[j]) ** 2 / m;
  for (let j = 0; j < d; j++) std[j] = std[j] > 1e-12 ? Math.sqrt(std[j]) : 1;
  const p = d + 1; // intercept last
  const x = new Float64Array(m * p);
  features.forEach((f, i) => {
    for (let j = 0; j < d; j++) x[i * p + j] = (f[j] - mean[j]) / std[j];
    x[i * p + d] = 1;
  });
  const meanCount = counts.reduce((a, b) => a + b, 0) / m;
  const beta = new Float64Array(p);
  beta[d] = Math.log(Math.max(meanCount, 1e-3));
  for (let it = 0; it < (opts.iterations ?? 25); it++) {
    const a = new Float64Array(p * p), rhs = new Float64Array(p);
    for (let i = 0; i < m; i++) {
      let eta = 0;
      for (let j = 0; j < p; j++) eta += x[i * p + j] * beta[j];
      eta = Math.min(Math.max(eta, -20), 20);
      const mu = Math.exp(eta);
      const z = eta + (counts[i] - mu) / mu;
      for (let j = 0; j < p; j++) {
        const wx = mu * x[i * p + j];
        rhs[j] += wx * z;
        for (let k = 0; k <= j; k++) a[j * p + k] += wx * x[i * p + k];
      }
    }
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[k * p + j] = a[j * p + k];
    for (let j = 0; j < d; j++) a[j * p + j] += l2;
    const next = solveSpd(a, rhs, p);
    let change = 0;
    for (let j = 0; j < p; j++) change = Math.max(change, Math.abs(next[j] - beta[j]));
    beta.set(next);
    if (change < 1e-8) break;
  }
  return { weights: beta.slice(0, d), bias: beta[d], mean, std };
}

/**
 * The predicted Poisson rate (expected count) of one feature vector.
 *
 * @param model a fitted regression.
 * @param x the feature vector.
 * @returns exp(bias + weights . standardised(x)).
 * @category model
 */
export function poissonRate(model: PoissonRegression, x: ArrayLike<number>): number {
  let eta = model.bias;
  for (let j = 0; j < model.weights.length; j++) {
    eta += model.weights[j] * (x[j] - model.mean[j]) / model.std[j];
  }
  return Math.exp(Math.min(eta, 20));
}
