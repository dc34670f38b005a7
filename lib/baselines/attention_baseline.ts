/**
 * The Attention baseline of Senocak et al. (2018), unsupervised variant: the audio embedding
 * attends over the visual feature map; the attention map is the localization heatmap, and the
 * attended visual vector is pulled towards its own audio and pushed from others' with the same
 * contrastive pairs and loss as ours. Networks are passed in, so any audio / visual trunk fits;
 * {@linkcode attentionNets} makes them from our model's trunks, {@linkcode trainAttentionBaseline}
 * trains them end to end on a curriculum level (Table 2: C1) and
 * {@linkcode attentionLocalize} gives the heatmaps.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import { Rng } from "../random/mod.ts";
import type { AVModel } from "../model/create_model.ts";
import { embedAudio, embedVisual } from "../model/embed.ts";
import { modelInputs } from "../model/model_inputs.ts";
import type { CurriculumLevel } from "../train/curriculum.ts";
import { type CurriculumData, defaultLearningRate } from "../train/train_curriculum.ts";
import { ClipStream } from "../data/clip_stream.ts";
import { runTrainLoop } from "../train/train_loop.ts";
import { type GridHeatmap, smoothGridMap } from "../model/grid_heatmap.ts";

/**
 * The two feature extractors the baseline needs, and the variables they train.
 *
 * @category model
 */
export interface AttentionNets {
  /** Audio input batch -> embedding `[batch, channels]`. */
  audio: (input: tf.Tensor) => tf.Tensor2D;
  /** Image batch -> feature map `[batch, positions, channels]` (same `channels`). */
  visual: (input: tf.Tensor) => tf.Tensor3D;
  /** Trainable variables of both nets. */
  variables: tf.Variable[];
}

/**
 * Output of {@linkcode senocakAttention}.
 *
 * @category model
 */
export interface AttentionOutput {
  /** Attention over positions `[batch, positions]`, each row summing to 1. */
  attention: tf.Tensor2D;
  /** Attention-weighted visual vector `[batch, channels]`. */
  attended: tf.Tensor2D;
}

/**
 * Audio-guided attention: `a_n = softmax_n(cos(v_n, h) / temperature)` over the visual
 * positions `v_n` for audio embedding `h`, and `z = sum_n a_n v_n`.
 *
 * @param visual Visual features `[batch, positions, channels]`.
 * @param audio Audio embeddings `[batch, channels]`.
 * @param temperature Softmax temperature on the cosine (default 0.1).
 * @returns Attention map and attended vector.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { senocakAttention } from "@avscene/avscene/baselines";
 * const v = tf.tensor3d([[[1, 0], [0, 1]]]), h = tf.tensor2d([[0, 2]]);
 * const { attention } = senocakAttention(v, h);
 * assert.equal(attention.argMax(1).dataSync()[0], 1);
 * ```
 * @category model
 */
export function senocakAttention(
  visual: tf.Tensor3D,
  audio: tf.Tensor2D,
  temperature = 0.1,
): AttentionOutput {
  if (visual.rank !== 3) {
    throw new Error(`senocakAttention: visual must be rank 3, got ${visual.rank}`);
  }
  if (audio.rank !== 2) {
    throw new Error(`senocakAttention: audio must be rank 2, got ${audio.rank}`);
  }
  const [b, , d] = visual.shape;
  if (audio.shape[0] !== b || audio.shape[1] !== d) {
    throw new Error(
      `senocakAttention: audio has shape [${audio.shape}], expected [${b}, ${d}] to match visual`,
    );
  }
  if (!(temperature > 0)) {
    throw new Error(`senocakAttention: temperature must be > 0, got ${temperature}`);
  }
  return tf.tidy(() => {
    const vn = tf.div(visual, tf.add(tf.norm(visual, 2, -1, true), 1e-8));
    const hn = tf.div(audio, tf.add(tf.norm(audio, 2, -1, true), 1e-8));
    const cos = tf.squeeze(tf.matMul(vn, tf.expandDims(hn, 2)), [2]) as tf.Tensor2D; // [B, N]
    const attention = tf.softmax(tf.div(cos, temperature)) as tf.Tensor2D;
    const attended = tf.squeeze(tf.matMul(tf.expandDims(attention, 1), visual), [1]) as tf.Tensor2D;
    return { attention, attended };
  });
}

