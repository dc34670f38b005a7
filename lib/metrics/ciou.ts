/**
 * The consensus intersection over union (cIoU) of one predicted localization heatmap.
 *
 * @module
 */

/**
 * Options of {@linkcode cIoU}.
 *
 * @category metrics
 */
export interface CIoUOptions {
  /**
   * Threshold on the min-max normalised heatmap (in [0, 1]); pixels at or above it are
   * predicted positive. Default: `sorted[floor(n / 2)]` of the normalised heatmap's `n`
   * values in ascending order, the reference (LVS) evaluation's threshold: the top half, and
   * every pixel tied with it.
   */
  threshold?: number;
}

/** The reference threshold: `sorted[floor(n / 2)]` of `values` sorted ascending. */
function upperHalfThreshold(values: Float64Array): number {
  const sorted = values.slice().sort();
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Consensus IoU of a heatmap against a consensus ground-truth map (Senocak et al.).
 *
 * The heatmap (already resized to the image, see `upsampleHeatmap`) is min-max normalised to
 * [0, 1]; pixels at or above the threshold form the binary prediction `p`. The default
 * threshold is the reference (LVS) code's `sorted[floor(n / 2)]`: the top half of the pixels,
 * and every pixel tied with that value. Then
 * `cIoU = sum(p * g) / (sum(g) + sum(p * (g == 0)))`.
 *
 * Ties are predicted: a saturated map (soft K-means with a sharp beta gives many pixels the
 * same maximal score) keeps all its maxima, even when they cover more than half the image, so
 * the positive set can exceed half the image when scores tie. A constant heatmap carries no
 * localization and scores 0 whatever the threshold (it is never counted as a full-image
 * prediction, which would score `sum(g) / (sum(g) + #background)`, often high for big boxes).
 *
 * @param heatmap Scores, one per pixel, row-major `[height, width]`.
 * @param groundTruth Consensus map of the same size, values in [0, 1] (see `consensusMap`).
 * @param opts Threshold override.
 * @returns cIoU in [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cIoU } from "@avscene/avscene/metrics";
 * const heat = new Float32Array([0.9, 0.8, 0.1, 0.2]);
 * const gt = new Float32Array([1, 0, 0, 0]);
 * assert.equal(cIoU(heat, gt), 0.5); // prediction {0, 1}: 1 / (1 + 1)
 * // a saturated map: its three tied maxima are all predicted, 1 / (1 + 2)
 * assert.equal(cIoU(new Float32Array([1, 1, 1, 0]), gt), 1 / 3);
 * ```
 * @category metrics
 */
export function cIoU(
  heatmap: Float32Array | Float64Array,
  groundTruth: Float32Array | Float64Array,
  opts: CIoUOptions = {},
): number {
  const n = heatmap.length;
  if (n === 0) throw new Error("cIoU: heatmap is empty");
  if (groundTruth.length !== n) {
    throw new Error(
      `cIoU: groundTruth has ${groundTruth.length} values but heatmap has ${n} (same size needed)`,
    );
  }
  if (opts.threshold !== undefined && !(opts.threshold >= 0 && opts.threshold <= 1)) {
    // the heatmap is min-max normalised: a threshold outside [0, 1] would silently predict
    // every pixel or none
    throw new RangeError(`cIoU: opts.threshold must be in [0, 1], got ${opts.threshold}`);
  }
  let lo = Infinity, hi = -Infinity;
  for (let p = 0; p < n; p++) {
    const v = heatmap[p];
    if (!Number.isFinite(v)) throw new Error(`cIoU: heatmap[${p}] is not finite (${v})`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let gSum = 0;
  for (let p = 0; p < n; p++) {
    const g = groundTruth[p];
    if (!(g >= 0 && g <= 1)) {
      throw new Error(`cIoU: groundTruth[${p}] must be in [0, 1], got ${g}`);
    }
    gSum += g;
  }
  if (gSum === 0) throw new Error("cIoU: groundTruth is all zero (no annotated region)");
  const range = hi - lo;
  if (range === 0) return 0; // a constant map predicts nothing
  const norm = new Float64Array(n);
  for (let p = 0; p < n; p++) norm[p] = (heatmap[p] - lo) / range;
  const threshold = opts.threshold ?? upperHalfThreshold(norm);
  let inter = 0, falsePos = 0;
  for (let p = 0; p < n; p++) {
    if (norm[p] >= threshold) {
      const g = groundTruth[p];
      inter += g;
      if (g === 0) falsePos += 1;
    }
  }
  return inter / (gSum + falsePos);
}
