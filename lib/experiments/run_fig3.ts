/**
 * Fig. 3 of the paper: the effect of the curriculum on training. (a) The same network trained
 * separately on C1, C2, C3 and the uncurated set (same steps, same seeds): C1 should converge
 * fastest with the lowest loss, C3 worst, the uncurated set between. (b) The order C2 then C3
 * against C3 then C2: the right order should reach a higher training accuracy.
 *
 * The training loss itself cannot tell these apart: the contrastive loss grows with the number
 * of centers K even for an untrained network, and each set trains at its own K. The claims are
 * therefore judged on a K-independent measure: the matched-vs-mismatched accuracy of every
 * model on one common held-out evaluation set (test scenes of 1, 2 and 3 sources, each
 * clustered at its own number of sources, the same clips and K for every model), against an
 * untrained network on the same clips as the floor.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import { requireCapability } from "../data/dataset.ts";
import { createModel } from "../model/create_model.ts";
import type { AVModel } from "../model/create_model.ts";
import { pairAccuracy } from "../model/contrastive_loss.ts";
import { modelInputs } from "../model/model_inputs.ts";
import { pairDistances } from "../model/pair_distances.ts";
import type { TrainStep } from "../train/train_curriculum.ts";
import { type ClusteringRecipe, recipeClustering, resolveRecipe } from "../train/recipe.ts";
import { floorCheck, judgeAbove, judgeLinks, type Measured } from "../metrics/verdict.ts";
import { type RunContext, withContext } from "./_run_cache.ts";
import type { ExperimentOptions, ExperimentWorld, RecipeStage } from "./experiment_options.ts";
import {
  type ClaimCheck,
  claimCheck,
  type ExperimentResult,
  meanStd,
  type ResultRow,
  resultRow,
} from "./experiment.ts";

/**
 * One point of a training curve of Fig. 3.
 *
 * @category experiments
 */
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

/**
 * What {@linkcode runFig3} returns: the rows and claims, and every run's curves.
 *
 * @category experiments
 */
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

/**
 * Share of the last steps the "final" loss and accuracy are averaged over.
 *
 * @category experiments
 */
export const FIG3_FINAL_WINDOW = 0.2;

/**
 * The source counts of Fig. 3's common held-out evaluation set.
 *
 * @category experiments
 */
export const FIG3_HELD_OUT_COUNTS: readonly number[] = [1, 2, 3];

interface Fig3Cell {
  finalLoss: number;
  finalAccuracy: number;
  heldOutAccuracy: number;
  curve: { step: number; loss: number; accuracy: number }[];
}

/**
 * Fig. 3's common held-out evaluation set: `perCount` held-out clips of each count in
 * {@linkcode FIG3_HELD_OUT_COUNTS} (the dataset's `heldOutClips`; a count the dataset has
 * fewer than two clips of is left out).
 *
 * @param world the data.
 * @param perCount clips per count.
 * @returns the clips, count by count.
 * @throws Error with a sentence when the dataset has no held-out clips at all.
 * @category experiments
 */
export async function fig3HeldOutSet(world: ExperimentWorld, perCount: number): Promise<AVClip[]> {
  const held = requireCapability(world, "heldOutClips", "fig3");
  const out: AVClip[] = [];
  for (const c of FIG3_HELD_OUT_COUNTS) {
    const clips = await held.heldOutClips(c as 1 | 2 | 3, perCount);
    if (clips.length >= 2) out.push(...clips);
  }
  if (out.length === 0) {
    throw new Error(`fig3: ${world.name} has no held-out clips of 1..3 sources`);
  }
  return out;
}

/**
 * Matched-vs-mismatched accuracy on held-out clips, independent of the training K: the clips
 * are grouped by their number of sources n (1 when unknown), each group clustered with
 * K_audio = n and K_visual = n + the recipe's spare visual centers, at the recipe's (final)
 * beta and with its background rule (and its visual clustering's own settings, if any:
 * `recipeClustering`), as the models were trained; each clip's audio is matched
 * with its own frame (positive) and with the next clip's frame of its group (negative). Every
 * model scored on the same clips meets the same K.
 *
 * @param model the network.
 * @param clips held-out clips; every group of one count needs at least 2 clips.
 * @param batch clips per forward pass (default 32; a group's last chunk keeps at least 2).
 * @param recipe the clustering the model was trained with (default: the trainer's default
 * recipe, which `reproduce` trains every model with).
 * @returns the share of positives closer than their negatives, in [0, 1].
 * @category experiments
 */
