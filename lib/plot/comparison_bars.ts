/**
 * Bars of our results (mean ± std over seeds) with the paper's numbers marked beside them
 * (the paper's Tables 1-3).
 *
 * @module
 */
import { summaryRows, type TableRow } from "./summary_rows.ts";
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.ts";
import { wrapPanels } from "./_wrap_panels.ts";

/**
 * Options of {@linkcode comparisonBars}.
 *
 * @category plots
 */
export interface ComparisonBarsOptions {
  /** Plot title. */
  title: string;
  /** Width of each metric's panel in pixels (default: 40 per method of the metric). */
  width?: number;
  /** Height in pixels (default 220). */
  height?: number;
}

/**
 * One panel per metric, each with its own methods and y scale: a bar per method for our mean,
 * an error bar of ± std, and a black diamond at the paper's number where the paper reports one.
 * Panels wrap into rows so that the figure fits a 900 px column.
 *
 * @param rows the results: summary rows or the experiment runners' rows.
 * @param opts title and size.
 * @returns a vega-lite spec (layered panels side by side, in rows).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparisonBars, compileVegaLite } from "@avscene/avscene/plot";
 * const spec = comparisonBars([{ method: "C1", metric: "accuracy",
 *   ours: { mean: 0.71, std: 0.02, n: 3 }, paper: 0.74 }], { title: "Table 1" });
 * assert.deepEqual(compileVegaLite(spec).warnings, []);
 * ```
 * @category plots
 */
export function comparisonBars(
  rows: readonly TableRow[],
  opts: ComparisonBarsOptions,
): VegaLiteSpec {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new RangeError("comparisonBars: rows must be a non-empty array");
  }
  const summaries = summaryRows(rows, "comparisonBars");
  const metrics = [...new Set(summaries.map((r) => r.metric))];
  const hasPaper = summaries.some((r) => r.paper !== undefined);
  // One chart per metric, side by side, each with only its own methods and data (a facet with
  // independent scales would keep every method on every panel).
  const panels = metrics.map((metric): VegaLiteSpec => {
    const own = summaries.filter((r) => r.metric === metric);
    const methods = [...new Set(own.map((r) => r.method))];
    const values = own.map((r) => ({
      method: r.method,
      metric: r.metric,
      mean: r.ours.mean,
      lo: r.ours.mean - r.ours.std,
      hi: r.ours.mean + r.ours.std,
      n: r.ours.n,
      ...(r.paper === undefined ? {} : { paper: r.paper }),
    }));
    const x = { field: "method", type: "nominal", title: null, sort: methods };
    const layer: VegaLiteSpec[] = [
      {
        mark: { type: "bar", color: "#4c78a8" },
        encoding: {
          x,
          y: { field: "mean", type: "quantitative", title: "ours (mean ± std)" },
          tooltip: [
            { field: "method", type: "nominal" },
            { field: "metric", type: "nominal" },
            { field: "mean", type: "quantitative", format: ".4f" },
            { field: "n", type: "quantitative", title: "seeds" },
          ],
        },
      },
      {
        mark: { type: "rule", color: "#222" },
        encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
      },
    ];
    if (own.some((r) => r.paper !== undefined)) {
      // Rows without a paper number have no `paper` field; invalid points are not drawn.
      layer.push({
        mark: { type: "point", shape: "diamond", filled: true, color: "black", size: 90 },
        encoding: {
          x,
          y: { field: "paper", type: "quantitative" },
          tooltip: [{ field: "paper", type: "quantitative", title: "paper" }],
        },
      });
    }
    return {
      // Long metric names over a narrow panel wrap instead of running into the next title.
      title: { text: wrapWords(metric, Math.max(12, 6 * methods.length)), fontSize: 12 },
      width: opts.width ?? 40 * methods.length,
      height: opts.height ?? 220,
      data: { values },
      layer,
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: opts.title,
      subtitle: hasPaper
        ? "bars: ours (mean ± std over seeds); black diamonds: the paper's numbers"
        : "bars: ours (mean ± std over seeds)",
    },
    ...wrapPanels(panels),
  };
}

/** Greedy word wrap to lines of at most `width` characters (a longer word keeps its line). */
function wrapWords(text: string, width: number): string | string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.length === 1 ? lines[0] : lines;
}
