/**
 * The centre-prior localization floor of Table 2: sounding objects tend to sit near the middle
 * of a frame, so a heatmap that only knows where the middle is sets a second floor beside
 * Random.
 *
 * @module
 */

/**
 * A heatmap that falls off with the distance from the image centre (1 at the centre). Under
 * the protocol's median threshold it predicts the central half of the image.
 *
 * @param height Rows.
 * @param width Columns.
 * @returns Row-major `[height, width]` scores in (0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { centrePrior } from "@avscene/avscene/baselines";
 * const h = centrePrior(3, 3);
 * assert.deepEqual([h[4], h[0] < h[1]], [1, true]);
 * ```
 * @category model
 */
export function centrePrior(height: number, width: number): Float32Array {
  if (!Number.isInteger(height) || height <= 0) {
    throw new Error(`centrePrior: height must be a positive integer, got ${height}`);
  }
  if (!Number.isInteger(width) || width <= 0) {
    throw new Error(`centrePrior: width must be a positive integer, got ${width}`);
  }
  const cy = (height - 1) / 2, cx = (width - 1) / 2;
  const scale = Math.hypot(cy + 1, cx + 1);
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = 1 - Math.hypot(y - cy, x - cx) / scale;
  }
  return out;
}
