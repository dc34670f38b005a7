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
import {
  createSeparationModel,
  type CreateSeparationModelOptions,
  type SeparationModel,
} from "../model/separation/separation_model.ts";

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

/**
 * A separation network conditioned at its bottleneck on one pooled visual feature per object
 * (AV-Mix-Sep: the whole frame; Co-Separation: each object's crop): the network, a visual trunk
 * under `${prefix}.visual` trained with it, and a linear map `${prefix}.fc` to the network's
 * `conditionSize`.
 */
export interface PooledVisualSeparator {
  /** The separation network; the trunk's and projection's variables live in its params. */
  model: SeparationModel;
  /** The preset's image side (frames are resized to it). */
  imageSize: number;
  /** The conditioning vector's size. */
  conditionSize: number;
  /** Conditioning vectors `[images, conditionSize]`: trunk, mean over positions, projection. */
  embed(images: tf.Tensor4D): tf.Tensor2D;
}

/** Create a {@linkcode PooledVisualSeparator} whose parameters are named under `prefix`. */
export function createPooledVisualSeparator(
  opts: CreateSeparationModelOptions,
  prefix: string,
): PooledVisualSeparator {
  const preset = opts.preset ?? "tiny";
  const model = createSeparationModel({
    ...opts,
    preset,
    config: { ...opts.config, conditioning: "bottleneck" },
  });
  const p = model.params;
  const c = model.config.conditionSize;
  const enc = createVisualEncoder(p, `${prefix}.visual`, preset);
  p.glorotUniform(`${prefix}.fc.w`, [enc.channels, c], enc.channels, c);
  p.constant(`${prefix}.fc.b`, [c], 0);
  return {
    model,
    imageSize: presetConfig(preset).imageSize,
    conditionSize: c,
    embed: (images) =>
      tf.tidy(() => {
        const feats = tf.mean(applyVisualEncoder(p, enc, images), [1, 2]) as tf.Tensor2D;
        return tf.add(
          tf.matMul(feats, p.get(`${prefix}.fc.w`) as tf.Tensor2D),
          p.get(`${prefix}.fc.b`),
        ) as tf.Tensor2D;
      }),
  };
}
