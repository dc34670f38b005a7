/**
 * The Sound-of-Pixels baseline (Zhao et al., 2018): a visual net gives K channels at every
 * pixel, the audio U-Net K maps; a sound's mask is `sigmoid(sum_k s_k v_k a_k + b)` with `v`
 * max-pooled over the frame. On a duet frame SoP cannot tell which pixels belong to which
 * sound, so the whole frame's pooled feature conditions one mask for the duet's sound.
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
import { separationConfig } from "../model/separation/separation_config.ts";
import { applyVisualEncoder, clipImages, createVisualEncoder } from "./_visual_encoder.ts";

/**
 * Create a Sound-of-Pixels separator: the separation network in `product` mode with
 * `conditionSize = maskChannels`, and a visual trunk (trained from scratch with it) whose
 * per-pixel features a 1x1 layer maps to K channels, max-pooled over the frame, then a sigmoid
 * (SoP's `img_activation`).
 *
 * @param opts preset, seed and configuration overrides (`conditioning` is forced to `product`).
 * @returns the network (visual variables `sop.visual.*` included) and its conditioner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSoundOfPixels } from "@avscene/avscene/baselines";
 * const sop = createSoundOfPixels({ preset: "tiny", seed: 0 });
 * assert.equal(sop.conditioner.name, "sound-of-pixels");
 * sop.model.params.dispose();
 * ```
 * @category model
 */
export function createSoundOfPixels(opts: CreateSeparationModelOptions = {}): SeparationMethod {
  const preset = opts.preset ?? "tiny";
  // the conditioning vector is the K pixel channels themselves
  const k = separationConfig(preset, opts.config).maskChannels;
  const model = createSeparationModel({
    ...opts,
    preset,
    config: { ...opts.config, conditioning: "product", conditionSize: k },
  });
  const p = model.params;
  const enc = createVisualEncoder(p, "sop.visual", preset);
  p.glorotUniform("sop.pixel.w", [enc.channels, k], enc.channels, k);
  p.constant("sop.pixel.b", [k], 0);
  const size = presetConfig(preset).imageSize;
  return {
    model,
    conditioner: {
      name: "sound-of-pixels",
      condition(batch: MixtureBatch): Conditioning {
        const b = batch.clips.length, n = batch.clips[0].length;
        return tf.tidy(() => {
          const maps = applyVisualEncoder(p, enc, clipImages(batch.clips.flat(), size));
          const [m, h, w, c] = maps.shape;
          const pixels = tf.add(
            tf.matMul(tf.reshape(maps, [m * h * w, c]), p.get("sop.pixel.w") as tf.Tensor2D),
            p.get("sop.pixel.b"),
          );
          const pooled = tf.max(tf.reshape(pixels, [m, h * w, k]), 1); // max over the frame
          return {
            vectors: tf.reshape(tf.sigmoid(pooled), [b, n, 1, k]) as tf.Tensor4D,
            valid: tf.ones([b, n, 1]) as tf.Tensor3D,
          };
        });
      },
    },
  };
}
