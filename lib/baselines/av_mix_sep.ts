/**
 * The AV-Mix-Sep baseline (the audio-visual mix-and-separate baseline of Gao and Grauman,
 * 2019): the U-Net conditioned at its bottleneck on the whole frame's global visual feature.
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
 * Create an AV-Mix-Sep separator: the separation network in `bottleneck` mode and a visual
 * trunk (trained from scratch with it) whose feature map is average-pooled over the whole frame
 * and projected to `conditionSize`.
 *
 * @param opts preset, seed and configuration overrides (`conditioning` is forced to `bottleneck`).
 * @returns the network (visual variables `avmix.*` included) and its conditioner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAvMixSep } from "@avscene/avscene/baselines";
 * const m = createAvMixSep({ preset: "tiny", seed: 0 });
 * assert.equal(m.conditioner.name, "av-mix-sep");
 * m.model.params.dispose();
 * ```
 * @category model
 */
export function createAvMixSep(opts: CreateSeparationModelOptions = {}): SeparationMethod {
  const sep = createPooledVisualSeparator(opts, "avmix");
  return {
    model: sep.model,
    conditioner: {
      name: "av-mix-sep",
      condition(batch: MixtureBatch): Conditioning {
        const b = batch.clips.length, n = batch.clips[0].length;
        return tf.tidy(() => ({
          vectors: tf.reshape(
            sep.embed(clipImages(batch.clips.flat(), sep.imageSize)),
            [b, n, 1, sep.conditionSize],
          ) as tf.Tensor4D,
          valid: tf.ones([b, n, 1]) as tf.Tensor3D,
        }));
      },
    },
  };
}
