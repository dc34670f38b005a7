/**
 * Turn experiment runners' results into report sections: the paper's claim in words, the
 * plots (training curves, comparison bars, confusion matrix), the table beside the paper's
 * numbers and the checked claims.
 *
 * @module
 */
import type { ExperimentResult } from "../eval/experiment.ts";
import { comparisonBars } from "../plot/comparison_bars.ts";
import { confusionMatrix } from "../plot/confusion_matrix.ts";
import { type CurvePoint, curveRuns } from "../plot/curve_runs.ts";
import { type GradeSizeRow, gradeSizesChart } from "../plot/grade_sizes.ts";
import { trainingCurves } from "../plot/training_curves.ts";
import type { ReportPlot, ReportSection } from "./report_section.ts";

/** An experiment result with the extras some runners add (Fig. 3's curves, counting's matrix). */
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

/** Title and the paper's claim in words, per experiment name. */
export interface ExperimentInfo {
  /** Section heading. */
  title: string;
  /** What the paper claims and how we test it (one paragraph). */
  about: string;
}

/** What each experiment of the paper is, keyed by the runners' `experiment` names. */
export const EXPERIMENT_INFO: Readonly<Record<string, ExperimentInfo>> = {
  fig3: {
    title: "Fig. 3: curriculum training curves",
    about: "The paper trains the same network on sets graded by the number of sound sources. " +
      "It claims that training on C1 (one source) converges fastest with the lowest loss, C3 " +
      "the slowest, the uncurated set in between (Fig. 3a), and that the order C2 then C3 " +
      "reaches a higher training accuracy than C3 then C2 (Fig. 3b). We train each set from " +
      "the same initialisation over several seeds. The training loss grows with the number " +
      "of centers K even for an untrained network, so the claims are judged on a measure " +
      "that does not depend on K: the matched-vs-mismatched accuracy of every model on one " +
      "common held-out set (each clip clustered at its own number of sources), with an " +
      "untrained network as the floor.",
  },
  table1: {
    title: "Table 1: sound classification with frozen features",
    about: "The paper evaluates the trained audio network by a linear classifier on its pooled " +
      "features (ESC-50 protocol, 5-fold cross-validation). It claims C2(C1) with source-level " +
      "alignment > C1(C2) source-level > C1 > C2(C1) with scene-level alignment. We run the " +
      "same protocol on the synthetic world's labelled single-source set.",
  },
  table2: {
    title: "Table 2: sound localization",
    about: "Localization maps are the assignment maps of the visual centers aligned to the " +
      "audio centers, scored by cIoU@0.5 and AUC against several annotators' boxes. The paper " +
      "claims ours-C1 > ours-C2 > DMC, Attention > an unaligned center ~ random. We score every " +
      "method on the synthetic world's localization test set.",
  },
  table3: {
    title: "Table 3: visually guided sound separation",
    about: "Mix-and-separate on solo and duet clips, scored by SDR/SIR/SAR (BSS-eval v3). The " +
      "paper claims separation comparable to Sound-of-Pixels, and that adding duets to " +
      "training helps ours (dSDR > 0) but not Sound-of-Pixels.",
  },
  counting: {
    title: "Counting sound sources",
    about: "The counting model estimates the number of sources of a clip (Poisson regression " +
      "on pooled audiovisual features); its estimates grade the uncurated data into C1..C4. " +
      "We report its accuracy and confusion matrix on held-out clips and the sizes of the " +
      "grades it forms.",
  },
};

