/**
 * Pooled features of clips from the frozen network: audiovisual ones (the counting model's
 * input) and audio ones (the frozen-feature classification of Table 1 and `eval`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVModel } from "./create_model.ts";
import { embedAudio, embedVisual } from "./embed.ts";
import { type ModelInputs, modelInputs } from "./model_inputs.ts";
import type { AVClip, LabelledClip } from "../data/types.ts";

/**
 * Mean- and max-pooled embeddings of both modalities, concatenated: `[visual mean, visual max,
 * audio mean, audio max]`, 4 D values per clip. No gradient flows (the network is frozen).
 *
 * @param model the model.
 * @param inputs `images` `[batch, H, W, 3]`, `logMel` `[batch, frames, nMels]`.
 * @returns one `Float32Array` of 4 D values per clip.
 */
export async function pooledFeatures(model: AVModel, inputs: ModelInputs): Promise<Float32Array[]> {
  const pooled = pooledFeatureTensor(model, inputs);
  const data = await pooled.data() as Float32Array;
  const [b, f] = pooled.shape;
  pooled.dispose();
  return Array.from({ length: b }, (_, i) => data.slice(i * f, (i + 1) * f));
}

/**
 * The tensor form of {@linkcode pooledFeatures}.
 *
 * @param model the model.
 * @param inputs `images` `[batch, H, W, 3]`, `logMel` `[batch, frames, nMels]`.
 * @returns pooled features `[batch, 4 D]`.
 */
export function pooledFeatureTensor(model: AVModel, inputs: ModelInputs): tf.Tensor2D {
  return tf.tidy(() => {
    const v = embedVisual(model, inputs.images).features;
    const a = embedAudio(model, inputs.logMel).features;
    return tf.concat([tf.mean(v, 1), tf.max(v, 1), tf.mean(a, 1), tf.max(a, 1)], 1) as tf.Tensor2D;
  });
}

/**
 * Pooled audio features of labelled clips from a frozen network: the mean and the maximum of
 * the audio net's embedded feature map over its positions, `2 D` values per clip.
 *
 * @param model the (trained) network.
 * @param clips labelled clips at the model's sample rate.
 * @param batchSize clips per forward pass (default 32).
 * @returns one feature vector per clip.
 */
export async function pooledAudioFeatures(
  model: AVModel,
  clips: readonly LabelledClip[],
  batchSize = 32,
): Promise<Float32Array[]> {
  // modelInputs builds the audio front end from AVClips; a 1x1 grey frame stands in for the
  // image these clips do not have (the visual input is discarded).
  const frame = { data: new Float32Array(3).fill(0.5), height: 1, width: 1 };
  const out: Float32Array[] = [];
  for (let i = 0; i < clips.length; i += batchSize) {
    const batch: AVClip[] = clips.slice(i, i + batchSize).map((c) => ({
      id: c.id,
      image: frame,
      audio: c.audio,
      sampleRate: c.sampleRate,
    }));
    const x = modelInputs(model, batch);
    const pooled = tf.tidy(() => {
      const a = embedAudio(model, x.logMel).features;
      return tf.concat([tf.mean(a, 1), tf.max(a, 1)], 1);
    });
    const data = await pooled.data() as Float32Array;
    const f = pooled.shape[1]!;
    for (let b = 0; b < batch.length; b++) out.push(data.slice(b * f, (b + 1) * f));
    tf.dispose([pooled, x.images, x.logMel]);
  }
  return out;
}
