/**
 * Bilinear resizing of a low-resolution localization heatmap to image size.
 *
 * @module
 */

/**
 * Resize a heatmap `[h, w]` to `[H, W]` by bilinear interpolation with half-pixel centres
 * (the `align_corners = false` convention of PyTorch / OpenCV / tfjs `resizeBilinear` with
 * `halfPixelCenters`): output pixel `(i, j)` samples the input at
 * `((i + 0.5) * h / H - 0.5, (j + 0.5) * w / W - 0.5)`, clamped to the input's edges.
 *
 * @param map Row-major `[h, w]` values.
 * @param h Input rows.
 * @param w Input columns.
 * @param H Output rows.
 * @param W Output columns.
 * @returns Row-major `[H, W]` values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upsampleHeatmap } from "@avscene/avscene/metrics";
 * const up = upsampleHeatmap(new Float32Array([0, 1]), 1, 2, 1, 4);
 * assert.deepEqual(Array.from(up), [0, 0.25, 0.75, 1]);
 * ```
 * @category metrics
 */
export function upsampleHeatmap(
  map: Float32Array | Float64Array,
  h: number,
  w: number,
  H: number,
  W: number,
): Float32Array {
  for (const [name, v] of [["h", h], ["w", w], ["H", H], ["W", W]] as const) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(`upsampleHeatmap: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (map.length !== h * w) {
    throw new Error(`upsampleHeatmap: map has ${map.length} values, expected h * w = ${h * w}`);
  }
  const out = new Float32Array(H * W);
  const sy = h / H, sx = w / W;
  for (let i = 0; i < H; i++) {
    const y = Math.min(Math.max((i + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(y), y1 = Math.min(y0 + 1, h - 1), fy = y - y0;
    for (let j = 0; j < W; j++) {
      const x = Math.min(Math.max((j + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(x), x1 = Math.min(x0 + 1, w - 1), fx = x - x0;
      const top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
      const bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
      out[i * W + j] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
