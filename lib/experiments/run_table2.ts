/**
 * Table 2 of the paper: sound localization on a test set annotated by three annotators
 * (Senocak's protocol: consensus map, cIoU per image, cIoU@0.5 and AUC), for our model trained
 * on C1 and on C2(C1), the DMC and Attention baselines, our C1 model's unaligned visual center
 * (the paper's "unrelated" row), a random heatmap, and the paper's graded-data row (†‡: the
 * training data graded by the counting model, then the curriculum on its grades).
 *
 * @module
 */
import type { AVClip } from "../data/types.ts";
import { type AVDataset, requireCapability } from "../data/dataset.ts";
import { middleWindows } from "../data/clip_stream.ts";
import { gradeDataset } from "../data/graded_dataset.ts";
import { countingPredictor, fitCountingModel } from "../model/counting_model.ts";
import { trainCurriculum } from "../train/train_curriculum.ts";
import type { Recipe } from "../train/recipe.ts";
import { COUNTING_CHAIN } from "./run_counting.ts";
import type { AVModel } from "../model/create_model.ts";
import { Rng } from "../random/mod.ts";
import { attentionLocalize, trainAttentionBaseline } from "../baselines/attention_baseline.ts";
import { DMC_K_AUDIO, DMC_K_VISUAL, dmcHeatmaps } from "../baselines/dmc.ts";
import type { GridHeatmap } from "../model/grid_heatmap.ts";
import { oursHeatmaps } from "../model/ours_heatmaps.ts";
import { randomLocalization } from "../baselines/random_localization.ts";
import { centrePrior } from "../baselines/centre_prior.ts";
import {
  floorCheck,
  judgeAbove,
  judgeLinks,
  judgeSimilar,
  type Measured,
} from "../metrics/verdict.ts";
import { type RunContext, withContext } from "./_run_cache.ts";
import { clipCIoUs } from "../metrics/clip_cious.ts";
import { consensusMap } from "../metrics/consensus_map.ts";
import { type ExperimentOptions, type RecipeStage, stageSteps } from "./experiment_options.ts";
import {
  type ClaimCheck,
  claimCheck,
  type ExperimentResult,
  meanStd,
  type ResultRow,
  resultRow,
} from "./experiment.ts";
import { localizationScores } from "../metrics/localization_scores.ts";

/**
 * How a method of Table 2 makes its heatmaps: our model's aligned or unaligned centers, the
 * DMC or Attention baseline, random scores, the centre prior, or (`ceiling`) no heatmap: the
 * best score any half-image prediction can reach ({@linkcode halfImageCeiling}).
 * @category experiments
 */
export type Table2Kind =
  | "aligned"
  | "unaligned"
  | "dmc"
  | "attention"
  | "random"
  | "centre"
  | "ceiling"
  | "graded";

/**
 * The methods of Table 2 with the paper's cIoU@0.5 and AUC (%). DMC is our model and trainer
 * configured as DMC (`lib/baselines/dmc.ts`: the uncurated set, fixed 2 audio / 4 visual
 * clusters, no curriculum) for the same number of steps as one curriculum stage; Attention is
 * trained with its own loss on C1 for as many steps. The centre prior (a second floor beside
 * Random) and the last row are ours, not the paper's: the last is the protocol's ceiling on
 * the test set for heatmaps with continuous scores. The graded row (the paper's †‡ Ours,
 * trained on SoundNet-Flickr graded by its Poisson counting model) is
 * {@linkcode trainOnGradedData}'s model.
 * @category experiments
 */
