/**
 * The shared shape of the experiment runners (`runFig3`, `runTable1`..`runTable3`,
 * `runCounting`): their options, progress events and result rows, so the notebooks, the CLI
 * and the report treat every experiment alike.
 *
 * @module
 */
import type { Verdict, VerdictState } from "../metrics/verdict.ts";

/**
 * Options every experiment runner accepts.
 *
 * @category experiments
 */
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

/**
 * A progress event of an experiment runner.
 *
 * @category experiments
 */
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

/**
 * One measured number of a table: its mean and spread over seeds, beside the paper's.
 *
 * @category experiments
 */
export interface ResultRow {
  /** Method or setting, e.g. `"C2(C1) + source-level"`. */
  method: string;
  /** Metric, e.g. `"accuracy"`, `"cIoU@0.5"`, `"SDR"`. */
  metric: string;
  /** Mean over seeds. */
  mean: number;
  /** Sample standard deviation over seeds (0 with one seed: no spread measured; tables show —). */
  std: number;
  /** The per-seed values the mean and spread come from. */
  values: number[];
  /** The paper's number for this cell, when it reports one. */
  paper?: number;
}

/**
 * Whether our data bears out one of the paper's claims, as measured and judged by the one
 * verdict rule (`lib/metrics/verdict.ts`: paired seed differences, 95% t intervals, floors).
 * @category experiments
 */
export interface ClaimCheck {
  /** The paper's claim in words. */
  claim: string;
  /** holds / does not hold / inconclusive (within noise, one seed, or not judged). */
  verdict: VerdictState;
  /** Why, in words: the deciding links, or "within noise: ...", or "not judged: ...". */
  reason: string;
  /** True exactly when `verdict` is `"holds"` (kept for readers of the two-state checks). */
  holds: boolean;
  /** One honest sentence on what we measured (computed, not written by hand). */
  detail: string;
}

/**
 * A claim check from a verdict and the sentence of what was measured.
 *
 * @param claim the paper's claim in words.
 * @param v the verdict and its reason.
 * @param detail what was measured.
 * @returns the check (`holds` set from the verdict).
 * @category experiments
 */
export function claimCheck(claim: string, v: Verdict, detail: string): ClaimCheck {
  return { claim, verdict: v.verdict, reason: v.reason, holds: v.verdict === "holds", detail };
}

/**
 * A cell of an experiment: one method (or run, or setting) on one seed.
 *
 * @category experiments
 */
export interface CellRef {
  /** Experiment name (`"fig3"`, ...). */
  experiment: string;
  /** Cell name within the experiment (a method, run or setting). */
  cell: string;
  /** Seed. */
  seed: number;
}

/**
 * Which cells of a run came from the cache and which were computed.
 *
 * @category experiments
 */
export interface CellUse {
  /** Cells read from the cache (`"<cell> s<seed>"`), computed by an earlier run. */
  reused: string[];
  /** Cells computed by this run. */
  computed: string[];
}

/**
 * What an experiment runner returns.
 *
 * @category experiments
 */
export interface ExperimentResult {
  /** Experiment name (`"fig3"`, `"table1"`, ...). */
  experiment: string;
  /** Whether it ran in quick mode. */
  quick: boolean;
  /** The run's budget: `quick`, `full`, or `ci` (a quick run at the notebooks' CI budget). */
  budget?: "quick" | "full" | "ci";
  /** Seeds it ran over. */
  seeds: number[];
  /** The table rows. */
  rows: ResultRow[];
  /** The paper's claims checked against the rows. */
  claims: ClaimCheck[];
  /** Seconds the run took (the resumed part only, when resumed). */
  seconds: number;
  /**
   * True when the data is the paper's own (its numbers are comparable to ours); false on the
   * synthetic world, where "ours - paper" means nothing and tables say "different data".
   */
  paperData?: boolean;
  /** Cells reused from the cache and cells computed by this run. */
  cells?: CellUse;
}

/**
 * Mean and sample standard deviation of per-seed values.
 *
 * @category experiments
 */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) throw new Error("meanStd: values is empty");
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (values.length - 1)) };
}

/**
 * A result row from per-seed values.
 *
 * @category experiments
 */
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
