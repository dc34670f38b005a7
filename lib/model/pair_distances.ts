/**
 * Scene distances of matching and mismatched (audio, frame) pairs of a batch: embedding, soft
 * K-means per modality, then source-level structural alignment or scene-level pooling.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { stopGradient } from "./_stop_gradient.ts";
import { softKMeans, softKMeansCoupled, type SoftKMeansOptions } from "../../kernels/mod.ts";
import type { SoftKMeansResult } from "../../kernels/soft_kmeans_types.ts";
import { softKMeansEachStart } from "../../kernels/soft_kmeans_composed.ts";
import type { AVModel } from "./create_model.ts";
import { embedAudio, embedVisual } from "./embed.ts";
import {
  alignCenters,
  type Alignment,
  backgroundCenters,
  type BackgroundRule,
  distinctAlignment,
  excludeBackground,
  softAlignedDistance2,
} from "./align_centers.ts";
import {
  checkVisualSpatial,
  clusteringFeatures,
  featureCenters,
  type VisualSpatialOptions,
} from "./visual_spatial.ts";

/**
 * `source`: the paper's structural alignment of K_audio audio centers to K_visual visual
 * centers. `scene`: the Table 1 ablation, one center per modality (K = 1: the mean of the
 * feature map).
 * @category model
 */
export type AlignmentLevel = "source" | "scene";

/**
 * Where the visual soft K-means starts its centers (see {@linkcode PairOptions.visualInit}).
 *
 * @category model
 */
export const VISUAL_INITS = ["grid", "audio", "audio-own", "feature-own"] as const;

/**
 * One of {@linkcode VISUAL_INITS}.
 *
 * @category model
 */
export type VisualInit = typeof VISUAL_INITS[number];

/**
 * Checks a visual-init name, naming the argument in the error.
 *
 * @param what the argument's name for the error (e.g. `recipe: visualInit`).
 * @param value the value to check.
 * @returns the value, typed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkVisualInit } from "./pair_distances.ts";
 * assert.equal(checkVisualInit("opts.visualInit", "audio"), "audio");
 * assert.throws(() => checkVisualInit("opts.visualInit", "sound"), /opts.visualInit must be/);
 * ```
 * @category model
 */
export function checkVisualInit(what: string, value: unknown): VisualInit {
  if (!(VISUAL_INITS as readonly unknown[]).includes(value)) {
    throw new Error(`${what} must be one of ${VISUAL_INITS.join(", ")}, got ${value}`);
  }
  return value as VisualInit;
}

/**
 * Whether a visual init aligns each sound k to the visual center k it started (`audio-own`,
 * `feature-own`) rather than by the background rule.
 *
 * @param init a visual init.
 * @returns true for the own-aligned inits.
 * @category model
 */
export function ownAligned(init: VisualInit): boolean {
  return init === "audio-own" || init === "feature-own";
}

/**
 * The visual starts of an audio-started clustering: the audio centers themselves (`audio`,
 * `audio-own`), or for `feature-own` each frame's visual feature nearest each audio center
 * (a point of the frame; the choice passes no gradient, the chosen feature does).
 *
 * @param v frames' visual features `[B, N, D]`.
 * @param ac audio centers `[B, Ka, D]` (frame b started from `ac[b]`), or `[A, Ka, D]` with
 * `each`: every frame started from every audio's centers.
 * @param init the visual init (not `grid`).
 * @param each start every frame from every audio (default false).
 * @returns `[B, Ka, D]`, or with `each` `[B, A, Ka, D]` (for `feature-own`; the other inits
 * give `ac` itself, `[A, Ka, D]`, shared by the frames).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { visualStarts } from "./pair_distances.ts";
 * const v = tf.tensor3d([[[0, 0], [5, 5], [9, 0]]]); // one frame, 3 positions
 * const ac = tf.tensor3d([[[8, 1]]]); // its sound's audio center
 * assert.deepEqual(visualStarts(v, ac, "feature-own").arraySync(), [[[9, 0]]]);
 * assert.equal(visualStarts(v, ac, "audio-own"), ac);
 * ```
 * @category model
 */
