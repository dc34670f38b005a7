/**
 * Spatial priors of the visual clustering: the features the visual soft K-means clusters,
 * smoothed over the feature grid (`visualSmoothing`) and/or with each position's coordinates
 * appended (`visualCoordinates`). The features themselves, used elsewhere, are unchanged; the
 * visual centers' coordinate part is dropped before they meet the audio centers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { stopGradient } from "./_stop_gradient.ts";
import type { Embedding } from "./embed.ts";

/**
 * The spatial priors of the visual clustering (both off by default).
 *
 * @category model
 */
export interface VisualSpatialOptions {
  /**
   * Gaussian smoothing of the visual feature map before the visual clustering, its sigma in
   * grid cells (absent or 0: off). The weights at the map's borders are normalised by those
   * inside the frame. The clustering's centers are those of the smoothed features.
   */
  visualSmoothing?: number;
  /**
   * Weight lambda of each position's coordinates (x, y) in [-1, 1], appended to the visual
   * features for the clustering (absent or 0: off). Scaled per frame so that at lambda 1 the
   * coordinates' spread (root mean square distance to their mean) equals the features' (that
   * scale passes no gradient). The centers' coordinate part is dropped after the clustering.
   */
  visualCoordinates?: number;
}

/**
 * Checks the spatial options, naming the argument in the error.
 *
 * @param what the options' owner for the error (e.g. `recipe`, `localize: opts`).
 * @param opts the options.
 * @returns whether any prior is on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkVisualSpatial } from "./visual_spatial.ts";
 * assert.equal(checkVisualSpatial("opts", {}), false);
 * assert.equal(checkVisualSpatial("opts", { visualSmoothing: 1 }), true);
 * assert.throws(() => checkVisualSpatial("opts", { visualCoordinates: -1 }), /visualCoordinates/);
 * ```
 * @category model
 */
export function checkVisualSpatial(what: string, opts: VisualSpatialOptions): boolean {
  for (const key of ["visualSmoothing", "visualCoordinates"] as const) {
    const x = opts[key];
    if (x !== undefined && !(typeof x === "number" && Number.isFinite(x) && x >= 0)) {
      throw new Error(`${what}: ${key} must be finite and >= 0 (0: off), got ${x}`);
    }
  }
  return (opts.visualSmoothing ?? 0) > 0 || (opts.visualCoordinates ?? 0) > 0;
}

/**
 * The 1-D Gaussian smoothing matrix of `n` cells: row i holds the weights
 * exp(-(i - j)^2 / (2 sigma^2)) for |i - j| <= ceil(3 sigma), normalised to sum 1 over the
 * cells inside the frame.
 *
 * @param n cells.
 * @param sigma the Gaussian's sigma in cells (> 0).
 * @returns `[n * n]`, row-major.
 * @category model
 */
export function smoothingMatrix1d(n: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) {
      sum += Math.exp(-((i - j) ** 2) / (2 * sigma * sigma));
    }
    for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) {
      m[i * n + j] = Math.exp(-((i - j) ** 2) / (2 * sigma * sigma)) / sum;
    }
  }
  return m;
}

/**
 * The visual feature map smoothed by a Gaussian of `sigma` cells over its grid (separable:
 * rows, then columns; each normalised by the weights inside the frame).
 *
 * @param features `[batch, rows * cols, D]`, row-major positions.
 * @param rows grid rows.
 * @param cols grid columns.
 * @param sigma the Gaussian's sigma in cells (> 0).
 * @returns `[batch, rows * cols, D]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { smoothFeatureMap } from "./visual_spatial.ts";
 * // a constant map stays constant (the border weights are normalised)
 * const x = tf.fill([1, 9, 2], 3) as tf.Tensor3D;
 * const s = smoothFeatureMap(x, 3, 3, 1).arraySync()[0];
 * assert.ok(s.every(([a, b]) => Math.abs(a - 3) < 1e-5 && Math.abs(b - 3) < 1e-5));
 * ```
 * @category model
 */