export const TABLE2_METHODS: readonly {
  method: string;
  kind: Table2Kind;
  chain?: RecipeStage[];
  paper?: { ciou50: number; auc: number };
}[] = [
  { method: "Random", kind: "random", paper: { ciou50: 12.0, auc: 32.3 } },
  { method: "Centre prior", kind: "centre" },
  { method: "Attention", kind: "attention", paper: { ciou50: 43.6, auc: 44.9 } },
  {
    method: "DMC",
    kind: "dmc",
    chain: [{ level: "uncurated", kAudio: DMC_K_AUDIO, kVisual: DMC_K_VISUAL }],
    paper: { ciou50: 41.6, auc: 45.2 },
  },
  { method: "Ours-C1", kind: "aligned", chain: [{ level: 1 }], paper: { ciou50: 50.0, auc: 49.2 } },
  {
    method: "Ours-C1 (unrelated)",
    kind: "unaligned",
    chain: [{ level: 1 }],
    paper: { ciou50: 19.2, auc: 36.8 },
  },
  {
    method: "Ours-C2",
    kind: "aligned",
    chain: [{ level: 1 }, { level: 2 }],
    paper: { ciou50: 46.0, auc: 45.7 },
  },
  { method: "Ours, graded by counting (†‡)", kind: "graded", paper: { ciou50: 48.4, auc: 47.4 } },
  { method: "Half-image ceiling", kind: "ceiling" },
];

/**
 * Margin (percentage points) of "unaligned ~ random": it holds when the 95% interval of their
 * paired difference lies inside ± this.
 * @category experiments
 */
export const TABLE2_SIMILAR_POINTS = 5;

/**
 * The best cIoU a prediction of half the image can reach on each clip: under the reference
 * threshold `sorted[floor(N / 2)]` a heatmap whose scores are all distinct marks
 * `ceil(N / 2)` pixels, so at best its prediction holds the whole annotated region plus
 * `ceil(N / 2) - |region|` background pixels,
 * `cIoU <= sum(g) / (sum(g) + ceil(N / 2) - |region|)` (1 when the region exceeds half the
 * image: choosing its best-agreed pixels). Small objects make cIoU@0.5 unreachable.
 *
 * Not a strict bound when scores tie: pixels tied with the threshold are all predicted, so a
 * map whose maximum covers exactly the object (and less than half the image) predicts fewer
 * background pixels and can score above this ceiling, up to 1.
 *
 * @param clips test clips with `annotatorBoxes` or `boxes`.
 * @returns one ceiling per clip, in [0, 1].
 * @category experiments
 */
export function halfImageCeiling(clips: readonly AVClip[]): number[] {
  return clips.map((clip) => {
    const { height: H, width: W } = clip.image;
    const annotators = clip.annotatorBoxes ?? (clip.boxes ? [clip.boxes] : undefined);
    if (!annotators) {
      throw new Error(`halfImageCeiling: clip ${clip.id} has no annotatorBoxes or boxes`);
    }
    const g = consensusMap(annotators, H, W);
    const half = Math.ceil((H * W) / 2);
    let sum = 0, region = 0;
    for (const v of g) {
      sum += v;
      if (v > 0) region++;
    }
    if (region > half) return 1;
    return sum / (sum + half - region);
  });
}

/**
 * Why `dataset` cannot serve the graded row (null when it can): the counting model is fitted on
 * training clips of known counts, so it needs two counts with at least two clips each, and
 * the uncurated pool it grades needs at least `batchSize` clips and at least 5 (so that some
 * grade of the four holds the two clips training needs).
 *
 * @param dataset the data.
 * @param scale the run's counting set size and batch size.
 * @returns the sentence, or null.
 * @category experiments
 */
export function gradedDataSkip(
  dataset: AVDataset,
  scale: { countingTrainPerCount: number; gradingSize: number; batchSize: number },
): string | null {
  if (typeof dataset.trainingClips !== "function") {
    return `${dataset.name} has no training clips to grade`;
  }
  const counts = ([1, 2, 3, 4] as const).filter((c) =>
    dataset.trainingClips!(c, scale.countingTrainPerCount).size >= 2
  );
  if (counts.length < 2) {
    return `${dataset.name} has training clips of known source count at ${counts.length} ` +
      `level(s); the counting model that grades the data needs two`;
  }
  const pool = dataset.trainingClips("uncurated", scale.gradingSize).size;
  const least = Math.max(scale.batchSize, 5);
  if (pool < least) {
    return `${pool} uncurated training clip(s) of ${dataset.name} to grade (gradingSize ` +
      `${scale.gradingSize}), fewer than ${least} (a batch, and two clips in some grade)`;
  }
  return null;
}

