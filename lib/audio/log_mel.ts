/**
 * The log-mel front end used in training: centred (zero-padded) periodic-Hann STFT, power
 * spectrum, HTK mel filterbank, `log(x + 1e-6)`. Frames: `1 + floor(samples / hop)`, the same
 * framing as {@linkcode stft}. Two ways to the same numbers: tfjs ops (a DFT matMul; runs on
 * every backend, differentiable) and plain JS on a wave in memory (an rFFT per frame).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { stft } from "./stft.ts";

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
  _checkMel("melFilterbank", sampleRate, nFft, nMels);
  return _melFilterbankCached(sampleRate, nFft, nMels).slice();
}

/** Errors naming `name`'s bad sample rate, FFT size or band count. */
function _checkMel(name: string, sampleRate: number, nFft: number, nMels: number): void {
  if (!(sampleRate > 0)) {
    throw new Error(`${name}: sampleRate must be positive, got ${sampleRate}`);
  }
  if (!Number.isInteger(nFft) || nFft < 2 || nFft % 2 !== 0) {
    throw new Error(`${name}: nFft must be an even integer >= 2, got ${nFft}`);
  }
  if (!Number.isInteger(nMels) || nMels < 1) {
    throw new Error(`${name}: nMels must be a positive integer, got ${nMels}`);
  }
}

const bases = new Map<number, Float32Array>();

/**
 * The periodic-Hann-windowed real DFT as one `[nFft, 2 * bins]` matrix (cached): columns
 * `0..bins-1` are `w[n] cos(2 pi n k / nFft)`, columns `bins..2 bins - 1` the sines, so one
 * matMul gives the real and imaginary parts side by side.
 */
function _dftBasisCached(nFft: number): Float32Array {
  const hit = bases.get(nFft);
  if (hit) return hit;
  const bins = nFft / 2 + 1, width = 2 * bins;
  const basis = new Float32Array(nFft * width);
  for (let n = 0; n < nFft; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft); // periodic Hann
    for (let k = 0; k < bins; k++) {
      const a = (2 * Math.PI * n * k) / nFft;
      basis[n * width + k] = w * Math.cos(a);
      basis[n * width + bins + k] = w * Math.sin(a);
    }
  }
  bases.set(nFft, basis);
  return basis;
}

const stackedBanks = new Map<string, Float32Array>();

/** The mel filterbank stacked on itself, `[2 * bins, nMels]` (cached): `[re², im²] @ it` is
 * the mel energy of `re² + im²`. */
function _stackedFilterbank(sampleRate: number, nFft: number, nMels: number): Float32Array {
  const key = `${sampleRate}/${nFft}/${nMels}`;
  const hit = stackedBanks.get(key);
  if (hit) return hit;
  const fb = _melFilterbankCached(sampleRate, nFft, nMels);
  const stacked = new Float32Array(2 * fb.length);
  stacked.set(fb);
  stacked.set(fb, fb.length);
  stackedBanks.set(key, stacked);
  return stacked;
}

/**
 * The centred frames `[batch * frames, nFft]` of `waves`: frame `f` is samples
 * `f * hop - nFft / 2 ..` of the zero-padded waves. When `hop` divides `nFft` the padded waves
 * are cut into hop-long chunks and each frame is `nFft / hop` consecutive chunks (slices and
 * one concat); otherwise one gather.
 */
function _frames(waves: tf.Tensor2D, nFft: number, hop: number, frames: number): tf.Tensor2D {
  const [batch, samples] = waves.shape;
  if (nFft % hop === 0) {
    const r = nFft / hop, chunks = frames + r - 1;
    // left pad nFft / 2; the last frame ends at (frames - 1) * hop + nFft = chunks * hop
    const right = chunks * hop - nFft / 2 - samples;
    const padded = right >= 0
      ? tf.pad(waves, [[0, 0], [nFft / 2, right]])
      : tf.pad(tf.slice(waves, [0, 0], [batch, samples + right]), [[0, 0], [nFft / 2, 0]]);
    const cut = tf.reshape(padded, [batch, chunks, hop]);
    const parts = Array.from(
      { length: r },
      (_, j) => tf.slice(cut, [0, j, 0], [batch, frames, hop]),
    );
    return tf.reshape(r === 1 ? parts[0] : tf.concat(parts, 2), [batch * frames, nFft]);
  }
  const padded = tf.pad(waves, [[0, 0], [nFft / 2, nFft / 2 + hop]]);
  const index = new Int32Array(frames * nFft);
  for (let f = 0; f < frames; f++) {
    for (let n = 0; n < nFft; n++) index[f * nFft + n] = f * hop + n;
  }
  return tf.reshape(tf.gather(padded, tf.tensor1d(index, "int32"), 1), [batch * frames, nFft]);
}