/**
 * The contrastive loss of our method applied to the baseline: distance `d = |z - h|` between
 * the attended visual vector and the audio embedding,
 * `L = mean 0.5 [y d^2 + (1 - y) max(0, margin - d)^2]`.
 *
 * @param attended `[batch, channels]` attended visual vectors.
 * @param audio `[batch, channels]` audio embeddings.
 * @param labels `[batch]`, 1 for a matching pair, 0 for a mismatched one.
 * @param margin Margin (default 5, as ours).
 * @returns Scalar loss.
 * @category model
 */
export function attentionContrastiveLoss(
  attended: tf.Tensor2D,
  audio: tf.Tensor2D,
  labels: tf.Tensor1D,
  margin = 5,
): tf.Scalar {
  return tf.tidy(() => {
    const d2 = tf.sum(tf.square(tf.sub(attended, audio)), -1);
    const d = tf.sqrt(tf.add(d2, 1e-12));
    const y = tf.cast(labels, "float32");
    const neg = tf.square(tf.relu(tf.sub(margin, d)));
    return tf.mul(0.5, tf.mean(tf.add(tf.mul(y, d2), tf.mul(tf.sub(1, y), neg)))) as tf.Scalar;
  });
}

/**
 * One training step of the baseline on a batch: positives pair each audio with its own image,
 * negatives with another clip's image (`negativeImages`); returns the loss before the update.
 *
 * @param nets The feature extractors and their variables.
 * @param optimizer Any tfjs optimiser.
 * @param audioBatch Audio inputs for `nets.audio`.
 * @param images The clips' own images for `nets.visual`.
 * @param negativeImages Images of other clips, same batch size.
 * @param margin Contrastive margin (default 5).
 * @returns The batch loss.
 * @category model
 */
export function trainAttentionStep(
  nets: AttentionNets,
  optimizer: tf.Optimizer,
  audioBatch: tf.Tensor,
  images: tf.Tensor,
  negativeImages: tf.Tensor,
  margin = 5,
): number {
  const cost = optimizer.minimize(
    () => {
      const h = nets.audio(audioBatch);
      const pos = senocakAttention(nets.visual(images), h).attended;
      const neg = senocakAttention(nets.visual(negativeImages), h).attended;
      const b = h.shape[0];
      const z = tf.concat([pos, neg], 0);
      const hh = tf.concat([h, h], 0);
      const y = tf.concat([tf.ones([b]), tf.zeros([b])]) as tf.Tensor1D;
      return attentionContrastiveLoss(z, hh, y, margin);
    },
    true,
    nets.variables,
  );
  const value = cost!.dataSync()[0];
  cost!.dispose();
  return value;
}

/**
 * Localization heatmaps of the baseline: the attention over the visual positions for each
 * clip's own audio, one `Float32Array` of `positions` values per clip (reshape to the feature
 * map's grid and upsample to image size for cIoU).
 *
 * @param nets The feature extractors.
 * @param audioBatch Audio inputs.
 * @param images Images.
 * @returns One attention map per clip.
 * @category model
 */
export function attentionHeatmaps(
  nets: AttentionNets,
  audioBatch: tf.Tensor,
  images: tf.Tensor,
): Float32Array[] {
  const att = tf.tidy(() =>
    senocakAttention(nets.visual(images), nets.audio(audioBatch)).attention
  );
  const [b, n] = att.shape;
  const data = att.dataSync() as Float32Array;
  att.dispose();
  return Array.from({ length: b }, (_, i) => data.slice(i * n, (i + 1) * n));
}

