/**
 * Show a table in a Jupyter notebook running the Deno kernel.
 *
 * @module
 */
import { jupyterDisplay } from "./display.ts";
import { resultsTable } from "./results_table.ts";
import { tableHtml } from "./table_html.ts";
import { tableText } from "./table_text.ts";
import type { TableView } from "./table_view.ts";
import type { TableRow } from "./summary_rows.ts";
import type { MimeBundle } from "./types.ts";

/**
 * Display a table as `text/html` and `text/plain`: results rows are first formatted with
 * {@linkcode resultsTable}. Inside the Deno Jupyter kernel it sends `display_data`; outside it
 * only builds the bundle. It returns
 * `undefined` after displaying (so the kernel does not echo the bundle as the cell's value) and
 * the bundle when there is no kernel.
 *
 * @param table results rows, or an already formatted {@linkcode TableView}.
 * @param caption caption for results rows (ignored for a TableView, which carries its own).
 * @returns `undefined` inside the kernel; otherwise the bundle that would have been displayed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayTable } from "@avscene/avscene/plot";
 * // outside a Jupyter kernel it returns the bundle it would display
 * const bundle = await displayTable([{ method: "C1", metric: "acc", ours: { mean: 0.7, std: 0, n: 1 } }]);
 * assert.match(String(bundle?.["text/html"]), /<td[^>]*>0\.700 ± —<\/td>/); // one run: no spread
 * ```
 * @category plots
 */
export async function displayTable(
  table: readonly TableRow[] | TableView,
  caption?: string,
): Promise<MimeBundle | undefined> {
  const view = Array.isArray(table) ? resultsTable(table, { caption }) : table as TableView;
  const bundle: MimeBundle = { "text/html": tableHtml(view), "text/plain": tableText(view) };
  const show = jupyterDisplay();
  if (!show) return bundle;
  await show(bundle, { raw: true });
  return undefined;
}