export function visualStarts(
  v: tf.Tensor3D,
  ac: tf.Tensor3D,
  init: Exclude<VisualInit, "grid">,
  each = false,
): tf.Tensor {
  if (init !== "feature-own") return ac;
  return tf.tidy(() => {
    const [b, n, d] = v.shape, [a, ka] = ac.shape;
    // [B, S, D] starts against [B, N, D] features: S = Ka, or A * Ka with each (shared)
    const s = each ? tf.broadcastTo(tf.reshape(ac, [1, a * ka, d]), [b, a * ka, d]) : ac;
    const d2 = tf.sub(
      tf.reshape(tf.sum(tf.square(v), 2), [b, 1, n]),
      tf.mul(2, tf.matMul(s, v, false, true)),
    ); // |v|^2 - 2 s.v: the argmin over positions is the nearest feature
    const pick = tf.oneHot(tf.argMin(d2, 2), n).toFloat(); // [B, S, N]
    const start = tf.matMul(pick, v); // [B, S, D], gradient into the chosen features
    return each ? tf.reshape(start, [b, a, ka, d]) : start;
  });
}

/**
 * Each sound k aligned to visual center k, the one its audio center started (visual init
 * `audio-own`): the alignment of `alignCenters` with a fixed choice.
 *
 * @param vc visual centers `[M, Kv, D]`, the first Ka started at the audio centers.
 * @param ac audio centers `[M, Ka, D]`.
 * @returns center distances `[M, Kv, Ka]`, the choice `[M, Ka]` and the scene distances `[M]`.
 * @category model
 */
export function ownAlignment(vc: tf.Tensor3D, ac: tf.Tensor3D): Alignment {
  const [m, ka] = ac.shape;
  return tf.tidy(() => {
    const distances = tf.sum(
      tf.square(tf.sub(tf.expandDims(vc, 2), tf.expandDims(ac, 1))),
      3,
    ) as tf.Tensor3D;
    const own = tf.slice(vc, [0, 0, 0], [-1, ka, -1]);
    const sceneDistance2 = tf.sum(tf.square(tf.sub(own, ac)), [1, 2]) as tf.Tensor1D;
    const nearest = tf.tile(tf.range(0, ka, 1, "int32").expandDims(0), [m, 1]) as tf.Tensor2D;
    return { distances, nearest, sceneDistance2 };
  });
}

/**
 * Options of {@linkcode pairDistances}.
 *
 * @category model
 */
