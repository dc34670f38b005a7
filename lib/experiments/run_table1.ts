/**
 * Table 1 of the paper: acoustic scene classification with the trained audio net as a frozen
 * feature extractor (ESC-50 protocol: pooled features, linear classifier, 5-fold
 * cross-validation), for audio nets trained with different curricula and alignment levels.
 *
 * @module
 */
import { type LabelledSource, requireCapability } from "../data/dataset.ts";
import { createModel } from "../model/create_model.ts";
import { pooledFeaturesOf } from "../model/pooled_features.ts";
import { type RunContext, withContext } from "./_run_cache.ts";
import { classifyFrozenFeatures } from "../metrics/classify_frozen_features.ts";
import { pooledMfccFeatures } from "../baselines/mfcc_features.ts";
import type { ExperimentOptions, RecipeStage } from "./experiment_options.ts";
import {
  type ClaimCheck,
  claimCheck,
  type ExperimentResult,
  meanStd,
  type ResultRow,
  resultRow,
} from "./experiment.ts";
import { floorCheck, judgeAbove, judgeLinks, type Measured } from "../metrics/verdict.ts";

/**
 * The training strategies of Table 1 with the paper's accuracies (%). `C2(C1) + scene-level`
 * is the C1 model (source-level) trained on C2 with scene-level alignment (K = 1 on pooled
 * features): the paper reads it as scene-level matching of complex scenes degrading a
 * pre-trained net (47.25 vs 51.25). `random init` (an untrained audio net) is our floor;
 * `MFCC (no network)` (pooled MFCCs, `pooledMfccFeatures`, the same classifier) is the
 * hand-made baseline that learned features should beat.
 * @category experiments
 */
export const TABLE1_STRATEGIES: readonly {
  method: string;
  chain: RecipeStage[];
  paper?: number;
  /** Features without a network: pooled MFCCs. */
  mfcc?: boolean;
}[] = [
  { method: "C1", chain: [{ level: 1 }], paper: 51.25 },
  {
    method: "C2(C1) + scene-level",
    chain: [{ level: 1 }, { level: 2, alignment: "scene" }],
    paper: 47.25,
  },
  { method: "C2(C1) + source-level", chain: [{ level: 1 }, { level: 2 }], paper: 56.75 },
  { method: "C1(C2) + source-level", chain: [{ level: 2 }, { level: 1 }], paper: 53.0 },
  { method: "random init", chain: [] },
  { method: "MFCC (no network)", chain: [], mfcc: true },
];

interface Table1Cell {
  accuracy: number;
  foldAccuracies: number[];
  classes: number;
}

async function table1Cell(
  ctx: RunContext,
  chain: RecipeStage[],
  seed: number,
  set: LabelledSource,
  mfcc = false,
): Promise<Table1Cell> {
  if (mfcc) return classifyCell(set, await mfccFeaturesOf(set));
  const model = chain.length === 0
    ? createModel({ preset: ctx.preset, seed })
    : (await ctx.trainedModel(chain, seed)).model;
  try {
    return classifyCell(set, await pooledFeaturesOf(model, set));
  } finally {
    model.params.dispose();
  }
}

/** Pooled MFCCs of every clip of `set`, decoded one clip at a time. */
async function mfccFeaturesOf(set: LabelledSource): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < set.size; i++) out.push(pooledMfccFeatures([await set.clip(i)])[0]);
  return out;
}

/** Cross-validated accuracy of the linear classifier on `features` of `set`'s clips. */
function classifyCell(set: LabelledSource, features: Float32Array[]): Table1Cell {
  const labels = Array.from({ length: set.size }, (_, i) => set.entry(i));
  const r = classifyFrozenFeatures(
    features,
    labels.map((l) => l.target),
    labels.map((l) => l.fold),
    { classes: Math.max(2, set.classes) },
  );
  const classes = new Set(labels.map((l) => l.target)).size;
  return { accuracy: 100 * r.meanAccuracy, foldAccuracies: r.foldAccuracies, classes };
}

const fmt = (x: number) => x.toFixed(2);

/**
 * The paper's order of Table 1, best first.
 *
 * @category experiments
 */
export const TABLE1_ORDER: readonly string[] = [
  "C2(C1) + source-level",
  "C1(C2) + source-level",
  "C1",
  "C2(C1) + scene-level",
];

