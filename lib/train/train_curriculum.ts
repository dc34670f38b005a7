/**
 * The curriculum trainer: stages of contrastive training on one shared network, with
 * per-step history (JSON lines), atomic checkpoints, exact resume and progress reports.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import type { AVDataset } from "../data/dataset.ts";
import { ClipStream } from "../data/clip_stream.ts";
import { Rng } from "../random/mod.ts";
import {
  cropFrames,
  flipFrames,
  jitterAudio,
  jitterColours,
  type StepAugmentation,
} from "./_augment.ts";
import type { AVModel } from "../model/create_model.ts";
import { modelInputs } from "../model/model_inputs.ts";
import { type AlignmentLevel, pairDistances, type PairOptions } from "../model/pair_distances.ts";
import {
  contrastiveLoss,
  DEFAULT_MARGIN,
  pairAccuracy,
  softmaxContrastiveLoss,
} from "../model/contrastive_loss.ts";
import { Adam, PAPER_LR, PAPER_WEIGHT_DECAY } from "./adam.ts";
import {
  checkStages,
  type CurriculumLevel,
  levelName,
  stageCenters,
  type StageSpec,
} from "./curriculum.ts";
import { checkTrainLoopOptions, runTrainLoop, type TrainLoopOptions } from "./train_loop.ts";
import { WeightAverage } from "./weight_average.ts";
import {
  type ContrastiveLossKind,
  type Recipe,
  recipeBeta,
  recipeLearningRate,
  type RecipeName,
  recipeTemperature,
  resolveRecipe,
} from "./recipe.ts";

/**
 * Where the trainer gets each stage's clips: any dataset of the contract with training clips
 * (the synthetic world, or a dataset on disk opened with `openDataset`).
 *
 * @category training
 */
export type CurriculumData = Required<Pick<AVDataset, "trainingClips">>;

/**
 * One training step of the history.
 *
 * @category training
 */
export interface TrainStep {
  /** Stage index (0-based). */
  stage: number;
  /** Stage level name (`C1`..`C4`, `U`). */
  level: string;
  /** Step within the stage (1-based). */
  step: number;
  /** Step within the run (1-based). */
  globalStep: number;
  /** Contrastive loss of the batch. */
  loss: number;
  /** Share of the batch's positives closer than their negatives. */
  accuracy: number;
}

/**
 * Options of {@linkcode trainCurriculum} (output, resume, abort and progress: the loop's).
 *
 * @category training
 */
export interface TrainOptions extends TrainLoopOptions {
  /** The data of every level. */
  data: CurriculumData;
  /** Stages in training order (see `curriculumStages`). */
  stages: StageSpec[];
  /** Clips per batch (>= 2; default 16). */
  batchSize?: number;
  /**
   * Clips drawn per stage (default 256; a dataset with fewer gives all it has); batches cycle
   * through them in seeded epochs. Clips are decoded per batch, never all at once, and each
   * batch takes a seeded random window of the model's length from each whole clip.
   */
  datasetSize?: number;
  /** Most bytes of decoded clips kept between batches (default 256 MiB, `ClipStream`'s). */
  cacheBytes?: number;
  /** Adam learning rate (default: {@linkcode defaultLearningRate} of the preset). */
  lr?: number;
  /** Adam L2 weight decay (default 1e-4, the paper code's). */
  weightDecay?: number;
  /** Margin m of the margin loss (default 5; the softmax losses have none: see `Recipe.loss`). */
  margin?: number;
  /** `source` (structural alignment, default) or `scene` (K = 1 on pooled features). */
  alignment?: AlignmentLevel;
  /** Soft K-means beta, constant over every stage (default: the recipe's). */
  beta?: number;
  /**
   * The learning recipe (default `ours`; `paper` is the paper code's): beta schedule,
   * negatives, fresh scenes, learning-rate schedule, augmentation. A partial recipe overrides
   * fields of `ours` (see `resolveRecipe`). With `freshScenes` and data that makes endless
   * scenes (the synthetic world: it has `batches`), each step trains on new clips of the
   * stage's level, none seen twice, instead of cycling through `datasetSize` clips.
   */
  recipe?: RecipeName | Partial<Recipe>;
  /** Seed of the batch order (default: the model's seed; a resumed run keeps its own). */
  seed?: number;
  /** A fresh Adam state at each stage (default true: stage s is initialised from s - 1). */
  resetOptimizerEachStage?: boolean;
}