/**
 * The baseline's feature extractors from our model's two trunks: the visual net's embedded
 * feature map `[batch, positions, D]` and the audio net's embedding mean-pooled over its
 * positions `[batch, D]`. Inputs are `modelInputs`' tensors: images for `visual`, log-mel
 * spectrograms for `audio`.
 *
 * @param model the network (its variables are the ones trained).
 * @returns the nets; `grid()` gives the visual grid (rows, cols) of the last visual call.
 * @category model
 */
export function attentionNets(model: AVModel): AttentionNets & { grid(): [number, number] } {
  let grid: [number, number] = [0, 0];
  return {
    audio: (x) => tf.tidy(() => tf.mean(embedAudio(model, x as tf.Tensor3D).features, 1)),
    visual: (x) => {
      const e = embedVisual(model, x as tf.Tensor4D);
      grid = [e.rows, e.cols];
      return e.features;
    },
    variables: model.params.variables(),
    grid: () => grid,
  };
}

/**
 * Options of {@linkcode trainAttentionBaseline}.
 *
 * @category model
 */
export interface AttentionTrainOptions {
  /** Where the training clips come from. */
  data: CurriculumData;
  /** Optimisation steps (>= 1). */
  steps: number;
  /** Training data level (default 1: single-source clips, as Table 2's baseline). */
  level?: CurriculumLevel;
  /** Clips per batch (>= 2; default 16). */
  batchSize?: number;
  /** Clips drawn; batches cycle through them in seeded epochs (default 256). */
  datasetSize?: number;
  /** Adam learning rate (default: the preset's, as our trainer). */
  lr?: number;
  /** Contrastive margin (default 5). */
  margin?: number;
  /** Seed of the batch order (default: the model's seed). */
  seed?: number;
  /** Stops before the next step when aborted. */
  signal?: AbortSignal;
  /** Called after every step with the step (1-based) and its loss. */
  onStep?: (step: number, loss: number) => void;
}

/**
 * What {@linkcode trainAttentionBaseline} returns.
 *
 * @category model
 */
export interface AttentionTrainResult {
  /** The loss of every step done. */
  losses: number[];
  /** False when stopped by `signal` before the last step. */
  completed: boolean;
}

/**
 * Train the Attention baseline end to end on our model's trunks: each batch pairs every clip's
 * audio with its own frame (positive) and with the next clip's frame (negative), and Adam
 * minimises {@linkcode attentionContrastiveLoss} of the attended visual vectors.
 *
 * The loop (abort, divergence check, freeing a failed step's tensors) is `runTrainLoop`'s.
 *
 * @param model the network to train (modified in place).
 * @param opts data, steps and hyper-parameters.
 * @returns per-step losses.
 * @throws DivergenceError when the loss stops being finite.
 * @category model
 */
