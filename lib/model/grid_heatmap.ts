/**
 * Localization heatmaps on a network's visual feature grid, the form the trained baselines
 * return (upsample to image size for cIoU), and the smoothing every method's grid map gets
 * before it is read.
 *
 * @module
 */
import { smoothingMatrix1d } from "./visual_spatial.ts";

/**
 * A localization heatmap on the visual feature grid.
 *
 * @category model
 */
export interface GridHeatmap {
  /** Rows of the grid. */
  height: number;
  /** Columns of the grid. */
  width: number;
  /** Scores `[height * width]`, row-major. */
  heatmap: Float32Array;
}

/**
 * Pixelwise maximum of maps of equal size: the union of several soft regions.
 *
 * @param maps one or more maps, all the same length.
 * @returns a new map holding each position's largest value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unionOf } from "@avscene/avscene/model";
 * assert.deepEqual([...unionOf([new Float32Array([1, 0]), new Float32Array([0, 2])])], [1, 2]);
 * ```
 * @category model
 */
export function unionOf(maps: readonly Float32Array[]): Float32Array {
  if (maps.length === 0) throw new Error("unionOf: maps is empty");
  const out = Float32Array.from(maps[0]);
  maps.forEach((m, i) => {
    if (m.length !== out.length) {
      throw new Error(`unionOf: maps[${i}] has ${m.length} values, maps[0] has ${out.length}`);
    }
    for (let p = 0; p < out.length; p++) if (m[p] > out[p]) out[p] = m[p];
  });
  return out;
}

/**
 * The Gaussian smoothing of every localization map on its grid, as a share of the grid's side:
 * sigma = 1/16 of the rows down and of the columns across (one cell of tiny's 16 x 16 grid,
 * half a cell of a 7 x 7 one), so it means the same share of the image at every preset. Soft
 * K-means assignments are close to 0 or 1 and follow an object's outline, while a box (the
 * Senocak protocol's ground truth) also holds the object's corners; a map that falls off
 * smoothly around the object ranks them next. Measured in docs/recipe.md, "Smoothed maps".
 *
 * @category model
 */
export const MAP_SMOOTHING = 1 / 16;

/**
 * A grid map smoothed by a Gaussian whose sigma is `share` of the grid's side on each axis
 * (separable; the weights of each output cell normalised over the cells inside the grid, so a
 * constant map stays constant and maps that sum to 1 over centers at each position still do).
 *
 * @param map scores `[height * width]`, row-major.
 * @param height rows of the grid.
 * @param width columns of the grid.
 * @param share sigma as a share of the side (0: the map unchanged, copied); default
 * {@linkcode MAP_SMOOTHING}.
 * @returns a new smoothed map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smoothGridMap } from "@avscene/avscene/model";
 * // one hot cell spreads to its neighbours, symmetrically, and keeps its total mass inside
 * const map = new Float32Array(16 * 16);
 * map[8 * 16 + 8] = 1;
 * const s = smoothGridMap(map, 16, 16);
 * assert.ok(s[8 * 16 + 8] < 1 && s[8 * 16 + 7] > 0);
 * assert.ok(Math.abs(s[8 * 16 + 7] - s[8 * 16 + 9]) < 1e-7);
 * assert.ok(Math.abs(s.reduce((a, v) => a + v, 0) - 1) < 1e-5);
 * ```
 * @category model
 */
export function smoothGridMap(
  map: Float32Array,
  height: number,
  width: number,
  share: number = MAP_SMOOTHING,
): Float32Array {
  if (!Number.isInteger(height) || height < 1 || !Number.isInteger(width) || width < 1) {
    throw new Error(
      `smoothGridMap: height and width must be positive integers, got ${height} x ${width}`,
    );
  }
  if (map.length !== height * width) {
    throw new Error(`smoothGridMap: map has ${map.length} values, expected ${height} x ${width}`);
  }
  if (!(Number.isFinite(share) && share >= 0)) {
    throw new Error(`smoothGridMap: share must be finite and >= 0 (0: off), got ${share}`);
  }
  if (share === 0) return Float32Array.from(map);
  const rows = smoothingMatrix1d(height, share * height);
  const cols = smoothingMatrix1d(width, share * width);
  const across = new Float64Array(height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let k = 0; k < width; k++) sum += cols[j * width + k] * map[i * width + k];
      across[i * width + j] = sum;
    }
  }
  const out = new Float32Array(height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      let sum = 0;
      for (let k = 0; k < height; k++) sum += rows[i * height + k] * across[k * width + j];
      out[i * width + j] = sum;
    }
  }
  return out;
}
