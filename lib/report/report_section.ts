/**
 * What a report is made of: sections with text, plots, tables and checked claims.
 *
 * @module
 */
import type { ClaimCheck } from "../experiments/experiment.ts";
import type { TableRow } from "../plot/summary_rows.ts";
import type { VegaLiteSpec } from "../plot/types.ts";

/**
 * A plot of a report section: rendered to inline SVG in the HTML.
 *
 * @category plots
 */
export interface ReportPlot {
  /** The vega-lite spec. */
  spec: VegaLiteSpec;
  /** Caption under the plot. */
  caption?: string;
}

/**
 * A results table of a report section: ours (mean ± std over seeds) beside the paper's.
 *
 * @category plots
 */
export interface ReportTable {
  /** Caption above the table. */
  caption?: string;
  /** The rows: summary rows or the experiment runners' rows. */
  rows: readonly TableRow[];
  /** Decimal places (default: chosen from the numbers' size, see `resultsTable`). */
  digits?: number;
  /** Whether the rows come from the paper's own data ("ours − paper" is shown only then). */
  paperData?: boolean;
}

/**
 * One section of a report.
 *
 * @category plots
 */
export interface ReportSection {
  /** Heading. */
  title: string;
  /** Anchor and JSON id (default: the title in lower case with dashes). Unique in a report. */
  id?: string;
  /** Explanation; blank lines separate paragraphs. */
  text?: string;
  /** Plots, rendered inline. */
  plots?: ReportPlot[];
  /** Results tables. */
  tables?: ReportTable[];
  /** The paper's claims as checked on our data. */
  claims?: ClaimCheck[];
  /** A one-line conclusion (should itself be computed from the data). */
  verdict?: string;
  /** Extra data for `results.json` (not shown in the HTML). */
  data?: unknown;
}

/**
 * Options of `writeReport`.
 *
 * @category plots
 */
export interface ReportOptions {
  /** Page title (default `"avscene reproduction report"`). */
  title?: string;
  /** Facts about the run shown at the top and stored in the JSON (mode, backend, seeds...). */
  meta?: Record<string, string | number | boolean>;
  /** Time stamp of the report (default: now). */
  generatedAt?: Date;
}

/**
 * Paths `writeReport` wrote.
 *
 * @category plots
 */
export interface ReportFiles {
  /** `<dir>/index.html`. */
  html: string;
  /** `<dir>/results.json`. */
  json: string;
}
