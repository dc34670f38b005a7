/**
 * Shared types of the plotting layer: the loose vega-lite spec type, Jupyter MIME bundles and
 * the row shapes the spec builders take.
 *
 * @module
 */

/**
 * A vega-lite specification as a plain JSON object. Typed loosely on purpose: the builders
 * return plain objects that can be serialised, edited and handed to any vega-lite front end.
 * @category plots
 */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * A Jupyter MIME bundle: MIME type -> payload (a string, or JSON for `+json` types).
 *
 * @category plots
 */
export type MimeBundle = Record<string, unknown>;

/**
 * The vega-lite MIME type JupyterLab 4, nteract and VS Code render (vega-lite 5 renderer).
 *
 * @category plots
 */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/**
 * The `$schema` our specs declare. Our builders only use features common to vega-lite 5 and 6,
 * so the specs render in JupyterLab's vega-lite 5 renderer and with the npm `vega-lite` 6 here.
 * @category plots
 */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/**
 * One training run (or the mean of several seeds of it) for a training-curve plot.
 *
 * @category plots
 */
export interface TrainingRun {
  /** Legend name, e.g. `"C1"`, `"C2 then C3"`. */
  name: string;
  /** Training step (or epoch) of each point. */
  steps: number[];
  /** Mean over seeds of the metric at each step. */
  mean: number[];
  /** Standard deviation over seeds at each step; draws a band of mean ± std when given. */
  std?: number[];
}

/**
 * Mean, spread and number of repetitions (seeds) of one measured number.
 *
 * @category plots
 */
export interface Summary {
  /** Mean over repetitions. */
  mean: number;
  /** Standard deviation over repetitions (0 with a single repetition). */
  std: number;
  /** Number of repetitions (seeds). */
  n: number;
}

/**
 * One row of a results table with its per-seed values: the shape of the experiment runners'
 * `ResultRow`.
 * @category plots
 */
export interface SeedRow {
  /** Method name. */
  method: string;
  /** Metric name. */
  metric: string;
  /** Mean over seeds. */
  mean: number;
  /** Sample standard deviation over seeds (0 with one seed). */
  std: number;
  /** The per-seed values (their number is the row's `n`; 1 when absent). */
  values?: number[];
  /** The paper's number, when it reports one. */
  paper?: number;
}

/**
 * One row of a results table in summary form: our measurement of a metric for a method, the
 * paper's beside it. A {@linkcode SeedRow} (the experiment runners' rows) is accepted wherever
 * a `SummaryRow` is; see `summaryRows`.
 * @category plots
 */
export interface SummaryRow {
  /** Method name, e.g. `"C2(C1) + source-level"`. */
  method: string;
  /** Metric name, e.g. `"accuracy"`, `"cIoU@0.5"`, `"SDR (dB)"`. */
  metric: string;
  /** Our number over seeds. */
  ours: Summary;
  /** The paper's number for the same method and metric, when it reports one. */
  paper?: number;
}
