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
 * Centers start at positions floor(i N / K) (the first `opts.init.shape[1]` at `opts.init`
 * when given); each of `iterations` steps computes
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
  const { iterations, beta, init } = validateSoftKMeans("softKMeansComposed", x, k, opts);
  return softKMeansComposedUnchecked(x, k, iterations, beta, init);
}

/** The composed implementation without argument checks (for dispatch from `softKMeans`). */
export function softKMeansComposedUnchecked(
  x: tf.Tensor3D,
  k: number,
  iterations: number,
  beta: number,
  init?: tf.Tensor3D,
  coupling?: GridCoupling,
): SoftKMeansResult {
  return tf.tidy(() => {
    const starts = gridStarts(x, k, init?.shape[1] ?? 0);
    const first = tf.concat(init ? [init, ...starts] : starts, 1) as tf.Tensor3D;
    const { centers, weights } = iterate(x, first, 1, k, iterations, beta, coupling);
    const assignments = tf.transpose(weights, [0, 2, 1]) as tf.Tensor3D;
    return { centers, assignments };
  });
}

/**
 * The starts of centers `skip..k-1`: the features at positions floor(i N / K), `[B, 1, D]`
 * each (slices, not gather: gather's gradient, UnsortedSegmentSum, is missing on wasm).
 */
function gridStarts(x: tf.Tensor3D, k: number, skip: number): tf.Tensor3D[] {
  const n = x.shape[1];
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k)).slice(skip)
    .map((i) => tf.slice(x, [0, i, 0], [-1, 1, -1]));
}

/**
 * The soft K-means iterations from `centers` `[B, runs * K, D]`: `runs` clusterings of each
 * frame side by side, each a softmax over its own K centers. Returns the last centers and
 * weights `[B, N, runs * K]`.
 */
function iterate(
  x: tf.Tensor3D,
  centers: tf.Tensor3D,
  runs: number,
  k: number,
  iterations: number,
  beta: number,
  coupling?: GridCoupling,
): { centers: tf.Tensor3D; weights: tf.Tensor3D } {
  const [b, n] = x.shape, all = runs * k;
  let weights: tf.Tensor3D | null = null; // [B, N, runs * K]
  const xsq = tf.sum(tf.square(x), 2, true); // [B, N, 1]
  const coupled = coupling !== undefined && coupling.gamma > 0;
  // each position's number of in-grid 4-neighbours [1, rows, cols, 1] (coupled runs only)
  const count = coupled ? neighbourCount(coupling.rows, coupling.cols) : undefined;
  for (let t = 0; t < iterations; t++) {
    const csq = tf.reshape(tf.sum(tf.square(centers), 2), [b, 1, all]); // [B, 1, runs * K]
    const dot = tf.matMul(x, centers, false, true); // [B, N, runs * K]
    const sq = tf.add(tf.sub(xsq, tf.mul(2, dot)), csq);
    const dist = tf.sqrt(tf.maximum(sq, MIN_SQUARED_DISTANCE));
    let logits = tf.mul(dist, -beta);
    if (coupled && weights) {
      // mean-field (Potts) coupling: + gamma x the neighbours' mean previous assignment
      const mean = neighbourMean(weights, coupling.rows, coupling.cols, count!);
      logits = tf.add(logits, tf.mul(mean, coupling.gamma));
    }
    // softmax over each run's K centers (the last axis)
    weights = (runs === 1
      ? tf.softmax(logits)
      : tf.reshape(tf.softmax(tf.reshape(logits, [b, n, runs, k])), [b, n, all])) as tf.Tensor3D;
    const num = tf.matMul(weights, x, true, false); // [B, runs * K, D]
    const mass = tf.reshape(tf.maximum(tf.sum(weights, 1), MIN_MASS), [b, all, 1]);
    centers = tf.div(num, mass) as tf.Tensor3D;
  }
  return { centers, weights: weights! };
}