export async function heldOutPairAccuracy(
  model: AVModel,
  clips: readonly AVClip[],
  batch = 32,
  recipe: ClusteringRecipe = resolveRecipe(),
): Promise<number> {
  const { extraVisualCenters, ...how } = recipeClustering(recipe);
  const groups = new Map<number, AVClip[]>();
  for (const c of clips) groups.set(c.count ?? 1, [...groups.get(c.count ?? 1) ?? [], c]);
  const pos: number[] = [], neg: number[] = [];
  for (const [k, group] of groups) {
    if (group.length < 2) {
      throw new Error(`heldOutPairAccuracy: ${group.length} clip(s) of count ${k}, need >= 2`);
    }
    for (let i = 0; i < group.length; i += batch) {
      // a last chunk of one clip would have no negative: fold it into the previous chunk
      const end = group.length - (i + batch) === 1 ? group.length : i + batch;
      const part = group.slice(i, end);
      const x = modelInputs(model, part);
      const d = pairDistances(model, x.images, x.logMel, {
        ...how,
        kAudio: k,
        kVisual: k + extraVisualCenters,
      });
      pos.push(...await d.positive2.data());
      neg.push(...await d.negative2.data());
      tf.dispose([x.images, x.logMel, d.positive2, d.negative2]);
      if (end === group.length) break;
    }
  }
  return pairAccuracy(pos, neg);
}

function finalWindow(history: TrainStep[]): { loss: number; accuracy: number } {
  const n = Math.max(1, Math.round(history.length * FIG3_FINAL_WINDOW));
  const tail = history.slice(-n);
  return {
    loss: tail.reduce((a, h) => a + h.loss, 0) / n,
    accuracy: tail.reduce((a, h) => a + h.accuracy, 0) / n,
  };
}

async function fig3Cell(
  ctx: RunContext,
  chain: RecipeStage[],
  seed: number,
  heldOut: () => Promise<AVClip[]>,
): Promise<Fig3Cell> {
  if (chain.length === 0) {
    const model = createModel({ preset: ctx.preset, seed });
    try {
      const acc = await heldOutPairAccuracy(model, await heldOut());
      return { finalLoss: NaN, finalAccuracy: NaN, heldOutAccuracy: acc, curve: [] };
    } finally {
      model.params.dispose();
    }
  }
  const { model, history } = await ctx.trainedModel(chain, seed);
  try {
    const { loss, accuracy } = finalWindow(history);
    return {
      finalLoss: loss,
      finalAccuracy: accuracy,
      heldOutAccuracy: await heldOutPairAccuracy(model, await heldOut()),
      curve: history.map((h) => ({ step: h.globalStep, loss: h.loss, accuracy: h.accuracy })),
    };
  } finally {
    model.params.dispose();
  }
}

const fmt = (x: number) => x.toFixed(3);

/**
 * The reference row of Fig. 3: an untrained network (the floor of the held-out accuracy).
 *
 * @category experiments
 */
export const FIG3_UNTRAINED = "untrained";

/**
 * Fig. 3's claims, judged by the verdict rule on the per-seed held-out accuracies (same seeds,
 * same order for every run): 3a holds when C1 > U > C3, 3b when C2->C3 > C3->C2, each link by
 * its paired 95% interval; a claim is not judged when a run it ranks above another is not
 * clearly above the untrained network.
 *
 * @param heldOut per-seed held-out accuracy of each run (`C1`, `C3`, `U`, `C2->C3`, `C3->C2`)
 * and of {@linkcode FIG3_UNTRAINED}.
 * @returns the two claims.
 * @category experiments
 */
