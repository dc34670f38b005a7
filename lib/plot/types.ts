/**
 * Shared types of the plotting layer: the loose vega-lite spec type, Jupyter MIME bundles and
 * the row shapes the spec builders take.
 *
 * @module
 */

/**
 * A vega-lite specification as a plain JSON object. Typed loosely on purpose: the builders
 * return plain objects that can be serialised, edited and handed to any vega-lite front end.
 */
export type VegaLiteSpec = Record<string, unknown>;

/** A Jupyter MIME bundle: MIME type -> payload (a string, or JSON for `+json` types). */
export type MimeBundle = Record<string, unknown>;

/** The vega-lite MIME type JupyterLab 4, nteract and VS Code render (vega-lite 5 renderer). */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/**
 * The `$schema` our specs declare. Our builders only use features common to vega-lite 5 and 6,
 * so the specs render in JupyterLab's vega-lite 5 renderer and with the npm `vega-lite` 6 here.
 */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** One training run (or the mean of several seeds of it) for a training-curve plot. */
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

/** Mean, spread and number of repetitions (seeds) of one measured number. */
export interface Summary {
  /** Mean over repetitions. */
  mean: number;
  /** Standard deviation over repetitions (0 with a single repetition). */
  std: number;
  /** Number of repetitions (seeds). */
  n: number;
}

/**
 * One row of a results table in summary form: our measurement of a metric for a method, the
 * paper's beside it. The experiment runners' `ResultRow` (lib/experiments, with per-seed `values`) is
 * accepted wherever a `SummaryRow` is; see `summaryRows`.
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
