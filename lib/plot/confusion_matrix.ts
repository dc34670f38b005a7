/**
 * The counting model's confusion matrix (true count vs. predicted count).
 *
 * @module
 */
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.ts";

/**
 * Options of {@linkcode confusionMatrix}.
 *
 * @category plots
 */
export interface ConfusionMatrixOptions {
  /** Plot title (default `"Confusion matrix"`). */
  title?: string;
  /** Side of each cell in pixels (default 48). */
  cellSize?: number;
}

/**
 * Cells coloured by the row-normalised share (recall of each true class), labelled with the
 * raw count.
 *
 * @param matrix `matrix[i][j]` = number of items of true class i predicted as class j (square).
 * @param labels the class names, one per row.
 * @param opts title and cell size.
 * @returns a layered vega-lite spec (rect + text).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionMatrix } from "@avscene/avscene/plot";
 * const spec = confusionMatrix([[5, 1], [2, 7]], ["1", "2"]);
 * const cells = (spec.data as { values: { count: number; share: number }[] }).values;
 * assert.deepEqual(cells.map((c) => c.count), [5, 1, 2, 7]);
 * assert.equal(cells[3].share, 7 / 9); // each row's shares sum to 1
 * ```
 * @category plots
 */
export function confusionMatrix(
  matrix: number[][],
  labels: string[],
  opts: ConfusionMatrixOptions = {},
): VegaLiteSpec {
  const k = labels?.length ?? 0;
  if (k === 0) throw new RangeError("confusionMatrix: labels must be non-empty");
  if (!Array.isArray(matrix) || matrix.length !== k || matrix.some((r) => r?.length !== k)) {
    throw new RangeError(`confusionMatrix: matrix must be ${k}x${k} to match labels`);
  }
  const values: Record<string, string | number>[] = [];
  for (let i = 0; i < k; i++) {
    const total = matrix[i].reduce((a, b) => a + b, 0);
    for (let j = 0; j < k; j++) {
      const count = matrix[i][j];
      if (!Number.isFinite(count) || count < 0) {
        throw new RangeError(`confusionMatrix: matrix[${i}][${j}] must be a count, got ${count}`);
      }
      const share = total > 0 ? count / total : 0;
      values.push({
        truth: labels[i],
        predicted: labels[j],
        count,
        share,
      });
    }
  }
  const size = opts.cellSize ?? 48;
  const x = { field: "predicted", type: "ordinal", sort: labels, title: "predicted" };
  const y = { field: "truth", type: "ordinal", sort: labels, title: "true" };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: opts.title ?? "Confusion matrix",
    width: size * k,
    height: size * k,
    data: { values },
    layer: [
      {
        mark: "rect",
        encoding: {
          x,
          y,
          color: {
            field: "share",
            type: "quantitative",
            scale: { domain: [0, 1], scheme: "viridis" },
            title: "row share",
          },
          tooltip: [
            { field: "truth", type: "ordinal" },
            { field: "predicted", type: "ordinal" },
            { field: "count", type: "quantitative" },
            { field: "share", type: "quantitative", format: ".2f" },
          ],
        },
      },
      {
        mark: { type: "text", fontSize: 13 },
        encoding: {
          x,
          y,
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.share > 0.5", value: "black" }, value: "white" },
        },
      },
    ],
  };
}
