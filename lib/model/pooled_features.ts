/**
 * Pooled audiovisual features of clips from the frozen network: the counting model's input.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVModel } from "./create_model.ts";
import { embedAudio, embedVisual } from "./embed.ts";
import type { ModelInputs } from "./model_inputs.ts";

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
