/**
 * Frame-wise mel bands and MFCCs through meyda (CPU, not differentiable): meyda's own
 * conventions, for baselines and for cross-checking the tfjs front end.
 *
 * @module
 */

import Meyda from "meyda";

/**
 * Framing and feature settings of {@linkcode melBands} and {@linkcode mfcc}.
 *
 * @category data
 */
export interface MeydaFrameOptions {
  /** Frame length (meyda's `bufferSize`), a power of two. */
  frameSize: number;
  /** Hop between frames in samples. */
  hop: number;
  /** Mel bands of the filter bank, default 26 (meyda's default). */
  melBands?: number;
  /**
   * Centre frame `t` on sample `t * hop`, zero-padding `frameSize / 2` at each end, the
   * framing of `stft` (default true). Otherwise frames start at `t * hop`.
   */
  center?: boolean;
}

/**
 * Options of {@linkcode mfcc}.
 *
 * @category data
 */
export interface MfccOptions extends MeydaFrameOptions {
  /** Coefficients per frame, 1..40 (meyda's limit), default 13. */
  nMfcc?: number;
}

/** The meyda state this module sets; meyda keeps its settings in one global object. */
interface _MeydaState {
  sampleRate: number;
  bufferSize: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  melFilterBank: number[][] | undefined;
  extract(features: string[], signal: Float32Array): Record<string, number[]>;
}

/** Frame `x` and run meyda's extractors on every frame. */
function _extractFrames(
  name: string,
  x: ArrayLike<number>,
  sampleRate: number,
  opts: MeydaFrameOptions,
  nMfcc: number,
  features: string[],
): Record<string, number[]>[] {
  const { frameSize, hop } = opts;
  const bands = opts.melBands ?? 26;
  if (!Number.isInteger(frameSize) || frameSize < 4 || (frameSize & (frameSize - 1)) !== 0) {
    throw new Error(`${name}: frameSize must be a power of two >= 4, got ${frameSize}`);
  }
  if (!Number.isInteger(hop) || hop < 1) {
    throw new Error(`${name}: hop must be a positive integer, got ${hop}`);
  }
  if (!(sampleRate > 0)) throw new Error(`${name}: sampleRate must be positive, got ${sampleRate}`);
  if (!Number.isInteger(bands) || bands < 1) {
    throw new Error(`${name}: melBands must be a positive integer, got ${bands}`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`${name}: x[${i}] is not finite (${x[i]})`);
  }
  const center = opts.center ?? true;
  const offset = center ? frameSize / 2 : 0;
  const frames = center
    ? 1 + Math.floor(x.length / hop)
    : x.length < frameSize
    ? 0
    : 1 + Math.floor((x.length - frameSize) / hop);
  const meyda = Meyda as unknown as _MeydaState;
  meyda.sampleRate = sampleRate;
  meyda.bufferSize = frameSize;
  meyda.melBands = bands;
  meyda.numberOfMFCCCoefficients = nMfcc;
  meyda.windowingFunction = "hanning";
  // meyda rebuilds its filter bank on a band-count or size change but not on a rate change
  meyda.melFilterBank = undefined;
  const out: Record<string, number[]>[] = [];
  const frame = new Float32Array(frameSize);
  try {
    for (let f = 0; f < frames; f++) {
      const start = f * hop - offset;
      for (let i = 0; i < frameSize; i++) {
        const t = start + i;
        frame[i] = t >= 0 && t < x.length ? x[t] : 0;
      }
      out.push(meyda.extract(features, frame));
    }
  } finally {
    meyda.melFilterBank = undefined;
  }
  return out;
}

/**
 * Meyda's log mel bands of each frame: symmetric Hann window (`size - 1` denominator), power
 * spectrum of bins `0 .. frameSize / 2 - 1` (the Nyquist bin dropped), triangular filters
 * with edges rounded down to FFT bins on the mel scale `1125 ln(1 + f / 700)` from 0 Hz to
 * Nyquist, then `ln(energy + 1)`.
 *
 * @param x Mono samples.
 * @param sampleRate Sample rate in Hz.
 * @param opts Frame size, hop, bands, centring.
 * @returns One `Float32Array(melBands)` per frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { melBands } from "@avscene/avscene/audio";
 * const x = Float32Array.from({ length: 4000 }, (_, t) => Math.sin(t / 3));
 * const bands = melBands(x, 8000, { frameSize: 256, hop: 128, melBands: 20 });
 * assert.deepEqual([bands.length, bands[0].length], [32, 20]);
 * ```
 * @category data
 */
export function melBands(
  x: ArrayLike<number>,
  sampleRate: number,
  opts: MeydaFrameOptions,
): Float32Array[] {
  const bands = opts.melBands ?? 26;
  return _extractFrames("melBands", x, sampleRate, opts, Math.min(13, bands), ["melBands"])
    .map((r) => Float32Array.from(r.melBands));
}

/**
 * Meyda's MFCCs of each frame: the DCT (meyda's, unnormalised DCT-II) of
 * {@linkcode melBands}, first `nMfcc` coefficients.
 *
 * @param x Mono samples.
 * @param sampleRate Sample rate in Hz.
 * @param opts Frame size, hop, bands, coefficients, centring.
 * @returns One `Float32Array(nMfcc)` per frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mfcc } from "@avscene/avscene/audio";
 * const x = Float32Array.from({ length: 4000 }, (_, t) => Math.sin(t / 3));
 * const c = mfcc(x, 8000, { frameSize: 256, hop: 128, nMfcc: 13 });
 * assert.deepEqual([c.length, c[0].length], [32, 13]);
 * ```
 * @category data
 */
export function mfcc(x: ArrayLike<number>, sampleRate: number, opts: MfccOptions): Float32Array[] {
  const nMfcc = opts.nMfcc ?? 13;
  const bands = opts.melBands ?? 26;
  if (!Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > Math.min(40, bands)) {
    throw new Error(
      `mfcc: nMfcc must be an integer in [1, min(40, melBands = ${bands})], got ${nMfcc}`,
    );
  }
  return _extractFrames("mfcc", x, sampleRate, opts, nMfcc, ["mfcc"])
    .map((r) => Float32Array.from(r.mfcc));
}
