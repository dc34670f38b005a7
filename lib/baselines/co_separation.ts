/**
 * The Co-Separation baseline (Gao and Grauman, 2019): object-level conditioning. Each sounding
 * object's crop is embedded by a visual net and conditions the U-Net at its bottleneck; a clip
 * with several objects gets the union of their masks. Ground-truth boxes (`clip.boxes`) stand
 * in for its instrument detector; a one-source clip without boxes (a MUSIC solo video: the
 * dataset has none) takes the whole frame as its object's box. Its co-separation consistency
 * loss is not used.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type {
  Conditioning,
  MixtureBatch,
  SeparationMethod,
} from "../model/separation/conditioner.ts";
import type { CreateSeparationModelOptions } from "../model/separation/separation_model.ts";
import { clipImages, createPooledVisualSeparator } from "./_visual_encoder.ts";

/**
 * Create a Co-Separation separator: the separation network in `bottleneck` mode, and a visual
 * trunk (trained from scratch with it) over each ground-truth box's crop, resized to half the
 * preset's image size, average-pooled and projected to `conditionSize`.
 *
 * @param opts preset, seed and configuration overrides (`conditioning` is forced to `bottleneck`).
 * @returns the network (visual variables `cosep.*` included) and its conditioner, which throws
 * for a clip of several sources without boxes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCoSeparation } from "@avscene/avscene/baselines";
 * const cs = createCoSeparation({ preset: "tiny", seed: 0 });
 * assert.equal(cs.model.config.conditioning, "bottleneck");
 * cs.model.params.dispose();
 * ```
 * @category model
 */
export function createCoSeparation(opts: CreateSeparationModelOptions = {}): SeparationMethod {
  const sep = createPooledVisualSeparator(opts, "cosep");
  const size = sep.imageSize, c = sep.conditionSize, crop = Math.max(8, size / 2);
  return {
    model: sep.model,
    conditioner: {
      name: "co-separation",
      condition(batch: MixtureBatch): Conditioning {
        const clips = batch.clips.flat();
        const b = batch.clips.length, n = batch.clips[0].length;
        const boxesOf = clips.map((clip) => {
          if (clip.boxes && clip.boxes.length > 0) return clip.boxes;
          if ((clip.count ?? 1) === 1) {
            return [[0, 0, clip.image.width, clip.image.height] as const];
          }
          throw new Error(
            `co-separation: clip ${clip.id} has ${clip.count} sources and no boxes (its objects' ground truth)`,
          );
        });
        const k = Math.max(...boxesOf.map((b) => b.length));
        const boxes: number[][] = [], owner: number[] = [];
        clips.forEach((clip, i) =>
          boxesOf[i].forEach(([x0, y0, x1, y1]) => {
            const { height: h, width: w } = clip.image;
            boxes.push([y0 / (h - 1), x0 / (w - 1), (y1 - 1) / (h - 1), (x1 - 1) / (w - 1)]);
            owner.push(i);
          })
        );
        return tf.tidy(() => {
          const crops = tf.image.cropAndResize(
            clipImages(clips, size),
            tf.tensor2d(boxes, [boxes.length, 4]),
            tf.tensor1d(owner, "int32"),
            [crop, crop],
          );
          const objects = sep.embed(crops);
          // slot each object into its clip's row, clips with fewer objects padded with zeros;
          // a one-hot product rather than gather, whose gradient wasm lacks
          const select = new Float32Array(clips.length * k * boxes.length);
          const valid = new Float32Array(clips.length * k);
          let o = 0;
          boxesOf.map((b) => b.length).forEach((cnt, i) => {
            for (let s = 0; s < cnt; s++) {
              select[(i * k + s) * boxes.length + o + s] = 1;
              valid[i * k + s] = 1;
            }
            o += cnt;
          });
          const slotted = tf.matMul(tf.tensor2d(select, [clips.length * k, boxes.length]), objects);
          return {
            vectors: tf.reshape(slotted, [b, n, k, c]) as tf.Tensor4D,
            valid: tf.tensor3d(valid, [b, n, k]),
          };
        });
      },
    },
  };
}
