/**
 * Fig. 3 of the paper: the effect of the curriculum on training. (a) The same network trained
 * separately on C1, C2, C3 and the uncurated set (same steps, same seeds): C1 should converge
 * fastest with the lowest loss, C3 worst, the uncurated set between. (b) The order C2 then C3
 * against C3 then C2: the right order should reach a higher training accuracy.
 *
 * @module
 */
import type { TrainStep } from "../train/train_curriculum.ts";
import { type RunContext, withContext } from "./_run_cache.ts";
import type { ExperimentOptions, RecipeStage } from "./experiment_options.ts";
import {
  type ClaimCheck,
  type ExperimentResult,
  meanStd,
  type ResultRow,
  resultRow,
} from "./experiment.ts";

/** One point of a training curve of Fig. 3. */
export interface Fig3Point {
  /** Run name (`C1`, `C2`, `C3`, `U`, `C2->C3`, `C3->C2`). */
  run: string;
  /** Seed of the run. */
  seed: number;
  /** Training step (1-based, over all stages of the run). */
  step: number;
  /** Contrastive loss of the step's batch. */
  loss: number;
  /** Training accuracy of the step's batch (share of positives closer than negatives). */
  accuracy: number;
}

/** What {@linkcode runFig3} returns: the rows and claims, and every run's curves. */
export interface Fig3Result extends ExperimentResult {
  /** Loss and accuracy of every step of every (run, seed). */
  curves: Fig3Point[];
}

/** The runs of Fig. 3a (one stage each) and 3b (two stages). */
const RUNS: { run: string; chain: RecipeStage[] }[] = [
  { run: "C1", chain: [{ level: 1 }] },
  { run: "C2", chain: [{ level: 2 }] },
  { run: "C3", chain: [{ level: 3 }] },
  { run: "U", chain: [{ level: "uncurated" }] },
  { run: "C2->C3", chain: [{ level: 2 }, { level: 3 }] },
  { run: "C3->C2", chain: [{ level: 3 }, { level: 2 }] },
];

/** Share of the last steps the "final" loss and accuracy are averaged over. */
export const FIG3_FINAL_WINDOW = 0.2;

interface Fig3Cell {
  finalLoss: number;
  finalAccuracy: number;
  curve: { step: number; loss: number; accuracy: number }[];
}

function finalWindow(history: TrainStep[]): { loss: number; accuracy: number } {
  const n = Math.max(1, Math.round(history.length * FIG3_FINAL_WINDOW));
  const tail = history.slice(-n);
  return {
    loss: tail.reduce((a, h) => a + h.loss, 0) / n,
    accuracy: tail.reduce((a, h) => a + h.accuracy, 0) / n,
  };
}

async function fig3Cell(ctx: RunContext, chain: RecipeStage[], seed: number): Promise<Fig3Cell> {
  const { model, history } = await ctx.trainedModel(chain, seed);
  model.params.dispose();
  const { loss, accuracy } = finalWindow(history);
  return {
    finalLoss: loss,
    finalAccuracy: accuracy,
    curve: history.map((h) => ({ step: h.globalStep, loss: h.loss, accuracy: h.accuracy })),
  };
}

const fmt = (x: number) => x.toFixed(3);

/**
 * Run Fig. 3: train C1, C2, C3 and the uncurated set separately (Fig. 3a) and the orders
 * C2 -> C3 and C3 -> C2 (Fig. 3b) on each seed, and record every step's loss and accuracy.
 * Rows: per run, the mean loss and training accuracy over the last 20% of its steps
 * ({@linkcode FIG3_FINAL_WINDOW}), with their spread over seeds (the paper gives curves, no
 * numbers). Claims are checked on those final-window means. Models are cached and shared with
 * the other runners under `outDir/models/` (see `RunOptions.outDir`).
 *
 * @param opts quick or full, seeds, cache directory, progress, world, preset, scale.
 * @returns rows, claims and curves.
 *
 * @example
 * ```ts ignore
 * import { runFig3 } from "./run_fig3.ts";
 * const fig3 = await runFig3({ quick: true, outDir: "runs" });
 * console.log(fig3.claims);
 * ```
 */
