/**
 * The curriculum trainer: stages of contrastive training on one shared network, with
 * per-step history (JSON lines), atomic checkpoints, exact resume and progress reports.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import { Rng } from "../random/mod.ts";
import type { AVModel } from "../model/create_model.ts";
import { modelInputs } from "../model/model_inputs.ts";
import { type AlignmentLevel, pairDistances } from "../model/pair_distances.ts";
import { contrastiveLoss, DEFAULT_MARGIN, pairAccuracy } from "../model/contrastive_loss.ts";
import { Adam, PAPER_LR, PAPER_WEIGHT_DECAY } from "./adam.ts";
import { type CurriculumLevel, levelName, stageCenters, type StageSpec } from "./curriculum.ts";
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { progressBar, type TrainProgress } from "./progress_bar.ts";
import { writeFileAtomic } from "../io/write_atomic.ts";
import {
  type Recipe,
  recipeBeta,
  recipeLearningRate,
  type RecipeName,
  resolveRecipe,
} from "./recipe.ts";

/** Where the trainer gets each stage's clips (e.g. the synthetic world). */
export interface CurriculumData {
  /** `size` clips with `level` sound sources. */
  curriculumSet(level: 1 | 2 | 3 | 4, size: number): AVClip[] | Promise<AVClip[]>;
  /** `size` clips with any number of sources. */
  uncuratedSet(size: number): AVClip[] | Promise<AVClip[]>;
  /**
   * Optional: an endless sequence of batches of new scenes of `level` from scene index
   * `start` (the synthetic world has it). With it, a recipe with `freshScenes` trains on a new
   * batch every step; without it, stages cycle through `datasetSize` clips.
   */
  batches?(
    level: 1 | 2 | 3 | 4 | "uncurated",
    batchSize: number,
    start?: number,
  ): Iterable<AVClip[]>;
}

/** One training step of the history. */
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

/** Options of {@linkcode trainCurriculum}. */
export interface TrainOptions {
  /** The data of every level. */
  data: CurriculumData;
  /** Stages in training order (see `curriculumStages`). */
  stages: StageSpec[];
  /** Clips per batch (>= 2; default 16). */
  batchSize?: number;
  /**
   * Clips drawn per stage; batches cycle through them in seeded epochs (default 256). Unused
   * when the recipe takes fresh scenes and the data can make them.
   */
  datasetSize?: number;
  /** Adam learning rate (default: {@linkcode defaultLearningRate} of the preset). */
  lr?: number;
  /** Adam L2 weight decay (default 1e-4, the paper code's). */
  weightDecay?: number;
  /** Contrastive margin m (default 5). */
  margin?: number;
  /** `source` (structural alignment, default) or `scene` (K = 1 on pooled features). */
  alignment?: AlignmentLevel;
  /** Soft K-means iterations (default 4). */
  iterations?: number;
  /** Soft K-means beta, constant over every stage (default: the recipe's schedule). */
  beta?: number;
  /**
   * The learning recipe (default `ours`; `paper` is the paper code's): beta schedule,
   * negatives, fresh scenes, learning-rate schedule, augmentation. A partial recipe overrides
   * fields of `ours` (see `resolveRecipe`).
   */
  recipe?: RecipeName | Partial<Recipe>;
  /** Seed of the batch order (default: the model's seed; a resumed run keeps its own). */
  seed?: number;
  /** Directory for `history.jsonl` and `checkpoints/` (none: nothing is written). */
  outDir?: string;
  /** Steps between checkpoints (default 50; also at each stage's end). Needs `outDir`. */
  checkpointEvery?: number;
  /** Continue from `outDir`'s last checkpoint when there is one (default false). */
  resume?: boolean;
  /** Stops training before the next step when aborted (the run can be resumed). */
  signal?: AbortSignal;
  /** Called after every step. */
  onProgress?: (p: TrainProgress) => void;
  /** Show a terminal progress bar (default false). */
  progressBar?: boolean;
  /** A fresh Adam state at each stage (default true: stage s is initialised from s - 1). */
  resetOptimizerEachStage?: boolean;
}

/** What {@linkcode trainCurriculum} returns. */
export interface TrainResult {
  /** Every step's loss and accuracy, resumed steps included. */
  history: TrainStep[];
  /** False when stopped by `signal` before the last step. */
  completed: boolean;
  /** Global steps done. */
  steps: number;
}

/**
 * The default learning rate of a preset: the paper code's 1e-4, except `tiny`, whose minutes
 * of CI training need 1e-3 to learn visibly.
 *
 * @param preset a preset name.
 * @returns the learning rate.
 */
export function defaultLearningRate(preset: string): number {
  return preset === "tiny" ? 1e-3 : PAPER_LR;
}

interface TrainerPosition {
  seed: number;
  stage: number;
  step: number;
  history: TrainStep[];
}