export function smoothFeatureMap(
  features: tf.Tensor3D,
  rows: number,
  cols: number,
  sigma: number,
): tf.Tensor3D {
  const [b, n, d] = features.shape;
  if (n !== rows * cols) {
    throw new Error(`smoothFeatureMap: ${n} positions != rows ${rows} x cols ${cols}`);
  }
  return tf.tidy(() => {
    const r = tf.tensor2d(smoothingMatrix1d(rows, sigma), [rows, rows]);
    const c = tf.tensor2d(smoothingMatrix1d(cols, sigma), [cols, cols]);
    // rows: [rows, B * cols * D]
    const x = tf.reshape(tf.transpose(tf.reshape(features, [b, rows, cols * d]), [1, 0, 2]), [
      rows,
      b * cols * d,
    ]);
    const xr = tf.transpose(tf.reshape(tf.matMul(r, x), [rows, b, cols, d]), [2, 1, 0, 3]);
    // columns: [cols, B * rows * D]
    const xc = tf.matMul(c, tf.reshape(xr, [cols, b * rows * d]));
    return tf.reshape(
      tf.transpose(tf.reshape(xc, [cols, b, rows, d]), [1, 2, 0, 3]),
      [b, n, d],
    ) as tf.Tensor3D;
  });
}

/**
 * Each grid position's coordinates (x, y), x from -1 (left column) to 1 (right), y from -1
 * (top row) to 1 (bottom); 0 along an axis of one cell.
 *
 * @param rows grid rows.
 * @param cols grid columns.
 * @returns `[rows * cols * 2]`, row-major positions, (x, y) each.
 * @category model
 */
export function gridCoordinates(rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols * 2);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out[(i * cols + j) * 2] = cols > 1 ? -1 + 2 * j / (cols - 1) : 0;
      out[(i * cols + j) * 2 + 1] = rows > 1 ? -1 + 2 * i / (rows - 1) : 0;
    }
  }
  return out;
}

/**
 * The features the visual soft K-means clusters: `visual.features` itself with no prior on,
 * else smoothed (`visualSmoothing`) and/or with the scaled coordinates appended
 * (`visualCoordinates`: `[batch, N, D + 2]`).
 *
 * @param visual the frames' visual embedding.
 * @param opts the spatial priors.
 * @returns `[batch, N, D]`, or `[batch, N, D + 2]` with coordinates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { clusteringFeatures } from "./visual_spatial.ts";
 * const features = tf.tensor3d([[[0], [2], [0], [2]]]); // 2 x 2 grid, D 1, spread 1
 * const visual = { features, rows: 2, cols: 2 };
 * assert.equal(clusteringFeatures(visual, {}), features);
 * // lambda 1: the coordinates' spread is the features' (1): (x, y) = (-+1, -+1) / sqrt(2)
 * const u = clusteringFeatures(visual, { visualCoordinates: 1 }).arraySync()[0];
 * assert.ok(Math.abs(u[3][1] - Math.SQRT1_2) < 1e-6 && Math.abs(u[0][2] + Math.SQRT1_2) < 1e-6);
 * ```
 * @category model
 */
export function clusteringFeatures(visual: Embedding, opts: VisualSpatialOptions): tf.Tensor3D {
  const sigma = opts.visualSmoothing ?? 0, lambda = opts.visualCoordinates ?? 0;
  if (sigma <= 0 && lambda <= 0) return visual.features;
  return tf.tidy(() => {
    const { rows, cols } = visual;
    const [b, n] = visual.features.shape;
    const v = sigma > 0 ? smoothFeatureMap(visual.features, rows, cols, sigma) : visual.features;
    if (lambda <= 0) return v;
    const p = tf.tensor3d(gridCoordinates(rows, cols), [1, n, 2]);
    // per frame: the features' mean squared distance to their mean over the coordinates'
    const spread2 = tf.mean(tf.sum(tf.square(tf.sub(v, tf.mean(v, 1, true))), 2), 1);
    const pSpread2 = tf.mean(tf.sum(tf.square(tf.sub(p, tf.mean(p, 1, true))), 2));
    const scale = stopGradient(
      tf.mul(lambda, tf.sqrt(tf.div(spread2, tf.maximum(pSpread2, 1e-12)))),
    );
    const coords = tf.mul(tf.broadcastTo(p, [b, n, 2]), tf.reshape(scale, [b, 1, 1]));
    return tf.concat([v, coords], 2) as tf.Tensor3D;
  });
}

/**
 * The visual centers' feature part: the first `d` channels (the coordinates dropped).
 *
 * @param centers `[batch, K, D']` from a clustering of `clusteringFeatures`.
 * @param d the features' channels D.
 * @returns `centers` itself when D' = D, else `[batch, K, D]`.
 * @category model
 */
export function featureCenters(centers: tf.Tensor3D, d: number): tf.Tensor3D {
  return centers.shape[2] === d ? centers : tf.slice(centers, [0, 0, 0], [-1, -1, d]);
}
