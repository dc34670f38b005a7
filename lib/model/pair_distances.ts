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
import {
  alignCenters,
  backgroundCenters,
  type BackgroundRule,
  excludeBackground,
  softAlignedDistance2,
} from "./align_centers.ts";

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
  /**
   * Negatives of each audio: `next`, the frame of clip `(i + 1) mod batch` (the reference
   * code's one negative; default), or `all`, every other frame of the batch.
   */
  negatives?: "next" | "all";
  /**
   * Which visual center is the background, never aligned to a sound (default `none`: the
   * nearest of all; `largest`: the center of largest assignment mass; `border`, `spread`: see
   * `BackgroundRule`).
   */
  background?: BackgroundRule;
  /**
   * Also return {@linkcode PairDistances.inFrame2}: each audio center against the visual
   * centers of its own frame that no sound of the clip is aligned to (default false). Needs
   * source alignment and more visual than audio centers.
   */
  inFrameNegatives?: boolean;
  /**
   * Also return {@linkcode PairDistances.distance2}, the scene distance of every (audio i,
   * frame j) pair of the batch, the diagonal included (default false; for a softmax loss).
   */
  matrix?: boolean;
  /**
   * Soft alignment (default 0: each sound to its nearest alignable visual center): the
   * softmin temperature with which every scene distance takes each sound's visual center as a
   * weighted mix of the alignable centers (see `softAlignedDistance2`). The in-frame
   * negatives keep the hard choice.
   */
  alignTemperature?: number;
  /**
   * Soft K-means beta of the visual clustering alone (default absent or 0: `beta`); the audio
   * clustering keeps `beta`.
   */
  visualBeta?: number;
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
  /**
   * With `negatives: "all"`: d^2 of (audio i, frame j) for every j != i, row-major over i
   * `[batch * (batch - 1)]`.
   */
  allNegative2?: tf.Tensor1D;
  /**
   * With `inFrameNegatives`: the in-frame negatives, |v_j(i) - a_ik|^2 between audio center k
   * of clip i and the nearest visual center j of clip i's own frame that none of the clip's
   * audio centers is aligned to (the background center and, with more visual centers, those
   * no sound chose: the sound matched to the rest of its own image, a hard negative),
   * row-major over i `[batch * K_audio]`.
   */
  inFrame2?: tf.Tensor1D;
  /**
   * With `matrix`: d^2 of every (audio i, frame j) pair `[batch (audio), batch (frame)]`, the
   * positives on the diagonal (computed as `allNegative2`, under the same background rule).
   */
  distance2?: tf.Tensor2D;
}

/**
 * Scene distances d^2 of every (audio i, frame j) pair: `sum_k min_j' |v_jj' - a_ik|^2`.
 *
 * @param vc visual centers `[batch, Kv, D]`.
 * @param ac audio centers `[batch, Ka, D]`.
 * @param background optional background mask of each frame's visual centers `[batch, Kv]`.
 * @param temperature soft alignment's temperature (0: the hard nearest).
 * @returns `[batch (audio), batch (frame)]`.
 */
function sceneDistanceMatrix(
  vc: tf.Tensor3D,
  ac: tf.Tensor3D,
  background?: tf.Tensor2D,
  temperature = 0,
): tf.Tensor2D {
  // [1, B(frame), Kv, 1, D] - [B(audio), 1, 1, Ka, D] -> [B, B, Kv, Ka]
  const v = tf.expandDims(tf.expandDims(vc, 0), 3), a = tf.expandDims(tf.expandDims(ac, 1), 2);
  const d = tf.sum(tf.square(tf.sub(v, a)), 4);
  const alignable = background ? excludeBackground(d, background, 2) : d;
  return (temperature > 0
    ? softAlignedDistance2(v, a, alignable, temperature)
    : tf.sum(tf.min(alignable, 2), 2)) as tf.Tensor2D;
}

/**
 * Each audio center's squared distance to the nearest visual center of its own frame that no
 * audio center of the clip is aligned to: `distances` with the aligned centers excluded (the
 * choice passes no gradient; the distances do).
 *
 * @param distances squared center distances `[batch, Kv, Ka]`.
 * @param nearest the aligned visual center of each audio center `[batch, Ka]` (int32).
 * @returns `[batch * Ka]`, row-major over the batch.
 */
