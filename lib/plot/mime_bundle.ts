/**
 * Build the Jupyter MIME bundle of a plot: the vega-lite JSON for interactive front ends plus a
 * pre-rendered SVG for every other front end and for exported HTML.
 *
 * @module
 */
import { renderSvg } from "./render_svg.ts";
import { type MimeBundle, VEGA_LITE_MIME, type VegaLiteSpec } from "./types.ts";

/**
 * The MIME bundle of a vega-lite plot: `application/vnd.vegalite.v5+json` (the spec),
 * `image/svg+xml` (rendered headless) and `text/plain` (the title, for terminals).
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
 *   "image/svg+xml",
 *   "text/plain",
 * ]);
 * ```
 */
export async function mimeBundle(spec: VegaLiteSpec): Promise<MimeBundle> {
  const svg = await renderSvg(spec);
  const title = typeof spec.title === "string"
    ? spec.title
    : (spec.title as { text?: unknown } | undefined)?.text;
  return {
    [VEGA_LITE_MIME]: spec,
    "image/svg+xml": svg,
    "text/plain": `<vega-lite plot${typeof title === "string" ? `: ${title}` : ""}>`,
  };
}