async function stageClips(data: CurriculumData, level: CurriculumLevel, size: number) {
  const clips = level === "uncurated"
    ? await data.uncuratedSet(size)
    : await data.curriculumSet(level, size);
  if (clips.length < 2) {
    throw new Error(
      `trainCurriculum: level ${levelName(level)} gave ${clips.length} clips, need >= 2`,
    );
  }
  return clips;
}

function stageTensors(model: AVModel, clips: AVClip[]) {
  const images: tf.Tensor4D[] = [], mels: tf.Tensor3D[] = [];
  for (let i = 0; i < clips.length; i += 32) {
    const x = modelInputs(model, clips.slice(i, i + 32));
    images.push(x.images);
    mels.push(x.logMel);
  }
  const out = { images: tf.concat(images) as tf.Tensor4D, logMel: tf.concat(mels) as tf.Tensor3D };
  tf.dispose([...images, ...mels]);
  return out;
}

/** The first scene index of a stage's fresh batches: disjoint ranges per seed and stage. */
function freshStart(seed: number, stage: number): number {
  return ((seed >>> 0) % 1000) * 10_000_000 + stage * 1_000_000;
}

/** Seeded left-right flips of a batch of frames `[batch, H, W, 3]` (each with probability 1/2). */
function flipFrames(images: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const b = images.shape[0];
  const flips = Array.from({ length: b }, () => (rng.uniform() < 0.5 ? 1 : 0));
  return tf.tidy(() => {
    const mask = tf.reshape(tf.tensor1d(flips, "bool"), [b, 1, 1, 1]);
    return tf.where(tf.broadcastTo(mask, images.shape), tf.reverse(images, 2), images);
  });
}

/** Indices of batch `step` (0-based) of a stage: seeded epochs over the stage's clips. */
function batchIndices(seed: number, stage: number, step: number, n: number, b: number): number[] {
  const perEpoch = Math.max(1, Math.floor(n / b));
  const epoch = Math.floor(step / perEpoch);
  const order = new Rng(seed * 1_000_003 + stage * 7919 + epoch).shuffle([...Array(n).keys()]);
  const start = (step % perEpoch) * b;
  return Array.from({ length: b }, (_, i) => order[(start + i) % n]);
}

/**
 * Train the model through the curriculum's stages. Each stage s draws its clips from its
 * level, clusters audio into K_audio and frames into K_visual centers and minimises the
 * contrastive loss of (audio, own frame) positives against (audio, next clip's frame)
 * negatives with Adam. All stages share the network. With `outDir`, every step is appended to
 * `history.jsonl` and checkpoints go to `checkpoints/` atomically; `resume` continues from the
 * last one and reproduces an uninterrupted run's history exactly on the cpu backend.
 *
 * @param model the network to train (modified in place).
 * @param opts data, stages, hyper-parameters, output and progress.
 * @returns the history and whether all stages finished.
 */
