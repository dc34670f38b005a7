/**
 * What the experiment runners of Fig. 3, Tables 1-2 and the counting experiment take beyond
 * {@linkcode RunOptions}: the world they draw data from, the model preset, and the scale of a
 * quick or full run (steps, seeds, set sizes).
 *
 * @module
 */
import type { AVClip, LabelledClip } from "../data/types.ts";
import { synthWorld } from "../data/synth_world.ts";
import { presetConfig, type PresetName } from "../model/presets.ts";
import type { AlignmentLevel } from "../model/pair_distances.ts";
import type { CurriculumLevel } from "../train/curriculum.ts";
import type { CurriculumData } from "../train/train_curriculum.ts";
import type { RunOptions } from "./experiment.ts";

/**
 * The data the runners need: curriculum levels and the uncurated set for training, held-out
 * scenes of known count (counting), a localization test set with annotators' boxes (Table 2)
 * and a 5-fold labelled single-source set (Table 1). The synthetic world (`synthWorld`) is one.
 */
export interface ExperimentWorld extends CurriculumData {
  /**
   * Settings that identify the world (seed, image size, ...): they key the shared model cache,
   * so two worlds with equal `options` must give equal data.
   */
  readonly options?: object;
  /** A deterministic scene with `count` sounding sources from the `train` or `test` split. */
  scene(index: number, count: number, split?: "train" | "test"): AVClip;
  /** `size` test clips whose `annotatorBoxes` (or `boxes`) mark the sounding objects. */
  localizationSet(size: number): AVClip[];
  /** Labelled single-source clips with folds 1..5. */
  classificationSet(clipsPerClassPerFold?: number): LabelledClip[];
}

/**
 * The scale of a run. Quick and full runs differ only in these numbers (see
 * {@linkcode runScale}); tests pass a smaller `scale` to finish in seconds.
 */
export interface RunScale {
  /** Seeds of the model initialisation and batch order (spreads are over them). */
  seeds: number[];
  /** Optimisation steps of every curriculum stage. */
  steps: number;
  /** Clips per training batch. */
  batchSize: number;
  /** Clips drawn per training stage. */
  datasetSize: number;
  /** Test images of the localization experiment (Table 2). */
  localizationSize: number;
  /** Labelled clips per class and fold of the classification experiment (Table 1). */
  clipsPerClassPerFold: number;
  /** Training scenes per count (1..4) of the counting model. */
  countingTrainPerCount: number;
  /** Held-out scenes per count (1..4) the counting model is evaluated on. */
  countingTestPerCount: number;
  /** Uncurated clips graded into C1..C4 by the counting model. */
  gradingSize: number;
}

/**
 * One stage of a runner's model recipe: a model is trained through a chain of these, each for
 * the run's `steps` (chains sharing a prefix share its trained model).
 */
export interface RecipeStage {
  /** Training data of the stage. */
  level: CurriculumLevel;
  /** `source` (default) or `scene` alignment. */
  alignment?: AlignmentLevel;
  /** Audio centers (default: the level's). */
  kAudio?: number;
  /** Visual centers (default kAudio + 1). */
  kVisual?: number;
}

/**
 * Options of the runners `runFig3`, `runTable1`, `runTable2` and `runCounting`.
 *
 * With `outDir`, the runners share one cache there: `models/<chain>-s<seed>-<hash>/` holds
 * each distinct trained model (its checkpoints and `history.jsonl`; the hash covers preset,
 * world options, steps, batch and set sizes), so the C1 model trained for Fig. 3 serves Tables
 * 1 and 2 and counting, and `C2(C1)` is the C1 model plus one stage; `<experiment>/<cell>-s<seed>.json`
 * holds each finished cell's numbers with the key that produced them. Rerunning with the same
 * `outDir` skips finished cells and resumes interrupted training. Without `outDir` a temporary
 * cache is used and removed, so nothing is shared between calls.
 */