export function runFig3(opts: ExperimentOptions = {}): Promise<Fig3Result> {
  return withContext("fig3", opts, async (ctx) => {
    const { seeds, steps } = ctx.scale;
    const perRun = (run: string) => `${RUNS.find((r) => r.run === run)!.chain.length * steps}`;
    ctx.plan(RUNS.length, RUNS.map((r) => r.chain));
    const cells = new Map<string, Fig3Cell[]>();
    for (const { run, chain } of RUNS) {
      const perSeed: Fig3Cell[] = [];
      for (const seed of seeds) {
        perSeed.push(await ctx.cell(run, seed, { chain }, () => fig3Cell(ctx, chain, seed)));
      }
      cells.set(run, perSeed);
    }
    const rows: ResultRow[] = [];
    for (const { run } of RUNS) {
      const c = cells.get(run)!;
      rows.push(resultRow(run, "final loss", c.map((x) => x.finalLoss)));
      rows.push(resultRow(run, "final accuracy", c.map((x) => x.finalAccuracy)));
    }
    const mean = (run: string, key: "finalLoss" | "finalAccuracy") =>
      meanStd(cells.get(run)!.map((x) => x[key])).mean;
    // The window mean over seeds with the standard error of its steps' batch values (pooled
    // over seeds), so an ordering can be told from batch noise.
    const windowed = (run: string, key: "loss" | "accuracy") => {
      const tails = cells.get(run)!.flatMap((c) =>
        c.curve.slice(-Math.max(1, Math.round(c.curve.length * FIG3_FINAL_WINDOW)))
      );
      const { std } = meanStd(tails.map((p) => p[key]));
      const m = mean(run, key === "loss" ? "finalLoss" : "finalAccuracy");
      const se = std / Math.sqrt(tails.length);
      return { m, se, text: `${run} ${fmt(m)} ± ${fmt(se)} (${perRun(run)} steps)` };
    };
    // a is clearly above b: the gap exceeds twice the combined standard error
    const above = (a: { m: number; se: number }, b: { m: number; se: number }) =>
      a.m - b.m > 2 * Math.hypot(a.se, b.se);
    const [l1, l3, lu, l2] = ["C1", "C3", "U", "C2"].map((r) => windowed(r, "loss"));
    const [a23, a32] = ["C2->C3", "C3->C2"].map((r) => windowed(r, "accuracy"));
    const window = `last ${FIG3_FINAL_WINDOW * 100}% of the steps, mean over ${seeds.length} ` +
      `seed(s) ± standard error of the window's steps; an ordering counts only where the gap ` +
      `exceeds twice the combined standard error`;
    const claims: ClaimCheck[] = [
      {
        claim:
          "Fig. 3a: training on C1 reaches the lowest loss, C3 the highest, the uncurated set between",
        holds: above(lu, l1) && above(l3, lu),
        detail: `final-window loss (${window}): ` +
          [l1, lu, l3, l2].map((w) => w.text).join(", "),
      },
      {
        claim: "Fig. 3b: the order C2 then C3 reaches a higher training accuracy than C3 then C2",
        holds: above(a23, a32),
        detail: `final-window training accuracy (${window}): ` +
          [a23, a32].map((w) => w.text).join(", "),
      },
    ];
    const curves: Fig3Point[] = [];
    for (const { run } of RUNS) {
      cells.get(run)!.forEach((c, i) => {
        for (const p of c.curve) curves.push({ run, seed: seeds[i], ...p });
      });
    }
    return {
      experiment: "fig3",
      quick: ctx.quick,
      seeds: [...seeds],
      rows,
      claims,
      seconds: ctx.seconds,
      curves,
    };
  });
}
