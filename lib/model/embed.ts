/**
 * Feature maps of each modality: trunk, then a per-position linear projection (each position's
 * feature scaled to a fixed norm where `ModelConfig.embeddingNorm` is set), flattened to
 * `[batch, positions, D]` for clustering.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVModel } from "./create_model.ts";
import { applyTrunk } from "./trunk.ts";

/**
 * A modality's embedded feature map and its grid.
 *
 * @category model
 */
export interface Embedding {
  /** Per-position features `[batch, rows * cols, D]` (row-major positions). */
  features: tf.Tensor3D;
  /** Rows of the feature grid (visual: image rows / stride; audio: frames / stride). */
  rows: number;
  /** Columns of the feature grid (visual: image columns / stride; audio: mel bands / stride). */
  cols: number;
}

function project(model: AVModel, prefix: string, h: tf.Tensor4D): Embedding {
  const [b, rows, cols, c] = h.shape;
  const features = tf.tidy(() => {
    const flat = tf.reshape(h, [b * rows * cols, c]) as tf.Tensor2D;
    let y: tf.Tensor2D = tf.add(
      tf.matMul(flat, model.params.get(`${prefix}.proj.w`) as tf.Tensor2D),
      model.params.get(`${prefix}.proj.b`),
    );
    const norm = model.config.embeddingNorm ?? 0;
    if (norm > 0) {
      // s y / |y|, the epsilon keeping an all-zero feature (and its gradient) finite
      y = tf.mul(y, tf.div(norm, tf.sqrt(tf.add(tf.sum(tf.square(y), 1, true), 1e-12))));
    }
    return tf.reshape(y, [b, rows * cols, model.config.embedding]) as tf.Tensor3D;
  });
  return { features, rows, cols };
}

/**
 * Embed RGB frames with the visual net.
 *
 * @param model the model.
 * @param images frames `[batch, imageSize, imageSize, 3]`, values in [0, 1].
 * @returns features `[batch, rows * cols, D]` and the grid size (rows, cols).
 * @category model
 */
export function embedVisual(model: AVModel, images: tf.Tensor4D): Embedding {
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new Error(`embedVisual: images must be [batch, H, W, 3], got [${images.shape}]`);
  }
  const trunk = tf.tidy(() =>
    applyTrunk(
      model.params,
      "visual",
      model.config.visual,
      tf.div(tf.sub(images, 0.5), 0.25) as tf.Tensor4D,
      model.config.groups,
      model.config.padding,
    )
  );
  const out = project(model, "visual", trunk);
  trunk.dispose();
  return out;
}

/**
 * Embed log-mel spectrograms with the audio net; each spectrogram is standardised (zero mean,
 * unit variance) first. With `config.frequencyChannel` the trunk also reads each mel band's
 * position (-1 lowest to 1 highest) as a second channel.
 *
 * @param model the model.
 * @param logMel spectrograms `[batch, frames, nMels]`.
 * @returns features `[batch, rows * cols, D]` and the grid size (time rows, frequency cols).
 * @category model
 */
export function embedAudio(model: AVModel, logMel: tf.Tensor3D): Embedding {
  const trunk = audioTrunk(model, logMel);
  const out = project(model, "audio", trunk);
  trunk.dispose();
  return out;
}

/**
 * The audio trunk's feature map before the embedding's projection (what {@linkcode embedAudio}
 * projects), or the output of its first `depth` layers.
 *
 * @param model the model.
 * @param logMel spectrograms `[batch, frames, nMels]`, standardised per spectrogram here.
 * @param depth how many of the trunk's layers to run (default all).
 * @returns features `[batch, rows, cols, C]`: time rows, frequency cols, the layer's channels.
 * @category model
 */
export function audioTrunk(
  model: AVModel,
  logMel: tf.Tensor3D,
  depth = model.config.audio.length,
): tf.Tensor4D {
  if (logMel.rank !== 3) {
    throw new Error(`audioTrunk: logMel must be [batch, frames, nMels], got [${logMel.shape}]`);
  }
  if (!Number.isInteger(depth) || depth < 1 || depth > model.config.audio.length) {
    throw new Error(
      `audioTrunk: depth must be an integer in 1..${model.config.audio.length}, got ${depth}`,
    );
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(logMel, [1, 2], true);
    const x = tf.expandDims(
      tf.div(tf.sub(logMel, mean), tf.sqrt(tf.add(variance, 1e-6))),
      3,
    ) as tf.Tensor4D;
    const [b, frames, mels] = logMel.shape;
    const input = model.config.frequencyChannel
      ? tf.concat([
        x,
        tf.broadcastTo(tf.reshape(tf.linspace(-1, 1, mels), [1, 1, mels, 1]), [b, frames, mels, 1]),
      ], 3) as tf.Tensor4D
      : x;
    // the trunk's variables are named by layer index: its first `depth` layers are a trunk too
    return applyTrunk(
      model.params,
      "audio",
      model.config.audio.slice(0, depth),
      input,
      model.config.audioGroups ?? model.config.groups,
      model.config.padding,
    );
  });
}