export interface ExperimentOptions extends RunOptions {
  /** The data (default: `synthWorld` at the preset's image size and sample rate, seed 0). */
  world?: ExperimentWorld;
  /** Model preset (default `tiny`). */
  preset?: PresetName;
  /**
   * Overrides of the quick or full scale (steps, sizes, ...): for tests and for trying a run
   * at another size; the cache keys include them, so cached results never mix scales.
   */
  scale?: Partial<RunScale>;
}

/**
 * The scale of a quick or full run (every stage of every model gets `steps` steps; the four
 * runners together train 11 distinct stages per seed, shared through the cache).
 *
 * Quick: one seed (its spreads are 0) and 150 steps of 16 clips per stage: on the synthetic
 * world the `tiny` preset's training accuracy only starts to leave chance (0.5) after about
 * 100 steps and reaches about 0.6 by 150-200, and at ~0.36 s per step (wasm, one core) that
 * is already about ten minutes for the four experiments; a second seed would double it.
 * Full: three seeds, 500 steps per stage and larger evaluation sets (about an hour and a half
 * on `tiny` on one core).
 *
 * @param quick quick (true) or full (false) run.
 * @returns the scale's numbers (a fresh object).
 *
 * @example
 * ```ts
 * import { runScale } from "./experiment_options.ts";
 * console.log(runScale(false).seeds); // [0, 1, 2]
 * ```
 */
export function runScale(quick: boolean): RunScale {
  return quick
    ? {
      seeds: [0],
      steps: 150,
      batchSize: 16,
      datasetSize: 128,
      localizationSize: 48,
      clipsPerClassPerFold: 4,
      countingTrainPerCount: 24,
      countingTestPerCount: 12,
      gradingSize: 64,
    }
    : {
      seeds: [0, 1, 2],
      steps: 500,
      batchSize: 16,
      datasetSize: 512,
      localizationSize: 250,
      clipsPerClassPerFold: 8,
      countingTrainPerCount: 64,
      countingTestPerCount: 32,
      gradingSize: 256,
    };
}

/** The options after defaults: world, preset and scale resolved. */
export interface ResolvedExperimentOptions {
  /** The data. */
  world: ExperimentWorld;
  /** The model preset. */
  preset: PresetName;
  /** Quick or full run. */
  quick: boolean;
  /** The scale, `opts.seeds` and `opts.scale` applied. */
  scale: RunScale;
}

/**
 * Apply the defaults of {@linkcode ExperimentOptions}: the synthetic world at the preset's
 * sizes, the `tiny` preset, the quick or full scale with `seeds` and `scale` overrides.
 *
 * @param opts the runner's options.
 * @returns world, preset, quick flag and scale.
 */
export function resolveExperimentOptions(opts: ExperimentOptions): ResolvedExperimentOptions {
  const preset = opts.preset ?? "tiny";
  const config = presetConfig(preset);
  const quick = opts.quick ?? false;
  const scale: RunScale = { ...runScale(quick), ...opts.scale };
  if (opts.seeds) scale.seeds = [...opts.seeds];
  if (scale.seeds.length === 0) throw new Error("experiment: opts.seeds is empty");
  for (const s of scale.seeds) {
    if (!Number.isInteger(s)) throw new Error(`experiment: opts.seeds holds a non-integer (${s})`);
  }
  for (const [key, v] of Object.entries(scale)) {
    if (key !== "seeds" && !(Number.isInteger(v) && (v as number) >= 1)) {
      throw new Error(`experiment: opts.scale.${key} must be an integer >= 1, got ${v}`);
    }
  }
  if (scale.batchSize < 2 || scale.datasetSize < scale.batchSize) {
    throw new Error(
      `experiment: opts.scale needs batchSize >= 2 and datasetSize >= batchSize, got ${scale.batchSize} and ${scale.datasetSize}`,
    );
  }
  const world = opts.world ??
    synthWorld({ seed: 0, imageSize: config.imageSize, sampleRate: config.sampleRate });
  return { world, preset, quick, scale };
}
