/**
 * Render a vega-lite spec to an SVG string headless (no browser, no canvas).
 *
 * @module
 */
import * as vega from "vega";
import { compileVegaLite } from "./compile_vega_lite.ts";
import type { VegaLiteSpec } from "./types.ts";
import { uniquifySvgIds } from "./_uniquify_svg_ids.ts";

let rendered = 0;

/**
 * Options of {@linkcode renderSvg}.
 *
 * @category plots
 */
export interface RenderSvgOptions {
  /**
   * Prefix for every id in the SVG (vega numbers clip paths from 1 in each SVG, so SVGs inlined
   * side by side in one page would clash). Default: `avs<n>-`, n counting renders in this process.
   */
  idPrefix?: string;
}

/**
 * Render a vega-lite spec to a standalone SVG document string with npm `vega` + `vega-lite`.
 * Images embedded as data URIs stay embedded, so the SVG is self-contained.
 *
 * @param spec the vega-lite spec.
 * @param opts id prefix.
 * @returns the SVG markup (`<svg ...>...</svg>`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSvg } from "@avscene/avscene/plot";
 * const svg = await renderSvg({ mark: "bar", data: { values: [{ a: "x", b: 1 }] },
 *   encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } } });
 * assert.match(svg, /^<svg[^>]*>/);
 * ```
 * @category plots
 */
export async function renderSvg(
  spec: VegaLiteSpec,
  opts: RenderSvgOptions = {},
): Promise<string> {
  const prefix = opts.idPrefix ?? `avs${++rendered}-`;
  const { vega: vegaSpec } = compileVegaLite(spec);
  // deno-lint-ignore no-explicit-any
  const view = new vega.View(vega.parse(vegaSpec as any), { renderer: "none" });
  try {
    return uniquifySvgIds(await view.toSVG(), prefix);
  } finally {
    view.finalize();
  }
}