/**
 * A spatial (mean-field, Potts-style) coupling of soft K-means' assignments on a feature grid:
 * positions n = r * cols + c of `x` `[B, rows * cols, D]`, row-major. From the second
 * iteration on, each position's logit for center k is -beta d_kn + gamma m_kn, m_kn the mean
 * over n's in-grid 4-neighbours (up, down, left, right; 2 at a corner, 3 on an edge) of the
 * previous iteration's assignment c_kn', so a position leans towards the centers its
 * neighbours took (compact, hole-free clusters); the centers update from the new assignments
 * as usual. Translation-invariant (a mean, not a sum: the border has no bias). gamma 0 is
 * plain soft K-means.
 *
 * @category kernels
 */
export interface GridCoupling {
  /** The coupling strength gamma, finite and >= 0 (0: none). */
  gamma: number;
  /** Rows of the feature grid. */
  rows: number;
  /** Columns of the feature grid. */
  cols: number;
}

/** In-grid 4-neighbours of each position `[1, rows, cols, 1]`. */
function neighbourCount(rows: number, cols: number): tf.Tensor4D {
  const c = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      c[r * cols + q] = (r > 0 ? 1 : 0) + (r < rows - 1 ? 1 : 0) + (q > 0 ? 1 : 0) +
        (q < cols - 1 ? 1 : 0);
    }
  }
  return tf.tensor4d(c, [1, rows, cols, 1]);
}

/**
 * The mean over each grid position's in-grid 4-neighbours of `w` `[B, rows * cols, C]`
 * (zero-padded shifted slices: differentiable on every backend).
 */