export interface PairOptions extends VisualSpatialOptions {
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
   * Each sound of a clip aligned to a different visual center (default false: each to its
   * nearest, the paper's rule, so two sounds may share one center): the one-to-one
   * assignment of least total distance (see `distinctAlignment`). The same as the nearest rule
   * with one sound. Not with `alignTemperature`.
   */
  distinctAlignment?: boolean;
  /**
   * Soft K-means beta of the visual clustering alone (default absent or 0: `beta`); the audio
   * clustering keeps `beta`.
   */
  visualBeta?: number;
  /**
   * Mean-field spatial coupling of the visual clustering (default absent or 0: none, each
   * grid position assigned on its own): from the second soft K-means iteration on, each
   * position's logit for a visual center gains this times the mean of its 4 grid neighbours'
   * previous assignment to that center (see `GridCoupling`; the composed tfjs path, slower than
   * the fused kernels). The audio clustering is not coupled.
   */
  visualCoupling?: number;
  /**
   * Where the visual centers start (default `grid`: positions floor(k N / K), the paper).
   * `audio`: the first K_audio visual centers start at the audio centers of the pair's audio,
   * so frame j is clustered once per audio i (B x B clusterings with `matrix` or `negatives:
   * "all"`, else 2 B), each sound aligned as `background` says; `audio-own`: the same, each
   * sound k aligned to the visual center k its audio center started (no background rule);
   * `feature-own`: as `audio-own`, each start the frame's visual feature nearest the audio
   * center (`visualStarts`). Needs source alignment; no in-frame negatives.
   */
  visualInit?: VisualInit;
  /**
   * With an audio `visualInit` and the matrix or all negatives: which (audio, frame) pairs get
   * a clustering of their own (default `all`: frame j once per audio i of the batch, B x B
   * clusterings). `own`: each frame only from its own clip's audio centers (B clusterings);
   * audio i is compared with frame j's centers started by audio j (the diagonal aligned as
   * `visualInit` says; off it, each sound to its nearest started center under `audio-own`, by
   * `background` under `audio`). The returned `negative2` (the accuracy's next frame) is still
   * frame i + 1 clustered from audio i (B more clusterings, no gradient asked).
   */
  visualInitPairs?: VisualInitPairs;
  /**
   * With an audio `visualInit`: pass no gradient through the start (the audio centers used as
   * the first visual centers; default false: the gradient flows into the start).
   */
  visualInitDetach?: boolean;
  /**
   * Also return {@linkcode PairDistances.audioCosine}, how alike every two clips of the batch
   * sound to the model (default false). Needs the grid `visualInit`.
   */
  audioCosine?: boolean;
}

/**
 * Which pairs an audio-started visual clustering runs for (see
 * {@linkcode PairOptions.visualInitPairs}).
 *
 * @category model
 */
export const VISUAL_INIT_PAIRS = ["all", "own"] as const;

/**
 * One of {@linkcode VISUAL_INIT_PAIRS}.
 *
 * @category model
 */
export type VisualInitPairs = typeof VISUAL_INIT_PAIRS[number];

/**
 * Checks a `visualInitPairs` value, naming the argument in the error.
 *
 * @param what the argument's name for the error (e.g. `recipe: visualInitPairs`).
 * @param value the value to check.
 * @returns the value, typed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkVisualInitPairs } from "./pair_distances.ts";
 * assert.equal(checkVisualInitPairs("opts.visualInitPairs", "own"), "own");
 * assert.throws(() => checkVisualInitPairs("opts.visualInitPairs", "mine"), /opts.visualInitPairs must be/);
 * ```
 * @category model
 */
export function checkVisualInitPairs(what: string, value: unknown): VisualInitPairs {
  if (!(VISUAL_INIT_PAIRS as readonly unknown[]).includes(value)) {
    throw new Error(`${what} must be one of ${VISUAL_INIT_PAIRS.join(", ")}, got ${value}`);
  }
  return value as VisualInitPairs;
}

/**
 * The visual soft K-means of features `x` `[B, rows * cols, D]` on their grid: `softKMeans`,
 * or with `coupling` (gamma) other than absent or 0 its mean-field coupled form
 * (`softKMeansCoupled`, the composed tfjs path). Used alike in training (`pairDistances`) and
 * localization (`localize`).
 *
 * @param x visual features `[B, rows * cols, D]` (row-major positions).
 * @param grid the feature grid's `rows` and `cols`.
 * @param k the number of visual centers.
 * @param opts the soft K-means options (`iterations`, `beta`, `init`).
 * @param coupling the coupling strength gamma (absent or 0: none).
 * @returns centers `[B, k, D]` and assignments `[B, k, N]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { softKMeans } from "@avscene/avscene/kernels";
 * import { visualSoftKMeans } from "./pair_distances.ts";
 * const x = tf.tensor3d([[[0], [0], [0.5], [1]]]); // a 2 x 2 grid
 * const plain = await softKMeans(x, 2, { beta: 5 }).assignments.array();
 * const off = await visualSoftKMeans(x, { rows: 2, cols: 2 }, 2, { beta: 5 }, 0).assignments.array();
 * assert.deepEqual(off, plain);
 * ```
 * @category model
 */
export function visualSoftKMeans(
  x: tf.Tensor3D,
  grid: { rows: number; cols: number },
  k: number,
  opts: SoftKMeansOptions,
  coupling?: number,
): SoftKMeansResult {
  if (coupling === undefined || coupling === 0) return softKMeans(x, k, opts);
  return softKMeansCoupled(x, k, {
    ...opts,
    coupling: { gamma: coupling, rows: grid.rows, cols: grid.cols },
  });
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
  /**
   * With `audioCosine`: the cosine of every two clips' mean audio centers (the mean over each
   * clip's K_audio centers) less the batch's mean of them, `[batch, batch]`, without
   * gradient: how alike the model hears two clips' sounds, against the batch.
   */
  audioCosine?: tf.Tensor2D;
}

/**
 * The cosine of every two clips' mean audio centers, each less the batch's mean, without
 * gradient. Taking the batch's mean off keeps what every clip shares from counting (an
 * untrained net's centers all point about the same way: cosines of 0.98 between any two).
 *
 * @param ac audio centers `[batch, Ka, D]`.
 * @returns `[batch, batch]`.
 */
function clipAudioCosine(ac: tf.Tensor3D): tf.Tensor2D {
  const clip = stopGradient(tf.mean(ac, 1) as tf.Tensor2D);
  const own = tf.sub(clip, tf.mean(clip, 0, true));
  const unit = tf.div(own, tf.add(tf.norm(own, 2, 1, true), 1e-12));
  return tf.matMul(unit, unit, false, true);
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
  distinct = false,
): tf.Tensor2D {
  // [1, B(frame), Kv, 1, D] - [B(audio), 1, 1, Ka, D] -> [B, B, Kv, Ka]
  const v = tf.expandDims(tf.expandDims(vc, 0), 3), a = tf.expandDims(tf.expandDims(ac, 1), 2);
  const d = tf.sum(tf.square(tf.sub(v, a)), 4);
  const alignable = background ? excludeBackground(d, background, 2) : d;
  if (distinct && ac.shape[1] > 1) {
    return distinctAlignment(alignable).sceneDistance2 as tf.Tensor2D;
  }
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
  const init = checkVisualInit("pairDistances: opts.visualInit", opts.visualInit ?? "grid");
  if (init !== "grid" && (opts.inFrameNegatives || (opts.alignment ?? "source") !== "source")) {
    throw new Error(
      `pairDistances: opts.visualInit "${init}" needs source alignment and no in-frame negatives`,
    );
  }
  const pairs = checkVisualInitPairs(
    "pairDistances: opts.visualInitPairs",
    opts.visualInitPairs ?? "all",
  );
  if (opts.visualInitDetach !== undefined && typeof opts.visualInitDetach !== "boolean") {
    throw new Error(
      `pairDistances: opts.visualInitDetach must be a boolean, got ${opts.visualInitDetach}`,
    );
  }
  if (init === "grid" && (pairs !== "all" || opts.visualInitDetach)) {
    throw new Error(
      `pairDistances: opts.visualInitPairs "${pairs}" / visualInitDetach ` +
        `${opts.visualInitDetach} need an audio visualInit, got "grid"`,
    );
  }
  const spatial = checkVisualSpatial("pairDistances: opts", opts);
  if (spatial && init !== "grid") {
    throw new Error(
      `pairDistances: opts.visualSmoothing / visualCoordinates need the grid visualInit, ` +
        `got "${init}"`,
    );
  }
  if (init !== "grid" && opts.audioCosine) {
    throw new Error(`pairDistances: opts.audioCosine needs the grid visualInit, got "${init}"`);
  }
  if (init !== "grid") return audioInitPairDistances(model, images, logMel, opts, init, pairs);
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
      // with a spatial prior the clustered features differ from v; the centers' coordinates go
      const vk = visualSoftKMeans(
        clusteringFeatures(visual, opts),
        visual,
        opts.kVisual,
        { ...km, beta: opts.visualBeta || opts.beta },
        opts.visualCoupling,
      );
      vc = featureCenters(vk.centers, v.shape[2]);
      ac = softKMeans(a, opts.kAudio, km).centers;
      bg = backgroundCenters(opts.background ?? "none", vk.assignments, opts.kAudio, visual);
    }
    const tau = opts.alignTemperature ?? 0, distinct = opts.distinctAlignment ?? false;
    const own = alignCenters(vc, ac, bg, tau, distinct);
    const positive2 = own.sceneDistance2;
    const negative2 = alignCenters(rollBatch(vc), ac, bg && rollBatch(bg), tau, distinct)
      .sceneDistance2;
    const wantAll = (opts.negatives ?? "next") === "all";
    const m = wantAll || opts.matrix ? sceneDistanceMatrix(vc, ac, bg, tau, distinct) : undefined;
    const all = wantAll ? { allNegative2: offDiagonal(m!) } : {};
    const matrix = opts.matrix ? { distance2: m! } : {};
    const inFrame = opts.inFrameNegatives
      ? { inFrame2: unalignedDistances(own.distances, own.nearest) }
      : {};
    const cosine = opts.audioCosine ? { audioCosine: clipAudioCosine(ac) } : {};
    return { positive2, negative2, ...all, ...inFrame, ...matrix, ...cosine };
  });
}

