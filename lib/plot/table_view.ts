/**
 * The plain table shape shared by the HTML and text table formatters.
 *
 * @module
 */

/**
 * A formatted table: column headers and rows of cells, ready to print or render.
 *
 * @category plots
 */
export interface TableView {
  /** Column headers. */
  columns: string[];
  /** Rows of cells, each as long as `columns`. */
  rows: (string | number)[][];
  /** Optional caption shown above the table. */
  caption?: string;
}