/**
 * Log-mel spectrograms of a batch of waves, differentiable and backend-independent: centred
 * frames are cut from the zero-padded waves, the windowed DFT is one matMul with a cached
 * cos | sin basis, and the power goes through {@linkcode melFilterbank} in a second matMul
 * (the filterbank stacked twice, applied to the squared real and imaginary parts), then
 * `log(mel + 1e-6)`.
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
    const framed = _frames(waves, nFft, hop, frames);
    const spectrum = tf.matMul(framed, tf.tensor2d(_dftBasisCached(nFft), [nFft, 2 * bins]));
    const fb = tf.tensor2d(_stackedFilterbank(sampleRate, nFft, nMels), [2 * bins, nMels]);
    const mel = tf.log(tf.add(tf.matMul(tf.square(spectrum), fb), 1e-6));
    return tf.reshape(mel, [batch, frames, nMels]) as tf.Tensor3D;
  });
}

const bands = new Map<string, { first: Int32Array; weights: Float64Array[] }>();

/** Per mel band, its first bin with a non-zero weight and the weights from there (cached). */
function _melBands(sampleRate: number, nFft: number, nMels: number) {
  const key = `${sampleRate}/${nFft}/${nMels}`;
  const hit = bands.get(key);
  if (hit) return hit;
  const fb = _melFilterbankCached(sampleRate, nFft, nMels), bins = nFft / 2 + 1;
  const first = new Int32Array(nMels), weights: Float64Array[] = [];
  for (let m = 0; m < nMels; m++) {
    let lo = 0, hi = bins;
    while (lo < bins && fb[lo * nMels + m] === 0) lo++;
    while (hi > lo && fb[(hi - 1) * nMels + m] === 0) hi--;
    first[m] = lo;
    weights.push(Float64Array.from({ length: hi - lo }, (_, k) => fb[(lo + k) * nMels + m]));
  }
  const out = { first, weights };
  bands.set(key, out);
  return out;
}

/**
 * The log-mel spectrogram of one wave in memory, the numbers of
 * {@linkcode logMelSpectrogram} (to float32 rounding) in plain JS: {@linkcode stft} (an rFFT per
 * frame), power, each mel band summed over its non-zero bins, `log(mel + 1e-6)`. For inputs
 * that are not differentiated (the model's inputs). With a power-of-two FFT size about 4x
 * cheaper than the tfjs matMul on wasm (the tiny preset's 256); other sizes go through
 * Bluestein's algorithm and are slower than the matMul (the small preset's 160: about 2x).
 *
 * @param wave The samples.
 * @param opts Sample rate, FFT size (even, as {@linkcode stft} takes), hop (at most
 *   `nFft / 2`) and mel bands.
 * @returns Frame-major `[1 + floor(wave.length / hop), nMels]` log-mel energies.
 * @throws Error naming the setting when one is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logMelOfWave } from "@avscene/avscene/audio";
 * const wave = Float32Array.from({ length: 800 }, (_, t) => Math.sin(t / 3));
 * const mel = logMelOfWave(wave, { sampleRate: 8000, nFft: 256, hop: 80, nMels: 32 });
 * assert.equal(mel.length, 11 * 32);
 * ```
 * @category data
 */
export function logMelOfWave(wave: Float32Array, opts: LogMelOptions): Float32Array {
  const { sampleRate, nFft, hop, nMels } = opts;
  _checkMel("logMelOfWave", sampleRate, nFft, nMels);
  const { re, im, frames, bins } = stft(wave, { nFft, hop });
  const { first, weights } = _melBands(sampleRate, nFft, nMels);
  const out = new Float32Array(frames * nMels);
  const power = new Float64Array(bins);
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      const a = re[f * bins + k], b = im[f * bins + k];
      power[k] = a * a + b * b;
    }
    for (let m = 0; m < nMels; m++) {
      const w = weights[m], lo = first[m];
      let e = 0;
      for (let k = 0; k < w.length; k++) e += w[k] * power[lo + k];
      out[f * nMels + m] = Math.log(e + 1e-6);
    }
  }
  return out;
}
