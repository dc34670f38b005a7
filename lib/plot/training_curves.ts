/**
 * Training curves of several runs with spread bands (the paper's Fig. 3a loss, Fig. 3b accuracy).
 *
 * @module
 */
import { type TrainingRun, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.ts";

/**
 * Options of {@linkcode trainingCurves}.
 *
 * @category plots
 */
export interface TrainingCurvesOptions {
  /** What the curves measure: sets the y-axis title and, for accuracy, the [0, 1] domain. */
  metric: "loss" | "accuracy";
  /** Plot title. */
  title: string;
  /** X-axis title (default `"step"`). */
  xTitle?: string;
  /** Plot width in pixels (default 420). */
  width?: number;
  /** Plot height in pixels (default 260). */
  height?: number;
}

/**
 * A line per run (mean over seeds) with a band of mean ± std where `std` is given.
 *
 * @param runs the runs; each run's `steps`, `mean` and `std` must have the same length.
 * @param opts metric, title and size.
 * @returns a layered vega-lite spec (band area + line + points).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileVegaLite, trainingCurves } from "@avscene/avscene/plot";
 * const spec = trainingCurves(
 *   [{ name: "C1", steps: [0, 1, 2], mean: [1, 0.6, 0.4], std: [0.1, 0.05, 0.05] }],
 *   { metric: "loss", title: "Fig. 3a" },
 * );
 * assert.deepEqual(compileVegaLite(spec).warnings, []);
 * ```
 * @category plots
 */
export function trainingCurves(runs: TrainingRun[], opts: TrainingCurvesOptions): VegaLiteSpec {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RangeError("trainingCurves: runs must be a non-empty array");
  }
  if (opts?.metric !== "loss" && opts?.metric !== "accuracy") {
    throw new RangeError(`trainingCurves: opts.metric must be "loss" or "accuracy"`);
  }
  const values: Record<string, number | string>[] = [];
  let anyStd = false;
  runs.forEach((run, r) => {
    const n = run?.steps?.length;
    if (typeof run?.name !== "string" || !n || run.mean?.length !== n) {
      throw new RangeError(
        `trainingCurves: runs[${r}] needs a name and non-empty steps and mean of equal length`,
      );
    }
    if (run.std !== undefined && run.std.length !== n) {
      throw new RangeError(
        `trainingCurves: runs[${r}].std has ${run.std.length} values, ${n} steps`,
      );
    }
    for (let i = 0; i < n; i++) {
      const s = run.std?.[i] ?? 0;
      if (run.std) anyStd = true;
      values.push({
        run: run.name,
        step: run.steps[i],
        mean: run.mean[i],
        lo: run.mean[i] - s,
        hi: run.mean[i] + s,
      });
    }
  });
  const yTitle = opts.metric === "loss" ? "training loss" : "training accuracy";
  const yScale = opts.metric === "accuracy" ? { domain: [0, 1] } : lossScale(values);
  const x = { field: "step", type: "quantitative", title: opts.xTitle ?? "step" };
  const color = {
    field: "run",
    type: "nominal",
    title: "run",
    sort: runs.map((r) => r.name),
  };
  const layer: VegaLiteSpec[] = [];
  if (anyStd) {
    layer.push({
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        x,
        y: { field: "lo", type: "quantitative", title: yTitle, scale: yScale },
        y2: { field: "hi" },
        color: { ...color, legend: null },
      },
    });
  }
  layer.push({
    mark: { type: "line", point: values.length <= 200 },
    encoding: {
      x,
      y: { field: "mean", type: "quantitative", title: yTitle, scale: yScale },
      color: { ...color, legend: { symbolType: "stroke", symbolStrokeWidth: 2 } },
      tooltip: [
        { field: "run", type: "nominal" },
        { field: "step", type: "quantitative" },
        { field: "mean", type: "quantitative", format: ".4f" },
      ],
    },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: opts.title,
    width: opts.width ?? 420,
    height: opts.height ?? 260,
    data: { values },
    layer,
    // The bands carry no legend of their own; the lines' legend names the runs.
    ...(anyStd ? { resolve: { legend: { color: "independent" } } } : {}),
  };
}

/**
 * The loss axis: from the lowest value to the 98th percentile of the upper values, clamped, so
 * the first steps' large losses do not flatten the differences between runs that matter.
 */
function lossScale(values: Record<string, number | string>[]): Record<string, unknown> {
  const lo = Math.min(...values.map((v) => v.lo as number));
  const his = values.map((v) => v.hi as number).sort((a, b) => a - b);
  const top = his[Math.min(his.length - 1, Math.floor(0.98 * his.length))];
  if (!(top > lo)) return { zero: false };
  return { domain: [lo, top + 0.02 * (top - lo)], clamp: true, nice: false };
}