/**
 * Table 1's claim, judged by the verdict rule: each strategy of {@linkcode TABLE1_ORDER}
 * above the next by its paired 95% interval over seeds; not judged unless every strategy
 * ranked above another is clearly above chance.
 *
 * @param accuracy per-seed accuracy (%) of each strategy (and optionally `random init`).
 * @param chance chance accuracy (%), 100 / number of classes.
 * @returns the claim.
 * @category experiments
 */
export function table1Claims(
  accuracy: ReadonlyMap<string, readonly number[]>,
  chance: number,
): ClaimCheck[] {
  const m = (name: string): Measured => {
    const values = accuracy.get(name);
    if (!values) throw new Error(`table1Claims: no accuracy for "${name}"`);
    return { name, values };
  };
  const links = TABLE1_ORDER.slice(1).map((b, i) => judgeAbove(m(TABLE1_ORDER[i]), m(b), 2));
  const verdict = floorCheck(
    TABLE1_ORDER.slice(0, -1).map(m),
    [{ name: `chance (${fmt(chance)}%)`, values: chance }],
    2,
  ) ?? judgeLinks(links);
  const mean = (n: string) => fmt(meanStd(accuracy.get(n)!).mean);
  const random = accuracy.has("random init") ? ` (random init ${mean("random init")}%)` : "";
  return [claimCheck(
    "Table 1: C2(C1) + source-level > C1(C2) + source-level > C1 > C2(C1) + scene-level",
    verdict,
    TABLE1_ORDER.map((n) => `${n} ${mean(n)}%`).join(", ") + random +
      `; chance ${fmt(chance)}%; means over ${accuracy.get(TABLE1_ORDER[0])!.length} seed(s)`,
  )];
}

/**
 * Run Table 1: for each strategy of {@linkcode TABLE1_STRATEGIES} and seed, train (or load
 * from the shared model cache) the network, extract {@linkcode pooledAudioFeatures} (averaged
 * over windows covering each whole clip) of the dataset's labelled clips and report the
 * cross-validated accuracy (%) over its folds of a linear classifier
 * (`classifyFrozenFeatures`). The claim ({@linkcode table1Claims}) judges the paper's order
 * C2(C1) + source-level > C1(C2) + source-level > C1 > C2(C1) + scene-level.
 *
 * @param opts quick or full, seeds, cache directory, progress, world, preset, scale.
 * @returns rows (accuracy %, the paper's beside) and the claim.
 *
 * @example
 * ```ts ignore
 * // minutes of training: shown, not run by `deno test --doc`
 * import assert from "node:assert/strict";
 * import { runTable1 } from "@avscene/avscene/experiments";
 * const t1 = await runTable1({ quick: true, outDir: "runs" });
 * assert.ok(t1.rows.every((r) => r.values.length === t1.seeds.length)); // one value per seed
 * ```
 * @category experiments
 */
export function runTable1(opts: ExperimentOptions = {}): Promise<ExperimentResult> {
  return withContext("table1", opts, async (ctx) => {
    const { seeds } = ctx.scale;
    ctx.plan(
      TABLE1_STRATEGIES.length,
      TABLE1_STRATEGIES.map((s) => s.chain).filter((c) => c.length),
    );
    const world = requireCapability(
      requireCapability(ctx.world, "classificationClips", "table1"),
      "trainingClips",
      "table1",
    );
    const set = world.classificationClips(ctx.scale.clipsPerClassPerFold);
    const cells = new Map<string, Table1Cell[]>();
    for (const { method, chain, mfcc } of TABLE1_STRATEGIES) {
      if (mfcc) {
        // pooled MFCCs and the classifier read no seed: one cell serves every seed
        const run = () => table1Cell(ctx, chain, seeds[0], set, mfcc);
        cells.set(method, await ctx.seedFreeCell(method, { chain, mfcc }, run));
        continue;
      }
      const perSeed: Table1Cell[] = [];
      for (const seed of seeds) {
        perSeed.push(
          await ctx.cell(
            method,
            seed,
            { chain, mfcc },
            () => table1Cell(ctx, chain, seed, set, mfcc),
          ),
        );
      }
      cells.set(method, perSeed);
    }
    ctx.complete();
    const rows: ResultRow[] = TABLE1_STRATEGIES.map(({ method, paper }) =>
      resultRow(method, "accuracy (%)", cells.get(method)!.map((c) => c.accuracy), paper)
    );
    const accuracy = new Map([...cells].map(([m, c]) => [m, c.map((x) => x.accuracy)]));
    const claims = table1Claims(accuracy, 100 / cells.get("C1")![0].classes);
    return ctx.result(seeds, rows, claims);
  });
}