/**
 * The paper's graded-data training (Table 2 †‡): the counting model (a Poisson regression on
 * pooled features of the C1 model `c1`, fitted on `countingTrainPerCount` middle windows of
 * each known count) grades `gradingSize` uncurated training clips into C1..C4
 * (`gradeDataset`; the predicted counts, not the truth), then `net` is trained through the
 * curriculum on the grades, two stages like Ours-C2 (`stageSteps` each): C1, then C2, or where
 * a grade holds fewer than the two clips training needs, the next grades in curriculum order.
 *
 * @param net the network to train (a fresh model).
 * @param c1 the trained C1 model whose features the counting model reads (not modified).
 * @param opts the data, the run's scale, seed, recipe, abort signal and a callback per step.
 * @returns the training losses and the sizes of the grades.
 * @throws Error with a sentence when no grade holds two clips (fewer than 5 graded clips).
 * @category experiments
 */
export async function trainOnGradedData(
  net: AVModel,
  c1: AVModel,
  opts: {
    data: AVDataset;
    scale: {
      steps: number;
      firstStageSteps?: number;
      batchSize: number;
      datasetSize: number;
      countingTrainPerCount: number;
      gradingSize: number;
    };
    seed: number;
    /** The trainer's recipe (default its default; the run cache's `recipe`). */
    recipe?: Partial<Recipe>;
    signal?: AbortSignal;
    onStep?: () => void;
  },
): Promise<{ losses: number[]; sizes: [number, number, number, number] }> {
  const data = requireCapability(opts.data, "trainingClips", "the graded row");
  const { duration, sampleRate } = c1.config;
  const train: AVClip[] = [];
  for (const c of [1, 2, 3, 4] as const) {
    train.push(
      ...await middleWindows(
        data.trainingClips(c, opts.scale.countingTrainPerCount),
        duration,
        sampleRate,
      ),
    );
  }
  const counter = await fitCountingModel(c1, train);
  const graded = await gradeDataset(data, countingPredictor(counter), {
    size: opts.scale.gradingSize,
    seconds: duration,
    sampleRate,
  });
  const b = opts.scale.batchSize;
  const stages = ([1, 2, 3, 4] as const).filter((l) => graded.sizes[l - 1] >= 2).slice(0, 2)
    .map((level, i) => ({ level, steps: stageSteps(opts.scale, i) }));
  if (stages.length === 0) {
    throw new Error(
      `table2: the counting model graded fewer than two clips into every level ` +
        `(C1..C4: ${graded.sizes.join(" / ")}); the graded row needs two to train on`,
    );
  }
  const result = await trainCurriculum(net, {
    data: requireCapability(graded, "trainingClips", "the graded row"),
    stages,
    batchSize: b,
    datasetSize: opts.scale.datasetSize,
    seed: opts.seed,
    recipe: opts.recipe,
    signal: opts.signal,
    progressBar: false,
    onProgress: () => opts.onStep?.(),
  });
  return { losses: result.history.map((h) => h.loss), sizes: graded.sizes };
}

/** The kinds of Table 2 that read no seed (no network, no randomness): one cell serves all. */
const TABLE2_SEED_FREE: readonly Table2Kind[] = ["centre", "ceiling"];

interface Table2Cell {
  ciou50: number;
  auc: number;
}

