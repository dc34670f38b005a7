/**
 * The centre-prior localization baseline: a fixed Gaussian at the image centre, the same map
 * for every image. Photographers centre what they film, so this prior is a strong baseline on
 * real test sets; a model that localizes no better than it has learned nothing about sound.
 *
 * @module
 */

/** Standard deviation of the prior, as a share of the image side (default 1/4). */
export const CENTRE_PRIOR_SIGMA = 0.25;

/**
 * A Gaussian heatmap centred on the image: `exp(-((x - cx)^2 / (2 (s W)^2) + (y - cy)^2 /
 * (2 (s H)^2)))` at pixel centres, `s` = `sigma`. Its top-50% prediction (cIoU protocol) is
 * the central ellipse covering half of the image.
 *
 * @param height Rows.
 * @param width Columns.
 * @param sigma Standard deviation as a share of each side (default {@linkcode CENTRE_PRIOR_SIGMA}).
 * @returns Row-major `[height, width]` scores in (0, 1].
 *
 * @example
 * ```ts
 * import { centrePrior } from "./centre_prior.ts";
 * const map = centrePrior(3, 3);
 * console.log(map[4] === 1 && map[0] < map[1]); // true: peak at the centre
 * ```
 */
export function centrePrior(
  height: number,
  width: number,
  sigma = CENTRE_PRIOR_SIGMA,
): Float32Array {
  if (!Number.isInteger(height) || height <= 0) {
    throw new Error(`centrePrior: height must be a positive integer, got ${height}`);
  }
  if (!Number.isInteger(width) || width <= 0) {
    throw new Error(`centrePrior: width must be a positive integer, got ${width}`);
  }
  if (!(Number.isFinite(sigma) && sigma > 0)) {
    throw new Error(`centrePrior: sigma must be finite and > 0, got ${sigma}`);
  }
  const out = new Float32Array(height * width);
  const sy = sigma * height, sx = sigma * width;
  for (let y = 0; y < height; y++) {
    const dy = (y + 0.5 - height / 2) / sy;
    for (let x = 0; x < width; x++) {
      const dx = (x + 0.5 - width / 2) / sx;
      out[y * width + x] = Math.exp(-0.5 * (dx * dx + dy * dy));
    }
  }
  return out;
}
