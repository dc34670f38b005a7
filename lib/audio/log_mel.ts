/**
 * The log-mel front end used in training (tfjs, runs on every backend): centred
 * (zero-padded) periodic-Hann STFT as a DFT matMul, power spectrum, HTK mel filterbank,
 * `log(x + 1e-6)`. Frames: `1 + floor(samples / hop)`, the same framing as
 * {@linkcode stft}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Settings of {@linkcode logMelSpectrogram}.
 *
 * @category data
 */
export interface LogMelOptions {
  /** Sample rate of the waves in Hz. */
  sampleRate: number;
  /** FFT size = window length (even). */
  nFft: number;
  /** Hop between frames in samples. */
  hop: number;
  /** Mel bands. */
  nMels: number;
}

const banks = new Map<string, Float32Array>();

function _melFilterbankCached(sampleRate: number, nFft: number, nMels: number): Float32Array {
  const key = `${sampleRate}/${nFft}/${nMels}`;
  const hit = banks.get(key);
  if (hit) return hit;
  const bins = nFft / 2 + 1;
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const top = mel(sampleRate / 2);
  const points = Array.from({ length: nMels + 2 }, (_, i) => hz((top * i) / (nMels + 1)));
  const fb = new Float32Array(bins * nMels);
  for (let m = 0; m < nMels; m++) {
    const [lo, mid, hi] = [points[m], points[m + 1], points[m + 2]];
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const w = f <= lo || f >= hi ? 0 : f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
      fb[k * nMels + m] = w;
    }
  }
  banks.set(key, fb);
  return fb;
}

/**
 * The HTK-style triangular mel filterbank (`mel = 2595 log10(1 + f / 700)`, `nMels + 2` edges
 * evenly spaced in mel from 0 Hz to Nyquist, unit-peak triangles evaluated at the exact bin
 * frequencies, no area normalisation).
 *
 * @param sampleRate Sample rate in Hz.
 * @param nFft FFT size (even).
 * @param nMels Number of bands.
 * @returns Bin-major `[nFft / 2 + 1, nMels]` weights (a fresh copy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { melFilterbank } from "@avscene/avscene/audio";
 * const fb = melFilterbank(16000, 512, 40);
 * assert.equal(fb.length, 10280);
 * ```
 * @category data
 */
export function melFilterbank(sampleRate: number, nFft: number, nMels: number): Float32Array {
  if (!(sampleRate > 0)) {
    throw new Error(`melFilterbank: sampleRate must be positive, got ${sampleRate}`);
  }
  if (!Number.isInteger(nFft) || nFft < 2 || nFft % 2 !== 0) {
    throw new Error(`melFilterbank: nFft must be an even integer >= 2, got ${nFft}`);
  }
  if (!Number.isInteger(nMels) || nMels < 1) {
    throw new Error(`melFilterbank: nMels must be a positive integer, got ${nMels}`);
  }
  return _melFilterbankCached(sampleRate, nFft, nMels).slice();
}

function _dftBasis(nFft: number): { cos: Float32Array; sin: Float32Array } {
  const bins = nFft / 2 + 1;
  const cos = new Float32Array(nFft * bins), sin = new Float32Array(nFft * bins);
  for (let n = 0; n < nFft; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft); // periodic Hann
    for (let k = 0; k < bins; k++) {
      const a = (2 * Math.PI * n * k) / nFft;
      cos[n * bins + k] = w * Math.cos(a);
      sin[n * bins + k] = w * Math.sin(a);
    }
  }
  return { cos, sin };
}

/**
 * Log-mel spectrograms of a batch of waves, differentiable and backend-independent: frames
 * are gathered from the zero-padded waves, the windowed DFT is a matMul with a cos / sin
 * basis, power goes through {@linkcode melFilterbank}, then `log(mel + 1e-6)`.
 *
 * @param waves `[batch, samples]` waves.
 * @param opts Sample rate, FFT size, hop and mel bands.
 * @returns `[batch, 1 + floor(samples / hop), nMels]` log-mel energies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { logMelSpectrogram } from "@avscene/avscene/audio";
 * const waves = tf.randomNormal([2, 800]) as tf.Tensor2D;
 * const mel = logMelSpectrogram(waves, { sampleRate: 8000, nFft: 256, hop: 80, nMels: 32 });
 * assert.deepEqual(mel.shape, [2, 11, 32]);
 * ```
 * @category data
 */
export function logMelSpectrogram(waves: tf.Tensor2D, opts: LogMelOptions): tf.Tensor3D {
  const { sampleRate, nFft, hop, nMels } = opts;
  const [batch, samples] = waves.shape;
  const frames = 1 + Math.floor(samples / hop);
  const bins = nFft / 2 + 1;
  return tf.tidy(() => {
    const padded = tf.pad(waves, [[0, 0], [nFft / 2, nFft / 2 + hop]]);
    const index = new Int32Array(frames * nFft);
    for (let f = 0; f < frames; f++) {
      for (let n = 0; n < nFft; n++) index[f * nFft + n] = f * hop + n;
    }
    const framed = tf.reshape(tf.gather(padded, tf.tensor1d(index, "int32"), 1), [
      batch * frames,
      nFft,
    ]) as tf.Tensor2D;
    const { cos, sin } = _dftBasis(nFft);
    const re = tf.matMul(framed, tf.tensor2d(cos, [nFft, bins]));
    const im = tf.matMul(framed, tf.tensor2d(sin, [nFft, bins]));
    const power = tf.add(tf.square(re), tf.square(im)) as tf.Tensor2D;
    const fb = tf.tensor2d(_melFilterbankCached(sampleRate, nFft, nMels), [bins, nMels]);
    const mel = tf.log(tf.add(tf.matMul(power, fb), 1e-6));
    return tf.reshape(mel, [batch, frames, nMels]) as tf.Tensor3D;
  });
}
