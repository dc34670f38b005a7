/**
 * Where a center's assignment map puts its mass: the share that falls on an object's pixels.
 *
 * @module
 */

/**
 * The share of a feature-grid map's mass that lies on an object: each image pixel takes the
 * value of the grid cell it falls in (nearest, cell `floor(y h / H), floor(x w / W)`), and
 * the share is the mass on the mask's pixels over the mass on all pixels. The ablation counts
 * a sound's aligned center as off its object when this share is under 10%.
 *
 * @param map row-major `[h, w]` non-negative values (e.g. a center's soft assignments).
 * @param h grid rows.
 * @param w grid columns.
 * @param mask row-major `[H, W]` object mask (nonzero: on the object).
 * @param H image rows.
 * @param W image columns.
 * @returns a share in [0, 1] (0 for a map without mass).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { objectMassShare } from "@avscene/avscene/metrics";
 * // a 1 x 2 grid over a 2 x 4 image whose object is the left half's top row
 * const mask = new Uint8Array([1, 1, 0, 0, 0, 0, 0, 0]);
 * assert.equal(objectMassShare(new Float32Array([1, 0]), 1, 2, mask, 2, 4), 0.5);
 * assert.equal(objectMassShare(new Float32Array([1, 3]), 1, 2, mask, 2, 4), 0.125);
 * assert.equal(objectMassShare(new Float32Array([0, 1]), 1, 2, mask, 2, 4), 0);
 * ```
 * @category metrics
 */
export function objectMassShare(
  map: ArrayLike<number>,
  h: number,
  w: number,
  mask: ArrayLike<number>,
  H: number,
  W: number,
): number {
  for (const [name, v] of [["h", h], ["w", w], ["H", H], ["W", W]] as const) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new Error(`objectMassShare: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (map.length !== h * w) {
    throw new Error(`objectMassShare: map has ${map.length} values, expected ${h} x ${w}`);
  }
  if (mask.length !== H * W) {
    throw new Error(`objectMassShare: mask has ${mask.length} values, expected ${H} x ${W}`);
  }
  let total = 0, on = 0;
  for (let y = 0; y < H; y++) {
    const row = Math.floor(y * h / H) * w;
    for (let x = 0; x < W; x++) {
      const a = map[row + Math.floor(x * w / W)];
      if (!(a >= 0)) throw new Error(`objectMassShare: map values must be >= 0, got ${a}`);
      total += a;
      if (mask[y * W + x]) on += a;
    }
  }
  return total > 0 ? on / total : 0;
}
