/**
 * The shared shape of the experiment runners (`runFig3`, `runTable1`..`runTable3`,
 * `runCounting`): their options, progress events and result rows, so the notebooks, the CLI
 * and the report treat every experiment alike.
 *
 * @module
 */

/** Options every experiment runner accepts. */
export interface RunOptions {
  /** Minutes-scale run for CI and notebooks' `QUICK=1` (default false: the full run). */
  quick?: boolean;
  /** Seeds to repeat the experiment over; spreads are taken across them. */
  seeds?: number[];
  /**
   * Directory for the run's cache (checkpoints and finished rows, written atomically). A run
   * pointed at the same directory again skips what is done and resumes what was cut off.
   */
  outDir?: string;
  /** Called as work advances (notebooks show it; the CLI draws a bar). */
  onProgress?: (p: RunProgress) => void;
  /** Draw a terminal progress bar (default false). */
  progressBar?: boolean;
  /** Stop early; a later run with the same `outDir` resumes. */
  signal?: AbortSignal;
}

/** A progress event of an experiment runner. */
export interface RunProgress {
  /** Experiment name, e.g. `"table2"`. */
  experiment: string;
  /** What is being done now, e.g. `"ours-C1 seed 2: training"`. */
  stage: string;
  /** Units of work done so far. */
  done: number;
  /** Units of work in all. */
  total: number;
}

/** One measured number of a table: its mean and spread over seeds, beside the paper's. */
export interface ResultRow {
  /** Method or setting, e.g. `"C2(C1) + source-level"`. */
  method: string;
  /** Metric, e.g. `"accuracy"`, `"cIoU@0.5"`, `"SDR"`. */
  metric: string;
  /** Mean over seeds. */
  mean: number;
  /** Sample standard deviation over seeds (0 with one seed). */
  std: number;
  /** The per-seed values the mean and spread come from. */
  values: number[];
  /** The paper's number for this cell, when it reports one. */
  paper?: number;
}

/** Whether our data bears out one of the paper's claims, as measured. */
export interface ClaimCheck {
  /** The paper's claim in words. */
  claim: string;
  /** True when our measurements order the methods as the paper says. */
  holds: boolean;
  /** One honest sentence on what we measured (computed, not written by hand). */
  detail: string;
}

/** What an experiment runner returns. */
export interface ExperimentResult {
  /** Experiment name (`"fig3"`, `"table1"`, ...). */
  experiment: string;
  /** Whether it ran in quick mode. */
  quick: boolean;
  /** Seeds it ran over. */
  seeds: number[];
  /** The table rows. */
  rows: ResultRow[];
  /** The paper's claims checked against the rows. */
  claims: ClaimCheck[];
  /** Seconds the run took (the resumed part only, when resumed). */
  seconds: number;
}

/** Mean and sample standard deviation of per-seed values. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) throw new Error("meanStd: values is empty");
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (values.length - 1)) };
}

/** A result row from per-seed values. */
export function resultRow(
  method: string,
  metric: string,
  values: readonly number[],
  paper?: number,
): ResultRow {
  const { mean, std } = meanStd(values);
  return {
    method,
    metric,
    mean,
    std,
    values: [...values],
    ...(paper === undefined ? {} : { paper }),
  };
}
