/**
 * The evaluation protocol of a trained checkpoint on any dataset of the contract (default the
 * synthetic world): localization (cIoU@0.5, AUC; the random baseline beside it) on its
 * localization test set and frozen-feature classification (linear classifier over the folds)
 * on its labelled clips, each skipped with a sentence when the data cannot serve it.
 *
 * @module
 */
import { type AVDataset, missingCapability } from "../data/dataset.ts";
import { synthWorld } from "../data/synth_world.ts";
import { cIoU } from "../metrics/ciou.ts";
import { clipCIoUs } from "../metrics/clip_cious.ts";
import { classifyFrozenFeatures } from "../metrics/classify_frozen_features.ts";
import { consensusMap } from "../metrics/consensus_map.ts";
import { localizationScores } from "../metrics/localization_scores.ts";
import { randomLocalization } from "../baselines/random_localization.ts";
import type { AVModel } from "../model/create_model.ts";
import { LOCALIZE_DEFAULTS } from "../model/localize.ts";
import { oursHeatmaps } from "../model/ours_heatmaps.ts";
import { pooledFeaturesOf } from "../model/pooled_features.ts";
import type { RecipeClustering } from "../train/recipe.ts";

/**
 * What {@linkcode evaluateCheckpoint} measured; an evaluation the data cannot serve is absent.
 *
 * @category experiments
 */
export interface CheckpointEvaluation {
  /** cIoU@0.5 and AUC of the model and of the random baseline on the same images. */
  localization?: {
    model: { ciou50: number; auc: number };
    random: { ciou50: number; auc: number };
    images: number;
  };
  /** Frozen-feature classification accuracy (mean over folds) and chance. */
  classification?: { accuracy: number; foldAccuracies: number[]; chance: number; clips: number };
  /** One sentence per evaluation skipped because the data cannot serve it. */
  skipped: string[];
}

/**
 * Options of {@linkcode evaluateCheckpoint}.
 *
 * @category experiments
 */
export interface EvaluateCheckpointOptions {
  /** Localization test images (default 100). */
  images?: number;
  /**
   * Classification clips per class and fold (default 4 on the synthetic world; a dataset on
   * disk: all of them).
   */
  clipsPerClassPerFold?: number;
  /** Synthetic world seed when no `dataset` is given (default 0). */
  worldSeed?: number;
  /** The data (default the synthetic world at the model's sizes). */
  dataset?: AVDataset;
  /**
   * The clustering the model is localized with (default `LOCALIZE_DEFAULTS`, how the default
   * recipe trains): for a model trained with another recipe, `recipeClustering` of it, so that
   * it is read as it was trained (e.g. `paper`: beta 30, every visual center alignable,
   * K_visual = K_audio + 1).
   */
  clustering?: RecipeClustering;
  /**
   * The maps' smoothing, sigma as a share of the grid's side (default `MAP_SMOOTHING`, 1/16;
   * 0: the raw assignments, as scored before stop 28).
   */
  mapSmoothing?: number;
}

/**
 * Evaluate a model on a dataset (default the synthetic world at the model's image size and
 * sample rate): localization (cIoU@0.5, AUC, random baseline beside it) when the dataset has a
 * localization set, frozen-feature classification when it has labelled clips.
 *
 * @param model the trained model.
 * @param opts set sizes, the dataset or the synthetic world's seed, the clustering the model
 * is localized with.
 * @returns the measurements, and a sentence for each evaluation skipped (on the synthetic
 * world, the default, both evaluations are always there).
 * @throws Error when the dataset serves neither evaluation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { evaluateCheckpoint } from "@avscene/avscene/experiments";
 * import { createModel } from "@avscene/avscene/model";
 * import { recipeClustering, resolveRecipe } from "@avscene/avscene/train";
 *
 * await initBackend("cpu");
 * const model = createModel({ preset: "tiny", seed: 0 }); // untrained: near chance
 * const r = await evaluateCheckpoint(model, { images: 4, clipsPerClassPerFold: 1 });
 * assert.equal(r.localization?.images, 4);
 * assert.equal(r.classification?.foldAccuracies.length, 5);
 * assert.deepEqual(r.skipped, []);
 * // a model trained with the paper's recipe is read as it was trained
 * const paper = await evaluateCheckpoint(model, {
 *   images: 4,
 *   clipsPerClassPerFold: 1,
 *   clustering: recipeClustering(resolveRecipe("paper")),
 * });
 * assert.equal(paper.localization.images, 4);
 * model.params.dispose();
 * ```
 * @category experiments
 */
export async function evaluateCheckpoint(
  model: AVModel,
  opts?: EvaluateCheckpointOptions & { dataset?: undefined },
): Promise<Required<CheckpointEvaluation>>;
/**
 * Evaluate a model on a dataset (see the first signature): an evaluation the dataset cannot
 * serve is absent from the result and named in `skipped`.
 *
 * @param model the trained model.
 * @param opts set sizes and the dataset.
 * @returns the measurements, and a sentence for each evaluation skipped.
 * @throws Error when the dataset serves neither evaluation.
 * @category experiments
 */
export async function evaluateCheckpoint(
  model: AVModel,
  opts?: EvaluateCheckpointOptions,
): Promise<CheckpointEvaluation>;
export async function evaluateCheckpoint(
  model: AVModel,
  opts: EvaluateCheckpointOptions = {},
): Promise<CheckpointEvaluation> {
  const images = opts.images ?? 100;
  const c = model.config;
  const dataset = opts.dataset ?? synthWorld({
    seed: opts.worldSeed ?? 0,
    imageSize: c.imageSize,
    sampleRate: c.sampleRate,
    duration: c.duration,
  });
  const out: CheckpointEvaluation = { skipped: [] };
  const noLocalization = missingCapability(dataset, ["localizationSet"], "localization");
  if (noLocalization) out.skipped.push(noLocalization);
  else {
    const clips = await dataset.localizationSet!(images);
    // The protocol of Table 2 (aligned centers' maps, cIoU against the annotators' consensus),
    // with the random baseline on the same images.
    const ours = clipCIoUs(
      clips,
      await oursHeatmaps(model, clips, "aligned", {
        ...opts.clustering ?? LOCALIZE_DEFAULTS,
        mapSmoothing: opts.mapSmoothing,
      }),
    );
    const random = clips.map((clip, i) => {
      const { height: H, width: W } = clip.image;
      const truth = consensusMap(clip.annotatorBoxes ?? [clip.boxes ?? []], H, W);
      return cIoU(randomLocalization(H, W, 1000 + i), truth);
    });
    out.localization = {
      model: localizationScores(ours),
      random: localizationScores(random),
      images: clips.length,
    };
  }
  const noClassification = missingCapability(dataset, ["classificationClips"], "classification");
  if (noClassification) out.skipped.push(noClassification);
  else {
    const perClass = opts.clipsPerClassPerFold ?? (opts.dataset ? undefined : 4);
    const labelled = dataset.classificationClips!(perClass);
    const features = await pooledFeaturesOf(model, labelled);
    const entries = Array.from({ length: labelled.size }, (_, i) => labelled.entry(i));
    const cls = classifyFrozenFeatures(
      features,
      entries.map((l) => l.target),
      entries.map((l) => l.fold),
      { classes: Math.max(2, labelled.classes) },
    );
    out.classification = {
      accuracy: cls.meanAccuracy,
      foldAccuracies: cls.foldAccuracies,
      chance: 1 / labelled.classes,
      clips: labelled.size,
    };
  }
  if (!out.localization && !out.classification) {
    throw new Error(`eval: nothing to evaluate: ${out.skipped.join("; ")}`);
  }
  return out;
}
