/**
 * Sound localization (DESIGN step 3): the assignment map of the visual center aligned to each
 * audio center, and the maps of the visual centers no sound aligned to.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { softKMeans } from "../../kernels/mod.ts";
import type { AVModel } from "./create_model.ts";
import { embedAudio, embedVisual } from "./embed.ts";
import { alignCenters, backgroundCenters, type BackgroundRule } from "./align_centers.ts";
import {
  checkVisualInit,
  ownAligned,
  ownAlignment,
  type VisualInit,
  visualSoftKMeans,
  visualStarts,
} from "./pair_distances.ts";
import {
  checkVisualSpatial,
  clusteringFeatures,
  featureCenters,
  type VisualSpatialOptions,
} from "./visual_spatial.ts";
import { type ModelInputs, modelInputs } from "./model_inputs.ts";
import { MAP_SMOOTHING, smoothGridMap } from "./grid_heatmap.ts";
import type { AVClip } from "../data/types.ts";

/**
 * How {@linkcode localize} clusters and aligns unless told otherwise: as the default training
 * recipe (`ours`) trains, beta 5, K_visual = K_audio + 2 visual centers, the visual center of
 * largest assignment mass as the background, never aligned, two soft K-means iterations, and
 * each sound to a different visual center. A model trained with the paper's recipe localizes as
 * it was trained with `{ beta: 30, background: "none", kVisual: kAudio + 1, iterations: 4,
 * distinctAlignment: false }` (`recipeClustering` of a recipe gives how a model trained with it
 * is read).
 *
 * @category model
 */
export const LOCALIZE_DEFAULTS: Readonly<{
  beta: number;
  background: BackgroundRule;
  extraVisualCenters: number;
  iterations: number;
  distinctAlignment: boolean;
}> = Object.freeze({
  beta: 5,
  background: "largest",
  extraVisualCenters: 2,
  iterations: 2,
  distinctAlignment: true,
});

/**
 * Options of {@linkcode localize}.
 *
 * @category model
 */
export interface LocalizeOptions extends VisualSpatialOptions {
  /** Audio centers (sounds to localize; default 1). */
  kAudio?: number;
  /** Visual centers (default kAudio + {@linkcode LOCALIZE_DEFAULTS}' 2). */
  kVisual?: number;
  /** Soft K-means iterations (default {@linkcode LOCALIZE_DEFAULTS}' 2; the paper's 4). */
  iterations?: number;
  /**
   * Each sound aligned to a different visual center (default {@linkcode LOCALIZE_DEFAULTS}'
   * true; false: each to its nearest, the paper's rule; see `distinctAlignment`). Acts only with
   * two or more sounds (`kAudio`).
   */
  distinctAlignment?: boolean;
  /** Soft K-means beta (default {@linkcode LOCALIZE_DEFAULTS}' 5). */
  beta?: number;
  /**
   * Which visual center is the background, never aligned (default `largest`, the one of
   * largest assignment mass; `none`: the paper's rule, the nearest of all visual centers wins;
   * see `BackgroundRule`).
   */
  background?: BackgroundRule;
  /**
   * Soft K-means beta of the visual clustering alone (default absent or 0: `beta`), for a
   * model trained with a recipe's `visualBeta`; the audio clustering keeps `beta`.
   */
  visualBeta?: number;
  /**
   * Mean-field spatial coupling of the visual clustering (default absent or 0: none), for a
   * model trained with a recipe's `visualCoupling`, or at localization only: each grid
   * position's logit for a visual center gains this times its 4 neighbours' mean previous
   * assignment to it (see `PairOptions.visualCoupling`).
   */
  visualCoupling?: number;
  /**
   * Where the visual centers start, for a model trained with a recipe's `visualInit` (default
   * `grid`; `audio`: the first K_audio at the clip's audio centers, aligned by `background`;
   * `audio-own`: the same, each sound aligned to the center it started; `feature-own`: as
   * `audio-own`, from the frame's feature nearest each audio center; see
   * `PairOptions.visualInit`).
   */
  visualInit?: VisualInit;
  /**
   * The returned maps smoothed by a Gaussian, sigma as a share of the grid's side (default
   * {@linkcode MAP_SMOOTHING}, 1/16; 0: the raw soft assignments). A read-out only: the
   * clustering and the alignment are the same either way.
   */
  mapSmoothing?: number;
}

/**
 * Localization maps of one clip, on the visual feature grid (upsample to image size).
 *
 * @category model
 */
export interface LocalizationMaps {
  /** Rows of the feature grid. */
  height: number;
  /** Columns of the feature grid. */
  width: number;
  /**
   * For each audio center k: the assignment map `[height * width]` of its aligned center
   * (smoothed by `mapSmoothing`).
   */
  aligned: Float32Array[];
  /** For each audio center k: the index of its aligned visual center. */
  alignedIndex: number[];
  /** Maps `[height * width]` of the visual centers no audio center aligned to. */
  unaligned: Float32Array[];
  /** Indices of those unaligned visual centers. */
  unalignedIndex: number[];
}