export function fig3Claims(heldOut: ReadonlyMap<string, readonly number[]>): ClaimCheck[] {
  const m = (name: string): Measured => {
    const values = heldOut.get(name);
    if (!values) throw new Error(`fig3Claims: no held-out accuracy for "${name}"`);
    return { name, values };
  };
  const floor = [m(FIG3_UNTRAINED)];
  const text = (names: string[]) =>
    names.map((n) => {
      const { mean, std } = meanStd(heldOut.get(n)!);
      return `${n} ${fmt(mean)} ± ${heldOut.get(n)!.length > 1 ? fmt(std) : "—"}`;
    }).join(", ");
  const judge = (ranked: string[], links: [string, string][]) =>
    floorCheck(ranked.map(m), floor) ??
      judgeLinks(links.map(([a, b]) => judgeAbove(m(a), m(b))));
  const n = heldOut.get(FIG3_UNTRAINED)!.length;
  const measured = `held-out matched-vs-mismatched accuracy on one common set (mean ± seed std ` +
    `over ${n} seed(s)): `;
  return [
    claimCheck(
      "Fig. 3a: training on C1 learns best, C3 worst, the uncurated set between " +
        "(held-out accuracy C1 > U > C3)",
      judge(["C1", "U"], [["C1", "U"], ["U", "C3"]]),
      measured + text(["C1", "U", "C2", "C3", FIG3_UNTRAINED]),
    ),
    claimCheck(
      "Fig. 3b: the order C2 then C3 learns better than C3 then C2 (held-out accuracy)",
      judge(["C2->C3"], [["C2->C3", "C3->C2"]]),
      measured + text(["C2->C3", "C3->C2", FIG3_UNTRAINED]),
    ),
  ];
}

/**
 * Run Fig. 3: train C1, C2, C3 and the uncurated set separately (Fig. 3a) and the orders
 * C2 -> C3 and C3 -> C2 (Fig. 3b) on each seed, and record every step's loss and accuracy.
 * Rows: per run, the held-out matched-vs-mismatched accuracy on the common evaluation set
 * ({@linkcode heldOutPairAccuracy}; an untrained network as the floor), and the mean loss and
 * training accuracy over the last 20% of its steps ({@linkcode FIG3_FINAL_WINDOW}; these
 * depend on the run's K and data), with their spread over seeds (the paper gives curves, no
 * numbers). Claims are judged on the held-out accuracy ({@linkcode fig3Claims}). Models are cached and shared with
 * the other runners under `outDir/models/` (see `RunOptions.outDir`).
 *
 * @param opts quick or full, seeds, cache directory, progress, world, preset, scale.
 * @returns rows, claims and curves.
 *
 * @example
 * ```ts ignore
 * // minutes of training: shown, not run by `deno test --doc`
 * import assert from "node:assert/strict";
 * import { runFig3 } from "@avscene/avscene/experiments";
 * const fig3 = await runFig3({ quick: true, outDir: "runs" });
 * assert.ok(fig3.claims.length > 0 && fig3.curves.length > 0);
 * ```
 * @category experiments
 */
export function runFig3(opts: ExperimentOptions = {}): Promise<Fig3Result> {
  return withContext("fig3", opts, async (ctx) => {
    const { seeds } = ctx.scale;
    ctx.plan(RUNS.length + 1, RUNS.map((r) => r.chain));
    let set: Promise<AVClip[]> | undefined;
    const heldOut = () => set ??= fig3HeldOutSet(ctx.world, ctx.scale.heldOutPerCount);
    const all = [...RUNS, { run: FIG3_UNTRAINED, chain: [] as RecipeStage[] }];
    const cells = new Map<string, Fig3Cell[]>();
    for (const { run, chain } of all) {
      const perSeed: Fig3Cell[] = [];
      for (const seed of seeds) {
        perSeed.push(
          await ctx.cell(
            run,
            seed,
            // `clustering`: held-out pairs are clustered as the recipe trains (beta, background
            // rule, spare centers) since this release; older cells (K + 1, beta 30) are not reused
            {
              chain,
              heldOut: ctx.scale.heldOutPerCount,
              counts: FIG3_HELD_OUT_COUNTS,
              clustering: "recipe",
            },
            () => fig3Cell(ctx, chain, seed, heldOut),
          ),
        );
      }
      cells.set(run, perSeed);
    }
    ctx.complete();
    const rows: ResultRow[] = [];
    for (const { run } of all) {
      const c = cells.get(run)!;
      rows.push(resultRow(run, "held-out accuracy", c.map((x) => x.heldOutAccuracy)));
      if (run === FIG3_UNTRAINED) continue;
      rows.push(resultRow(run, "final training loss", c.map((x) => x.finalLoss)));
      rows.push(resultRow(run, "final training accuracy", c.map((x) => x.finalAccuracy)));
    }
    const claims = fig3Claims(
      new Map([...cells].map(([run, c]) => [run, c.map((x) => x.heldOutAccuracy)])),
    );
    const curves: Fig3Point[] = [];
    for (const { run } of RUNS) {
      cells.get(run)!.forEach((c, i) => {
        for (const p of c.curve) curves.push({ run, seed: seeds[i], ...p });
      });
    }
    return {
      ...ctx.result(seeds, rows, claims),
      curves,
    };
  });
}
