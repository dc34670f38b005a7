/**
 * A spectrogram (or any time-frequency map) as a colour-mapped image with axes.
 *
 * @module
 */
import type { ColormapName } from "./colormap.ts";
import { imageLayer, picturePosition } from "./_image_layers.ts";
import { finiteRange } from "./_finite_range.ts";
import { colourLegendLayer } from "./_colour_legend.ts";
import { scalarMapDataUri } from "./scalar_map_data_uri.ts";
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.ts";

/**
 * Options of {@linkcode spectrogramImage}.
 *
 * @category plots
 */
export interface SpectrogramImageOptions {
  /** Plot title. */
  title?: string;
  /** Show 20·log10 of the magnitude, clipped `dynamicRange` dB below its peak (default true). */
  db?: boolean;
  /** Dynamic range in dB when `db` is set (default 80). */
  dynamicRange?: number;
  /** Colormap (default `"viridis"`). */
  colormap?: ColormapName;
  /** Fixed value range `[min, max]` (after the dB conversion), e.g. `[0, 1]` for masks. */
  range?: [number, number];
  /** X-axis title (default `"frame"`). */
  xTitle?: string;
  /** Y-axis title (default `"frequency bin"`). */
  yTitle?: string;
  /** X-axis values at the first and past-the-last frame (default `[0, frames]`), e.g. seconds. */
  xDomain?: [number, number];
  /** Y-axis values at the first and past-the-last bin (default `[0, bins]`), e.g. Hz. */
  yDomain?: [number, number];
  /** Width in pixels (default 360). */
  width?: number;
  /** Height in pixels (default 200). */
  height?: number;
  /**
   * Title of the colour scale shown beside the picture (default `"dB"` with `db`, else
   * `"value"`); `null` hides the colour scale.
   */
  legendTitle?: string | null;
}

/**
 * Draw a `[frames, bins]` magnitude (frame-major, as an STFT returns it) with time on x and
 * frequency upwards on y, and its colour scale beside it. The picture is a PNG data URI inside
 * the spec.
 *
 * @param mag `frames * bins` non-negative magnitudes (or any values with `db: false`).
 * @param frames number of time frames.
 * @param bins number of frequency bins.
 * @param opts scale, colormap, axes and size.
 * @returns a layered vega-lite spec.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileVegaLite, spectrogramImage } from "@avscene/avscene/plot";
 * const spec = spectrogramImage(new Float32Array(4 * 3).fill(1), 4, 3, { title: "mixture" });
 * assert.deepEqual(compileVegaLite(spec).warnings, []);
 * ```
 * @category plots
 */
export function spectrogramImage(
  mag: Float32Array,
  frames: number,
  bins: number,
  opts: SpectrogramImageOptions = {},
): VegaLiteSpec {
  if (!Number.isInteger(frames) || frames <= 0 || !Number.isInteger(bins) || bins <= 0) {
    throw new RangeError(
      `spectrogramImage: frames and bins must be positive integers, got ${frames}, ${bins}`,
    );
  }
  if (mag?.length !== frames * bins) {
    throw new RangeError(
      `spectrogramImage: mag has ${mag?.length} values, frames*bins = ${frames * bins}`,
    );
  }
  const db = opts.db ?? true;
  // Transpose to an image: row 0 = highest bin, column = frame.
  const img = new Float32Array(frames * bins);
  for (let t = 0; t < frames; t++) {
    for (let f = 0; f < bins; f++) {
      const v = mag[t * bins + f];
      img[(bins - 1 - f) * frames + t] = db ? 20 * Math.log10(Math.abs(v) + 1e-12) : v;
    }
  }
  let range = opts.range;
  if (range === undefined && db) {
    const [, peak] = finiteRange(img);
    range = [peak - (opts.dynamicRange ?? 80), peak];
  }
  const name = opts.colormap ?? "viridis";
  const url = scalarMapDataUri(img, bins, frames, {
    colormap: name,
    ...(range ? { min: range[0], max: range[1] } : {}),
  });
  const xDomain = opts.xDomain ?? [0, frames];
  const yDomain = opts.yDomain ?? [0, bins];
  const axes = {
    xTitle: opts.xTitle ?? "frame",
    yTitle: opts.yTitle ?? "frequency bin",
    xDomain,
    yDomain,
  };
  const pos = picturePosition(frames, bins, true, axes, true);
  const height = opts.height ?? 200;
  const layer = [imageLayer(url, pos, xDomain, yDomain, true, false)];
  const legendTitle = opts.legendTitle === undefined ? (db ? "dB" : "value") : opts.legendTitle;
  if (legendTitle !== null) {
    const [lo, hi] = range ?? finiteRange(img);
    // A constant picture still gets a (degenerate but valid) scale.
    layer.push(colourLegendLayer(name, [lo, hi > lo ? hi : lo + 1], legendTitle, height));
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    width: opts.width ?? 360,
    height,
    layer,
  };
}
