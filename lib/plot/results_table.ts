/**
 * Format results rows (ours over seeds beside the paper's number) into a table.
 *
 * @module
 */
import type { TableView } from "./table_view.ts";
import { summaryRows, type TableRow } from "./summary_rows.ts";
import type { SummaryRow } from "./types.ts";

/**
 * Options of {@linkcode resultsTable}.
 *
 * @category plots
 */
export interface ResultsTableOptions {
  /**
   * Decimal places of the numbers. Default: 1 when every non-zero number is at least 10 in
   * magnitude (percentages), 2 when at least 1, else 3.
   */
  digits?: number;
  /** Caption shown above the table. */
  caption?: string;
  /**
   * Whether our numbers come from the paper's own data (default false): only then is
   * "ours − paper" a meaningful difference; otherwise that column says "different data".
   */
  paperData?: boolean;
}

function autoDigits(rows: readonly SummaryRow[]): number {
  const sizes = rows.flatMap((r) => [r.ours.mean, r.paper ?? 0])
    .map(Math.abs).filter((x) => x > 0 && Number.isFinite(x));
  const smallest = Math.min(...sizes);
  return smallest >= 10 ? 1 : smallest >= 1 ? 2 : 3;
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/**
 * Tabulate results: one row per (method, metric) with our mean ± std over n seeds (`—` for the
 * spread of one seed), the paper's number and the difference ours − paper (blank where the
 * paper reports no number; "different data" unless `opts.paperData`).
 *
 * @param rows the results: summary rows or the experiment runners' rows.
 * @param opts number format and caption.
 * @returns a {@linkcode TableView} with columns Method, Metric, Ours (mean ± std), n, Paper,
 * Ours − paper.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsTable } from "@avscene/avscene/plot";
 * const rows = [{ method: "C1", metric: "accuracy", ours: { mean: 0.71, std: 0.02, n: 3 }, paper: 0.74 }];
 * // measured on other data than the paper's: no difference is shown
 * assert.deepEqual(resultsTable(rows).rows, [
 *   ["C1", "accuracy", "0.710 ± 0.020", 3, "0.740", "different data"],
 * ]);
 * // on the paper's own data
 * assert.equal(resultsTable(rows, { paperData: true }).rows[0][5], "-0.030");
 * ```
 * @category plots
 */
export function resultsTable(
  rows: readonly TableRow[],
  opts: ResultsTableOptions = {},
): TableView {
  const summaries = summaryRows(rows, "resultsTable");
  const digits = opts.digits ?? autoDigits(summaries);
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) {
    throw new RangeError(`resultsTable: opts.digits must be an integer in 0..12, got ${digits}`);
  }
  const out = summaries.map((r) => {
    const { mean, std, n } = r.ours;
    return [
      r.method,
      r.metric,
      // one seed measures no spread: show a dash, never 0
      `${fmt(mean, digits)} ± ${n > 1 ? fmt(std, digits) : "—"}`,
      n,
      r.paper === undefined ? "" : fmt(r.paper, digits),
      r.paper === undefined
        ? ""
        : !opts.paperData
        ? "different data"
        : `${mean - r.paper >= 0 ? "+" : ""}${fmt(mean - r.paper, digits)}`,
    ];
  });
  return {
    columns: ["Method", "Metric", "Ours (mean ± std)", "n", "Paper", "Ours − paper"],
    rows: out,
    ...(opts.caption !== undefined ? { caption: opts.caption } : {}),
  };
}