/**
 * What {@linkcode trainCurriculum} returns.
 *
 * @category training
 */
export interface TrainResult {
  /** Every step's loss and accuracy, resumed steps included. */
  history: TrainStep[];
  /** False when stopped by `signal` before the last step. */
  completed: boolean;
  /** Global steps done. */
  steps: number;
  /**
   * With a recipe's `weightAverage`, once completed: the online weights (flattened in
   * parameter order, as `ParamStore.toFlat`), while the network holds their average, the
   * trained model. Absent otherwise (the network holds the trained weights).
   */
  onlineWeights?: Float32Array;
}

/**
 * The default learning rate of a preset: the paper code's 1e-4, except `tiny`, whose minutes
 * of CI training need 1e-3 to learn visibly.
 *
 * @param preset a preset name.
 * @returns the learning rate.
 * @category training
 */
export function defaultLearningRate(preset: string): number {
  return preset === "tiny" ? 1e-3 : PAPER_LR;
}

/** Training clips of a stage, streamed: at least 2, else an error naming the level. */
function stageStream(model: AVModel, opts: TrainOptions, level: CurriculumLevel, size: number) {
  const source = opts.data.trainingClips(level, size);
  if (source.size < 2) {
    const name = "name" in opts.data ? ` of ${(opts.data as { name: string }).name}` : "";
    throw new Error(
      `trainCurriculum: level ${levelName(level)}${name} has ${source.size} clips, need >= 2` +
        (level === "uncurated" ? "" : " (use U, or grade the data with the counting model)"),
    );
  }
  const c = model.config;
  return new ClipStream(source, {
    seconds: c.duration,
    sampleRate: c.sampleRate,
    maxCachedBytes: opts.cacheBytes,
  });
}

/**
 * Where each clip of batch `step` starts its window: one seeded `u` in [0, 1) per clip, so
 * training sees random windows over the whole clip and a resumed run sees the same ones.
 */
function windowStarts(seed: number, stage: number, step: number, b: number): number[] {
  const rng = new Rng(seed * 2_654_435 + stage * 104_729 + step * 7 + 1);
  return Array.from({ length: b }, () => rng.uniform());
}

/** The first clip index of a stage's fresh batches: disjoint ranges per seed and stage. */
function freshStart(seed: number, stage: number): number {
  return ((seed >>> 0) % 1000) * 10_000_000 + stage * 1_000_000;
}

/** Indices of batch `step` (0-based) of a stage: seeded epochs over the stage's clips. */
function batchIndices(seed: number, stage: number, step: number, n: number, b: number): number[] {
  const perEpoch = Math.max(1, Math.floor(n / b));
  const epoch = Math.floor(step / perEpoch);
  const order = new Rng(seed * 1_000_003 + stage * 7919 + epoch).shuffle([...Array(n).keys()]);
  const start = (step % perEpoch) * b;
  return Array.from({ length: b }, (_, i) => order[(start + i) % n]);
}

/** The loss of a step: which one, and its margin, in-frame weight and temperature. */
interface StepLoss {
  kind: ContrastiveLossKind;
  margin: number;
  inFrameWeight: number;
  temperature: number;
  /** Softmax losses: leave out negatives whose clips' audio cosine exceeds this (0: none). */
  sameSoundCosine: number;
}

/**
 * One contrastive step: the batch's clips (windows of the model's length), each audio paired
 * with its own frame (positive) and with another clip's frame (negative) and, with an
 * in-frame weight > 0, with its own frame's unaligned centers (a hard negative weighted
 * `inFrameWeight`), one Adam update of the contrastive loss: the margin loss, or a softmax
 * over the batch's whole distance matrix. The accuracy is the positive against the next
 * clip's frame, whatever the loss. Frees its tensors, also when it throws.
 */
