/**
 * Render a {@linkcode TableView} as aligned plain text.
 *
 * @module
 */
import type { TableView } from "./table_view.ts";

/**
 * Render a table as monospace text with padded columns and a header rule.
 *
 * @param table the table.
 * @returns the text, lines joined with `\n`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tableText } from "@avscene/avscene/plot";
 * assert.equal(tableText({ columns: ["a", "b"], rows: [[1, "x"]] }), "a  b\n-  -\n1  x");
 * ```
 * @category plots
 */
export function tableText(table: TableView): string {
  if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    throw new TypeError("tableText: table must have columns and rows arrays");
  }
  const cells = [table.columns, ...table.rows.map((r) => r.map(String))];
  const widths = table.columns.map((_, j) =>
    Math.max(...cells.map((r) => [...String(r[j] ?? "")].length))
  );
  const line = (r: (string | number)[]) =>
    r.map((c, j) => String(c ?? "").padEnd(widths[j])).join("  ").trimEnd();
  const lines = [line(table.columns), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of table.rows) lines.push(line(r));
  return (table.caption === undefined ? "" : `${table.caption}\n`) + lines.join("\n");
}
