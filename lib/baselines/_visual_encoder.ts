/**
 * The separation baselines' visual net, trained from scratch with their separation network
 * (the originals start from ImageNet weights, which this library cannot download): the
 * preset's visual trunk, kept in the separation network's own parameter store.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import { presetConfig, type PresetName } from "../model/presets.ts";
import type { ParamStore } from "../model/param_store.ts";
import { applyTrunk, createTrunk } from "../model/trunk.ts";

/** Where a baseline's visual trunk lives and what it outputs. */
export interface VisualEncoder {
  /** Parameter name prefix. */
  prefix: string;
  /** Preset whose visual trunk and image size are used. */
  preset: PresetName;
  /** Channels of the trunk's output. */
  channels: number;
}

/** Create the preset's visual trunk in `params` under `prefix`. */
export function createVisualEncoder(
  params: ParamStore,
  prefix: string,
  preset: PresetName,
): VisualEncoder {
  const channels = createTrunk(params, prefix, 3, presetConfig(preset).visual);
  return { prefix, preset, channels };
}

/** Frames of clips as `[clips, size, size, 3]` (resized when another size), no gradient needed. */
export function clipImages(clips: readonly AVClip[], size: number): tf.Tensor4D {
  return tf.tidy(() =>
    tf.stack(clips.map((c) => {
      const { data, height, width } = c.image;
      if (data.length !== height * width * 3) {
        throw new Error(`baseline visual net: clip ${c.id} image data is not height * width * 3`);
      }
      const t = tf.tensor3d(data, [height, width, 3]);
      return height === size && width === size
        ? t
        : tf.image.resizeBilinear(t, [size, size], false, true);
    })) as tf.Tensor4D
  );
}

/** Feature maps `[batch, rows, cols, channels]` of images `[batch, H, W, 3]` in [0, 1]. */
export function applyVisualEncoder(
  params: ParamStore,
  enc: VisualEncoder,
  images: tf.Tensor4D,
): tf.Tensor4D {
  const cfg = presetConfig(enc.preset);
  return tf.tidy(() =>
    applyTrunk(
      params,
      enc.prefix,
      cfg.visual,
      tf.div(tf.sub(images, 0.5), 0.25) as tf.Tensor4D,
      cfg.groups,
    )
  );
}
