/**
 * Mix-and-separate training (Sound-of-Pixels): draw clips, mix their audio, and teach the
 * separation network to recover each clip's sound from the mixture, conditioned on that clip's
 * visual vector; Adam, per-step history, atomic checkpoints, exact resume and progress.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Spectrogram } from "../audio/stft.ts";
import type { AVClip } from "../data/types.ts";
import { Rng } from "../random/mod.ts";
import type { Conditioner, MixtureBatch } from "../model/separation/conditioner.ts";
import { maskTargets, maskWeights } from "../model/separation/mask_targets.ts";
import type { MixtureSpectra } from "../model/separation/mixture_spectra.ts";
import { batchSpectra, mixtureBatch, predictClipMasks } from "../model/separation/separate.ts";
import { separationFrames } from "../model/separation/separation_config.ts";
import { separationLoss } from "../model/separation/separation_loss.ts";
import type { SeparationModel } from "../model/separation/separation_model.ts";
import { Adam, PAPER_WEIGHT_DECAY } from "./adam.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { checkTrainLoopOptions, runTrainLoop, type TrainLoopOptions } from "./train_loop.ts";

/**
 * One step of the separation history.
 *
 * @category training
 */
export interface SeparationStep {
  /** Step (1-based). */
  step: number;
  /** Weighted mask loss of the batch. */
  loss: number;
  /** Weighted share of bins whose predicted mask is on the target's side of 0.5. */
  accuracy: number;
}

/**
 * Options of {@linkcode trainSeparation} (output, resume, abort and progress: the loop's).
 *
 * @category training
 */
export interface TrainSeparationOptions extends TrainLoopOptions {
  /** What conditions the network (ours or a baseline's visual net; its variables must be in `model.params`). */
  conditioner: Conditioner;
  /**
   * The clips mixtures are drawn from (solo, or solo and duet: a clip's `count` says how many
   * objects sound in it, which only conditioners that use it, as ours, look at).
   */
  clips: readonly AVClip[];
  /** Optimisation steps. */
  steps: number;
  /** Mixtures per batch (default 8). */
  batchSize?: number;
  /** Clips mixed per mixture, N (default 2). */
  mixSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Adam L2 weight decay (default 1e-4). */
  weightDecay?: number;
  /** Seed of the mixtures drawn (default: the model's seed; a resumed run keeps its own). */
  seed?: number;
}

/**
 * What {@linkcode trainSeparation} returns.
 *
 * @category training
 */
export interface TrainSeparationResult {
  /** Every step, resumed ones included. */
  history: SeparationStep[];
  /** False when stopped by `signal`. */
  completed: boolean;
  /** Steps done. */
  steps: number;
}

/**
 * The clip indices of each mixture of step `step` (0-based): `mixSize` distinct clips per
 * mixture, drawn from a stream fixed by seed and step (so a resumed run draws the same).
 */
function _drawMixtures(seed: number, step: number, pool: number, b: number, n: number): number[][] {
  const rng = new Rng(seed * 1_000_003 + step);
  return Array.from({ length: b }, () => rng.shuffle([...Array(pool).keys()]).slice(0, n));
}

/**
 * The training tensors of a batch: each clip's target mask and each mixture's loss weights.
 *
 * @param model the separation network (its mask type and shapes).
 * @param spectra the batch's mixture spectra.
 * @returns targets `[B, N, paddedFrames, warpBins]` and weights `[B, paddedFrames, warpBins]`
 * (0 on the padding frames).
 * @category training
 */
export function separationTargets(
  model: SeparationModel,
  spectra: readonly MixtureSpectra[],
): { targets: tf.Tensor4D; weights: tf.Tensor3D } {
  const { paddedFrames } = separationFrames(model.config);
  const w = model.config.warpBins, plane = paddedFrames * w;
  const n = spectra[0].clipMagnitudes.length, b = spectra.length;
  const targets = new Float32Array(b * n * plane), weights = new Float32Array(b * plane);
  spectra.forEach((s, i) => {
    weights.set(maskWeights(s.mixMagnitude), i * plane);
    maskTargets(s.clipMagnitudes, s.mixMagnitude, model.config.maskType).forEach((t, j) =>
      targets.set(t, (i * n + j) * plane)
    );
  });
  return {
    targets: tf.tensor4d(targets, [b, n, paddedFrames, w]),
    weights: tf.tensor3d(weights, [b, paddedFrames, w]),
  };
}

/**
 * One mix-and-separate step: predict each clip's mask from the mixtures of `batch`, one Adam
 * update of the weighted mask loss. Frees its tensors, also when it throws.
 */
