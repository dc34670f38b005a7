/**
 * Bring results rows to one shape: the plot helpers take either summary rows (`ours: {mean,
 * std, n}`) or the experiment runners' rows (`mean`, `std`, per-seed `values`).
 *
 * @module
 */
import type { SeedRow, SummaryRow } from "./types.ts";

/**
 * A results row in either shape the plot helpers accept.
 *
 * @category plots
 */
export type TableRow = SummaryRow | SeedRow;

/**
 * Convert rows to {@linkcode SummaryRow}s: runner rows get `n` = their number of per-seed
 * values; summary rows pass through.
 *
 * @param rows summary rows or runner rows (mixed is fine).
 * @param caller name used in error messages (default `"summaryRows"`).
 * @returns the rows as summary rows.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summaryRows } from "@avscene/avscene/plot";
 * const [row] = summaryRows([{ method: "C1", metric: "acc", mean: 0.7, std: 0.1,
 *   values: [0.6, 0.8], paper: 0.75 }]);
 * assert.equal(row.ours.n, 2);
 * ```
 * @category plots
 */
export function summaryRows(rows: readonly TableRow[], caller = "summaryRows"): SummaryRow[] {
  if (!Array.isArray(rows)) throw new TypeError(`${caller}: rows must be an array`);
  return rows.map((r, i) => {
    if (!r || typeof r.method !== "string" || typeof r.metric !== "string") {
      throw new TypeError(`${caller}: rows[${i}] must have method, metric and ours (or mean)`);
    }
    if ("ours" in r && r.ours) return r;
    const row = r as Partial<SeedRow>;
    if (typeof row.mean !== "number" || typeof row.std !== "number") {
      throw new TypeError(`${caller}: rows[${i}] must have method, metric and ours (or mean)`);
    }
    return {
      method: r.method,
      metric: r.metric,
      ours: { mean: row.mean, std: row.std, n: row.values?.length ?? 1 },
      ...(r.paper === undefined ? {} : { paper: r.paper }),
    };
  });
}
