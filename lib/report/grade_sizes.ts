/**
 * The curriculum grades a counting model forms from uncurated data, beside the true grades.
 *
 * @module
 */
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "../plot/types.ts";

/**
 * The size of one grade (C1..C4): clips truly in it and clips the counting model put in it.
 *
 * @category plots
 */
export interface GradeSizeRow {
  /** Level 1..4 (C1..C4). */
  level: number;
  /** Clips whose true number of sources is `level`. */
  truth: number;
  /** Clips the counting model graded into `level`, one number per seed. */
  predicted: number[];
}

/**
 * Options of {@linkcode gradeSizesChart}.
 *
 * @category plots
 */
export interface GradeSizesChartOptions {
  /** Plot title (default `"Curriculum grades of the uncurated set"`). */
  title?: string;
}

/**
 * Grouped bars per grade: the true size and the counting model's (mean over seeds), with a dot
 * for each seed's size.
 *
 * @param sizes one row per grade (the counting runner's `gradeSizes`).
 * @param opts title.
 * @returns a vega-lite spec.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileVegaLite } from "@avscene/avscene/plot";
 * import { gradeSizesChart } from "@avscene/avscene/report";
 * const spec = gradeSizesChart([{ level: 1, truth: 20, predicted: [18, 22] }]);
 * assert.deepEqual(compileVegaLite(spec).warnings, []);
 * ```
 * @category plots
 */
export function gradeSizesChart(
  sizes: readonly GradeSizeRow[],
  opts: GradeSizesChartOptions = {},
): VegaLiteSpec {
  if (!Array.isArray(sizes) || sizes.length === 0) {
    throw new RangeError("gradeSizesChart: sizes must be a non-empty array");
  }
  const values: Record<string, string | number>[] = [];
  sizes.forEach((s: GradeSizeRow, i: number) => {
    if (!Number.isFinite(s?.level) || !Number.isFinite(s?.truth) || !s.predicted?.length) {
      throw new TypeError(`gradeSizesChart: sizes[${i}] must have level, truth and predicted`);
    }
    const grade = `C${s.level}`;
    const mean = s.predicted.reduce((a: number, b: number) => a + b, 0) / s.predicted.length;
    values.push({ kind: "bar", grade, source: "true count", clips: s.truth });
    values.push({ kind: "bar", grade, source: "counting model", clips: mean });
    for (const v of s.predicted) {
      values.push({ kind: "seed", grade, source: "counting model", clips: v });
    }
  });
  const grades = sizes.map((s: GradeSizeRow) => `C${s.level}`);
  const sources = ["true count", "counting model"];
  const x = { field: "source", type: "nominal", title: null, sort: sources, axis: null };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: opts.title ?? "Curriculum grades of the uncurated set",
    data: { values },
    // One panel per grade (facets keep the per-seed dots centred on their bar).
    facet: {
      column: {
        field: "grade",
        type: "nominal",
        sort: grades,
        title: null,
        header: { labelOrient: "bottom" },
      },
    },
    spec: {
      width: 60,
      height: 220,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'bar'" }],
          mark: "bar",
          encoding: {
            x,
            y: { field: "clips", type: "quantitative", title: "clips" },
            color: { field: "source", type: "nominal", title: null, sort: sources },
            tooltip: [
              { field: "grade", type: "nominal" },
              { field: "source", type: "nominal" },
              { field: "clips", type: "quantitative", format: ".1f", title: "clips (mean)" },
            ],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'seed'" }],
          mark: { type: "point", color: "#222", filled: true, size: 30 },
          encoding: { x, y: { field: "clips", type: "quantitative" } },
        },
      ],
    },
  };
}