export async function trainCurriculum(model: AVModel, opts: TrainOptions): Promise<TrainResult> {
  const b = opts.batchSize ?? 16;
  if (!Number.isInteger(b) || b < 2) {
    throw new Error(`trainCurriculum: batchSize must be an integer >= 2, got ${b}`);
  }
  if (opts.stages.length === 0) throw new Error("trainCurriculum: stages is empty");
  const size = opts.datasetSize ?? 256;
  if (!Number.isInteger(size) || size < b) {
    throw new Error(
      `trainCurriculum: datasetSize (${size}) must be an integer >= batchSize (${b})`,
    );
  }
  const margin = opts.margin ?? DEFAULT_MARGIN;
  const recipe = resolveRecipe(opts.recipe);
  if (opts.beta !== undefined) {
    recipe.betaStart = recipe.betaEnd = opts.beta;
  }
  let seed = opts.seed ?? model.seed;
  const every = opts.checkpointEvery ?? 50;
  const ckptDir = opts.outDir ? `${opts.outDir}/checkpoints` : undefined;
  const historyPath = opts.outDir ? `${opts.outDir}/history.jsonl` : undefined;
  const totalSteps = opts.stages.reduce((a, s) => a + s.steps, 0);
  const adamOpts = {
    lr: opts.lr ?? defaultLearningRate(model.config.preset),
    weightDecay: opts.weightDecay ?? PAPER_WEIGHT_DECAY,
  };
  let optimizer = new Adam(model.params.variables(), adamOpts);
  let pos: TrainerPosition = { seed, stage: 0, step: 0, history: [] };

  if (opts.outDir) await Deno.mkdir(opts.outDir, { recursive: true });
  if (opts.resume && ckptDir && await latestCheckpoint(ckptDir)) {
    const { trainer } = await loadCheckpoint(ckptDir, model, optimizer);
    pos = trainer as TrainerPosition;
    if (typeof pos?.stage !== "number" || !Array.isArray(pos.history)) {
      throw new Error(`trainCurriculum: ${ckptDir} holds no trainer position`);
    }
    seed = pos.seed; // the interrupted run's batch order
  }
  if (historyPath) {
    await writeFileAtomic(historyPath, pos.history.map((h) => JSON.stringify(h) + "\n").join(""));
  }
  const history = pos.history.slice();
  const bar = opts.progressBar ? progressBar() : undefined;
  let globalStep = history.length;
  let completed = true;

  const checkpoint = async (stage: number, step: number) => {
    if (!ckptDir) return;
    await saveCheckpoint(ckptDir, {
      model,
      optimizer,
      step: globalStep,
      trainer: { seed, stage, step, history } satisfies TrainerPosition,
    });
  };

  try {
    outer: for (let s = pos.stage; s < opts.stages.length; s++) {
      const stage = opts.stages[s];
      const first = s === pos.stage ? pos.step : 0;
      if (first >= stage.steps) continue;
      if (first === 0 && s > 0 && (opts.resetOptimizerEachStage ?? true)) {
        optimizer.dispose();
        optimizer = new Adam(model.params.variables(), adamOpts);
      }
      const { kAudio, kVisual } = stageCenters(stage);
      const fresh = recipe.freshScenes && opts.data.batches
        ? opts.data.batches(stage.level, b, freshStart(seed, s) + first * b)[Symbol.iterator]()
        : undefined;
      const clips = fresh ? [] : await stageClips(opts.data, stage.level, size);
      const data = fresh ? undefined : stageTensors(model, clips);
      try {
        for (let t = first; t < stage.steps; t++) {
          if (opts.signal?.aborted) {
            completed = false;
            break outer;
          }
          const t0 = performance.now();
          let images: tf.Tensor4D, logMel: tf.Tensor3D;
          if (fresh) {
            ({ images, logMel } = modelInputs(model, fresh.next().value as AVClip[]));
          } else {
            const idx = tf.tensor1d(batchIndices(seed, s, t, clips.length, b), "int32");
            images = tf.gather(data!.images, idx) as tf.Tensor4D;
            logMel = tf.gather(data!.logMel, idx) as tf.Tensor3D;
            idx.dispose();
          }
          if (recipe.flip) {
            const flipped = flipFrames(images, new Rng(seed * 1_000_003 + s * 7919 + t + 17));
            images.dispose();
            images = flipped;
          }
          optimizer.lr = recipeLearningRate(recipe, adamOpts.lr, t, stage.steps);
          const pairOpts = {
            kAudio,
            kVisual,
            alignment: opts.alignment,
            iterations: opts.iterations,
            beta: recipeBeta(recipe, t, stage.steps),
            negatives: recipe.negatives,
          };
          let p2: tf.Tensor1D | undefined, n2: tf.Tensor1D | undefined;
          const lossT = optimizer.minimize(() => {
            const d = pairDistances(model, images, logMel, pairOpts);
            p2 = tf.keep(d.positive2);
            n2 = tf.keep(d.negative2);
            const positives = contrastiveLoss(d.positive2, tf.onesLike(d.positive2), margin);
            const negatives = d.allNegative2 ?? d.negative2;
            // 0.5 (mean over positives + mean over negatives): with one negative per audio,
            // exactly the paper's mean over the 2 * batch pairs
            return tf.mul(
              0.5,
              tf.add(positives, contrastiveLoss(negatives, tf.zerosLike(negatives), margin)),
            ) as tf.Scalar;
          });
          const loss = (await lossT.data())[0];
          const accuracy = pairAccuracy(await p2!.data(), await n2!.data());
          tf.dispose([lossT, p2!, n2!, images, logMel]);
          if (!Number.isFinite(loss)) {
            throw new Error(
              `trainCurriculum: loss is ${loss} at stage ${s + 1} step ${t + 1} (lower lr?)`,
            );
          }
          globalStep++;
          const entry: TrainStep = {
            stage: s,
            level: levelName(stage.level),
            step: t + 1,
            globalStep,
            loss,
            accuracy,
          };
          history.push(entry);
          if (historyPath) {
            await Deno.writeTextFile(historyPath, JSON.stringify(entry) + "\n", { append: true });
          }
          const report: TrainProgress = {
            stage: s,
            stages: opts.stages.length,
            level: entry.level,
            step: t + 1,
            stageSteps: stage.steps,
            globalStep,
            totalSteps,
            loss,
            accuracy,
            clipsPerSecond: b / ((performance.now() - t0) / 1000),
          };
          bar?.update(report);
          opts.onProgress?.(report);
          const last = t + 1 === stage.steps;
          if ((globalStep % every === 0) || last) {
            await checkpoint(last ? s + 1 : s, last ? 0 : t + 1);
          }
        }
      } finally {
        if (data) tf.dispose([data.images, data.logMel]);
      }
    }
  } finally {
    bar?.stop();
    optimizer.dispose();
  }
  return { history, completed, steps: globalStep };
}
