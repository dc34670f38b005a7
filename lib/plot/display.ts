/**
 * Show a plot in a Jupyter notebook running the Deno kernel.
 *
 * @module
 */
import { jupyterDisplay } from "./_jupyter.ts";
import { mimeBundle } from "./mime_bundle.ts";
import type { MimeBundle, VegaLiteSpec } from "./types.ts";

/**
 * Display a vega-lite plot: inside the Deno Jupyter kernel, sends a `display_data` message with
 * the vega-lite JSON with a PNG fallback (see {@linkcode mimeBundle}); outside a kernel it
 * only builds the bundle. It returns
 * `undefined` after displaying (so the kernel does not echo the bundle as the cell's value) and
 * the bundle when there is no kernel.
 *
 * @param spec the vega-lite spec.
 * @returns `undefined` inside the kernel; otherwise the bundle that would have been displayed.
 * @example
 * ```ts
 * import { display } from "./display.ts";
 * await display({ mark: "point", data: { values: [{ a: 1 }] } });
 * ```
 * @category plots
 */
export async function display(spec: VegaLiteSpec): Promise<MimeBundle | undefined> {
  const bundle = await mimeBundle(spec);
  const show = jupyterDisplay();
  if (!show) return bundle;
  await show(bundle, { raw: true });
  return undefined;
}
