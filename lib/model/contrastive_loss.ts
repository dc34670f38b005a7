/**
 * The contrastive loss on scene distances and the training accuracy (DESIGN step 4).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The paper's default margin m.
 *
 * @category model
 */
export const DEFAULT_MARGIN = 5;

/**
 * L = mean over pairs of 0.5 [y d^2 + (1 - y) max(0, m - d)^2].
 *
 * @param distance2 squared scene distances d^2 of the pairs `[pairs]`.
 * @param labels 1 for a matching (audio, own frame) pair, 0 for a mismatched one `[pairs]`.
 * @param margin m (default 5), > 0.
 * @returns the mean loss (a scalar).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { contrastiveLoss } from "@avscene/avscene/model";
 * const loss = contrastiveLoss(tf.tensor1d([1, 9]), tf.tensor1d([1, 0]), 5);
 * assert.equal(loss.arraySync(), 1.25); // 0.5 * (1 + (5 - 3)^2) / 2
 * ```
 * @category model
 */
export function contrastiveLoss(
  distance2: tf.Tensor1D,
  labels: tf.Tensor1D,
  margin: number = DEFAULT_MARGIN,
): tf.Scalar {
  if (!(Number.isFinite(margin) && margin > 0)) {
    throw new Error(`contrastiveLoss: margin must be finite and > 0, got ${margin}`);
  }
  if (distance2.shape[0] !== labels.shape[0]) {
    throw new Error(
      `contrastiveLoss: labels has ${labels.shape[0]} entries, distance2 ${distance2.shape[0]}`,
    );
  }
  return tf.tidy(() => {
    const d = tf.sqrt(tf.add(tf.relu(distance2), 1e-10));
    const hinge = tf.square(tf.relu(tf.sub(margin, d)));
    const perPair = tf.add(tf.mul(labels, distance2), tf.mul(tf.sub(1, labels), hinge));
    return tf.mul(0.5, tf.mean(perPair)) as tf.Scalar;
  });
}

/**
 * Training accuracy: the share of positives closer than their negatives.
 *
 * @param positive2 squared distances of the positive pairs `[pairs]`.
 * @param negative2 squared distances of the matching negative pairs `[pairs]`.
 * @returns a share in [0, 1].
 * @category model
 */
export function pairAccuracy(positive2: ArrayLike<number>, negative2: ArrayLike<number>): number {
  if (positive2.length !== negative2.length || positive2.length === 0) {
    throw new Error(
      `pairAccuracy: positive2 (${positive2.length}) and negative2 (${negative2.length}) must be equally long and non-empty`,
    );
  }
  let hits = 0;
  for (let i = 0; i < positive2.length; i++) if (positive2[i] < negative2[i]) hits++;
  return hits / positive2.length;
}
