/**
 * Render a {@linkcode TableView} as an HTML `<table>`.
 *
 * @module
 */
import { escapeHtml } from "./escape_html.ts";
import type { TableView } from "./table_view.ts";

/**
 * Render a table as HTML (escaped; text left-aligned, numbers right-aligned with the `num` class;
 * inline alignment so Jupyter front ends, which right-align every cell, show it too).
 *
 * @param table the table.
 * @returns `<table class="avscene-table">...</table>` markup.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tableHtml } from "@avscene/avscene/plot";
 * const html = tableHtml({ columns: ["a"], rows: [[1]] });
 * assert.match(html, /<th[^>]*>a<\/th>.*<td class="num"[^>]*>1<\/td>/);
 * ```
 * @category plots
 */
export function tableHtml(table: TableView): string {
  if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    throw new TypeError("tableHtml: table must have columns and rows arrays");
  }
  const cap = table.caption === undefined ? "" : `<caption>${escapeHtml(table.caption)}</caption>`;
  const head = `<thead><tr>${
    table.columns.map((c) => `<th style="text-align:left">${escapeHtml(c)}</th>`).join("")
  }</tr></thead>`;
  const body = table.rows.map((row) =>
    `<tr>${
      row.map((cell) =>
        typeof cell === "number"
          ? `<td class="num" style="text-align:right">${escapeHtml(String(cell))}</td>`
          : `<td style="text-align:left">${escapeHtml(cell)}</td>`
      ).join("")
    }</tr>`
  ).join("");
  return `<table class="avscene-table">${cap}${head}<tbody>${body}</tbody></table>`;
}
