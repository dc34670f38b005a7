/**
 * Scene distances of matching and mismatched (audio, frame) pairs of a batch: embedding, soft
 * K-means per modality, then source-level structural alignment or scene-level pooling.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { softKMeans } from "../../kernels/mod.ts";
import type { AVModel } from "./create_model.ts";
import { embedAudio, embedVisual } from "./embed.ts";
import { alignCenters } from "./align_centers.ts";

/**
 * `source`: the paper's structural alignment of K_audio audio centers to K_visual visual
 * centers. `scene`: the Table 1 ablation, one center per modality (K = 1: the mean of the
 * feature map).
 * @category model
 */
export type AlignmentLevel = "source" | "scene";

/**
 * Options of {@linkcode pairDistances}.
 *
 * @category model
 */
export interface PairOptions {
  /** Audio centers K_audio (the stage's number of sources). */
  kAudio: number;
  /** Visual centers K_visual (sources + 1 background center). */
  kVisual: number;
  /** Alignment level (default `source`). */
  alignment?: AlignmentLevel;
  /** Soft K-means iterations (default 4). */
  iterations?: number;
  /** Soft K-means beta (default 30). */
  beta?: number;
}

/**
 * Squared scene distances of the batch's pairs.
 *
 * @category model
 */
export interface PairDistances {
  /** d^2 of (audio i, frame i) `[batch]`. */
  positive2: tf.Tensor1D;
  /** d^2 of (audio i, frame (i + 1) mod batch) `[batch]`. */
  negative2: tf.Tensor1D;
}

/**
 * Scene distances of each clip's audio to its own frame (positive) and to the next clip's
 * frame (negative, `(i + 1) mod batch`).
 *
 * @param model the model.
 * @param images frames `[batch, H, W, 3]` in [0, 1], batch >= 2.
 * @param logMel spectrograms `[batch, frames, nMels]`.
 * @param opts centers per modality and alignment level.
 * @returns positive and negative squared distances, `[batch]` each.
 * @category model
 */
export function pairDistances(
  model: AVModel,
  images: tf.Tensor4D,
  logMel: tf.Tensor3D,
  opts: PairOptions,
): PairDistances {
  const b = images.shape[0];
  if (b < 2) throw new Error(`pairDistances: batch must be >= 2 for negatives, got ${b}`);
  if (logMel.shape[0] !== b) {
    throw new Error(`pairDistances: logMel batch ${logMel.shape[0]} != images batch ${b}`);
  }
  for (const key of ["kAudio", "kVisual"] as const) {
    if (!Number.isInteger(opts[key]) || opts[key] < 1) {
      throw new Error(`pairDistances: opts.${key} must be a positive integer, got ${opts[key]}`);
    }
  }
  return tf.tidy(() => {
    const v = embedVisual(model, images).features;
    const a = embedAudio(model, logMel).features;
    let vc: tf.Tensor3D, ac: tf.Tensor3D;
    if ((opts.alignment ?? "source") === "scene") {
      vc = tf.mean(v, 1, true) as tf.Tensor3D;
      ac = tf.mean(a, 1, true) as tf.Tensor3D;
    } else {
      const km = { iterations: opts.iterations, beta: opts.beta };
      vc = softKMeans(v, opts.kVisual, km).centers;
      ac = softKMeans(a, opts.kAudio, km).centers;
    }
    const next = tf.concat([
      tf.slice(vc, [1, 0, 0], [b - 1, -1, -1]),
      tf.slice(vc, [0, 0, 0], [1, -1, -1]),
    ]);
    const positive2 = alignCenters(vc, ac).sceneDistance2;
    const negative2 = alignCenters(next as tf.Tensor3D, ac).sceneDistance2;
    return { positive2, negative2 };
  });
}
