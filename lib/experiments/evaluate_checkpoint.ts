/**
 * The evaluation protocol of a trained checkpoint on the synthetic world: localization
 * (cIoU@0.5, AUC; the random baseline beside it) on its localization test set and
 * frozen-feature classification (5-fold linear classifier) on its labelled single-source set.
 *
 * @module
 */
import { synthWorld } from "../data/synth_world.ts";
import { cIoU } from "../metrics/ciou.ts";
import { clipCIoUs } from "../metrics/clip_cious.ts";
import { classifyFrozenFeatures } from "../metrics/classify_frozen_features.ts";
import { consensusMap } from "../metrics/consensus_map.ts";
import { localizationScores } from "../metrics/localization_scores.ts";
import { randomLocalization } from "../baselines/random_localization.ts";
import type { AVModel } from "../model/create_model.ts";
import { oursHeatmaps } from "../model/ours_heatmaps.ts";
import { pooledAudioFeatures } from "../model/pooled_features.ts";

/** What {@linkcode evaluateCheckpoint} measured. */
export interface CheckpointEvaluation {
  /** cIoU@0.5 and AUC of the model and of the random baseline on the same images. */
  localization: {
    model: { ciou50: number; auc: number };
    random: { ciou50: number; auc: number };
    images: number;
  };
  /** Frozen-feature classification accuracy (mean over folds) and chance. */
  classification: { accuracy: number; foldAccuracies: number[]; chance: number; clips: number };
}

/** Options of {@linkcode evaluateCheckpoint}. */
export interface EvaluateCheckpointOptions {
  /** Localization test images (default 100). */
  images?: number;
  /** Classification clips per class and fold (default 4). */
  clipsPerClassPerFold?: number;
  /** Synthetic world seed (default 0). */
  worldSeed?: number;
}

/**
 * Evaluate a model on the synthetic world (at the model's image size and sample rate):
 * localization (cIoU@0.5, AUC, random baseline beside it) and frozen-feature classification.
 *
 * @param model the trained model.
 * @param opts set sizes, number of audio centers and world seed.
 * @returns the measurements.
 */
export async function evaluateCheckpoint(
  model: AVModel,
  opts: EvaluateCheckpointOptions = {},
): Promise<CheckpointEvaluation> {
  const images = opts.images ?? 100;
  const c = model.config;
  const world = synthWorld({
    seed: opts.worldSeed ?? 0,
    imageSize: c.imageSize,
    sampleRate: c.sampleRate,
    duration: c.duration,
  });
  const clips = world.localizationSet(images);
  // The protocol of Table 2 (aligned centers' maps, cIoU against the annotators' consensus),
  // with the random baseline on the same images.
  const ours = clipCIoUs(clips, await oursHeatmaps(model, clips, "aligned"));
  const random = clips.map((clip, i) => {
    const { height: H, width: W } = clip.image;
    const truth = consensusMap(clip.annotatorBoxes ?? [clip.boxes ?? []], H, W);
    return cIoU(randomLocalization(H, W, 1000 + i), truth);
  });
  const labelled = world.classificationSet(opts.clipsPerClassPerFold ?? 4);
  const features = await pooledAudioFeatures(model, labelled);
  const cls = classifyFrozenFeatures(
    features,
    labelled.map((l) => l.target),
    labelled.map((l) => l.fold),
  );
  return {
    localization: {
      model: localizationScores(ours),
      random: localizationScores(random),
      images: clips.length,
    },
    classification: {
      accuracy: cls.meanAccuracy,
      foldAccuracies: cls.foldAccuracies,
      chance: 1 / world.classes.length,
      clips: labelled.length,
    },
  };
}