function summaryLine(r: ExperimentResult): string {
  const seeds = `${r.seeds.length} seed${r.seeds.length === 1 ? "" : "s"} (${r.seeds.join(", ")})`;
  const cells = r.cells
    ? ` Cells computed in this invocation: ${r.cells.computed.length}; reused from the cache ` +
      `(same code, backend, data and scale): ${r.cells.reused.length}${
        r.cells.reused.length ? ` (${r.cells.reused.join(", ")})` : ""
      }.`
    : "";
  return `${r.quick ? "Quick" : "Full"} run over ${seeds}; ${
    r.seconds.toFixed(0)
  } s computed in this invocation (work cached by an earlier one is reused, not recounted)${
    r.quick ? ". Quick runs are far shorter than the paper's, so absolute numbers differ" : ""
  }${
    r.paperData
      ? ""
      : ". The data is not the paper's, so its numbers are shown beside, not subtracted"
  }.${cells}`;
}

/**
 * The report section of one experiment result: the paper's claim in words, plots (training
 * curves with spread bands for Fig. 3, bars of ours against the paper's numbers for every
 * table, the confusion matrix and grade sizes for counting), the results table and the checked
 * claims.
 *
 * @param result a runner's result (with its `curves` or `confusion` where it has them).
 * @returns the section (its id is the experiment name; `data` holds the result itself).
 * @example
 * ```ts
 * import { experimentSection } from "./experiment_sections.ts";
 * const section = experimentSection({
 *   experiment: "table1", quick: true, seeds: [0], seconds: 1,
 *   rows: [{ method: "C1", metric: "accuracy", mean: 0.5, std: 0, values: [0.5], paper: 0.7 }],
 *   claims: [],
 * });
 * console.log(section.title); // Table 1: sound classification with frozen features
 * ```
 */
export function experimentSection(result: ReportableResult): ReportSection {
  if (!result || typeof result.experiment !== "string" || !Array.isArray(result.rows)) {
    throw new TypeError("experimentSection: result must have experiment and rows");
  }
  const info = EXPERIMENT_INFO[result.experiment];
  const title = info?.title ?? `Experiment ${result.experiment}`;
  const plots: ReportPlot[] = [];
  if (Array.isArray(result.curves) && result.curves.length > 0) {
    const band = result.seeds.length > 1 ? "mean ± std over seeds" : "one seed";
    // Fig. 3a compares single-stage sets, 3b orders of stages ("C2->C3"); without orders,
    // both panels show every run.
    const orders = result.curves.filter((p) => p.run.includes("->"));
    const sets = result.curves.filter((p) => !p.run.includes("->"));
    const [a, b] = orders.length > 0 && sets.length > 0
      ? [sets, orders]
      : [result.curves, result.curves];
    plots.push({
      spec: trainingCurves(curveRuns(a, "loss"), {
        metric: "loss",
        title: "Fig. 3a: training loss",
      }),
      caption: `Training loss per set (${band}; steps averaged in windows).`,
    });
    plots.push({
      spec: trainingCurves(curveRuns(b, "accuracy"), {
        metric: "accuracy",
        title: "Fig. 3b: training accuracy",
      }),
      caption: `Training accuracy per order of stages (${band}; steps averaged in windows).`,
    });
  }
  if (result.rows.length > 0) {
    const hasPaper = result.rows.some((r) => r.paper !== undefined);
    plots.push({
      spec: comparisonBars(result.rows, { title: title.split(":")[0] }),
      caption: hasPaper
        ? "Bars: ours, mean ± std over seeds; diamonds: the paper's numbers."
        : "Bars: ours, mean ± std over seeds.",
    });
  }
  if (Array.isArray(result.confusion) && result.confusion.length > 0) {
    const k = result.confusion.length;
    const labels = result.labels ?? Array.from({ length: k }, (_, i) => String(i + 1));
    plots.push({
      spec: confusionMatrix(result.confusion, labels, { title: "Counting: confusion matrix" }),
      caption: "Rows: true number of sources; columns: the counting model's estimate.",
    });
  }
  if (Array.isArray(result.gradeSizes) && result.gradeSizes.length > 0) {
    plots.push({
      spec: gradeSizesChart(result.gradeSizes),
      caption: "Grade sizes of the uncurated set: true, and as graded by the counting model " +
        "(bar: mean over seeds; dots: each seed).",
    });
  }
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
