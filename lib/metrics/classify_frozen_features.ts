/**
 * The frozen-feature classification protocol (ESC-50 style): a linear classifier on pooled
 * clip features, leave-one-fold-out cross-validation.
 *
 * @module
 */

import {
  fitLogisticRegression,
  type LogisticRegressionOptions,
  predictLogisticRegression,
} from "./logistic_regression.ts";

/**
 * Options of {@linkcode classifyFrozenFeatures}.
 *
 * @category metrics
 */
export interface FrozenFeatureOptions extends LogisticRegressionOptions {
  /** Number of classes; default `max(targets) + 1`. */
  classes?: number;
}

/**
 * Cross-validated accuracy of the linear probe.
 *
 * @category metrics
 */
export interface FrozenFeatureResult {
  /** Mean of the per-fold accuracies. */
  meanAccuracy: number;
  /** Accuracy on each held-out fold, in the order of `folds`. */
  foldAccuracies: number[];
  /** The distinct fold ids, ascending. */
  folds: number[];
}

/**
 * Evaluate frozen features with the ESC-50 protocol: for each fold, standardise the features
 * with the mean and standard deviation of the other (training) folds, fit an L2-regularised
 * multinomial logistic regression on them (deterministic L-BFGS, scikit-learn's `C`, default
 * 1) and report the accuracy on the held-out fold; the score is the mean over folds.
 *
 * @param features One pooled feature vector per clip (all the same length).
 * @param targets Class index of each clip.
 * @param folds Cross-validation fold of each clip (any integers, at least two distinct).
 * @param opts Classifier options.
 * @returns Mean and per-fold accuracies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyFrozenFeatures } from "@avscene/avscene/metrics";
 * const features = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => Float32Array.from([i % 2 ? 1 : -1, i]));
 * const targets = [0, 1, 0, 1, 0, 1, 0, 1];
 * const folds = [1, 1, 2, 2, 3, 3, 4, 4];
 * assert.equal(classifyFrozenFeatures(features, targets, folds).meanAccuracy, 1);
 * ```
 * @category metrics
 */
export function classifyFrozenFeatures(
  features: (Float32Array | Float64Array)[],
  targets: number[],
  folds: number[],
  opts: FrozenFeatureOptions = {},
): FrozenFeatureResult {
  const n = features.length;
  if (n === 0) throw new Error("classifyFrozenFeatures: features is empty");
  if (targets.length !== n) {
    throw new Error(
      `classifyFrozenFeatures: targets has ${targets.length} entries but features has ${n}`,
    );
  }
  if (folds.length !== n) {
    throw new Error(
      `classifyFrozenFeatures: folds has ${folds.length} entries but features has ${n}`,
    );
  }
  const dim = features[0].length;
  features.forEach((f, i) => {
    if (f.length !== dim) {
      throw new Error(
        `classifyFrozenFeatures: features[${i}] has ${f.length} values, features[0] has ${dim}`,
      );
    }
    for (let d = 0; d < dim; d++) {
      if (!Number.isFinite(f[d])) {
        throw new Error(`classifyFrozenFeatures: features[${i}][${d}] is not finite (${f[d]})`);
      }
    }
  });
  targets.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0) {
      throw new Error(`classifyFrozenFeatures: targets[${i}] must be an integer >= 0, got ${t}`);
    }
  });
  folds.forEach((f, i) => {
    if (!Number.isInteger(f)) {
      throw new Error(`classifyFrozenFeatures: folds[${i}] must be an integer, got ${f}`);
    }
  });
  const classes = opts.classes ?? Math.max(2, Math.max(...targets) + 1);
  if (!Number.isInteger(classes) || classes < 2) {
    throw new Error(`classifyFrozenFeatures: opts.classes must be an integer >= 2, got ${classes}`);
  }
  targets.forEach((t, i) => {
    if (t >= classes) {
      throw new Error(
        `classifyFrozenFeatures: targets[${i}] = ${t} is not below classes = ${classes}`,
      );
    }
  });
  const foldIds = [...new Set(folds)].sort((a, b) => a - b);
  if (foldIds.length < 2) {
    throw new Error(
      `classifyFrozenFeatures: folds needs at least 2 distinct folds, got [${foldIds}]`,
    );
  }
  const foldAccuracies = foldIds.map((held) => {
    const train: number[] = [], test: number[] = [];
    folds.forEach((f, i) => (f === held ? test : train).push(i));
    const mean = new Float64Array(dim), std = new Float64Array(dim);
    for (const i of train) for (let d = 0; d < dim; d++) mean[d] += features[i][d];
    for (let d = 0; d < dim; d++) mean[d] /= train.length;
    for (const i of train) {
      for (let d = 0; d < dim; d++) std[d] += (features[i][d] - mean[d]) ** 2;
    }
    for (let d = 0; d < dim; d++) {
      const s = Math.sqrt(std[d] / train.length);
      std[d] = s > 0 ? s : 1; // constant features stay 0 after centring
    }
    const standardise = (i: number) =>
      Float64Array.from({ length: dim }, (_, d) => (features[i][d] - mean[d]) / std[d]);
    const model = fitLogisticRegression(
      train.map(standardise),
      train.map((i) => targets[i]),
      classes,
      opts,
    );
    let correct = 0;
    for (const i of test) {
      if (predictLogisticRegression(model, standardise(i)) === targets[i]) correct++;
    }
    return correct / test.length;
  });
  const meanAccuracy = foldAccuracies.reduce((a, b) => a + b, 0) / foldAccuracies.length;
  return { meanAccuracy, foldAccuracies, folds: foldIds };
}
