/**
 * Option, result and error types of soft K-means.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * Options of `softKMeans` and `softKMeansComposed`.
 *
 * @category kernels
 */
export interface SoftKMeansOptions {
  /** Iterations T of distance -> assignment -> update, an integer >= 1 (default 4). */
  iterations?: number;
  /** Softmax sharpness beta, finite and > 0 (default 30). */
  beta?: number;
  /**
   * Initial centers of the first `Ki` clusters, float32 `[batch, Ki, channels]` with
   * 1 <= Ki <= k (default none: every center starts at its grid position). Clusters
   * `Ki..k-1` start at the positions floor(k N / K) as without. Given, the composed tfjs
   * implementation runs on every backend (the fused kernels start from positions only), and
   * the gradient flows into `init` too. Used to start a visual center at a sound's audio
   * center (`Recipe.visualInit`).
   */
  init?: tf.Tensor3D;
}

/**
 * Result of a soft K-means run.
 *
 * @category kernels
 */
export interface SoftKMeansResult {
  /** Cluster centers `[batch, k, channels]` (o_k after the last iteration). */
  centers: tf.Tensor3D;
  /** Soft assignments `[batch, k, positions]` (c_kn of the last iteration; sums to 1 over k). */
  assignments: tf.Tensor3D;
}

/**
 * Default number of iterations T (the paper's).
 *
 * @category kernels
 */
export const DEFAULT_ITERATIONS = 4;

/**
 * Default softmax sharpness beta.
 *
 * @category kernels
 */
export const DEFAULT_BETA = 30;

/**
 * Input values that are not finite, or so large that the squared distances of soft K-means
 * would overflow float32 (and the centers come out NaN). Training code reads this as
 * divergence: the features blew up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { NonFiniteError, softKMeans } from "@avscene/avscene/kernels";
 * try {
 *   softKMeans(tf.tensor3d([[[0, 1e30], [1, 1]]]), 1);
 * } catch (e) {
 *   assert.ok(e instanceof NonFiniteError);
 * }
 * ```
 * @category kernels
 */
export class NonFiniteError extends RangeError {
  /**
   * A non-finite input error.
   *
   * @param message What is not finite, naming the function and the value.
   */
  constructor(message: string) {
    super(message);
    this.name = "NonFiniteError";
  }
}
