/**
 * Group normalisation (Wu and He, 2018): batch-size independent, so contrastive training with
 * small batches behaves the same at every batch size.
 *
 * @module
 */
import type { Tensor, Tensor4D } from "@tensorflow/tfjs";
import { featureNorm } from "../../kernels/mod.ts";

/** Variance epsilon of both normalisations. */
const EPSILON = 1e-5;

/**
 * Options of {@linkcode groupNorm} and {@linkcode positionNorm}.
 *
 * @category model
 */
export interface NormOptions {
  /** Apply a ReLU after the scale and shift, in the same kernel (default false). */
  relu?: boolean;
}

/**
 * Normalise `x` over each sample's spatial positions and channel groups, then scale and shift
 * per channel.
 *
 * @param x features `[batch, height, width, channels]`.
 * @param gamma per-channel scale `[channels]`.
 * @param beta per-channel shift `[channels]`.
 * @param groups channel groups (clamped to divide `channels`: the largest divisor <= groups).
 * @param opts `relu`: a ReLU after the affine.
 * @returns normalised features, same shape as `x`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { groupNorm } from "@avscene/avscene/model";
 * const y = groupNorm(tf.randomNormal([2, 4, 4, 8]), tf.ones([8]), tf.zeros([8]), 4);
 * assert.deepEqual(y.shape, [2, 4, 4, 8]);
 * ```
 * @category model
 */
export function groupNorm(
  x: Tensor4D,
  gamma: Tensor,
  beta: Tensor,
  groups: number,
  opts: NormOptions = {},
): Tensor4D {
  const c = x.shape[3];
  let g = Math.max(1, Math.min(groups, c));
  while (c % g !== 0) g--;
  return featureNorm(x, gamma, beta, { groups: g, epsilon: EPSILON, relu: opts.relu ?? false });
}

/**
 * Positional normalisation: each position's channel vector is standardised on its own (layer
 * norm over channels at every position), then scaled and shifted per channel. Unlike group or
 * batch norm no statistic mixes positions, so a position's feature depends only on its
 * receptive field: what the localization maps need.
 *
 * @param x features `[batch, height, width, channels]`.
 * @param gamma per-channel scale `[channels]`.
 * @param beta per-channel shift `[channels]`.
 * @param opts `relu`: a ReLU after the affine.
 * @returns normalised features, same shape as `x`.
 * @category model
 */
export function positionNorm(
  x: Tensor4D,
  gamma: Tensor,
  beta: Tensor,
  opts: NormOptions = {},
): Tensor4D {
  return featureNorm(x, gamma, beta, { groups: 0, epsilon: EPSILON, relu: opts.relu ?? false });
}
