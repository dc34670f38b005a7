/**
 * A separation mask (binary or ratio, in [0, 1]) as an image.
 *
 * @module
 */
import { spectrogramImage, type SpectrogramImageOptions } from "./spectrogram_image.ts";
import type { VegaLiteSpec } from "./types.ts";

/**
 * Draw a `[frames, bins]` time-frequency mask with values in [0, 1] in gray (white = keep),
 * on the same axes as {@linkcode spectrogramImage}.
 *
 * @param mask `frames * bins` values in [0, 1] (frame-major).
 * @param frames number of time frames.
 * @param bins number of frequency bins.
 * @param opts title, axes and size (the scale is fixed to linear [0, 1]).
 * @returns a layered vega-lite spec.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileVegaLite, maskImage } from "@avscene/avscene/plot";
 * const spec = maskImage(new Float32Array([0, 1, 1, 0]), 2, 2, { title: "mask" });
 * assert.deepEqual(compileVegaLite(spec).warnings, []);
 * ```
 * @category plots
 */
export function maskImage(
  mask: Float32Array,
  frames: number,
  bins: number,
  opts: Omit<SpectrogramImageOptions, "db" | "range" | "dynamicRange"> = {},
): VegaLiteSpec {
  return spectrogramImage(mask, frames, bins, {
    colormap: "gray",
    legendTitle: "mask",
    ...opts,
    db: false,
    range: [0, 1],
  });
}
