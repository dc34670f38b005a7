/**
 * Build the Jupyter MIME bundle of a plot: the vega-lite JSON for interactive front ends and a
 * PNG rendered in process for every other front end and for exported HTML.
 *
 * @module
 */
import { encodeBase64 } from "./_base64.ts";
import { renderPng } from "./render_png.ts";
import { renderSvg } from "./render_svg.ts";
import { type MimeBundle, VEGA_LITE_MIME, type VegaLiteSpec } from "./types.ts";

/**
 * The MIME bundle of a vega-lite plot: `application/vnd.vegalite.v5+json` (the spec, drawn by
 * JupyterLab, Notebook 7 and VS Code), `image/png` (base64: the spec rendered headless to SVG
 * and rasterised with {@linkcode renderPng}) and `text/plain` (the title, for terminals).
 *
 * The PNG is what static viewers and HTML exports show, and JupyterLab would add one on save if
 * it were missing (marking every notebook unsaved). The bundle carries no `image/svg+xml`:
 * nbconvert 6's HTML export prefers SVG over PNG and then strips every SVG element, leaving blank
 * boxes; {@linkcode renderSvg} gives the SVG where one is wanted (the HTML report inlines it).
 *
 * @param spec the vega-lite spec.
 * @returns the bundle, ready for `Deno.jupyter.display(bundle, { raw: true })`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mimeBundle } from "@avscene/avscene/plot";
 * const bundle = await mimeBundle({ mark: "point", data: { values: [{ a: 1 }] } });
 * assert.deepEqual(Object.keys(bundle).sort(), [
 *   "application/vnd.vegalite.v5+json",
 *   "image/png",
 *   "text/plain",
 * ]);
 * assert.ok(String(bundle["image/png"]).startsWith("iVBORw0KGgo")); // base64 of a PNG file
 * ```
 * @category plots
 */
export async function mimeBundle(spec: VegaLiteSpec): Promise<MimeBundle> {
  const png = await renderPng(await renderSvg(spec));
  const title = typeof spec.title === "string"
    ? spec.title
    : (spec.title as { text?: unknown } | undefined)?.text;
  return {
    [VEGA_LITE_MIME]: spec,
    "image/png": encodeBase64(png),
    "text/plain": `<vega-lite plot${typeof title === "string" ? `: ${title}` : ""}>`,
  };
}
