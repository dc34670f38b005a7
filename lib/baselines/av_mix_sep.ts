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
import {
  createSeparationModel,
  type CreateSeparationModelOptions,
} from "../model/separation/separation_model.ts";
import { presetConfig } from "../model/presets.ts";
import { applyVisualEncoder, clipImages, createVisualEncoder } from "./_visual_encoder.ts";

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
 * import { createAvMixSep } from "./av_mix_sep.ts";
 * const m = createAvMixSep({ preset: "tiny", seed: 0 });
 * console.log(m.conditioner.name); // av-mix-sep
 * m.model.params.dispose();
 * ```
 */
export function createAvMixSep(opts: CreateSeparationModelOptions = {}): SeparationMethod {
  const preset = opts.preset ?? "tiny";
  const model = createSeparationModel({
    ...opts,
    preset,
    config: { ...opts.config, conditioning: "bottleneck" },
  });
  const p = model.params;
  const c = model.config.conditionSize;
  const enc = createVisualEncoder(p, "avmix.visual", preset);
  p.glorotUniform("avmix.fc.w", [enc.channels, c], enc.channels, c);
  p.constant("avmix.fc.b", [c], 0);
  const size = presetConfig(preset).imageSize;
  return {
    model,
    conditioner: {
      name: "av-mix-sep",
      condition(batch: MixtureBatch): Conditioning {
        const b = batch.clips.length, n = batch.clips[0].length;
        return tf.tidy(() => {
          const feats = tf.mean(applyVisualEncoder(p, enc, clipImages(batch.clips.flat(), size)), [
            1,
            2,
          ]);
          const v = tf.add(
            tf.matMul(feats as tf.Tensor2D, p.get("avmix.fc.w") as tf.Tensor2D),
            p.get("avmix.fc.b"),
          );
          return {
            vectors: tf.reshape(v, [b, n, 1, c]) as tf.Tensor4D,
            valid: tf.ones([b, n, 1]) as tf.Tensor3D,
          };
        });
      },
    },
  };
}
