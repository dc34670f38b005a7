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

/** What a left-out pair's logit is lowered by: far past float32 exp()'s underflow. */
const LEFT_OUT_LOGIT = 1e4;

/**
 * The softmax (InfoNCE) contrastive loss over a batch: the logits of audio i against frame j
 * are -d^2_ij / tau, and each audio's own frame (the diagonal) is the class to pick among the
 * batch's frames. L = mean over i of [d^2_ii / tau + log sum_j exp(-d^2_ij / tau)], the
 * cross-entropy of each row; `symmetric` also picks each frame's own audio among the batch's
 * audios (each column) and averages the two. Every negative counts by its softmax weight, so
 * the near (hard) ones dominate, and none falls out of the loss as beyond a margin does.
 *
 * @param distance2 squared scene distances of every (audio i, frame j) pair of the batch
 * `[batch, batch]` (audio rows, frame columns; the positives on the diagonal).
 * @param temperature tau, > 0: the distance scale of a unit of logit.
 * @param symmetric also the columns' cross-entropy (frame to audio), averaged with the rows'.
 * @param leftOut optional `[batch, batch]` 0/1 mask of negatives to leave out of every
 * softmax (1: pair (i, j) is no negative, e.g. clip j sounds the same as clip i, so frame j is
 * no evidence against audio i); its diagonal is ignored (each own pair stays the class).
 * @returns the mean loss (a scalar).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { softmaxContrastiveLoss } from "@avscene/avscene/model";
 * // tau 1: each row's logits are [0, -ln 3] (diagonal first), softmax [3/4, 1/4]: -ln(3/4)
 * const d2 = tf.tensor2d([[0, Math.log(3)], [Math.log(3), 0]]);
 * const loss = softmaxContrastiveLoss(d2, 1).arraySync();
 * assert.ok(Math.abs(loss - Math.log(4 / 3)) < 1e-6);
 * // tau 2, d2 [[0, 2], [0, 2]]: logits [[0, -1], [0, -1]]; audio 0 picks its frame with
 * // loss ln(1 + e^-1), audio 1 misses its own (loss 1 + ln(1 + e^-1)); each column's two
 * // logits are equal, so each frame's loss is ln 2
 * const d2b = tf.tensor2d([[0, 2], [0, 2]]);
 * const rows = 0.5 + Math.log(1 + Math.exp(-1));
 * assert.ok(Math.abs(softmaxContrastiveLoss(d2b, 2).arraySync() - rows) < 1e-6);
 * const both = softmaxContrastiveLoss(d2b, 2, true).arraySync();
 * assert.ok(Math.abs(both - 0.5 * (rows + Math.log(2))) < 1e-6);
 * // frame 1 left out as audio 0's negative: audio 0's row has only its own frame (loss 0)
 * const out = tf.tensor2d([[1, 1], [0, 0]]); // the diagonal's 1 is ignored
 * const half = softmaxContrastiveLoss(d2b, 2, false, out).arraySync();
 * assert.ok(Math.abs(half - 0.5 * (1 + Math.log(1 + Math.exp(-1)))) < 1e-6);
 * ```
 * @category model
 */
export function softmaxContrastiveLoss(
  distance2: tf.Tensor2D,
  temperature: number,
  symmetric = false,
  leftOut?: tf.Tensor2D,
): tf.Scalar {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new Error(
      `softmaxContrastiveLoss: temperature must be finite and > 0, got ${temperature}`,
    );
  }
  const [n, m] = distance2.shape;
  if (n !== m || n < 2) {
    throw new Error(
      `softmaxContrastiveLoss: distance2 must be square [batch, batch] with batch >= 2, got [${distance2.shape}]`,
    );
  }
  if (leftOut && (leftOut.shape[0] !== n || leftOut.shape[1] !== n)) {
    throw new Error(
      `softmaxContrastiveLoss: leftOut must be [${n}, ${n}] as distance2, got [${leftOut.shape}]`,
    );
  }
  return tf.tidy(() => {
    const eye = tf.eye(n);
    let logits = tf.div(tf.neg(distance2), temperature);
    // a left-out pair's logit sinks far below any other: exp() of it is 0 in float32
    if (leftOut) {
      const off = tf.mul(leftOut, tf.sub(1, eye));
      logits = tf.sub(logits, tf.mul(off, LEFT_OUT_LOGIT));
    }
    // -log softmax of the diagonal = logSumExp - logit_ii, per row (and per column)
    const own = tf.sum(tf.mul(logits, eye), 1);
    const rows = tf.mean(tf.sub(tf.logSumExp(logits, 1), own));
    if (!symmetric) return rows as tf.Scalar;
    const columns = tf.mean(tf.sub(tf.logSumExp(logits, 0), own));
    return tf.mul(0.5, tf.add(rows, columns)) as tf.Scalar;
  });
}