async function curriculumStep(
  model: AVModel,
  optimizer: Adam,
  clips: AVClip[],
  pairOpts: PairOptions,
  lossOpts: StepLoss,
  aug?: StepAugmentation,
): Promise<{ loss: number; accuracy: number }> {
  const { margin, inFrameWeight } = lossOpts;
  const softmax = lossOpts.kind !== "margin";
  if (aug && (aug.gainDb > 0 || aug.shift > 0)) {
    clips = jitterAudio(clips, aug.rng, aug.gainDb, aug.shift);
  }
  const inputs = modelInputs(model, clips);
  const { logMel } = inputs;
  let images = inputs.images;
  if (aug?.flip) {
    const flipped = flipFrames(images, aug.rng);
    images.dispose();
    images = flipped;
  }
  if (aug && aug.cropScale > 0) {
    const cropped = cropFrames(images, aug.rng, aug.cropScale);
    images.dispose();
    images = cropped;
  }
  if (aug && aug.colour > 0) {
    const jittered = jitterColours(images, aug.rng, aug.colour);
    images.dispose();
    images = jittered;
  }
  let p2: tf.Tensor1D | undefined, n2: tf.Tensor1D | undefined, lossT: tf.Scalar | undefined;
  try {
    lossT = optimizer.minimize(() => {
      const sameSound = softmax ? lossOpts.sameSoundCosine : 0;
      const d = pairDistances(model, images, logMel, {
        ...pairOpts,
        matrix: softmax,
        audioCosine: sameSound > 0,
      });
      p2 = tf.keep(d.positive2);
      n2 = tf.keep(d.negative2);
      if (softmax) {
        const symmetric = lossOpts.kind === "softmax-symmetric";
        // pairs that sound the same to the model are no negatives (step: 1 above the cosine,
        // else 0, and a zero gradient, which the tape needs); the loss keeps each own pair
        const leftOut = sameSound > 0
          ? tf.step(tf.sub(d.audioCosine!, sameSound)) as tf.Tensor2D
          : undefined;
        return softmaxContrastiveLoss(d.distance2!, lossOpts.temperature, symmetric, leftOut);
      }
      const positives = contrastiveLoss(d.positive2, tf.onesLike(d.positive2), margin);
      const negatives = d.allNegative2 ?? d.negative2;
      // 0.5 (mean over positives + mean over negatives): with one negative per audio,
      // exactly the paper's mean over the 2 * batch pairs
      let sum = tf.add(positives, contrastiveLoss(negatives, tf.zerosLike(negatives), margin));
      if (d.inFrame2) {
        const inFrame = contrastiveLoss(d.inFrame2, tf.zerosLike(d.inFrame2), margin);
        sum = tf.add(sum, tf.mul(inFrameWeight, inFrame));
      }
      return tf.mul(0.5, sum) as tf.Scalar;
    });
    const loss = (await lossT.data())[0];
    const accuracy = pairAccuracy(await p2!.data(), await n2!.data());
    return { loss, accuracy };
  } finally {
    tf.dispose([lossT, p2, n2, images, logMel]);
  }
}

/**
 * Train the model through the curriculum's stages. Each stage s draws its clips from its
 * level, clusters audio into K_audio and frames into K_visual centers and minimises the
 * contrastive loss of (audio, own frame) positives against (audio, other clip's frame)
 * negatives with Adam (the recipe's: the margin loss, or a softmax over the batch's frames).
 * All stages share the network. With `outDir`, every step is appended to `history.jsonl` and
 * checkpoints go to `checkpoints/` atomically; `resume` continues from the last one and
 * reproduces an uninterrupted run's history exactly on the cpu backend. The loop (resume,
 * history, checkpoints, abort, divergence, progress) is {@linkcode runTrainLoop}'s.
 *
 * @param model the network to train (modified in place).
 * @param opts data, stages, hyper-parameters, output and progress.
 * @returns the history and whether all stages finished.
 * @throws DivergenceError when the loss (or the features) stop being finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { synthWorld } from "@avscene/avscene/data";
 * import { createModel } from "@avscene/avscene/model";
 * import { curriculumStages, trainCurriculum } from "@avscene/avscene/train";
 *
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 0 });
 * const run = await trainCurriculum(model, {
 *   data: synthWorld({ seed: 0 }),
 *   stages: curriculumStages("C2(C1)", 2), // two steps on C1, then two on C2
 *   batchSize: 2,
 *   datasetSize: 4,
 * });
 * assert.ok(run.completed);
 * assert.deepEqual(run.history.map((h) => h.level), ["C1", "C1", "C2", "C2"]);
 * assert.ok(run.history.every((h) => Number.isFinite(h.loss)));
 * model.params.dispose();
 * ```
 * @category training
 */