/**
 * `pairDistances` with the visual clustering of each (audio i, frame j) pair started at audio
 * i's centers: all B x B pairs when the matrix or all negatives are asked for, else the
 * positives and the next clip's frame (2 B clusterings).
 */
function audioInitPairDistances(
  model: AVModel,
  images: tf.Tensor4D,
  logMel: tf.Tensor3D,
  opts: PairOptions,
  init: Exclude<VisualInit, "grid">,
  pairs: VisualInitPairs,
): PairDistances {
  const b = images.shape[0];
  return tf.tidy(() => {
    const visual = embedVisual(model, images);
    const v = visual.features;
    const d = v.shape[2];
    const km = { iterations: opts.iterations, beta: opts.beta };
    const ac = softKMeans(embedAudio(model, logMel).features, opts.kAudio, km).centers;
    const ka = opts.kAudio;
    const wantAll = (opts.negatives ?? "next") === "all";
    const full = wantAll || !!opts.matrix;
    const detach = <T extends tf.Tensor>(t: T) => opts.visualInitDetach ? stopGradient(t) : t;
    // the own frames' starts (B clusterings) and, B x B, every frame's from every audio
    const start = detach(visualStarts(v, ac, init) as tf.Tensor3D);
    const vb = { ...km, beta: opts.visualBeta || opts.beta };
    if (full && pairs === "own") {
      const next = detach(visualStarts(rollBatch(v), ac, init) as tf.Tensor3D);
      return ownPairs(v, ac, tf.concat([start, next]), visual, opts, init, wantAll);
    }
    // pair p = i * B + j (audio i, frame j), or [own frames; next frames] of every audio
    const vk = full
      ? softKMeansEachStart(
        v,
        init === "feature-own" ? detach(visualStarts(v, ac, init, true) as tf.Tensor4D) : start,
        opts.kVisual,
        opts.visualCoupling
          ? {
            ...vb,
            coupling: { gamma: opts.visualCoupling, rows: visual.rows, cols: visual.cols },
          }
          : vb,
      )
      : visualSoftKMeans(tf.concat([v, rollBatch(v)]) as tf.Tensor3D, visual, opts.kVisual, {
        ...vb,
        init: tf.concat([start, detach(visualStarts(rollBatch(v), ac, init) as tf.Tensor3D)]),
      }, opts.visualCoupling);
    const audio = (full
      ? tf.reshape(tf.broadcastTo(tf.expandDims(ac, 1), [b, b, ka, d]), [b * b, ka, d])
      : tf.concat([ac, ac])) as tf.Tensor3D;
    const sd = startedSceneDistance2(vk, audio, visual, opts, init);
    if (!full) {
      return {
        positive2: tf.slice(sd, [0], [b]) as tf.Tensor1D,
        negative2: tf.slice(sd, [b], [b]) as tf.Tensor1D,
      };
    }
    const m = tf.reshape(sd, [b, b]) as tf.Tensor2D;
    const eye = tf.eye(b);
    // masks, not gather (no gather gradient on wasm); row i of the rolled eye: 1 at (i + 1) mod b
    const positive2 = tf.sum(tf.mul(m, eye), 1) as tf.Tensor1D;
    const negative2 = tf.sum(tf.mul(m, rollBatch(eye)), 1) as tf.Tensor1D;
    const all = wantAll ? { allNegative2: offDiagonal(m) } : {};
    const matrix = opts.matrix ? { distance2: m } : {};
    return { positive2, negative2, ...all, ...matrix };
  });
}

