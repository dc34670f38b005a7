/**
 * Turn a 2-D scalar map (heatmap, spectrogram, mask) into a colour-mapped PNG data URI.
 *
 * @module
 */
import { colormap, type ColormapName } from "./colormap.ts";
import { pngDataUri } from "./png_data_uri.ts";
import { finiteRange } from "./_finite_range.ts";

/**
 * Options of {@linkcode scalarMapDataUri}.
 *
 * @category plots
 */
export interface ScalarMapOptions {
  /** Colormap (default `"viridis"`). */
  colormap?: ColormapName;
  /** Value mapped to the bottom of the colormap (default: the map's minimum). */
  min?: number;
  /** Value mapped to the top of the colormap (default: the map's maximum). */
  max?: number;
  /**
   * Opacity: a number in [0, 1] for every pixel (default 1), or `"value"` to make each pixel
   * as opaque as its normalised value (for overlays where low values should vanish).
   */
  alpha?: number | "value";
  /** Maximum opacity when `alpha` is `"value"` (default 0.8). */
  maxAlpha?: number;
}

/**
 * Colour-map a row-major `[rows, cols]` scalar map into a PNG data URI (row 0 at the top).
 *
 * @param values `rows * cols` values.
 * @param rows image height in pixels.
 * @param cols image width in pixels.
 * @param opts colormap, value range and opacity.
 * @returns `data:image/png;base64,...`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scalarMapDataUri } from "@avscene/avscene/plot";
 * const uri = scalarMapDataUri(new Float32Array([0, 1, 2, 3]), 2, 2, { colormap: "hot" });
 * assert.ok(uri.startsWith("data:image/png;base64,"));
 * ```
 * @category plots
 */
export function scalarMapDataUri(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  opts: ScalarMapOptions = {},
): string {
  if (values.length !== rows * cols) {
    throw new RangeError(
      `scalarMapDataUri: values has ${values.length} entries, expected rows*cols = ${rows * cols}`,
    );
  }
  const [dataLo, dataHi] = finiteRange(values);
  const lo = opts.min ?? dataLo;
  const hi = opts.max ?? dataHi;
  const span = hi > lo ? hi - lo : 1;
  const alpha = opts.alpha ?? 1;
  if (alpha !== "value" && (!(alpha >= 0) || alpha > 1)) {
    throw new RangeError(`scalarMapDataUri: opts.alpha must be in [0, 1] or "value", got ${alpha}`);
  }
  const maxAlpha = opts.maxAlpha ?? 0.8;
  const rgba = new Uint8Array(rows * cols * 4);
  for (let i = 0; i < rows * cols; i++) {
    const t = Math.min(1, Math.max(0, (values[i] - lo) / span));
    const [r, g, b] = colormap(Number.isFinite(values[i]) ? t : 0, opts.colormap ?? "viridis");
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    rgba[i * 4 + 3] = Math.round(255 * (alpha === "value" ? maxAlpha * t : alpha));
  }
  return pngDataUri(rgba, cols, rows);
}
