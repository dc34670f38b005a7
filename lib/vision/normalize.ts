/**
 * Per-channel normalisation of RGB images for networks trained on ImageNet statistics.
 *
 * @module
 */

import type { RGBImage } from "./rgb_image.ts";

/**
 * The ImageNet per-channel means of RGB values in [0, 1].
 *
 * @category data
 */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/**
 * The ImageNet per-channel standard deviations of RGB values in [0, 1].
 *
 * @category data
 */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * `(value - mean[c]) / std[c]` for every pixel and channel, same `[height, width, 3]` layout.
 *
 * @param img The image, values in [0, 1].
 * @param mean Per-channel means, default {@linkcode IMAGENET_MEAN}.
 * @param std Per-channel standard deviations (positive), default {@linkcode IMAGENET_STD}.
 * @returns `height * width * 3` normalised floats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeImage } from "@avscene/avscene/vision";
 * const img = { data: Float32Array.of(1, 0.5, 0), height: 1, width: 1 };
 * assert.deepEqual(Array.from(normalizeImage(img, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])), [1, 0, -1]);
 * ```
 * @category data
 */
export function normalizeImage(
  img: RGBImage,
  mean: readonly number[] = IMAGENET_MEAN,
  std: readonly number[] = IMAGENET_STD,
): Float32Array {
  if (mean.length !== 3 || !mean.every(Number.isFinite)) {
    throw new Error(`normalizeImage: mean must be 3 finite numbers, got [${mean}]`);
  }
  if (std.length !== 3 || !std.every((s) => s > 0 && Number.isFinite(s))) {
    throw new Error(`normalizeImage: std must be 3 positive numbers, got [${std}]`);
  }
  const { data, height, width } = img;
  if (data.length !== height * width * 3) {
    throw new Error(
      `normalizeImage: image data has ${data.length} values, ${height}x${width}x3 expected`,
    );
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i += 3) {
    for (let c = 0; c < 3; c++) out[i + c] = (data[i + c] - mean[c]) / std[c];
  }
  return out;
}