function neighbourMean(
  w: tf.Tensor3D,
  rows: number,
  cols: number,
  count: tf.Tensor4D,
): tf.Tensor3D {
  const [b, n, c] = w.shape;
  const g = tf.pad(tf.reshape(w, [b, rows, cols, c]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const at = (dr: number, dc: number) => tf.slice(g, [0, 1 + dr, 1 + dc, 0], [b, rows, cols, c]);
  const sum = tf.addN([at(-1, 0), at(1, 0), at(0, -1), at(0, 1)]);
  return tf.reshape(tf.div(sum, count), [b, n, c]) as tf.Tensor3D;
}

/**
 * Checks a grid coupling against features `[B, N, D]`, naming the function in the error.
 *
 * @param op the calling function's name for the error.
 * @param n positions N of the features.
 * @param coupling the coupling to check.
 * @returns the coupling.
 */
export function checkGridCoupling(op: string, n: number, coupling: GridCoupling): GridCoupling {
  const { gamma, rows, cols } = coupling;
  if (!(Number.isFinite(gamma) && gamma >= 0)) {
    throw new Error(`${op}: coupling.gamma must be finite and >= 0, got ${gamma}`);
  }
  if (
    !Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols !== n
  ) {
    throw new Error(
      `${op}: coupling.rows x coupling.cols must be positive integers with rows x cols = N ` +
        `(${n}), got ${rows} x ${cols}`,
    );
  }
  return coupling;
}

/**
 * Soft K-means of every frame once per given start: `x` `[B, N, D]` is clustered A times, run
 * a starting its first Ki centers at `init[a]` (`[A, Ki, D]`, 1 <= Ki <= k) and the rest at the
 * positions floor(k N / K), as `softKMeans(x, k, { init })` on `x` repeated per start would,
 * but batched over the frames (the features are not copied A times: each iteration is two
 * matrix products of `[N, D]` against all A x K centers of a frame). Composed tfjs ops, on
 * every backend, differentiable (into `x` and `init`) by tfjs autodiff. Used to cluster each
 * frame of a batch from each sound's audio centers (`PairOptions.visualInit`).
 *
 * @param x features `[B, N, D]`.
 * @param init the starts `[A, Ki, D]`, shared by the frames, or `[B, A, Ki, D]`, each frame's
 * own A starts (run a on frame b starts at `init[b][a]`).
 * @param k the number of clusters K.
 * @param opts `iterations` (default 4), `beta` (default 30), `coupling` (default none: the
 * assignments' grid coupling, see {@linkcode GridCoupling}); `opts.init` must be absent.
 * @returns `centers` `[A * B, k, D]` and `assignments` `[A * B, k, N]`, row a * B + b the run
 * of start a on frame b.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { softKMeansEachStart } from "./soft_kmeans_composed.ts";
 * const x = tf.tensor3d([[[0, 0], [0, 1], [1, 0], [9, 9]]]); // one frame [1, 4, 2]
 * const starts = tf.tensor3d([[[9, 9]], [[0, 0]]]); // two starts of the first center
 * const { centers } = softKMeansEachStart(x, starts, 2, { beta: 30 });
 * const c = await centers.array(); // [2, 2, 2]: center 0 stays by its start
 * assert.ok(c[0][0][0] > 8 && c[1][0][0] < 1);
 * tf.dispose([x, starts, centers]);
 * ```
 * @category kernels
 */
export function softKMeansEachStart(
  x: tf.Tensor3D,
  init: tf.Tensor3D | tf.Tensor4D,
  k: number,
  opts: SoftKMeansOptions & { coupling?: GridCoupling } = {},
): SoftKMeansResult {
  const op = "softKMeansEachStart";
  if (opts.init !== undefined) throw new Error(`${op}: opts.init must be absent (pass init)`);
  const { iterations, beta } = validateSoftKMeans(op, x, k, opts);
  const [b, n, d] = x.shape;
  const coupling = opts.coupling && checkGridCoupling(op, n, opts.coupling);
  if (
    !(init instanceof tf.Tensor) || (init.rank !== 3 && init.rank !== 4) || init.dtype !== "float32"
  ) {
    throw new Error(
      `${op}: init must be a float32 tf.Tensor [starts, Ki, channels] or [B, starts, Ki, channels]`,
    );
  }
  // [A, Ki, D] shared by the frames, or [B, A, Ki, D]: each frame's own starts
  const shared = init instanceof tf.Tensor && init.rank === 3;
  const [a, ki, id] = shared ? init.shape : init.shape.slice(1);
  if (
    !shared && (init.rank !== 4 || init.shape[0] !== b) || a < 1 || id !== d || ki < 1 || ki > k
  ) {
    throw new Error(
      `${op}: init must be [A >= 1, Ki, ${d}] or [${b}, A, Ki, ${d}] with 1 <= Ki <= k (${k}), ` +
        `got [${init.shape}]`,
    );
  }
  return tf.tidy(() => {
    const starts = gridStarts(x, k, ki);
    // centers [B (frame), A * K, D]: frame-major, so the products batch over the frames
    const given = shared ? tf.broadcastTo(tf.expandDims(init, 0), [b, a, ki, d]) : init;
    const parts: tf.Tensor[] = [given];
    if (starts.length) {
      parts.push(tf.broadcastTo(tf.expandDims(tf.concat(starts, 1), 1), [b, a, k - ki, d]));
    }
    const first = tf.reshape(tf.concat(parts, 2), [b, a * k, d]) as tf.Tensor3D;
    const { centers, weights } = iterate(x, first, a, k, iterations, beta, coupling);
    // [B, A, K, D] -> [A, B, K, D]; [B, N, A, K] -> [A, B, K, N]
    const c = tf.reshape(tf.transpose(tf.reshape(centers, [b, a, k, d]), [1, 0, 2, 3]), [
      a * b,
      k,
      d,
    ]);
    const w = tf.transpose(tf.reshape(weights, [b, n, a, k]), [2, 0, 3, 1]);
    return {
      centers: c as tf.Tensor3D,
      assignments: tf.reshape(w, [a * b, k, n]) as tf.Tensor3D,
    };
  });
}
