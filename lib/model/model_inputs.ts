/**
 * From clips to the model's input tensors: frames resized to the preset's image size and
 * log-mel spectrograms with the preset's front end.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import { logMelOfWave, logMelSpectrogram } from "../audio/mod.ts";
import type { AVModel } from "./create_model.ts";

/**
 * A batch of model inputs.
 *
 * @category model
 */
export interface ModelInputs {
  /** Frames `[batch, imageSize, imageSize, 3]` in [0, 1]. */
  images: tf.Tensor4D;
  /** Log-mel spectrograms `[batch, frames, nMels]`. */
  logMel: tf.Tensor3D;
}

/**
 * Stack clips into model inputs. Each clip's audio must have the preset's sample rate; it is
 * cut or zero-padded to the preset's duration. Frames of another size are resized bilinearly.
 * The log-mels come from {@linkcode logMelOfWave} (an rFFT per frame in JS) when the preset's
 * FFT size is a power of two, else from {@linkcode logMelSpectrogram} (the tfjs matMul, cheaper
 * than Bluestein's algorithm there): the same numbers.
 *
 * @param model the model (its configuration fixes sizes and the audio front end).
 * @param clips one or more clips.
 * @returns `images` `[batch, imageSize, imageSize, 3]` and `logMel` `[batch, frames, nMels]`.
 * @category model
 */
export function modelInputs(model: AVModel, clips: readonly AVClip[]): ModelInputs {
  if (clips.length === 0) throw new Error("modelInputs: clips is empty");
  const c = model.config;
  const samples = Math.round(c.sampleRate * c.duration);
  const waves = new Float32Array(clips.length * samples);
  clips.forEach((clip, i) => {
    if (clip.sampleRate !== c.sampleRate) {
      throw new Error(
        `modelInputs: clip ${clip.id} has sample rate ${clip.sampleRate}, the "${c.preset}" model needs ${c.sampleRate} (resample first)`,
      );
    }
    waves.set(clip.audio.subarray(0, samples), i * samples);
  });
  return tf.tidy(() => {
    const images = modelImages(model, clips, "modelInputs");
    const front = { sampleRate: c.sampleRate, nFft: c.nFft, hop: c.hop, nMels: c.nMels };
    let logMel: tf.Tensor3D;
    if ((c.nFft & (c.nFft - 1)) === 0 && c.hop <= c.nFft / 2) {
      // a power-of-two rFFT per frame in JS is cheaper than the DFT matMul (nothing here is
      // differentiated); other sizes would take Bluestein's algorithm, dearer than the matMul
      const frames = 1 + Math.floor(samples / c.hop), per = frames * c.nMels;
      const mels = new Float32Array(clips.length * per);
      for (let i = 0; i < clips.length; i++) {
        mels.set(logMelOfWave(waves.subarray(i * samples, (i + 1) * samples), front), i * per);
      }
      logMel = tf.tensor3d(mels, [clips.length, frames, c.nMels]);
    } else {
      logMel = logMelSpectrogram(tf.tensor2d(waves, [clips.length, samples]), front);
    }
    return { images, logMel };
  });
}

/**
 * Stack clips' frames into the visual net's input (what {@linkcode modelInputs} gives as
 * `images`), without their audio: for work that reads only the frames. Frames of another size
 * are resized bilinearly.
 *
 * @param model the model (its preset fixes the image size).
 * @param clips one or more clips (their audio is not read).
 * @param caller the name a bad frame's error begins with (default `modelImages`).
 * @returns frames `[batch, imageSize, imageSize, 3]` in [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createModel, modelImages } from "@avscene/avscene/model";
 * import { synthWorld } from "@avscene/avscene/data";
 * const model = createModel({ preset: "tiny", seed: 0 });
 * const clips = await synthWorld({ seed: 0 }).separationSet("solo", 2);
 * const images = modelImages(model, clips);
 * assert.deepEqual(images.shape, [2, model.config.imageSize, model.config.imageSize, 3]);
 * images.dispose();
 * model.params.dispose();
 * ```
 * @category model
 */
export function modelImages(
  model: AVModel,
  clips: readonly AVClip[],
  caller = "modelImages",
): tf.Tensor4D {
  if (clips.length === 0) throw new Error(`${caller}: clips is empty`);
  for (const clip of clips) {
    const { data, height, width } = clip.image;
    if (data.length !== height * width * 3) {
      throw new Error(`${caller}: clip ${clip.id} image data is not height * width * 3`);
    }
  }
  const size = model.config.imageSize, pixels = size * size * 3;
  return tf.tidy(() => {
    if (clips.every((clip) => clip.image.height === size && clip.image.width === size)) {
      // frames of the model's size: one array, one tensor
      const stacked = new Float32Array(clips.length * pixels);
      clips.forEach((clip, i) => stacked.set(clip.image.data, i * pixels));
      return tf.tensor4d(stacked, [clips.length, size, size, 3]);
    }
    return tf.stack(clips.map((clip) => {
      const { data, height, width } = clip.image;
      const t = tf.tensor3d(data, [height, width, 3]);
      return height === size && width === size
        ? t
        : tf.image.resizeBilinear(t, [size, size], false, true);
    })) as tf.Tensor4D;
  });
}