async function separationStep(
  model: SeparationModel,
  conditioner: Conditioner,
  optimizer: Adam,
  batch: MixtureBatch,
  spectra: readonly MixtureSpectra[],
): Promise<{ loss: number; accuracy: number }> {
  const n = batch.clips[0].length;
  await conditioner.prepare?.(batch);
  const { targets, weights } = separationTargets(model, spectra);
  let hits: tf.Scalar | undefined, lossT: tf.Scalar | undefined;
  try {
    lossT = optimizer.minimize(() => {
      const masks = predictClipMasks(model, conditioner, batch, spectra);
      hits = tf.keep(tf.tidy(() => {
        const right = tf.cast(
          tf.equal(tf.greater(masks, 0.5), tf.greater(targets, 0.5)),
          "float32",
        );
        return tf.div(
          tf.sum(tf.mul(right, tf.expandDims(weights, 1))),
          tf.mul(tf.sum(weights), n),
        );
      }) as tf.Scalar);
      return separationLoss(masks, targets, weights, model.config.maskType);
    });
    const loss = (await lossT.data())[0];
    const accuracy = (await hits!.data())[0];
    return { loss, accuracy };
  } finally {
    tf.dispose([lossT, hits, targets, weights]);
  }
}

/**
 * Train a separation network by mix-and-separate: each step draws `batchSize` mixtures of
 * `mixSize` distinct clips, predicts each clip's mask from the mixture conditioned on the
 * clip's vectors (a clip with several, as our duets, gets their union), and minimises the
 * weighted mask loss (BCE for binary masks, L1 for ratio masks) with Adam. With `outDir`,
 * steps go to `history.jsonl` and checkpoints to `checkpoints/` atomically; `resume` continues
 * from the last one and draws the same mixtures an uninterrupted run would. The loop (resume,
 * history, checkpoints, abort, divergence, progress) is {@linkcode runTrainLoop}'s.
 *
 * @param model the separation network (modified in place), including any trainable visual net.
 * @param opts data, conditioner, hyper-parameters, output and progress.
 * @returns the history and whether all steps ran.
 * @throws DivergenceError when the loss stops being finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { synthWorld } from "@avscene/avscene/data";
 * import { createModel, createOursSeparation } from "@avscene/avscene/model";
 * import { trainSeparation } from "@avscene/avscene/train";
 *
 * await initBackend("cpu");
 * const av = createModel({ preset: "tiny", seed: 0 }); // (trained first, in practice)
 * const { model, conditioner } = createOursSeparation(av, { seed: 0 });
 * const clips = synthWorld({ seed: 0 }).separationSet("solo", 4);
 * const run = await trainSeparation(model, { conditioner, clips, steps: 2, batchSize: 2 });
 * assert.ok(run.completed);
 * assert.equal(run.history.length, 2);
 * assert.ok(run.history.every((s) => Number.isFinite(s.loss)));
 * model.params.dispose();
 * av.params.dispose();
 * ```
 * @category training
 */
export async function trainSeparation(
  model: SeparationModel,
  opts: TrainSeparationOptions,
): Promise<TrainSeparationResult> {
  const b = opts.batchSize ?? 8, n = opts.mixSize ?? 2;
  if (!Number.isInteger(b) || b < 1) {
    throw new Error(`trainSeparation: batchSize must be a positive integer, got ${b}`);
  }
  if (!Number.isInteger(n) || n < 2) {
    throw new Error(`trainSeparation: mixSize must be an integer >= 2, got ${n}`);
  }
  if (opts.clips.length < n) {
    throw new Error(`trainSeparation: clips holds ${opts.clips.length} clips, mixSize is ${n}`);
  }
  if (!Number.isInteger(opts.steps) || opts.steps < 0) {
    throw new Error(`trainSeparation: steps must be a non-negative integer, got ${opts.steps}`);
  }
  checkTrainLoopOptions("trainSeparation", opts);
  const optimizer = new Adam(model.params.variables(), {
    lr: opts.lr ?? 1e-3,
    weightDecay: opts.weightDecay ?? PAPER_WEIGHT_DECAY,
  });
  const cache = new Map<string, Spectrogram>();
  try {
    return await runTrainLoop<SeparationStep>({
      name: "trainSeparation",
      totalSteps: opts.steps,
      seed: opts.seed ?? model.seed,
      model,
      optimizer: () => optimizer,
      position: (done) => ({ step: done }),
      step: async (t, seed) => {
        const groups = _drawMixtures(seed, t, opts.clips.length, b, n)
          .map((g) => g.map((i) => opts.clips[i]));
        const batch: MixtureBatch = mixtureBatch(model, groups);
        const spectra = batchSpectra(model, batch, cache);
        const { loss, accuracy } = await separationStep(
          model,
          opts.conditioner,
          optimizer,
          batch,
          spectra,
        );
        return { step: t + 1, loss, accuracy };
      },
      progress: (t, entry, seconds) => ({
        stage: 0,
        stages: 1,
        level: "separation",
        step: t + 1,
        stageSteps: opts.steps,
        globalStep: t + 1,
        totalSteps: opts.steps,
        loss: entry.loss,
        accuracy: entry.accuracy,
        clipsPerSecond: (b * n) / seconds,
      }),
    }, opts);
  } finally {
    optimizer.dispose();
  }
}

/**
 * Load a separation checkpoint written by {@linkcode trainSeparation} into a network of the
 * same configuration (and visual net, for baselines).
 *
 * @param path a checkpoint, or a directory whose `latest.json` names one (`<outDir>/checkpoints`).
 * @param model the network to overwrite.
 * @returns the step it was taken at.
 * @category training
 */
export async function loadSeparationCheckpoint(
  path: string,
  model: SeparationModel,
): Promise<number> {
  return (await loadCheckpoint(path, model)).step;
}
