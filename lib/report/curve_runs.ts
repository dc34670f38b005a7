/**
 * Turn per-seed training histories (the Fig. 3 runner's `curves`) into mean ± std runs for
 * {@linkcode trainingCurves}.
 *
 * @module
 */
import type { TrainingRun } from "../plot/types.ts";

/**
 * One logged training step of one run and seed (the shape of the Fig. 3 runner's curves).
 *
 * @category plots
 */
export interface CurvePoint {
  /** Run name, e.g. `"C1"` or `"C2 then C3"`. */
  run: string;
  /** Seed of the repetition. */
  seed: number;
  /** Training step. */
  step: number;
  /** Contrastive loss at that step. */
  loss: number;
  /** Training accuracy at that step. */
  accuracy: number;
}

/**
 * Options of {@linkcode curveRuns}.
 *
 * @category plots
 */
export interface CurveRunsOptions {
  /**
   * Most points per run (default 60): consecutive steps are averaged in windows of equal length
   * first, which also smooths the per-batch noise.
   */
  maxPoints?: number;
}

/**
 * Mean and standard deviation over seeds of a metric, per run and (windowed) step.
 *
 * @param curves the logged points of every run and seed.
 * @param metric `"loss"` or `"accuracy"`.
 * @param opts the number of points per run.
 * @returns one {@linkcode TrainingRun} per run, in order of first appearance; `std` is 0 where
 * only one seed ran.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveRuns } from "@avscene/avscene/report";
 * const runs = curveRuns([
 *   { run: "C1", seed: 0, step: 1, loss: 2, accuracy: 0.5 },
 *   { run: "C1", seed: 1, step: 1, loss: 4, accuracy: 0.7 },
 * ], "loss");
 * assert.deepEqual([runs[0].mean[0], runs[0].std?.[0]], [3, 1.4142135623730951]);
 * ```
 * @category plots
 */
export function curveRuns(
  curves: readonly CurvePoint[],
  metric: "loss" | "accuracy",
  opts: CurveRunsOptions = {},
): TrainingRun[] {
  if (!Array.isArray(curves) || curves.length === 0) {
    throw new RangeError("curveRuns: curves must be a non-empty array");
  }
  if (metric !== "loss" && metric !== "accuracy") {
    throw new RangeError(`curveRuns: metric must be "loss" or "accuracy", got "${metric}"`);
  }
  const maxPoints = opts.maxPoints ?? 60;
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new RangeError(`curveRuns: opts.maxPoints must be a positive integer, got ${maxPoints}`);
  }
  // run -> seed -> step -> value
  const byRun = new Map<string, Map<number, Map<number, number>>>();
  curves.forEach((p, i) => {
    const v = p?.[metric];
    if (typeof p?.run !== "string" || !Number.isFinite(p.step) || typeof v !== "number") {
      throw new TypeError(`curveRuns: curves[${i}] must have run, seed, step and ${metric}`);
    }
    const seeds = byRun.get(p.run) ?? new Map<number, Map<number, number>>();
    byRun.set(p.run, seeds);
    const steps = seeds.get(p.seed) ?? new Map<number, number>();
    seeds.set(p.seed, steps);
    steps.set(p.step, v);
  });
  const runs: TrainingRun[] = [];
  for (const [name, seeds] of byRun) {
    const allSteps = [...new Set([...seeds.values()].flatMap((s) => [...s.keys()]))]
      .sort((a, b) => a - b);
    const window = Math.ceil(allSteps.length / maxPoints);
    const run: TrainingRun = { name, steps: [], mean: [], std: [] };
    for (let start = 0; start < allSteps.length; start += window) {
      const binSteps = allSteps.slice(start, start + window);
      // Each seed's average over the window, then mean ± std across seeds.
      const perSeed: number[] = [];
      for (const steps of seeds.values()) {
        const vs = binSteps.map((s) => steps.get(s)).filter((v): v is number => v !== undefined);
        if (vs.length > 0) perSeed.push(vs.reduce((a, b) => a + b, 0) / vs.length);
      }
      const mean = perSeed.reduce((a, b) => a + b, 0) / perSeed.length;
      const ss = perSeed.reduce((a, v) => a + (v - mean) ** 2, 0);
      run.steps.push(binSteps[binSteps.length - 1]);
      run.mean.push(mean);
      run.std!.push(perSeed.length > 1 ? Math.sqrt(ss / (perSeed.length - 1)) : 0);
    }
    runs.push(run);
  }
  return runs;
}