async function heatmapsOf(
  ctx: RunContext,
  m: typeof TABLE2_METHODS[number],
  seed: number,
  clips: AVClip[],
): Promise<GridHeatmap[]> {
  if (m.kind === "ceiling") throw new Error("heatmapsOf: the ceiling row has no heatmaps");
  if (m.kind === "centre") {
    return clips.map((c) => {
      const { height, width } = c.image;
      return { height, width, heatmap: centrePrior(height, width) };
    });
  }
  if (m.kind === "random") {
    const rng = new Rng(seed);
    return clips.map((c) => {
      const { height, width } = c.image;
      return { height, width, heatmap: randomLocalization(height, width, rng.seed()) };
    });
  }
  let model: AVModel;
  if (m.kind === "graded") {
    model = (await ctx.trainedBaseline("graded", 2, seed, async (net, onStep) => {
      const { model: c1 } = await ctx.trainedModel(COUNTING_CHAIN, seed);
      try {
        return await trainOnGradedData(net, c1, {
          data: ctx.world,
          scale: ctx.scale,
          seed: seed * 1000 + 11,
          recipe: ctx.recipe,
          signal: ctx.opts.signal,
          onStep,
        });
      } finally {
        c1.params.dispose();
      }
    })).model;
  } else if (m.kind === "attention") {
    model = (await ctx.trainedBaseline("attention", 1, seed, (net, onStep) =>
      trainAttentionBaseline(net, {
        data: requireCapability(ctx.world, "trainingClips", "table2"),
        steps: stageSteps(ctx.scale, 0),
        level: 1,
        batchSize: ctx.scale.batchSize,
        datasetSize: ctx.scale.datasetSize,
        seed: seed * 1000 + 1,
        signal: ctx.opts.signal,
        onStep,
      }))).model;
  } else {
    model = (await ctx.trainedModel(m.chain!, seed)).model;
  }
  try {
    if (m.kind === "attention") return attentionLocalize(model, clips);
    if (m.kind === "dmc") return await dmcHeatmaps(model, clips);
    return await oursHeatmaps(model, clips, m.kind === "graded" ? "aligned" : m.kind);
  } finally {
    model.params.dispose();
  }
}

const fmt = (x: number) => x.toFixed(1);

/** The methods Table 2's claims rank above others: each must beat both floors. */
const TABLE2_RANKED = ["Ours-C1", "Ours-C2", "DMC", "Attention"];

/**
 * Table 2's claims (one per metric), judged by the verdict rule on per-seed scores (%):
 * Ours-C1 > Ours-C2 > DMC and Attention > Ours-C1 (unrelated), each by its paired 95%
 * interval, and |unrelated - Random| inside ± {@linkcode TABLE2_SIMILAR_POINTS}. Not judged
 * unless Ours-C1, Ours-C2, DMC and Attention are each clearly above both floors (Random and
 * the centre prior).
 *
 * @param scores per metric, per-seed scores of every method of {@linkcode TABLE2_METHODS}.
 * @returns the cIoU@0.5 and AUC claims.
 * @category experiments
 */
export function table2Claims(
  scores: Readonly<Record<"ciou50" | "auc", ReadonlyMap<string, readonly number[]>>>,
): ClaimCheck[] {
  return (["ciou50", "auc"] as const).map((metric) => {
    const values = scores[metric];
    const m = (name: string): Measured => {
      const v = values.get(name);
      if (!v) throw new Error(`table2Claims: no ${metric} for "${name}"`);
      return { name, values: v };
    };
    const un = "Ours-C1 (unrelated)";
    const links = [
      judgeAbove(m("Ours-C1"), m("Ours-C2"), 1),
      judgeAbove(m("Ours-C2"), m("DMC"), 1),
      judgeAbove(m("Ours-C2"), m("Attention"), 1),
      judgeAbove(m("DMC"), m(un), 1),
      judgeAbove(m("Attention"), m(un), 1),
      judgeSimilar(m(un), m("Random"), TABLE2_SIMILAR_POINTS, 1),
    ];
    const verdict = floorCheck(TABLE2_RANKED.map(m), [m("Random"), m("Centre prior")], 1) ??
      judgeLinks(links);
    const name = metric === "ciou50" ? "cIoU@0.5" : "AUC";
    const mean = (n: string) => fmt(meanStd(values.get(n)!).mean);
    const ceiling = values.has("Half-image ceiling")
      ? ` (half-image ceiling ${mean("Half-image ceiling")})`
      : "";
    return claimCheck(
      `Table 2 (${name}): Ours-C1 > Ours-C2 > DMC, Attention > Ours-C1 unrelated ~ Random`,
      verdict,
      `${name} (%), means over ${values.get("Ours-C1")!.length} seed(s): ` +
        [...TABLE2_RANKED, un, "Random", "Centre prior"].map((n) => `${n} ${mean(n)}`)
          .join(", ") +
        ceiling,
    );
  });
}

