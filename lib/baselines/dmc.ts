/**
 * The DMC baseline of Table 2 (Deep Multimodal Clustering, Hu et al. 2019), as a thin
 * configuration of our own model and trainer, following the authors' Simplified_DMC code: the
 * same soft K-means, alignment and contrastive loss, but a fixed number of clusters per
 * modality (Simplified_DMC's defaults: 2 audio, 4 visual) and no curriculum: one stage on the
 * uncurated set, whatever each clip's number of sources. At test time the clustering keeps
 * those fixed numbers, and a clip's heatmap is the union (pixelwise maximum) of the visual
 * clusters its audio clusters align to.
 *
 * @module
 */
import type { AVClip } from "../data/types.ts";
import type { AVModel } from "../model/create_model.ts";
import { localize } from "../model/localize.ts";
import { type GridHeatmap, smoothGridMap, unionOf } from "../model/grid_heatmap.ts";
import type { StageSpec } from "../train/curriculum.ts";
import { trainCurriculum, type TrainOptions, type TrainResult } from "../train/train_curriculum.ts";

/**
 * Audio clusters of DMC (Simplified_DMC's `a_cluster_num` default).
 *
 * @category model
 */
export const DMC_K_AUDIO = 2;

/**
 * Visual clusters of DMC (Simplified_DMC's `v_cluster_num` default).
 *
 * @category model
 */
export const DMC_K_VISUAL = 4;

/**
 * Options of {@linkcode dmcStages} and {@linkcode dmcHeatmaps}.
 *
 * @category model
 */
export interface DMCClusters {
  /** Audio clusters (default {@linkcode DMC_K_AUDIO}). */
  kAudio?: number;
  /** Visual clusters (default {@linkcode DMC_K_VISUAL}). */
  kVisual?: number;
}

/**
 * DMC's training schedule: a single stage on the uncurated set with fixed cluster numbers.
 *
 * @param steps optimisation steps.
 * @param clusters cluster numbers (defaults: 2 audio, 4 visual).
 * @returns the one-stage schedule for `trainCurriculum`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dmcStages } from "@avscene/avscene/baselines";
 * assert.deepEqual(dmcStages(100), [{ level: "uncurated", steps: 100, kAudio: 2, kVisual: 4 }]);
 * ```
 * @category model
 */
export function dmcStages(steps: number, clusters: DMCClusters = {}): StageSpec[] {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`dmcStages: steps must be an integer >= 1, got ${steps}`);
  }
  const kAudio = clusters.kAudio ?? DMC_K_AUDIO;
  const kVisual = clusters.kVisual ?? DMC_K_VISUAL;
  for (const [name, k] of [["kAudio", kAudio], ["kVisual", kVisual]] as const) {
    if (!Number.isInteger(k) || k < 1) {
      throw new Error(`dmcStages: clusters.${name} must be a positive integer, got ${k}`);
    }
  }
  return [{ level: "uncurated", steps, kAudio, kVisual }];
}

/**
 * Options of {@linkcode trainDMC}: the trainer's, with DMC's schedule in place of stages.
 *
 * @category model
 */
export interface DMCTrainOptions extends Omit<TrainOptions, "stages">, DMCClusters {
  /** Optimisation steps on the uncurated set. */
  steps: number;
}

/**
 * Train a model as DMC: {@linkcode dmcStages} through our trainer (same loss, optimiser,
 * checkpoints and resume).
 *
 * @param model the network to train (modified in place).
 * @param opts data, steps, cluster numbers and the trainer's options.
 * @returns the trainer's result.
 * @category model
 */
export function trainDMC(model: AVModel, opts: DMCTrainOptions): Promise<TrainResult> {
  const { steps, kAudio, kVisual, ...rest } = opts;
  return trainCurriculum(model, { ...rest, stages: dmcStages(steps, { kAudio, kVisual }) });
}

/**
 * DMC's localization heatmaps: cluster with the fixed numbers, align, and take the pixelwise
 * maximum of the assignment maps of the visual clusters the audio clusters align to, smoothed
 * as every method's grid map is (`smoothGridMap`, sigma `MAP_SMOOTHING` of the side).
 *
 * @param model a model trained as DMC.
 * @param clips clips to localize.
 * @param clusters cluster numbers (defaults: 2 audio, 4 visual).
 * @returns one heatmap per clip on the visual feature grid (upsample to image size).
 * @category model
 */
export async function dmcHeatmaps(
  model: AVModel,
  clips: readonly AVClip[],
  clusters: DMCClusters = {},
): Promise<GridHeatmap[]> {
  if (clips.length === 0) throw new Error("dmcHeatmaps: clips is empty");
  const kAudio = clusters.kAudio ?? DMC_K_AUDIO;
  const kVisual = clusters.kVisual ?? DMC_K_VISUAL;
  const out: GridHeatmap[] = [];
  for (let i = 0; i < clips.length; i += 32) {
    const maps = await localize(model, clips.slice(i, i + 32), {
      kAudio,
      kVisual,
      mapSmoothing: 0,
    });
    for (const m of maps) {
      const heatmap = smoothGridMap(unionOf(m.aligned), m.height, m.width);
      out.push({ height: m.height, width: m.width, heatmap });
    }
  }
  return out;
}
