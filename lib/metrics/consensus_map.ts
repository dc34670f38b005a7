/**
 * The multi-annotator ground-truth map of the Senocak cIoU protocol.
 *
 * @module
 */

import type { Box } from "../data/types.ts";

/**
 * Build the consensus ground-truth map of one image from its annotators' boxes (Senocak et
 * al.'s protocol): each annotator's box map is 1 on the pixels covered by any of its boxes and
 * 0 elsewhere; the consensus is `g = min(sum over annotators / 2, 1)`, so a pixel marked by two
 * annotators counts fully and one marked by a single annotator counts half. With a single
 * annotator the map is that annotator's box map.
 *
 * A pixel `(row, col)` is covered by a box `[x0, y0, x1, y1]` when its centre
 * `(col + 0.5, row + 0.5)` lies in `[x0, x1) x [y0, y1)`; for integer boxes that is exactly the
 * half-open pixel range `x0 <= col < x1`, `y0 <= row < y1`.
 *
 * @param annotatorBoxes `annotatorBoxes[a]` holds the boxes of annotator `a` in image pixels.
 * @param height Image rows.
 * @param width Image columns.
 * @returns The map, row-major `[height, width]`, values in {0, 0.5, 1}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consensusMap } from "@avscene/avscene/metrics";
 * const g = consensusMap([[[0, 0, 2, 1]], [[1, 0, 3, 1]]], 1, 4);
 * assert.deepEqual(Array.from(g), [0.5, 1, 0.5, 0]);
 * ```
 * @category metrics
 */
export function consensusMap(
  annotatorBoxes: readonly (readonly Box[])[],
  height: number,
  width: number,
): Float32Array {
  if (!Number.isInteger(height) || height <= 0) {
    throw new Error(`consensusMap: height must be a positive integer, got ${height}`);
  }
  if (!Number.isInteger(width) || width <= 0) {
    throw new Error(`consensusMap: width must be a positive integer, got ${width}`);
  }
  if (annotatorBoxes.length === 0) {
    throw new Error("consensusMap: annotatorBoxes is empty (need at least one annotator)");
  }
  const sum = new Float64Array(height * width);
  const mark = new Uint8Array(height * width);
  annotatorBoxes.forEach((boxes, a) => {
    mark.fill(0);
    boxes.forEach((box, i) => {
      if (box.length !== 4 || box.some((v) => !Number.isFinite(v))) {
        throw new Error(
          `consensusMap: annotatorBoxes[${a}][${i}] must be 4 finite numbers, got [${box}]`,
        );
      }
      const [x0, y0, x1, y1] = box;
      // pixel centre c + 0.5 in [x0, x1)  <=>  c in [ceil(x0 - 0.5), ceil(x1 - 0.5))
      const c0 = Math.max(0, Math.ceil(x0 - 0.5));
      const c1 = Math.min(width, Math.ceil(x1 - 0.5));
      const r0 = Math.max(0, Math.ceil(y0 - 0.5));
      const r1 = Math.min(height, Math.ceil(y1 - 0.5));
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) mark[r * width + c] = 1;
      }
    });
    for (let p = 0; p < mark.length; p++) sum[p] += mark[p];
  });
  const out = new Float32Array(height * width);
  if (annotatorBoxes.length === 1) {
    for (let p = 0; p < out.length; p++) out[p] = sum[p];
  } else {
    for (let p = 0; p < out.length; p++) out[p] = Math.min(sum[p] / 2, 1);
  }
  return out;
}
