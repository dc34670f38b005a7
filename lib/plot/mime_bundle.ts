/**
 * Build the Jupyter MIME bundle of a plot: the vega-lite JSON for interactive front ends, a
 * pre-rendered SVG and a PNG rasterised from it for every other front end and for exported HTML.
 *
 * @module
 */
import { encodeBase64 } from "./_base64.ts";
import { renderPng } from "./render_png.ts";
import { renderSvg } from "./render_svg.ts";
import { type MimeBundle, VEGA_LITE_MIME, type VegaLiteSpec } from "./types.ts";

/**
 * The MIME bundle of a vega-lite plot: `application/vnd.vegalite.v5+json` (the spec),
 * `image/svg+xml` (rendered headless), `image/png` (base64, rasterised from that SVG with
 * {@linkcode renderPng}, so static viewers and JupyterLab, which would otherwise add one on
 * save, find a picture) and `text/plain` (the title, for terminals).
 *
 * @param spec the vega-lite spec.
 * @returns the bundle, ready for `Deno.jupyter.display(bundle, { raw: true })`.
 * @example
 * ```ts
 * import { mimeBundle } from "./mime_bundle.ts";
 * const bundle = await mimeBundle({ mark: "point", data: { values: [{ a: 1 }] } });
 * ```
 */
export async function mimeBundle(spec: VegaLiteSpec): Promise<MimeBundle> {
  const svg = await renderSvg(spec);
  const png = await renderPng(svg);
  const title = typeof spec.title === "string"
    ? spec.title
    : (spec.title as { text?: unknown } | undefined)?.text;
  return {
    [VEGA_LITE_MIME]: spec,
    "image/svg+xml": svg,
    "image/png": encodeBase64(png),
    "text/plain": `<vega-lite plot${typeof title === "string" ? `: ${title}` : ""}>`,
  };
}
