/**
 * The recipe's augmentations of a training batch (left-right flips, random crops, audio gain
 * and time-shift jitter, colour jitter), each drawn from the step's seeded random numbers. Private to the
 * trainer.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { AVClip } from "../data/types.ts";
import type { Rng } from "../random/mod.ts";

/** The recipe's augmentations of one step, with the step's seeded random numbers. */
export interface StepAugmentation {
  /** Draws of this step's augmentations. */
  rng: Rng;
  /** Left-right flips (probability 1/2). */
  flip: boolean;
  /** Gain jitter in dB (0: none). */
  gainDb: number;
  /** Circular time shift, share of the clip (0: none). */
  shift: number;
  /** Colour jitter strength (0: none). */
  colour: number;
  /** Random crops' smallest area share (0: none). */
  cropScale: number;
}

/** Seeded left-right flips of a batch of frames `[batch, H, W, 3]` (each with probability 1/2). */
export function flipFrames(images: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const b = images.shape[0];
  const flips = Array.from({ length: b }, () => (rng.uniform() < 0.5 ? 1 : 0));
  return tf.tidy(() => {
    const mask = tf.reshape(tf.tensor1d(flips, "bool"), [b, 1, 1, 1]);
    return tf.where(tf.broadcastTo(mask, images.shape), tf.reverse(images, 2), images);
  });
}

/**
 * Seeded random crops of a batch of frames `[batch, H, W, 3]`: each frame cut to a window of its
 * own aspect whose area share is uniform in [`minShare`, 1], at a uniform position, resized back
 * to H x W (bilinear). Draws three uniforms per frame.
 */
export function cropFrames(images: tf.Tensor4D, rng: Rng, minShare: number): tf.Tensor4D {
  const [b, h, w] = images.shape;
  const boxes = new Float32Array(4 * b);
  for (let i = 0; i < b; i++) {
    const side = Math.sqrt(rng.range(minShare, 1));
    const top = rng.uniform() * (1 - side), left = rng.uniform() * (1 - side);
    // the far edges held inside the frame: a float32 sample past its last pixel would read
    // cropAndResize's extrapolation value (black) instead
    const edge = (start: number) => Math.min(start + side, 1 - 1e-5);
    boxes.set([top, left, edge(top), edge(left)], 4 * i);
  }
  return tf.tidy(() =>
    tf.image.cropAndResize(
      images,
      tf.tensor2d(boxes, [b, 4]),
      tf.range(0, b, 1, "int32") as tf.Tensor1D,
      [h, w],
      "bilinear",
    )
  );
}

/**
 * The recipe's audio augmentation of a batch: each clip's audio scaled by a gain uniform in
 * [-`gainDb`, `gainDb`] dB and rolled circularly by a uniform share in [-`shift`, `shift`] of
 * its length (new arrays; the clips given are not changed). Draws two uniforms per clip.
 */
export function jitterAudio(clips: AVClip[], rng: Rng, gainDb: number, shift: number): AVClip[] {
  return clips.map((clip) => {
    const gain = Math.pow(10, rng.range(-gainDb, gainDb) / 20);
    const n = clip.audio.length;
    const by = ((Math.round(rng.range(-shift, shift) * n) % n) + n) % n;
    const audio = new Float32Array(n);
    for (let i = 0; i < n; i++) audio[(i + by) % n] = gain * clip.audio[i];
    return { ...clip, audio };
  });
}

/**
 * The recipe's colour jitter of frames `[batch, H, W, 3]` in [0, 1]: per frame, brightness,
 * saturation (around each pixel's grey) and contrast (around the frame's mean) each scaled by
 * a factor uniform in [1 - `strength`, 1 + `strength`], then clipped to [0, 1].
 */
export function jitterColours(images: tf.Tensor4D, rng: Rng, strength: number): tf.Tensor4D {
  const b = images.shape[0];
  const draw = () => Float32Array.from({ length: b }, () => rng.range(1 - strength, 1 + strength));
  const [brightness, saturation, contrast] = [draw(), draw(), draw()];
  return tf.tidy(() => {
    const perFrame = (f: Float32Array) => tf.tensor4d(f, [b, 1, 1, 1]);
    let x = tf.mul(images, perFrame(brightness));
    const grey = tf.mean(x, 3, true);
    x = tf.add(grey, tf.mul(tf.sub(x, grey), perFrame(saturation)));
    const mean = tf.mean(x, [1, 2, 3], true);
    x = tf.add(mean, tf.mul(tf.sub(x, mean), perFrame(contrast)));
    return tf.clipByValue(x, 0, 1) as tf.Tensor4D;
  });
}