/**
 * Run Table 2: for each method of {@linkcode TABLE2_METHODS} and seed, train (or load from the
 * shared model cache) the network, localize the sound in each image of the dataset's
 * localization set (the clip's audio cut to the model's length), score each image's cIoU
 * against the annotators' consensus map and report cIoU@0.5 and AUC (%). Claims
 * ({@linkcode table2Claims}) judge the paper's order on each metric.
 *
 * @param opts quick or full, seeds, cache directory, progress, world, preset, scale.
 * @returns rows (the paper's numbers beside) and claims.
 *
 * @example
 * ```ts ignore
 * // minutes of training: shown, not run by `deno test --doc`
 * import assert from "node:assert/strict";
 * import { runTable2 } from "@avscene/avscene/experiments";
 * const t2 = await runTable2({ quick: true, outDir: "runs" });
 * assert.ok(t2.rows.every((r) => r.values.length === t2.seeds.length)); // one value per seed
 * ```
 * @category experiments
 */
export function runTable2(opts: ExperimentOptions = {}): Promise<ExperimentResult> {
  return withContext("table2", opts, async (ctx) => {
    const { seeds } = ctx.scale;
    const world = requireCapability(
      requireCapability(ctx.world, "localizationSet", "table2"),
      "trainingClips",
      "table2",
    );
    const gradedSkip = gradedDataSkip(world, ctx.scale);
    const methods = TABLE2_METHODS.filter((m) => !(m.kind === "graded" && gradedSkip));
    ctx.plan(
      // cells, the Attention baseline's steps and the graded row's two stages
      methods.length + stageSteps(ctx.scale, 0) * (gradedSkip ? 1 : 2) +
        (gradedSkip ? 0 : stageSteps(ctx.scale, 1)),
      [
        ...methods.flatMap((m) => m.chain ? [m.chain] : []),
        ...(gradedSkip ? [] : [COUNTING_CHAIN]),
      ],
    );
    let set: Promise<AVClip[]> | undefined;
    const clips = () =>
      set ??= Promise.resolve(world.localizationSet(ctx.scale.localizationSize)).then((c) => {
        if (c.length === 0) throw new Error(`table2: ${world.name} gave no localization clips`);
        return c;
      });
    const cells = new Map<string, Table2Cell[]>();
    const score = async (m: typeof methods[number], seed: number): Promise<Table2Cell> => {
      const test = await clips();
      const cious = m.kind === "ceiling"
        ? halfImageCeiling(test)
        : clipCIoUs(test, await heatmapsOf(ctx, m, seed, test));
      const s = localizationScores(cious);
      return { ciou50: 100 * s.ciou50, auc: 100 * s.auc };
    };
    for (const m of methods) {
      const key = { kind: m.kind, chain: m.chain };
      if (TABLE2_SEED_FREE.includes(m.kind)) {
        cells.set(m.method, await ctx.seedFreeCell(m.method, key, () => score(m, seeds[0])));
        continue;
      }
      const perSeed: Table2Cell[] = [];
      for (const seed of seeds) {
        perSeed.push(await ctx.cell(m.method, seed, key, () => score(m, seed)));
      }
      cells.set(m.method, perSeed);
    }
    ctx.complete();
    const rows: ResultRow[] = [];
    const scores = { ciou50: new Map<string, number[]>(), auc: new Map<string, number[]>() };
    for (const m of methods) {
      const c = cells.get(m.method)!;
      const ciou = c.map((x) => x.ciou50), auc = c.map((x) => x.auc);
      rows.push(resultRow(m.method, "cIoU@0.5 (%)", ciou, m.paper?.ciou50));
      rows.push(resultRow(m.method, "AUC (%)", auc, m.paper?.auc));
      scores.ciou50.set(m.method, ciou);
      scores.auc.set(m.method, auc);
    }
    const claims = table2Claims(scores);
    return ctx.result(
      seeds,
      rows,
      gradedSkip
        ? claims.map((c) => ({ ...c, detail: `${c.detail}; graded row skipped: ${gradedSkip}` }))
        : claims,
    );
  });
}