export async function trainAttentionBaseline(
  model: AVModel,
  opts: AttentionTrainOptions,
): Promise<AttentionTrainResult> {
  const b = opts.batchSize ?? 16;
  const size = opts.datasetSize ?? 256;
  if (!Number.isInteger(opts.steps) || opts.steps < 1) {
    throw new Error(
      `trainAttentionBaseline: opts.steps must be an integer >= 1, got ${opts.steps}`,
    );
  }
  if (!Number.isInteger(b) || b < 2) {
    throw new Error(`trainAttentionBaseline: opts.batchSize must be an integer >= 2, got ${b}`);
  }
  if (!Number.isInteger(size) || size < b) {
    throw new Error(
      `trainAttentionBaseline: opts.datasetSize (${size}) must be an integer >= batchSize (${b})`,
    );
  }
  const margin = opts.margin ?? 5;
  if (!(Number.isFinite(margin) && margin > 0)) {
    throw new Error(`trainAttentionBaseline: opts.margin must be finite and > 0, got ${margin}`);
  }
  const level = opts.level ?? 1;
  // one window of the model's length from the middle of each clip (decoded one at a time)
  const source = opts.data.trainingClips(level, size);
  const stream = new ClipStream(source, {
    seconds: model.config.duration,
    sampleRate: model.config.sampleRate,
    maxCachedBytes: 0,
  });
  const clips: AVClip[] = [];
  for (let i = 0; i < source.size; i++) clips.push(await stream.window(i, 0.5));
  if (clips.length < b) {
    throw new Error(`trainAttentionBaseline: the data gave ${clips.length} clips, need >= ${b}`);
  }
  const images: tf.Tensor4D[] = [], mels: tf.Tensor3D[] = [];
  for (let i = 0; i < clips.length; i += 32) {
    const x = modelInputs(model, clips.slice(i, i + 32));
    images.push(x.images);
    mels.push(x.logMel);
  }
  const allImages = tf.concat(images) as tf.Tensor4D, allMels = tf.concat(mels) as tf.Tensor3D;
  tf.dispose([...images, ...mels]);
  const nets = attentionNets(model);
  const optimizer = tf.train.adam(opts.lr ?? defaultLearningRate(model.config.preset));
  const seed = opts.seed ?? model.seed;
  const n = clips.length, perEpoch = Math.floor(n / b);
  let order: number[] = [], orderEpoch = -1;
  try {
    const run = await runTrainLoop<{ loss: number }>({
      name: "trainAttentionBaseline",
      totalSteps: opts.steps,
      seed,
      model,
      optimizer: () => undefined, // tfjs's Adam: no checkpoints (the loop gets no outDir)
      step: (t) => {
        const epoch = Math.floor(t / perEpoch);
        if (epoch !== orderEpoch) {
          order = new Rng(seed * 1_000_003 + epoch).shuffle([...Array(n).keys()]);
          orderEpoch = epoch;
        }
        const start = (t % perEpoch) * b;
        const idx = tf.tensor1d(order.slice(start, start + b), "int32");
        const [img, mel, neg] = tf.tidy(() => {
          const img = tf.gather(allImages, idx);
          // negatives: each clip's audio against the next clip's frame
          const neg = tf.concat([
            tf.slice(img, [1, 0, 0, 0], [b - 1, -1, -1, -1]),
            tf.slice(img, 0, 1),
          ]);
          return [img, tf.gather(allMels, idx), neg];
        });
        const loss = trainAttentionStep(nets, optimizer, mel, img, neg, margin);
        tf.dispose([idx, img, mel, neg]);
        if (Number.isFinite(loss)) opts.onStep?.(t + 1, loss); // the loop rejects the rest
        return Promise.resolve({ loss });
      },
    }, { signal: opts.signal });
    return { losses: run.history.map((h) => h.loss), completed: run.completed };
  } finally {
    optimizer.dispose();
    tf.dispose([allImages, allMels]);
  }
}

/**
 * Localization heatmaps of the Attention baseline on our model: the attention of each clip's
 * audio over its frame's visual grid, smoothed as every method's grid map is (`smoothGridMap`,
 * sigma `MAP_SMOOTHING` of the side, unless `mapSmoothing` says otherwise; 0: raw attention).
 *
 * @param model a network trained by {@linkcode trainAttentionBaseline}.
 * @param clips clips to localize.
 * @param mapSmoothing the Gaussian's sigma as a share of the grid's side (default
 * `MAP_SMOOTHING`).
 * @returns one heatmap per clip on the visual feature grid (upsample to image size).
 * @category model
 */
export function attentionLocalize(
  model: AVModel,
  clips: readonly AVClip[],
  mapSmoothing?: number,
): GridHeatmap[] {
  if (clips.length === 0) throw new Error("attentionLocalize: clips is empty");
  const nets = attentionNets(model);
  const out: GridHeatmap[] = [];
  for (let i = 0; i < clips.length; i += 32) {
    const x = modelInputs(model, clips.slice(i, i + 32));
    const maps = attentionHeatmaps(nets, x.logMel, x.images);
    tf.dispose([x.images, x.logMel]);
    const [height, width] = nets.grid();
    for (const map of maps) {
      out.push({ height, width, heatmap: smoothGridMap(map, height, width, mapSmoothing) });
    }
  }
  return out;
}
