/**
 * Show a plot in a Jupyter notebook running the Deno kernel, and the kernel's display function
 * the other notebook views use.
 *
 * @module
 */
import { mimeBundle } from "./mime_bundle.ts";
import type { MimeBundle, VegaLiteSpec } from "./types.ts";

/**
 * The running Deno Jupyter kernel's display function, or undefined outside `deno jupyter`.
 *
 * @category plots
 */
export type JupyterDisplay = (
  obj: unknown,
  options?: { raw?: boolean; update?: boolean; display_id?: string },
) => Promise<void>;

/**
 * `Deno.jupyter.display` when running inside the Deno kernel, else `undefined`.
 *
 * @category plots
 */
export function jupyterDisplay(): JupyterDisplay | undefined {
  try {
    // Outside `deno jupyter` the getter throws; inside it returns the namespace.
    const j = (Deno as unknown as { jupyter?: { display?: JupyterDisplay } }).jupyter;
    return typeof j?.display === "function" ? j.display : undefined;
  } catch {
    return undefined;
  }
}

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
 * import assert from "node:assert/strict";
 * import { display } from "@avscene/avscene/plot";
 * // outside a Jupyter kernel it returns the bundle it would display
 * const bundle = await display({ mark: "point", data: { values: [{ a: 1 }] } });
 * assert.match(String(bundle?.["image/png"]), /^iVBORw0KGgo/); // base64 of a PNG file
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
