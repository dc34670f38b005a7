/**
 * Short-time Fourier transform and its inverse: periodic Hann window, optionally centred
 * (zero-padded) frames, weighted overlap-add resynthesis.
 *
 * @module
 */

import { realFft } from "./_real_fft.ts";

/**
 * A complex spectrogram, frame-major: `index = frame * bins + bin`, `bins = nFft / 2 + 1`.
 *
 * @category data
 */
export interface Spectrogram {
  /** Real parts, `frames * bins`. */
  re: Float32Array;
  /** Imaginary parts, `frames * bins`. */
  im: Float32Array;
  /** Number of frames. */
  frames: number;
  /** Number of frequency bins, `nFft / 2 + 1`. */
  bins: number;
}

/**
 * Frame settings shared by {@linkcode stft} and {@linkcode istft}.
 *
 * @category data
 */
export interface StftOptions {
  /**
   * FFT size = window length, an even integer >= 4 (powers of two are fastest; Sound of
   * Pixels' 1022 goes through Bluestein's algorithm over a 2048-point FFT, slower per frame).
   */
  nFft: number;
  /** Hop between frames in samples, an integer in `[1, nFft / 2]`. */
  hop: number;
  /**
   * Centre frame `t` on sample `t * hop` by zero-padding `nFft / 2` samples at each end
   * (default true). Frames: `1 + floor(length / hop)` centred, else
   * `1 + floor((length - nFft) / hop)`.
   */
  center?: boolean;
}

const windows = new Map<number, Float64Array>();

/** The periodic Hann window of length `n` (cached; callers must not write into it). */
function _hann(n: number): Float64Array {
  let w = windows.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    windows.set(n, w);
  }
  return w;
}

function _checkOptions(name: string, opts: StftOptions): void {
  const { nFft, hop } = opts;
  if (!Number.isInteger(nFft) || nFft < 4 || nFft % 2 !== 0) {
    throw new Error(`${name}: nFft must be an even integer >= 4, got ${nFft}`);
  }
  if (!Number.isInteger(hop) || hop < 1 || hop > nFft / 2) {
    throw new Error(`${name}: hop must be an integer in [1, nFft / 2 = ${nFft / 2}], got ${hop}`);
  }
}

/**
 * Number of frames {@linkcode stft} produces for `length` samples.
 *
 * @category data
 */
export function stftFrames(length: number, opts: StftOptions): number {
  _checkOptions("stftFrames", opts);
  if (opts.center ?? true) return 1 + Math.floor(length / opts.hop);
  return length < opts.nFft ? 0 : 1 + Math.floor((length - opts.nFft) / opts.hop);
}

/**
 * The STFT of `x` with a periodic Hann window (unnormalised DFT, as numpy / librosa).
 * Computed in float64, stored as float32.
 *
 * @param x Samples (any finite numbers).
 * @param opts FFT size, hop and centring.
 * @returns The complex spectrogram, frame-major.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stft } from "@avscene/avscene/audio";
 * const x = Float32Array.from({ length: 800 }, (_, t) => Math.sin(2 * Math.PI * t / 16));
 * const spec = stft(x, { nFft: 64, hop: 16 });
 * assert.deepEqual([spec.frames, spec.bins], [51, 33]);
 * ```
 * @category data
 */
export function stft(x: ArrayLike<number>, opts: StftOptions): Spectrogram {
  _checkOptions("stft", opts);
  const { nFft, hop } = opts;
  const offset = (opts.center ?? true) ? nFft / 2 : 0;
  const bins = nFft / 2 + 1;
  const frames = stftFrames(x.length, opts);
  const window = _hann(nFft);
  const fft = realFft(nFft);
  const frame = new Float64Array(nFft), out = new Float64Array(2 * nFft);
  const re = new Float32Array(frames * bins), im = new Float32Array(frames * bins);
  for (let f = 0; f < frames; f++) {
    const start = f * hop - offset;
    for (let i = 0; i < nFft; i++) {
      const t = start + i;
      frame[i] = t >= 0 && t < x.length ? x[t] * window[i] : 0;
    }
    fft.forward(frame, out);
    for (let b = 0; b < bins; b++) {
      re[f * bins + b] = out[2 * b];
      im[f * bins + b] = out[2 * b + 1];
    }
  }
  return { re, im, frames, bins };
}