/**
 * Scene distances of audio-started clusterings `vk` (row m against `audio[m]`): each sound to
 * the visual center it started (`audio-own`, `feature-own`), else aligned as `background` says.
 */
function startedSceneDistance2(
  vk: { centers: tf.Tensor3D; assignments: tf.Tensor3D },
  audio: tf.Tensor3D,
  visual: ReturnType<typeof embedVisual>,
  opts: PairOptions,
  init: Exclude<VisualInit, "grid">,
): tf.Tensor1D {
  if (ownAligned(init)) return ownAlignment(vk.centers, audio).sceneDistance2;
  const background = backgroundCenters(
    opts.background ?? "none",
    vk.assignments,
    opts.kAudio,
    visual,
  );
  return alignCenters(
    vk.centers,
    audio,
    background,
    opts.alignTemperature ?? 0,
    opts.distinctAlignment,
  ).sceneDistance2;
}

/**
 * `audioInitPairDistances` with `visualInitPairs: "own"`: frame i clustered from audio i's
 * centers (the positives, and the matrix's column i for every audio) and, for the accuracy's
 * `negative2`, frame i + 1 clustered from audio i (one softKMeans call of 2 B clusterings;
 * `starts` `[2 B, Ka, D]`: the own frames', then the next frames'). Called inside a tidy.
 */