export async function trainCurriculum(model: AVModel, opts: TrainOptions): Promise<TrainResult> {
  const b = opts.batchSize ?? 16;
  if (!Number.isInteger(b) || b < 2) {
    throw new Error(`trainCurriculum: batchSize must be an integer >= 2, got ${b}`);
  }
  checkStages("trainCurriculum", opts.stages);
  const size = opts.datasetSize ?? 256;
  if (!Number.isInteger(size) || size < b) {
    throw new Error(
      `trainCurriculum: datasetSize (${size}) must be an integer >= batchSize (${b})`,
    );
  }
  const margin = opts.margin ?? DEFAULT_MARGIN;
  if (!(Number.isFinite(margin) && margin > 0)) {
    throw new Error(`trainCurriculum: margin must be finite and > 0, got ${margin}`);
  }
  checkTrainLoopOptions("trainCurriculum", opts);
  const recipe = resolveRecipe(opts.recipe);
  if (opts.beta !== undefined) recipe.betaStart = recipe.betaEnd = opts.beta;
  // starts[s]: global step at which stage s begins; starts[stages.length]: the run's steps
  const starts = [0];
  for (const stage of opts.stages) starts.push(starts[starts.length - 1] + stage.steps);
  const totalSteps = starts[opts.stages.length];
  /** The stage global step `t` falls in (`stages.length` once all are done). */
  const stageAt = (t: number) => {
    let s = 0;
    while (s < opts.stages.length && starts[s + 1] <= t) s++;
    return s;
  };
  const adamOpts = {
    lr: opts.lr ?? defaultLearningRate(model.config.preset),
    weightDecay: opts.weightDecay ?? PAPER_WEIGHT_DECAY,
  };
  let optimizer = new Adam(model.params.variables(), adamOpts);
  const average = (recipe.weightAverage ?? 0) > 0
    ? new WeightAverage(model.params.variables(), recipe.weightAverage!)
    : undefined;
  let current:
    | {
      stage: number;
      stream: ClipStream;
      /** Fresh scenes: batch `step` is clips `first + step * b ..`; else recycled clips. */
      first?: number;
      next?: { t: number; clips: Promise<AVClip[]> };
    }
    | undefined;

  /** Open stage `s`'s clip stream (and a fresh Adam when the stage starts at step `t`). */
  const enterStage = (s: number, t: number, seed: number) => {
    current = undefined;
    if (t === starts[s] && s > 0 && (opts.resetOptimizerEachStage ?? true)) {
      optimizer.dispose();
      optimizer = new Adam(model.params.variables(), adamOpts);
    }
    // each stage's trained model is the average of that stage's weights
    if (t === starts[s]) average?.reset();
    const level = opts.stages[s].level;
    if (recipe.freshScenes && "batches" in opts.data) {
      // fresh scenes when the data makes endless scenes (the synthetic world, with `batches`)
      const first = freshStart(seed, s);
      const need = first + opts.stages[s].steps * b;
      const source = opts.data.trainingClips(level, need);
      if (source.size >= need) {
        const c = model.config;
        const stream = new ClipStream(source, {
          seconds: c.duration,
          sampleRate: c.sampleRate,
          maxCachedBytes: opts.cacheBytes,
        });
        current = { stage: s, stream, first };
        return;
      }
    }
    current = { stage: s, stream: stageStream(model, opts, level, size) };
  };
  /** The windows of global step `t` (stage `s`), decoding them unless prefetched. */
  const batchAt = (t: number, s: number, seed: number): Promise<AVClip[]> => {
    const { stream, first } = current!;
    const step = t - starts[s];
    const p = stream.batch(
      first === undefined
        ? batchIndices(seed, s, step, stream.source.size, b)
        : Array.from({ length: b }, (_, j) => first + step * b + j),
      windowStarts(seed, s, step, b),
    );
    p.catch(() => {}); // awaited when its step comes; not an unhandled rejection before
    return p;
  };

  try {
    const run = await runTrainLoop<TrainStep>({
      name: "trainCurriculum",
      totalSteps,
      seed: opts.seed ?? model.seed,
      model,
      optimizer: () => optimizer,
      average: () => average,
      position: (done) => {
        const s = stageAt(done);
        return { stage: s, step: done - starts[s] };
      },
      boundary: (done) => starts.includes(done),
      where: (t) => {
        const s = stageAt(t);
        return `stage ${s + 1} step ${t - starts[s] + 1}`;
      },
      step: async (t, seed) => {
        const s = stageAt(t);
        if (current?.stage !== s) enterStage(s, t, seed);
        const stage = opts.stages[s];
        const step = t - starts[s];
        const { kAudio, kVisual } = stageCenters(stage, recipe.extraVisualCenters);
        const pairOpts: PairOptions = {
          kAudio,
          kVisual,
          alignment: opts.alignment,
          iterations: recipe.iterations,
          beta: recipeBeta(recipe, step, stage.steps),
          negatives: recipe.negatives,
          background: recipe.background,
          inFrameNegatives: recipe.inFrameNegative > 0,
          alignTemperature: recipe.alignTemperature,
          distinctAlignment: recipe.distinctAlignment,
          visualBeta: recipe.visualBeta,
          visualCoupling: recipe.visualCoupling,
          visualSmoothing: recipe.visualSmoothing,
          visualCoordinates: recipe.visualCoordinates,
          // grid-started for the stage's first visualInitAfter steps, the audio start after
          ...(step < (recipe.visualInitAfter ?? 0) ? {} : {
            visualInit: recipe.visualInit,
            visualInitPairs: recipe.visualInitPairs,
            visualInitDetach: recipe.visualInitDetach,
          }),
        };
        optimizer.lr = recipeLearningRate(recipe, adamOpts.lr, step, stage.steps);
        const clips = await (current!.next?.t === t ? current!.next.clips : batchAt(t, s, seed));
        // the next batch is decoded while this one trains (prefetch)
        current!.next = t + 1 < starts[s + 1]
          ? { t: t + 1, clips: batchAt(t + 1, s, seed) }
          : undefined;
        // the same draws for flips as before the other augmentations existed
        const augmented = recipe.flip || recipe.gainJitter > 0 || recipe.timeShift > 0 ||
          recipe.colorJitter > 0 || (recipe.cropScale ?? 0) > 0;
        const aug: StepAugmentation | undefined = augmented
          ? {
            rng: new Rng(seed * 1_000_003 + s * 7919 + step + 17),
            flip: recipe.flip,
            gainDb: recipe.gainJitter,
            shift: recipe.timeShift,
            colour: recipe.colorJitter,
            cropScale: recipe.cropScale ?? 0,
          }
          : undefined;
        const { loss, accuracy } = await curriculumStep(
          model,
          optimizer,
          clips,
          pairOpts,
          {
            kind: recipe.loss,
            margin,
            inFrameWeight: recipe.inFrameNegative,
            temperature: recipeTemperature(recipe, step, stage.steps),
            sameSoundCosine: recipe.sameSoundCosine ?? 0,
          },
          aug,
        );
        average?.update();
        return {
          stage: s,
          level: levelName(stage.level),
          step: t - starts[s] + 1,
          globalStep: t + 1,
          loss,
          accuracy,
        };
      },
      progress: (t, entry, seconds) => ({
        stage: entry.stage,
        stages: opts.stages.length,
        level: entry.level,
        step: entry.step,
        stageSteps: opts.stages[entry.stage].steps,
        globalStep: t + 1,
        totalSteps,
        loss: entry.loss,
        accuracy: entry.accuracy,
        clipsPerSecond: b / seconds,
      }),
    }, opts);
    if (!(average && run.completed)) {
      return { history: run.history, completed: run.completed, steps: run.steps };
    }
    // the trained model is the average; the online weights go back to the caller
    const onlineWeights = await model.params.toFlat();
    model.params.fromFlat(await average.averageFlat());
    return { history: run.history, completed: true, steps: run.steps, onlineWeights };
  } finally {
    optimizer.dispose();
    average?.dispose();
  }
}
