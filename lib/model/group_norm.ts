/**
 * Group normalisation (Wu and He, 2018): batch-size independent, so contrastive training with
 * small batches behaves the same at every batch size.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Normalise `x` over each sample's spatial positions and channel groups, then scale and shift
 * per channel.
 *
 * @param x features `[batch, height, width, channels]`.
 * @param gamma per-channel scale `[channels]`.
 * @param beta per-channel shift `[channels]`.
 * @param groups channel groups (clamped to divide `channels`: the largest divisor <= groups).
 * @returns normalised features, same shape as `x`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { groupNorm } from "./group_norm.ts";
 * const y = groupNorm(tf.randomNormal([2, 4, 4, 8]), tf.ones([8]), tf.zeros([8]), 4);
 * console.log(y.shape); // [2, 4, 4, 8]
 * ```
 * @category model
 */
export function groupNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  groups: number,
): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  let g = Math.max(1, Math.min(groups, c));
  while (c % g !== 0) g--;
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [b, h, w, g, c / g]);
    const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
    const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(tf.reshape(normed, [b, h, w, c]), gamma), beta) as tf.Tensor4D;
  });
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
 * @returns normalised features, same shape as `x`.
 * @category model
 */
export function positionNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 3, true);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(normed, gamma), beta) as tf.Tensor4D;
  });
}
