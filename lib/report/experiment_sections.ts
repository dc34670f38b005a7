/**
 * Turn experiment runners' results into report sections: the paper's claim in words, the
 * plots (training curves, comparison bars, confusion matrix), the table beside the paper's
 * numbers and the checked claims.
 *
 * @module
 */
import type { ExperimentResult } from "../experiments/experiment.ts";
import { EXPERIMENTS, type ExperimentView } from "../experiments/registry.ts";
import { comparisonBars } from "../plot/comparison_bars.ts";
import { confusionMatrix } from "../plot/confusion_matrix.ts";
import { type CurvePoint, curveRuns } from "./curve_runs.ts";
import { type GradeSizeRow, gradeSizesChart } from "./grade_sizes.ts";
import { trainingCurves } from "../plot/training_curves.ts";
import type { ReportPlot, ReportSection } from "./report_section.ts";

/**
 * An experiment result with the extras some runners add (Fig. 3's curves, counting's matrix).
 *
 * @category plots
 */
export interface ReportableResult extends ExperimentResult {
  /** Fig. 3: every logged training step of every run and seed. */
  curves?: CurvePoint[];
  /** Counting: confusion matrix, rows = true count, columns = predicted count. */
  confusion?: number[][];
  /** Counting: labels of the matrix's rows and columns (default `1`..`k`). */
  labels?: string[];
  /** Counting: sizes of the grades the counting model forms from uncurated data. */
  gradeSizes?: GradeSizeRow[];
}

function summaryLine(r: ExperimentResult): string {
  const seeds = `${r.seeds.length} seed${r.seeds.length === 1 ? "" : "s"} (${r.seeds.join(", ")})`;
  const cells = r.cells
    ? ` Cells computed in this invocation: ${r.cells.computed.length}; reused from the cache ` +
      `(same code, backend, data and scale): ${r.cells.reused.length}${
        r.cells.reused.length ? ` (${r.cells.reused.join(", ")})` : ""
      }.`
    : "";
  const kind = r.budget === "ci" ? "CI-budget" : r.quick ? "Quick" : "Full";
  return `${kind} run over ${seeds}; ${
    r.seconds.toFixed(0)
  } s computed in this invocation (work cached by an earlier one is reused, not recounted)${
    r.quick ? ". Quick runs are far shorter than the paper's, so absolute numbers differ" : ""
  }${
    r.paperData
      ? ""
      : ". The data is not the paper's, so its numbers are shown beside, not subtracted"
  }.${cells}`;
}

/** The plots of one view of a result (none when the result lacks the view's data). */
function viewPlots(view: ExperimentView, result: ReportableResult, title: string): ReportPlot[] {
  switch (view) {
    case "trainingCurves": {
      if (!Array.isArray(result.curves) || result.curves.length === 0) return [];
      const band = result.seeds.length > 1 ? "mean ± std over seeds" : "one seed";
      // Fig. 3a compares single-stage sets, 3b orders of stages ("C2->C3"); without orders,
      // both panels show every run.
      const orders = result.curves.filter((p) => p.run.includes("->"));
      const sets = result.curves.filter((p) => !p.run.includes("->"));
      const [a, b] = orders.length > 0 && sets.length > 0
        ? [sets, orders]
        : [result.curves, result.curves];
      return [{
        spec: trainingCurves(curveRuns(a, "loss"), {
          metric: "loss",
          title: "Fig. 3a: training loss",
        }),
        caption: `Training loss per set (${band}; steps averaged in windows).`,
      }, {
        spec: trainingCurves(curveRuns(b, "accuracy"), {
          metric: "accuracy",
          title: "Fig. 3b: training accuracy",
        }),
        caption: `Training accuracy per order of stages (${band}; steps averaged in windows).`,
      }];
    }
    case "comparisonBars": {
      if (result.rows.length === 0) return [];
      const hasPaper = result.rows.some((r) => r.paper !== undefined);
      return [{
        spec: comparisonBars(result.rows, { title: title.split(":")[0] }),
        caption: hasPaper
          ? "Bars: ours, mean ± std over seeds; diamonds: the paper's numbers."
          : "Bars: ours, mean ± std over seeds.",
      }];
    }
    case "confusionMatrix": {
      if (!Array.isArray(result.confusion) || result.confusion.length === 0) return [];
      const k = result.confusion.length;
      const labels = result.labels ?? Array.from({ length: k }, (_, i) => String(i + 1));
      return [{
        spec: confusionMatrix(result.confusion, labels, { title: "Counting: confusion matrix" }),
        caption: "Rows: true number of sources; columns: the counting model's estimate.",
      }];
    }
    case "gradeSizes": {
      if (!Array.isArray(result.gradeSizes) || result.gradeSizes.length === 0) return [];
      return [{
        spec: gradeSizesChart(result.gradeSizes),
        caption: "Grade sizes of the uncurated set: true, and as graded by the counting model " +
          "(bar: mean over seeds; dots: each seed).",
      }];
    }
  }
}

/**
 * The report section of one experiment result: the paper's claim in words, the plots of the
 * views its registry entry names (training curves with spread bands for Fig. 3, bars of ours
 * against the paper's numbers for every table, the confusion matrix and grade sizes for
 * counting), the results table and the checked claims.
 *
 * @param result a runner's result (with its `curves` or `confusion` where it has them).
 * @returns the section (its id is the experiment name; `data` holds the result itself).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { experimentSection } from "@avscene/avscene/report";
 * const section = experimentSection({
 *   experiment: "table1", quick: true, seeds: [0], seconds: 1,
 *   rows: [{ method: "C1", metric: "accuracy", mean: 0.5, std: 0, values: [0.5], paper: 0.7 }],
 *   claims: [],
 * });
 * assert.equal(section.title, "Table 1: sound classification with frozen features");
 * ```
 * @category plots
 */
export function experimentSection(result: ReportableResult): ReportSection {
  if (!result || typeof result.experiment !== "string" || !Array.isArray(result.rows)) {
    throw new TypeError("experimentSection: result must have experiment and rows");
  }
  const info = EXPERIMENTS.find((e) => e.name === result.experiment);
  const title = info?.title ?? `Experiment ${result.experiment}`;
  // An experiment outside the registry gets the bars of its table.
  const views: readonly ExperimentView[] = info?.views ?? ["comparisonBars"];
  const plots = views.flatMap((view) => viewPlots(view, result, title));
  return {
    title,
    id: result.experiment,
    text: [info?.about, summaryLine(result)].filter(Boolean).join("\n\n"),
    plots,
    tables: [{
      caption: `${title.split(":")[0]}: ours (mean ± std over seeds) beside the paper`,
      rows: result.rows,
      paperData: result.paperData === true,
    }],
    claims: result.claims,
    data: result,
  };
}
