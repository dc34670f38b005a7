/**
 * Soft K-means composed from stock tfjs ops: the implementation used on the cpu and wasm
 * backends (differentiated by tfjs autodiff), and the composed baseline the WGSL kernels are
 * benchmarked against on webgpu.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { MIN_MASS, MIN_SQUARED_DISTANCE } from "./_soft_kmeans_layout.ts";
import type { SoftKMeansOptions, SoftKMeansResult } from "./soft_kmeans_types.ts";
import { validateSoftKMeans } from "./_validate_soft_kmeans.ts";

/**
 * Soft K-means with plain tfjs ops, on whatever backend is active, differentiable by tfjs
 * autodiff, with the same argument checks as `softKMeans`. `x`: `[B, N, D]`.
 *
 * Centers start at positions floor(i N / K); each of `iterations` steps computes
 * d_kn = sqrt(max(|o_k|^2 - 2 o_k.u_n + |u_n|^2, 1e-10)), c_kn = softmax_k(-beta d_kn) and
 * o_k = sum_n c_kn u_n / max(sum_n c_kn, 1e-8).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { softKMeansComposed } from "@avscene/avscene/kernels";
 * const x = tf.tensor3d([[[0, 0], [0, 1], [9, 9], [9, 8]]]);
 * const { centers, assignments } = softKMeansComposed(x, 2, { iterations: 4, beta: 30 });
 * assert.deepEqual([centers.shape, assignments.shape], [[1, 2, 2], [1, 2, 4]]);
 * // each position's assignments sum to 1 over the clusters
 * const sums = await assignments.sum(1).data();
 * assert.ok([...sums].every((s) => Math.abs(s - 1) < 1e-5));
 * tf.dispose([x, centers, assignments]);
 * ```
 * @category kernels
 */
export function softKMeansComposed(
  x: tf.Tensor3D,
  k: number,
  opts: SoftKMeansOptions = {},
): SoftKMeansResult {
  const { iterations, beta } = validateSoftKMeans("softKMeansComposed", x, k, opts);
  return softKMeansComposedUnchecked(x, k, iterations, beta);
}

/** The composed implementation without argument checks (for dispatch from `softKMeans`). */
export function softKMeansComposedUnchecked(
  x: tf.Tensor3D,
  k: number,
  iterations: number,
  beta: number,
): SoftKMeansResult {
  return tf.tidy(() => {
    const [b, n] = x.shape;
    const idx = Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
    // slices, not gather: gather's gradient (UnsortedSegmentSum) is missing on wasm
    let centers = tf.concat(idx.map((i) => tf.slice(x, [0, i, 0], [-1, 1, -1])), 1) as tf.Tensor3D;
    let weights: tf.Tensor3D | null = null; // [B, N, K]
    const xsq = tf.sum(tf.square(x), 2, true); // [B, N, 1]
    for (let t = 0; t < iterations; t++) {
      const csq = tf.reshape(tf.sum(tf.square(centers), 2), [b, 1, k]); // [B, 1, K]
      const dot = tf.matMul(x, centers, false, true); // [B, N, K]
      const sq = tf.add(tf.sub(xsq, tf.mul(2, dot)), csq);
      const dist = tf.sqrt(tf.maximum(sq, MIN_SQUARED_DISTANCE));
      weights = tf.softmax(tf.mul(dist, -beta)) as tf.Tensor3D; // over k (last axis)
      const num = tf.matMul(weights, x, true, false); // [B, K, D]
      const mass = tf.reshape(tf.maximum(tf.sum(weights, 1), MIN_MASS), [b, k, 1]);
      centers = tf.div(num, mass) as tf.Tensor3D;
    }
    const assignments = tf.transpose(weights!, [0, 2, 1]) as tf.Tensor3D;
    return { centers, assignments };
  });
}
