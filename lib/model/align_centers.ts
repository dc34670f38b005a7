/**
 * Structural alignment (DESIGN step 3): each audio center is aligned to its nearest visual
 * center; the scene distance is the sum of those squared distances.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * The alignment of one batch of scenes.
 *
 * @category model
 */
export interface Alignment {
  /** Squared distances D_jk^2 between visual center j and audio center k `[batch, Kv, Ka]`. */
  distances: tf.Tensor3D;
  /** Index j of the visual center nearest each audio center `[batch, Ka]` (int32). */
  nearest: tf.Tensor2D;
  /** Scene distance d^2 = sum_k min_j D_jk^2 `[batch]`. */
  sceneDistance2: tf.Tensor1D;
}

/**
 * Align audio centers to visual centers.
 *
 * @param visualCenters `[batch, Kv, D]`.
 * @param audioCenters `[batch, Ka, D]`.
 * @returns squared center distances, nearest visual center per audio center, scene distance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { alignCenters } from "@avscene/avscene/model";
 * const v = tf.tensor3d([[[0, 0], [3, 4]]]); // two visual centers
 * const a = tf.tensor3d([[[3, 3]]]); // one audio center
 * const { nearest, sceneDistance2 } = alignCenters(v, a);
 * assert.deepEqual([nearest.arraySync(), sceneDistance2.arraySync()], [[[1]], [1]]);
 * ```
 * @category model
 */
export function alignCenters(visualCenters: tf.Tensor3D, audioCenters: tf.Tensor3D): Alignment {
  const [b, , d] = visualCenters.shape;
  if (audioCenters.shape[0] !== b || audioCenters.shape[2] !== d) {
    throw new Error(
      `alignCenters: audioCenters [${audioCenters.shape}] does not match visualCenters [${visualCenters.shape}] in batch and channels`,
    );
  }
  return tf.tidy(() => {
    const diff = tf.sub(tf.expandDims(visualCenters, 2), tf.expandDims(audioCenters, 1));
    const distances = tf.sum(tf.square(diff), 3) as tf.Tensor3D; // [B, Kv, Ka]
    const nearest = tf.argMin(distances, 1) as tf.Tensor2D;
    const sceneDistance2 = tf.sum(tf.min(distances, 1), 1) as tf.Tensor1D;
    return { distances, nearest, sceneDistance2 };
  });
}
