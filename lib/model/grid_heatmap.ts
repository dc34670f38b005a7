/**
 * Localization heatmaps on a network's visual feature grid, the form the trained baselines
 * return (upsample to image size for cIoU).
 *
 * @module
 */

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
