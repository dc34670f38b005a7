/**
 * The mix-and-separate loss: each clip's mask (the union of the masks of its conditioning
 * vectors) against its target, weighted per bin.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { MaskType } from "./separation_config.ts";

/**
 * Each clip's mask from the logits of its conditioning vectors: a clip with one vector gets
 * its sigmoid; a clip with several (our duets: one per aligned visual center) gets their union
 * `1 - prod_k (1 - m_k)`, padded vectors (`valid` 0) counting as empty masks.
 *
 * @param logits `[batch, clips, vectors, frames, bins]`.
 * @param valid `[batch, clips, vectors]`, 1 for a real vector, 0 for padding.
 * @returns masks in [0, 1], `[batch, clips, frames, bins]`.
 * @category model
 */
export function clipMasks(logits: tf.Tensor5D, valid: tf.Tensor3D): tf.Tensor4D {
  const [b, n, k, t, f] = logits.shape;
  if (valid.shape[0] !== b || valid.shape[1] !== n || valid.shape[2] !== k) {
    throw new Error(`clipMasks: valid [${valid.shape}] does not match logits [${logits.shape}]`);
  }
  return tf.tidy(() => {
    const m = tf.mul(tf.sigmoid(logits), tf.reshape(valid, [b, n, k, 1, 1]));
    if (k === 1) return tf.reshape(m, [b, n, t, f]) as tf.Tensor4D;
    return tf.sub(1, tf.prod(tf.sub(1, m), 2)) as tf.Tensor4D;
  });
}

/**
 * Weighted mask loss, averaged over clips and bins: binary cross-entropy for binary masks,
 * L1 for ratio masks (Sound-of-Pixels).
 *
 * @param masks predicted masks in [0, 1] `[batch, clips, frames, bins]`.
 * @param targets target masks, same shape.
 * @param weights per-bin weights of each mixture `[batch, frames, bins]` (0 on padding).
 * @param type `binary` or `ratio`.
 * @returns the scalar loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { separationLoss } from "@avscene/avscene/model";
 * const l = separationLoss(tf.fill([1, 1, 2, 2], 0.5), tf.ones([1, 1, 2, 2]), tf.ones([1, 2, 2]), "ratio");
 * assert.equal(l.dataSync()[0], 0.5);
 * ```
 * @category model
 */
export function separationLoss(
  masks: tf.Tensor4D,
  targets: tf.Tensor4D,
  weights: tf.Tensor3D,
  type: MaskType,
): tf.Scalar {
  if (masks.shape.join() !== targets.shape.join()) {
    throw new Error(
      `separationLoss: targets [${targets.shape}] differ from masks [${masks.shape}]`,
    );
  }
  const [b, , t, f] = masks.shape;
  if (weights.shape.join() !== [b, t, f].join()) {
    throw new Error(`separationLoss: weights must be [${[b, t, f]}], got [${weights.shape}]`);
  }
  return tf.tidy(() => {
    let per: tf.Tensor;
    if (type === "binary") {
      const p = tf.clipByValue(masks, 1e-6, 1 - 1e-6);
      per = tf.neg(
        tf.add(tf.mul(targets, tf.log(p)), tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, p)))),
      );
    } else if (type === "ratio") {
      per = tf.abs(tf.sub(masks, targets));
    } else {
      throw new Error(`separationLoss: type must be "binary" or "ratio", got ${type}`);
    }
    return tf.mean(tf.mul(per, tf.expandDims(weights, 1))) as tf.Scalar;
  });
}
