/**
 * Group normalisation (Wu and He, 2018): batch-size independent, so contrastive training with
 * small batches behaves the same at every batch size.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Variance epsilon of both normalisations. */
const EPSILON = 1e-5;

/**
 * (x - mean) / sqrt(variance + EPSILON) over `axes` (kept), with a hand-written gradient:
 * dx = (dy - mean(dy) - xhat mean(dy xhat)) / sqrt(variance + EPSILON). The same math as
 * tfjs autodiff through `tf.moments`, in a third of the ops (each op costs a fixed overhead
 * that dominates small feature maps on the cpu and wasm backends).
 */
function standardize(x: tf.Tensor, axes: number[]): tf.Tensor {
  const f = tf.customGrad(
    ((xt: tf.Tensor, save: tf.GradSaveFunc) => {
      const mean = tf.mean(xt, axes, true);
      const centred = tf.sub(xt, mean);
      const inv = tf.rsqrt(tf.add(tf.mean(tf.square(centred), axes, true), EPSILON));
      const xhat = tf.mul(centred, inv);
      save([xhat, inv]);
      return {
        value: xhat,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xh, iv] = saved;
          const projected = tf.mul(xh, tf.mean(tf.mul(dy, xh), axes, true));
          return tf.mul(tf.sub(tf.sub(dy, tf.mean(dy, axes, true)), projected), iv);
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return f(x) as tf.Tensor;
}

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
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { groupNorm } from "@avscene/avscene/model";
 * const y = groupNorm(tf.randomNormal([2, 4, 4, 8]), tf.ones([8]), tf.zeros([8]), 4);
 * assert.deepEqual(y.shape, [2, 4, 4, 8]);
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
    const normed = standardize(tf.reshape(x, [b, h, w, g, c / g]), [1, 2, 4]);
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
    return tf.add(tf.mul(standardize(x, [3]), gamma), beta) as tf.Tensor4D;
  });
}
