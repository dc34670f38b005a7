/**
 * Soft K-means over a batch of feature maps: the paper's content detector (DESIGN step 2).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { SoftKMeans, type SoftKMeansAttrs } from "./kernel_names.ts";
import type { SoftKMeansOptions, SoftKMeansResult } from "./soft_kmeans_types.ts";
import { validateSoftKMeans } from "./_validate_soft_kmeans.ts";
import {
  checkGridCoupling,
  type GridCoupling,
  softKMeansComposedUnchecked,
} from "./soft_kmeans_composed.ts";
import { WEBGPU_MAX_BATCH, WEBGPU_MAX_CLUSTERS } from "./soft_kmeans_webgpu.ts";
import { PLAIN_BACKENDS } from "./soft_kmeans_plain.ts";
import "./soft_kmeans_simd.ts";
import "./soft_kmeans_grad.ts";

export type { SoftKMeansOptions, SoftKMeansResult } from "./soft_kmeans_types.ts";

/**
 * Which implementation {@linkcode softKMeans} runs for a given input on the active backend.
 *
 * @category kernels
 */
export type SoftKMeansImplementation = "wgsl" | "plain" | "composed";

/**
 * The implementation {@linkcode softKMeans} dispatches to: the WGSL kernels on the webgpu
 * backend (for K <= {@linkcode WEBGPU_MAX_CLUSTERS} and B <= {@linkcode WEBGPU_MAX_BATCH}),
 * the plain (loop) kernels on cpu and wasm, else the composed tfjs implementation.
 *
 * @param batch B of `x` `[B, N, D]`.
 * @param k the number of clusters.
 * @returns `"wgsl"`, `"plain"` or `"composed"`.
 * @category kernels
 */
export function softKMeansImplementation(batch: number, k: number): SoftKMeansImplementation {
  const backend = tf.getBackend();
  if (backend === "webgpu") {
    return k <= WEBGPU_MAX_CLUSTERS && batch <= WEBGPU_MAX_BATCH ? "wgsl" : "composed";
  }
  return (PLAIN_BACKENDS as readonly string[]).includes(backend) ? "plain" : "composed";
}

/**
 * Batch soft K-means, differentiable end to end.
 *
 * For each sample, centers o_k start at the positions floor(k N / K), k = 0..K-1, then each of
 * `iterations` steps computes d_kn = sqrt(max(|o_k|^2 - 2 o_k.u_n + |u_n|^2, 1e-10)),
 * c_kn = softmax over k of (-beta d_kn) (max subtracted: stable for large beta) and
 * o_k = sum_n c_kn u_n / max(sum_n c_kn, 1e-8). Returns the last step's centers and
 * assignments.
 *
 * On the webgpu backend this runs the WGSL kernels (one fused dispatch for all iterations,
 * or, when the batch is too small to fill a GPU, a few dispatches per iteration that spread
 * each sample over many workgroups; and a WGSL backward pass through them); on cpu and wasm plain loop kernels (forward and a
 * hand-written backward, one kernel call each); elsewhere the same math composed from tfjs
 * ops (tfjs autodiff). Throws, naming the argument, when `x` is not a float32 `[B, N, D]`
 * tensor, `k` is not an integer in [1, N], `opts.iterations` is not an integer >= 1 or
 * `opts.beta` is not finite and > 0; throws `NonFiniteError` when `x` holds a
 * non-finite value or one beyond `sqrt(FLOAT32_MAX / (4 D))`, where the squared distances
 * overflow (values are checked where they are on the CPU: always on cpu/wasm, not for
 * GPU-resident tensors).
 *
 * @param x features `[batch, positions, channels]`.
 * @param k the number of clusters K.
 * @param opts `iterations` (default 4), `beta` (default 30), `init` (initial centers of the
 * first clusters; given, the composed implementation runs on every backend).
 * @returns `centers` `[batch, k, channels]` and `assignments` `[batch, k, positions]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { softKMeans } from "@avscene/avscene/kernels";
 * const x = tf.tensor3d([[[0, 0], [0, 1], [9, 9], [9, 8]]]); // [1, 4, 2]
 * const { centers, assignments } = softKMeans(x, 2);
 * assert.deepEqual([centers.shape, assignments.shape], [[1, 2, 2], [1, 2, 4]]);
 * // the two far-apart pairs fall into different clusters
 * const a = await assignments.array();
 * assert.ok(a[0][0][0] > 0.9 === a[0][0][1] > 0.9 && a[0][0][0] > 0.9 !== a[0][0][2] > 0.9);
 * tf.dispose([x, centers, assignments]);
 * ```
 * @category kernels
 */
export function softKMeans(
  x: tf.Tensor3D,
  k: number,
  opts: SoftKMeansOptions = {},
): SoftKMeansResult {
  const args = validateSoftKMeans("softKMeans", x, k, opts);
  if (args.init || softKMeansImplementation(x.shape[0], k) === "composed") {
    // the fused kernels start from grid positions only: given centers take the composed path
    return softKMeansComposedUnchecked(x, args.k, args.iterations, args.beta, args.init);
  }
  const attrs: SoftKMeansAttrs = { k: args.k, iterations: args.iterations, beta: args.beta };
  const [centers, assignments, trace] = tf.engine().runKernel(SoftKMeans, { x }, attrs) as [
    tf.Tensor3D,
    tf.Tensor3D,
    tf.Tensor2D,
  ];
  trace.dispose();
  return { centers, assignments };
}

/**
 * Soft K-means (as `softKMeansComposed`: composed tfjs ops, differentiable by tfjs autodiff,
 * on every backend) with the assignments coupled on the feature grid (see
 * {@linkcode GridCoupling}): objects are spatially compact, so from the second iteration on
 * each position leans towards the centers its 4 neighbours took. `coupling.gamma` 0 is
 * `softKMeans` (it then dispatches there, to the fused kernels where they run).
 *
 * @param x features `[B, rows * cols, D]` (row-major positions).
 * @param k the number of clusters K.
 * @param opts `iterations` (default 4), `beta` (default 30), `init` (as `softKMeans`) and the
 * `coupling` (gamma and the grid's rows and columns).
 * @returns `centers` `[B, k, D]` and `assignments` `[B, k, N]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { softKMeansCoupled } from "@avscene/avscene/kernels";
 * // a 1 x 5 strip; gamma 0 is softKMeans itself
 * const x = tf.tensor3d([[[0], [0], [0.5], [1], [1]]]);
 * const grid = { rows: 1, cols: 5 };
 * const plain = softKMeansCoupled(x, 2, { beta: 5, coupling: { gamma: 0, ...grid } });
 * const coupled = softKMeansCoupled(x, 2, { beta: 5, coupling: { gamma: 3, ...grid } });
 * assert.deepEqual(coupled.assignments.shape, [1, 2, 5]);
 * const sums = await coupled.assignments.sum(1).data();
 * assert.ok([...sums].every((s) => Math.abs(s - 1) < 1e-5));
 * tf.dispose([x, plain.centers, plain.assignments, coupled.centers, coupled.assignments]);
 * ```
 * @category kernels
 */
export function softKMeansCoupled(
  x: tf.Tensor3D,
  k: number,
  opts: SoftKMeansOptions & { coupling: GridCoupling },
): SoftKMeansResult {
  const op = "softKMeansCoupled";
  const { iterations, beta, init } = validateSoftKMeans(op, x, k, opts);
  const coupling = checkGridCoupling(op, x.shape[1], opts.coupling);
  if (coupling.gamma === 0) return softKMeans(x, k, opts);
  return softKMeansComposedUnchecked(x, k, iterations, beta, init, coupling);
}