/**
 * The inverse of {@linkcode stft}: inverse FFT of each frame, windowed again, overlap-added and
 * divided by the summed squared window (the least-squares estimate of Griffin and Lim), so
 * `istft(stft(x))` reproduces `x` up to float32 rounding. Uncentred frames leave sample 0 and
 * any tail past the last frame uncovered; those are returned as 0.
 *
 * @param spec A spectrogram from {@linkcode stft} (or a masked copy of one).
 * @param opts The same FFT size, hop and centring as the forward transform, and the output
 *   `length` in samples.
 * @returns `length` samples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { istft, stft } from "@avscene/avscene/audio";
 * const x = Float32Array.from({ length: 500 }, (_, t) => Math.cos(t / 7));
 * const y = istft(stft(x, { nFft: 128, hop: 32 }), { nFft: 128, hop: 32, length: x.length });
 * assert.ok(Math.abs(y[250] - x[250]) < 1e-4);
 * ```
 * @category data
 */
export function istft(spec: Spectrogram, opts: StftOptions & { length: number }): Float32Array {
  _checkOptions("istft", opts);
  const { nFft, hop, length } = opts;
  if (!Number.isInteger(length) || length < 0) {
    throw new Error(`istft: length must be a non-negative integer, got ${length}`);
  }
  const bins = nFft / 2 + 1;
  if (spec.bins !== bins) {
    throw new Error(`istft: spec has ${spec.bins} bins, nFft = ${nFft} implies ${bins}`);
  }
  if (spec.re.length !== spec.frames * bins || spec.im.length !== spec.frames * bins) {
    throw new Error(
      `istft: spec.re/im must hold frames * bins = ${spec.frames * bins} values, got ` +
        `${spec.re.length}/${spec.im.length}`,
    );
  }
  const offset = (opts.center ?? true) ? nFft / 2 : 0;
  const window = _hann(nFft);
  const fft = realFft(nFft);
  const full = new Float64Array(2 * nFft), frame = new Float64Array(2 * nFft);
  const out = new Float64Array(length), norm = new Float64Array(length);
  for (let f = 0; f < spec.frames; f++) {
    const start = f * hop - offset;
    if (start >= length) break;
    for (let b = 0; b < bins; b++) {
      full[2 * b] = spec.re[f * bins + b];
      full[2 * b + 1] = spec.im[f * bins + b];
    }
    // Hermitian symmetry: the upper half of a real signal's spectrum mirrors the lower half
    for (let b = bins; b < nFft; b++) {
      full[2 * b] = full[2 * (nFft - b)];
      full[2 * b + 1] = -full[2 * (nFft - b) + 1];
    }
    fft.inverse(full, frame);
    for (let i = 0; i < nFft; i++) {
      const t = start + i;
      if (t < 0 || t >= length) continue;
      out[t] += frame[2 * i] * window[i];
      norm[t] += window[i] * window[i];
    }
  }
  const y = new Float32Array(length);
  for (let t = 0; t < length; t++) y[t] = norm[t] > 1e-10 ? out[t] / norm[t] : 0;
  return y;
}

/**
 * The magnitude `|re + i im|` of each bin, same layout as the spectrogram.
 *
 * @param spec A spectrogram.
 * @returns `frames * bins` magnitudes, frame-major.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { magnitude } from "@avscene/avscene/audio";
 * const mag = magnitude({ re: Float32Array.of(3), im: Float32Array.of(4), frames: 1, bins: 1 });
 * assert.equal(mag[0], 5);
 * ```
 * @category data
 */
export function magnitude(spec: Spectrogram): Float32Array {
  const n = spec.re.length;
  if (spec.im.length !== n) {
    throw new Error(`magnitude: spec.re has ${n} values but spec.im has ${spec.im.length}`);
  }
  const out = new Float32Array(n);
  // the square root of the sum of squares, not Math.hypot: a float32's square cannot overflow
  // or vanish in a double, the float32 results equal hypot's (test), at a fifth of the time
  // or less (bench/magnitude_bench.ts; a separation step takes 3 x batch magnitudes)
  for (let i = 0; i < n; i++) {
    const a = spec.re[i], b = spec.im[i];
    out[i] = Math.sqrt(a * a + b * b);
  }
  return out;
}
