/**
 * Image resizing: separable triangle-filter resampling (bilinear when enlarging, an
 * area-like average over the covered pixels when shrinking), as Pillow's antialiased
 * `BILINEAR`.
 *
 * @module
 */

import type { RGBImage } from "./rgb_image.ts";

/** Per output index: the first input index and the normalised weights of the taps from it. */
interface _Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  maxTaps: number;
}

/**
 * Triangle-filter taps mapping `inSize` samples onto `outSize` with pixel centres at
 * `i + 0.5` (no corner alignment). The triangle widens by the shrink factor, so every input
 * pixel contributes when shrinking (no aliasing from skipped pixels).
 */
function _taps(inSize: number, outSize: number): _Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the bilinear (triangle) kernel has support 1
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize), count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.floor(center - support + 0.5), 0);
    const hi = Math.min(Math.floor(center + support + 0.5), inSize);
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i - center + 0.5) / filterScale));
      weights[o * maxTaps + i - lo] = w;
      sum += w;
    }
    for (let i = lo; i < hi; i++) weights[o * maxTaps + i - lo] /= sum || 1;
    start[o] = lo;
    count[o] = hi - lo;
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resize an RGB image to `height x width`: bilinear interpolation between pixel centres when
 * enlarging; when shrinking, a triangle filter as wide as the shrink factor, which averages
 * all the input pixels an output pixel covers (like area averaging). Edges are clamped, the
 * result stays within the input's value range.
 *
 * @param img The image.
 * @param height Output rows (positive integer).
 * @param width Output columns (positive integer).
 * @returns A new image (a copy when the size is unchanged).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resizeImage } from "@avscene/avscene/vision";
 * const img = { data: new Float32Array(4 * 4 * 3).fill(0.5), height: 4, width: 4 };
 * const small = resizeImage(img, 2, 2);
 * assert.deepEqual([small.height, small.data[0]], [2, 0.5]);
 * ```
 * @category data
 */
export function resizeImage(img: RGBImage, height: number, width: number): RGBImage {
  for (const [key, v] of [["height", height], ["width", width]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`resizeImage: ${key} must be a positive integer, got ${v}`);
    }
  }
  const { data, height: h0, width: w0 } = img;
  if (data.length !== h0 * w0 * 3) {
    throw new Error(`resizeImage: image data has ${data.length} values, ${h0}x${w0}x3 expected`);
  }
  if (h0 === height && w0 === width) return { data: data.slice(), height, width };
  // horizontal pass: [h0, w0, 3] -> [h0, width, 3]
  const tx = _taps(w0, width);
  const mid = new Float32Array(h0 * width * 3);
  for (let y = 0; y < h0; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < tx.count[x]; k++) {
        const w = tx.weights[x * tx.maxTaps + k], src = 3 * (y * w0 + tx.start[x] + k);
        r += w * data[src];
        g += w * data[src + 1];
        b += w * data[src + 2];
      }
      const dst = 3 * (y * width + x);
      mid[dst] = r;
      mid[dst + 1] = g;
      mid[dst + 2] = b;
    }
  }
  // vertical pass: [h0, width, 3] -> [height, width, 3]
  const ty = _taps(h0, height);
  const out = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < ty.count[y]; k++) {
      const w = ty.weights[y * ty.maxTaps + k], row = (ty.start[y] + k) * width * 3;
      const dstRow = y * width * 3;
      for (let i = 0; i < width * 3; i++) out[dstRow + i] += w * mid[row + i];
    }
  }
  return { data: out, height, width };
}
