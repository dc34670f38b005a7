/**
 * Senocak's protocol per clip: each grid heatmap upsampled to its image and scored by cIoU
 * against the annotators' consensus map.
 *
 * @module
 */
import type { AVClip } from "../data/types.ts";
import type { GridHeatmap } from "../model/grid_heatmap.ts";
import { cIoU } from "./ciou.ts";
import { consensusMap } from "./consensus_map.ts";
import { upsampleHeatmap } from "./upsample_heatmap.ts";

/**
 * The cIoU of each heatmap against its clip's consensus map (annotators' boxes, or the
 * ground-truth boxes as a single annotator), the heatmap upsampled to image size.
 *
 * @param clips test clips with `annotatorBoxes` or `boxes`.
 * @param heatmaps one grid heatmap per clip.
 * @returns one cIoU per clip.
 * @category metrics
 */
export function clipCIoUs(clips: readonly AVClip[], heatmaps: readonly GridHeatmap[]): number[] {
  if (clips.length !== heatmaps.length) {
    throw new Error(`clipCIoUs: ${clips.length} clips but ${heatmaps.length} heatmaps`);
  }
  return clips.map((clip, i) => {
    const { height: H, width: W } = clip.image;
    const annotators = clip.annotatorBoxes ?? (clip.boxes ? [clip.boxes] : undefined);
    if (!annotators) throw new Error(`clipCIoUs: clip ${clip.id} has no annotatorBoxes or boxes`);
    const h = heatmaps[i];
    return cIoU(
      upsampleHeatmap(h.heatmap, h.height, h.width, H, W),
      consensusMap(annotators, H, W),
    );
  });
}
