/**
 * A frame with its labelled boxes (e.g. a synthetic scene's ground-truth sources).
 *
 * @module
 */
import type { Box, RGBImage } from "../data/types.ts";
import { pictureSpec } from "./_picture_spec.ts";
import type { VegaLiteSpec } from "./types.ts";

/**
 * Options of {@linkcode sceneImage}.
 *
 * @category plots
 */
export interface SceneImageOptions {
  /** Plot title. */
  title?: string;
  /** Boxes to outline, in image pixels `[x0, y0, x1, y1]`. */
  boxes?: Box[];
  /** A label per box (shown at its top-left corner). */
  boxLabels?: string[];
  /** Display width in pixels (default 256; height follows the image's aspect ratio). */
  width?: number;
}

/**
 * Show an image (embedded as a PNG data URI) with outlined, labelled boxes.
 *
 * @param image the frame, `[height, width, 3]` in [0, 1].
 * @param opts boxes, labels, title, size.
 * @returns a layered vega-lite spec.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileVegaLite, sceneImage } from "@avscene/avscene/plot";
 * const image = { data: new Float32Array(8 * 8 * 3).fill(0.5), height: 8, width: 8 };
 * const spec = sceneImage(image, { boxes: [[0, 0, 4, 4]], boxLabels: ["drum"] });
 * assert.deepEqual(compileVegaLite(spec).warnings, []);
 * assert.match(JSON.stringify(spec), /"drum"/);
 * ```
 * @category plots
 */
export function sceneImage(image: RGBImage, opts: SceneImageOptions = {}): VegaLiteSpec {
  if (!image || !(image.data instanceof Float32Array)) {
    throw new TypeError("sceneImage: image must be an RGBImage with Float32Array data");
  }
  return pictureSpec(image, undefined, opts, "sceneImage");
}