function unalignedDistances(distances: tf.Tensor3D, nearest: tf.Tensor2D): tf.Tensor1D {
  const kv = distances.shape[1];
  // 1 for each center some audio center is aligned to: max over k of one-hot(nearest_k)
  const aligned = tf.max(tf.oneHot(nearest, kv), 1).toFloat() as tf.Tensor2D;
  return tf.reshape(tf.min(excludeBackground(distances, aligned, 1), 1), [-1]) as tf.Tensor1D;
}

/** The batch rolled by one: item i is item (i + 1) mod batch. */
function rollBatch<T extends tf.Tensor>(x: T): T {
  const b = x.shape[0];
  const size = x.shape.map(() => -1);
  return tf.concat([
    tf.slice(x, [1, ...size.slice(1).map(() => 0)], [b - 1, ...size.slice(1)]),
    tf.slice(x, size.map(() => 0), [1, ...size.slice(1)]),
  ]) as T;
}

/**
 * The off-diagonal entries of a square matrix `[n, n]`, row-major `[n * (n - 1)]`: the
 * flattened matrix without its first entry, seen as `[n - 1, n + 1]`, has the diagonal in its
 * last column (slices only, so the gradient runs on every backend).
 */
function offDiagonal(m: tf.Tensor2D): tf.Tensor1D {
  const n = m.shape[0];
  const rest = tf.reshape(tf.slice(tf.reshape(m, [n * n]), [1], [n * n - 1]), [n - 1, n + 1]);
  return tf.reshape(tf.slice(rest, [0, 0], [n - 1, n]), [n * (n - 1)]) as tf.Tensor1D;
}

/**
 * Scene distances of each clip's audio to its own frame (positive) and to the next clip's
 * frame (negative, `(i + 1) mod batch`); with `negatives: "all"` also to every other frame,
 * with `inFrameNegatives` each audio center's distance to its own frame's unaligned centers,
 * and with `matrix` every (audio, frame) pair's distance as one matrix.
 *
 * @param model the model.
 * @param images frames `[batch, H, W, 3]` in [0, 1], batch >= 2.
 * @param logMel spectrograms `[batch, frames, nMels]`.
 * @param opts centers per modality and alignment level.
 * @returns positive and negative squared distances, `[batch]` each (and the asked-for extra
 * negatives).
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
  if (opts.inFrameNegatives) {
    const why = (opts.alignment ?? "source") !== "source"
      ? `alignment "${opts.alignment}"`
      : opts.kVisual <= opts.kAudio
      ? `kVisual ${opts.kVisual} <= kAudio ${opts.kAudio}`
      : undefined;
    if (why) {
      throw new Error(
        `pairDistances: inFrameNegatives needs a visual center no sound is aligned to ` +
          `(source alignment, kVisual > kAudio), got ${why}`,
      );
    }
  }
  return tf.tidy(() => {
    const visual = embedVisual(model, images);
    const v = visual.features;
    const a = embedAudio(model, logMel).features;
    let vc: tf.Tensor3D, ac: tf.Tensor3D, bg: tf.Tensor2D | undefined;
    if ((opts.alignment ?? "source") === "scene") {
      vc = tf.mean(v, 1, true) as tf.Tensor3D;
      ac = tf.mean(a, 1, true) as tf.Tensor3D;
    } else {
      const km = { iterations: opts.iterations, beta: opts.beta };
      const vk = softKMeans(v, opts.kVisual, { ...km, beta: opts.visualBeta || opts.beta });
      vc = vk.centers;
      ac = softKMeans(a, opts.kAudio, km).centers;
      bg = backgroundCenters(opts.background ?? "none", vk.assignments, opts.kAudio, visual);
    }
    const tau = opts.alignTemperature ?? 0;
    const own = alignCenters(vc, ac, bg, tau);
    const positive2 = own.sceneDistance2;
    const negative2 = alignCenters(rollBatch(vc), ac, bg && rollBatch(bg), tau).sceneDistance2;
    const wantAll = (opts.negatives ?? "next") === "all";
    const m = wantAll || opts.matrix ? sceneDistanceMatrix(vc, ac, bg, tau) : undefined;
    const all = wantAll ? { allNegative2: offDiagonal(m!) } : {};
    const matrix = opts.matrix ? { distance2: m! } : {};
    const inFrame = opts.inFrameNegatives
      ? { inFrame2: unalignedDistances(own.distances, own.nearest) }
      : {};
    return { positive2, negative2, ...all, ...inFrame, ...matrix };
  });
}
