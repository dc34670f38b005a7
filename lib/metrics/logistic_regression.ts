/**
 * Multinomial (softmax) logistic regression with an L2 penalty, fit deterministically by
 * L-BFGS in float64: the linear classifier of the frozen-feature protocol.
 *
 * @module
 */

/**
 * Options of {@linkcode fitLogisticRegression}.
 *
 * @category metrics
 */
export interface LogisticRegressionOptions {
  /**
   * Inverse regularisation strength, as scikit-learn's `C`: the objective is
   * `0.5 |W|^2 + C * sum_i CE_i` (biases not penalised). Default 1.
   */
  c?: number;
  /** Most L-BFGS iterations. Default 300. */
  maxIterations?: number;
  /** Stop when the largest gradient entry of the mean objective falls below this. Default 1e-6. */
  tolerance?: number;
}

/**
 * A fitted softmax classifier over `dim` features and `classes` classes.
 *
 * @category metrics
 */
export interface LogisticRegressionModel {
  /** Number of classes. */
  classes: number;
  /** Feature dimension. */
  dim: number;
  /** Row-major weights `[classes, dim]`. */
  weights: Float64Array;
  /** Biases, one per class. */
  bias: Float64Array;
  /** Iterations the optimiser ran. */
  iterations: number;
  /** Final value of the objective divided by `C * N` (mean cross-entropy plus penalty). */
  loss: number;
}

