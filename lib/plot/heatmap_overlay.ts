/**
 * A localization map drawn over its image, with optional ground-truth boxes.
 *
 * @module
 */
import type { RGBImage } from "../data/types.ts";
import type { SceneImageOptions } from "./scene_image.ts";
import type { ColormapName } from "./colormap.ts";
import { pictureSpec } from "./_picture_spec.ts";
import { colourLegendLayer } from "./_colour_legend.ts";
import { scalarMapDataUri } from "./scalar_map_data_uri.ts";
import type { VegaLiteSpec } from "./types.ts";

/**
 * Options of {@linkcode heatmapOverlay}: those of {@linkcode sceneImage} and the heatmap's.
 *
 * @category plots
 */
export interface HeatmapOverlayOptions extends SceneImageOptions {
  /** Highest opacity of the heatmap, reached at its maximum (default 0.75). */
  opacity?: number;
  /** Heatmap colormap (default `"viridis"`, perceptually uniform: brighter means stronger). */
  colormap?: ColormapName;
  /** Show the colour scale of the normalised map beside the picture (default true). */
  legend?: boolean;
}

/**
 * Overlay a heatmap (any resolution; stretched to the image) on an image. The heatmap is
 * min-max normalised and each pixel is as opaque as its normalised value, so low values leave
 * the image visible; a colour scale (0 = the map's minimum, 1 = its maximum) stands beside it.
 * Both pictures are embedded as PNG data URIs: the spec is self-contained.
 *
 * @param image the frame, `[height, width, 3]` in [0, 1].
 * @param heatmap row-major `[h, w]` localization map (e.g. an assignment map of 14x14).
 * @param h heatmap rows.
 * @param w heatmap columns.
 * @param opts boxes, title, opacity, colormap, legend, size.
 * @returns a layered vega-lite spec: image, heatmap, boxes, colour scale.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileVegaLite, heatmapOverlay } from "@avscene/avscene/plot";
 * const image = { data: new Float32Array(8 * 8 * 3).fill(0.5), height: 8, width: 8 };
 * const spec = heatmapOverlay(image, new Float32Array([0, 1, 0, 0]), 2, 2,
 *   { boxes: [[4, 0, 8, 4]] });
 * assert.deepEqual(compileVegaLite(spec).warnings, []);
 * assert.equal((spec.layer as unknown[]).length, 4); // image, heatmap, box, colour scale
 * ```
 * @category plots
 */
export function heatmapOverlay(
  image: RGBImage,
  heatmap: Float32Array,
  h: number,
  w: number,
  opts: HeatmapOverlayOptions = {},
): VegaLiteSpec {
  if (!image || !(image.data instanceof Float32Array)) {
    throw new TypeError("heatmapOverlay: image must be an RGBImage with Float32Array data");
  }
  if (!Number.isInteger(h) || h <= 0 || !Number.isInteger(w) || w <= 0) {
    throw new RangeError(`heatmapOverlay: h and w must be positive integers, got ${h}, ${w}`);
  }
  if (heatmap?.length !== h * w) {
    throw new RangeError(`heatmapOverlay: heatmap has ${heatmap?.length} values, h*w = ${h * w}`);
  }
  const opacity = opts.opacity ?? 0.75;
  if (!(opacity >= 0 && opacity <= 1)) {
    throw new RangeError(`heatmapOverlay: opts.opacity must be in [0, 1], got ${opacity}`);
  }
  const name = opts.colormap ?? "viridis";
  const spec = pictureSpec(
    image,
    scalarMapDataUri(heatmap, h, w, { colormap: name, alpha: "value", maxAlpha: opacity }),
    opts,
  );
  if (opts.legend === false) return spec;
  const legend = colourLegendLayer(name, [0, 1], "map (min-max)", spec.height as number);
  return { ...spec, layer: [...(spec.layer as VegaLiteSpec[]), legend] };
}
