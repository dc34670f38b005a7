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
import type { LabelledSource } from "../data/dataset.ts";
import { wholeClipWindows } from "../data/clip_stream.ts";

/**
 * Mean- and max-pooled embeddings of both modalities, concatenated: `[visual mean, visual max,
 * audio mean, audio max]`, 4 D values per clip. No gradient flows (the network is frozen).
 *
 * @param model the model.
 * @param inputs `images` `[batch, H, W, 3]`, `logMel` `[batch, frames, nMels]`.
 * @returns one `Float32Array` of 4 D values per clip.
 * @category model
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
 * @category model
 */
export function pooledFeatureTensor(model: AVModel, inputs: ModelInputs): tf.Tensor2D {
  return tf.tidy(() => {
    const v = embedVisual(model, inputs.images).features;
    const a = embedAudio(model, inputs.logMel).features;
    return tf.concat([tf.mean(v, 1), tf.max(v, 1), tf.mean(a, 1), tf.max(a, 1)], 1) as tf.Tensor2D;
  });
}

/**
 * Pooled audio features of labelled clips from a frozen network, over the whole clip: each
 * clip is cut into windows of the model's length that cover it (`wholeClipWindows`: 0, n,
 * 2n, ... and one last window ending at the clip's end; a short clip is zero-padded), each
 * window's embedded audio feature map is pooled to its mean and maximum over positions, and
 * the clip's feature is the average of its windows' pooled features, `2 D` values per clip.
 * (ESC-50 clips last 5 s: the first second alone would throw away 80% of each clip.)
 *
 * @param model the (trained) network.
 * @param clips labelled clips at the model's sample rate.
 * @param batchSize windows per forward pass (default 32).
 * @returns one feature vector per clip.
 * @category model
 */
export async function pooledAudioFeatures(
  model: AVModel,
  clips: readonly LabelledClip[],
  batchSize = 32,
): Promise<Float32Array[]> {
  return await pooledFeaturesOf(model, {
    size: clips.length,
    clip: (i) => Promise.resolve(clips[i]),
  }, batchSize);
}

/**
 * {@linkcode pooledAudioFeatures} of clips decoded one at a time from a source (e.g. a
 * dataset's `classificationClips()`), so only a batch of windows is in memory at once.
 *
 * @param model the (trained) network.
 * @param source the clips: how many, and each decoded on demand.
 * @param batchSize windows per forward pass (default 32).
 * @returns one feature vector per clip (the average over its windows).
 * @category model
 */
export async function pooledFeaturesOf(
  model: AVModel,
  source: Pick<LabelledSource, "size" | "clip">,
  batchSize = 32,
): Promise<Float32Array[]> {
  const c = model.config;
  const n = Math.round(c.sampleRate * c.duration);
  // modelInputs builds the audio front end from AVClips; a 1x1 grey frame stands in for the
  // image these clips do not have (the visual input is discarded).
  const frame = { data: new Float32Array(3).fill(0.5), height: 1, width: 1 };
  const sums: Float32Array[] = [], counts: number[] = [];
  let pending: { clip: number; audio: Float32Array }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch: AVClip[] = pending.map((w, j) => ({
      id: String(j),
      image: frame,
      audio: w.audio,
      sampleRate: c.sampleRate,
    }));
    const x = modelInputs(model, batch);
    const pooled = tf.tidy(() => {
      const a = embedAudio(model, x.logMel).features;
      return tf.concat([tf.mean(a, 1), tf.max(a, 1)], 1);
    });
    const data = await pooled.data() as Float32Array;
    const f = pooled.shape[1]!;
    tf.dispose([pooled, x.images, x.logMel]);
    pending.forEach((w, j) => {
      sums[w.clip] ??= new Float32Array(f);
      for (let d = 0; d < f; d++) sums[w.clip][d] += data[j * f + d];
    });
    pending = [];
  };
  for (let i = 0; i < source.size; i++) {
    const clip = await source.clip(i);
    if (clip.sampleRate !== c.sampleRate) {
      throw new Error(
        `pooledAudioFeatures: clip ${clip.id} has sample rate ${clip.sampleRate}, the "${c.preset}" model needs ${c.sampleRate} (resample first)`,
      );
    }
    const windows = wholeClipWindows(clip.audio, n);
    counts[i] = windows.length;
    for (const audio of windows) {
      pending.push({ clip: i, audio });
      if (pending.length >= batchSize) await flush();
    }
  }
  await flush();
  return sums.map((s, i) => s.map((v) => v / counts[i]));
}