/** Mean objective `mean CE + |W|^2 / (2 C N)` and its gradient at `params` (`[C, dim + 1]`). */
function objective(
  params: Float64Array,
  x: Float64Array[],
  y: number[],
  classes: number,
  dim: number,
  penalty: number,
  grad: Float64Array,
): number {
  const n = x.length, stride = dim + 1;
  grad.fill(0);
  const logits = new Float64Array(classes);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      const row = c * stride;
      let z = params[row + dim];
      for (let d = 0; d < dim; d++) z += params[row + d] * xi[d];
      logits[c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[c] - max);
    const logSum = max + Math.log(sum);
    loss += logSum - logits[y[i]];
    for (let c = 0; c < classes; c++) {
      const r = Math.exp(logits[c] - logSum) - (c === y[i] ? 1 : 0);
      if (r === 0) continue;
      const row = c * stride;
      for (let d = 0; d < dim; d++) grad[row + d] += r * xi[d];
      grad[row + dim] += r;
    }
  }
  let reg = 0;
  for (let c = 0; c < classes; c++) {
    const row = c * stride;
    for (let d = 0; d < dim; d++) {
      const w = params[row + d];
      reg += w * w;
      grad[row + d] = grad[row + d] / n + 2 * penalty * w;
    }
    grad[row + dim] /= n;
  }
  return loss / n + penalty * reg;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Fit a softmax regression to rows `x` (each `dim` features) with integer labels
 * `y` in `0..classes-1` by L-BFGS (memory 10, Armijo backtracking) from all-zero parameters:
 * no randomness, so the fit is a pure function of its inputs.
 *
 * @param x Training rows.
 * @param y Labels, one per row.
 * @param classes Number of classes (labels must be below it).
 * @param opts Regularisation and stopping.
 * @returns The fitted model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitLogisticRegression, predictLogisticRegression } from "@avscene/avscene/metrics";
 * const x = [[-2], [-1], [1], [2]].map((r) => Float64Array.from(r));
 * const model = fitLogisticRegression(x, [0, 0, 1, 1], 2);
 * assert.equal(predictLogisticRegression(model, Float64Array.from([1.5])), 1);
 * ```
 * @category metrics
 */
export function fitLogisticRegression(
  x: Float64Array[],
  y: number[],
  classes: number,
  opts: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const n = x.length;
  if (n === 0) throw new Error("fitLogisticRegression: x is empty");
  if (y.length !== n) {
    throw new Error(`fitLogisticRegression: y has ${y.length} labels but x has ${n} rows`);
  }
  if (!Number.isInteger(classes) || classes < 2) {
    throw new Error(`fitLogisticRegression: classes must be an integer >= 2, got ${classes}`);
  }
  const dim = x[0].length;
  x.forEach((row, i) => {
    if (row.length !== dim) {
      throw new Error(`fitLogisticRegression: x[${i}] has ${row.length} features, x[0] has ${dim}`);
    }
  });
  y.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new Error(
        `fitLogisticRegression: y[${i}] must be an integer in [0, ${classes}), got ${label}`,
      );
    }
  });
  const cReg = opts.c ?? 1;
  if (!(cReg > 0)) throw new Error(`fitLogisticRegression: opts.c must be > 0, got ${cReg}`);
  const maxIterations = opts.maxIterations ?? 300;
  const tolerance = opts.tolerance ?? 1e-6;
  const penalty = 1 / (2 * cReg * n);
  const size = classes * (dim + 1);
  const f = (p: Float64Array, g: Float64Array) => objective(p, x, y, classes, dim, penalty, g);

  let params = new Float64Array(size);
  let grad = new Float64Array(size);
  let loss = f(params, grad);
  const memory = 10;
  const sHist: Float64Array[] = [], yHist: Float64Array[] = [], rhoHist: number[] = [];
  let iterations = 0;
  const gradMax = (g: Float64Array) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  while (iterations < maxIterations && gradMax(grad) > tolerance) {
    iterations++;
    // two-loop recursion: direction = -H grad
    const q = grad.slice();
    const alpha = new Array<number>(sHist.length);
    for (let k = sHist.length - 1; k >= 0; k--) {
      alpha[k] = rhoHist[k] * dot(sHist[k], q);
      for (let i = 0; i < size; i++) q[i] -= alpha[k] * yHist[k][i];
    }
    let gamma: number;
    if (sHist.length > 0) {
      const last = sHist.length - 1;
      gamma = dot(sHist[last], yHist[last]) / dot(yHist[last], yHist[last]);
    } else {
      gamma = 1 / Math.max(Math.sqrt(dot(grad, grad)), 1e-12);
    }
    for (let i = 0; i < size; i++) q[i] *= gamma;
    for (let k = 0; k < sHist.length; k++) {
      const beta = rhoHist[k] * dot(yHist[k], q);
      for (let i = 0; i < size; i++) q[i] += (alpha[k] - beta) * sHist[k][i];
    }
    let slope = -dot(grad, q);
    if (!(slope < 0)) {
      // not a descent direction (should not happen for a convex objective): steepest descent
      for (let i = 0; i < size; i++) q[i] = grad[i] * gamma;
      slope = -dot(grad, q);
      sHist.length = yHist.length = rhoHist.length = 0;
    }
    // Armijo backtracking along -q
    let step = 1;
    const next = new Float64Array(size);
    const nextGrad = new Float64Array(size);
    let nextLoss = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < size; i++) next[i] = params[i] - step * q[i];
      nextLoss = f(next, nextGrad);
      if (nextLoss <= loss + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextLoss < loss)) break; // no progress possible at this precision
    const s = new Float64Array(size), yy = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      s[i] = next[i] - params[i];
      yy[i] = nextGrad[i] - grad[i];
    }
    const sy = dot(s, yy);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(yy, yy))) {
      sHist.push(s);
      yHist.push(yy);
      rhoHist.push(1 / sy);
      if (sHist.length > memory) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
    }
    const converged = loss - nextLoss <= 1e-14 * Math.max(1, Math.abs(loss));
    params = next;
    grad = nextGrad;
    loss = nextLoss;
    if (converged) break;
  }
  const weights = new Float64Array(classes * dim);
  const bias = new Float64Array(classes);
  for (let c = 0; c < classes; c++) {
    weights.set(params.subarray(c * (dim + 1), c * (dim + 1) + dim), c * dim);
    bias[c] = params[c * (dim + 1) + dim];
  }
  return { classes, dim, weights, bias, iterations, loss };
}

/**
 * The most probable class of one row under a fitted model (ties: the lowest class index).
 *
 * @param model A model from {@linkcode fitLogisticRegression}.
 * @param row `model.dim` features.
 * @returns The class index.
 * @category metrics
 */
export function predictLogisticRegression(
  model: LogisticRegressionModel,
  row: ArrayLike<number>,
): number {
  if (row.length !== model.dim) {
    throw new Error(
      `predictLogisticRegression: row has ${row.length} features, model wants ${model.dim}`,
    );
  }
  let best = 0, bestZ = -Infinity;
  for (let c = 0; c < model.classes; c++) {
    let z = model.bias[c];
    for (let d = 0; d < model.dim; d++) z += model.weights[c * model.dim + d] * row[d];
    if (z > bestZ) {
      bestZ = z;
      best = c;
    }
  }
  return best;
}