/**
 * Localize the sounds of a batch: cluster both modalities, align each audio center to its
 * nearest visual center (by default never to the background center, the one of largest
 * assignment mass), and return that center's soft assignment over the visual grid, smoothed
 * by a Gaussian of 1/16 of the grid's side (`mapSmoothing`; 0 gives the raw assignments).
 *
 * @param model the model.
 * @param input a clip, clips, or prepared inputs: `images` `[batch, H, W, 3]` and `logMel`
 * `[batch, frames, nMels]` (see `modelInputs`).
 * @param opts numbers of centers and clustering settings.
 * @returns one {@linkcode LocalizationMaps} per clip.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { synthWorld } from "@avscene/avscene/data";
 * import { createModel, localize } from "@avscene/avscene/model";
 *
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 0 });
 * const clips = synthWorld({ seed: 0 }).localizationSet(2);
 * const maps = await localize(model, clips, { kAudio: 1, kVisual: 2 });
 * assert.equal(maps.length, 2);
 * // one sound: one aligned visual center, the other is the background
 * assert.deepEqual([maps[0].aligned.length, maps[0].unaligned.length], [1, 1]);
 * assert.equal(maps[0].aligned[0].length, maps[0].height * maps[0].width);
 * model.params.dispose();
 * ```
 * @category model
 */
export async function localize(
  model: AVModel,
  input: AVClip | readonly AVClip[] | ModelInputs,
  opts: LocalizeOptions = {},
): Promise<LocalizationMaps[]> {
  const prepared = "logMel" in input && "images" in input;
  const inputs = prepared
    ? input as ModelInputs
    : modelInputs(model, Array.isArray(input) ? input : [input as AVClip]);
  try {
    return await localizeInputs(model, inputs, opts);
  } finally {
    if (!prepared) tf.dispose([inputs.images, inputs.logMel]);
  }
}

async function localizeInputs(
  model: AVModel,
  inputs: ModelInputs,
  opts: LocalizeOptions,
): Promise<LocalizationMaps[]> {
  const kAudio = opts.kAudio ?? 1;
  const kVisual = opts.kVisual ?? kAudio + LOCALIZE_DEFAULTS.extraVisualCenters;
  const km = {
    iterations: opts.iterations ?? LOCALIZE_DEFAULTS.iterations,
    beta: opts.beta ?? LOCALIZE_DEFAULTS.beta,
  };
  const init = checkVisualInit("localize: opts.visualInit", opts.visualInit ?? "grid");
  const smoothing = opts.mapSmoothing ?? MAP_SMOOTHING;
  if (!(Number.isFinite(smoothing) && smoothing >= 0)) {
    throw new Error(
      `localize: opts.mapSmoothing must be finite and >= 0 (0: off), got ${smoothing}`,
    );
  }
  if (checkVisualSpatial("localize: opts", opts) && init !== "grid") {
    throw new Error(
      `localize: opts.visualSmoothing / visualCoordinates need the grid visualInit, got "${init}"`,
    );
  }
  let rows = 0, cols = 0;
  const [assign, nearest] = tf.tidy(() => {
    const v = embedVisual(model, inputs.images);
    rows = v.rows;
    cols = v.cols;
    const a = embedAudio(model, inputs.logMel).features;
    const ak = softKMeans(a, kAudio, km);
    const clustered = visualSoftKMeans(clusteringFeatures(v, opts), v, kVisual, {
      ...km,
      beta: opts.visualBeta || km.beta,
      init: init === "grid" ? undefined : visualStarts(v.features, ak.centers, init) as tf.Tensor3D,
    }, opts.visualCoupling);
    // a spatial prior's coordinates dropped from the centers before they meet the audio's
    const vk = {
      ...clustered,
      centers: featureCenters(clustered.centers, v.features.shape[2]),
    };
    if (ownAligned(init)) return [vk.assignments, ownAlignment(vk.centers, ak.centers).nearest];
    const bg = backgroundCenters(
      opts.background ?? LOCALIZE_DEFAULTS.background,
      vk.assignments,
      kAudio,
      v,
    );
    return [
      vk.assignments,
      alignCenters(
        vk.centers,
        ak.centers,
        bg,
        0,
        opts.distinctAlignment ?? LOCALIZE_DEFAULTS.distinctAlignment,
      ).nearest,
    ];
  });
  const assignData = await assign.data() as Float32Array;
  const nearestData = await nearest.data() as Int32Array;
  tf.dispose([assign, nearest]);
  const n = rows * cols;
  const out: LocalizationMaps[] = [];
  for (let b = 0; b < inputs.images.shape[0]; b++) {
    const map = (j: number) =>
      smoothGridMap(
        assignData.subarray((b * kVisual + j) * n, (b * kVisual + j + 1) * n),
        rows,
        cols,
        smoothing,
      );
    const alignedIndex = Array.from(nearestData.subarray(b * kAudio, (b + 1) * kAudio));
    const unalignedIndex = [...Array(kVisual).keys()].filter((j) => !alignedIndex.includes(j));
    out.push({
      height: rows,
      width: cols,
      aligned: alignedIndex.map(map),
      alignedIndex,
      unaligned: unalignedIndex.map(map),
      unalignedIndex,
    });
  }
  return out;
}
