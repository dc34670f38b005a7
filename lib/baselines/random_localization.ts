/**
 * The Random localization baseline of Table 2: a heatmap with no information in it.
 *
 * @module
 */

import { Rng } from "../random/mod.ts";

/**
 * A uniformly random heatmap (values in [0, 1)), the chance level of the cIoU protocol: its
 * top-50% prediction is a random half of the image, so a ground-truth region covering a share
 * `a` of the image scores a cIoU of about `a / (1 + a)`.
 *
 * @param height Rows.
 * @param width Columns.
 * @param seed Seed of the draw (from a stream: `rng.seed()`).
 * @returns Row-major `[height, width]` scores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomLocalization } from "@avscene/avscene/baselines";
 * const a = randomLocalization(4, 4, 1), b = randomLocalization(4, 4, 1);
 * assert.ok(a.every((v, i) => v === b[i]));
 * ```
 * @category model
 */
export function randomLocalization(
  height: number,
  width: number,
  seed: number,
): Float32Array {
  if (!Number.isInteger(height) || height <= 0) {
    throw new Error(`randomLocalization: height must be a positive integer, got ${height}`);
  }
  if (!Number.isInteger(width) || width <= 0) {
    throw new Error(`randomLocalization: width must be a positive integer, got ${width}`);
  }
  const rng = new Rng(seed);
  const out = new Float32Array(height * width);
  for (let p = 0; p < out.length; p++) out[p] = rng.uniform();
  return out;
}