function ownPairs(
  v: tf.Tensor3D,
  ac: tf.Tensor3D,
  starts: tf.Tensor3D,
  visual: ReturnType<typeof embedVisual>,
  opts: PairOptions,
  init: Exclude<VisualInit, "grid">,
  wantAll: boolean,
): {
  positive2: tf.Tensor1D;
  negative2: tf.Tensor1D;
  allNegative2?: tf.Tensor1D;
  distance2?: tf.Tensor2D;
} {
  const b = v.shape[0], ka = opts.kAudio;
  const km = { iterations: opts.iterations, beta: opts.visualBeta || opts.beta };
  const vk = visualSoftKMeans(tf.concat([v, rollBatch(v)]) as tf.Tensor3D, visual, opts.kVisual, {
    ...km,
    init: starts,
  }, opts.visualCoupling);
  const tau = opts.alignTemperature ?? 0;
  const sd = startedSceneDistance2(vk, tf.concat([ac, ac]) as tf.Tensor3D, visual, opts, init);
  const positive2 = tf.slice(sd, [0], [b]) as tf.Tensor1D;
  const negative2 = tf.slice(sd, [b], [b]) as tf.Tensor1D;
  // the matrix from the own clusterings: frame j's centers (started by audio j) for every audio
  const vc = tf.slice(vk.centers, [0, 0, 0], [b, -1, -1]) as tf.Tensor3D;
  const off = ownAligned(init)
    ? sceneDistanceMatrix(tf.slice(vc, [0, 0, 0], [-1, ka, -1]) as tf.Tensor3D, ac)
    : sceneDistanceMatrix(
      vc,
      ac,
      backgroundCenters(
        opts.background ?? "none",
        tf.slice(vk.assignments, [0, 0, 0], [b, -1, -1]) as tf.Tensor3D,
        ka,
        visual,
      ),
      tau,
      opts.distinctAlignment,
    );
  // the diagonal as the positives (aligned as visualInit says), masks not gather (wasm)
  const eye = tf.eye(b);
  const m = tf.add(tf.mul(off, tf.sub(1, eye)), tf.mul(tf.expandDims(positive2, 1), eye));
  const all = wantAll ? { allNegative2: offDiagonal(m as tf.Tensor2D) } : {};
  const matrix = opts.matrix ? { distance2: m as tf.Tensor2D } : {};
  return { positive2, negative2, ...all, ...matrix };
}
