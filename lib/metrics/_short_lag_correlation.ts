/**
 * Private cross-correlations of long real signals at short lags by block FFTs.
 *
 * @module
 */

import { nextPow2, RealFft } from "./_fft.ts";

/**
 * Half spectra (`size + 2` values each, {@linkcode RealFft.forwardHalf}) of one signal's blocks
 * in one role of {@linkcode ShortLagCorrelation.correlate}, one after the other.
 */
export type BlockSpectra = Float64Array;

/**
 * Cross-correlations `r[k] = Σ_t x[t + k] y[t]` of signals of `length` samples at the lags
 * `|k| < maxLag` only, which is all the BSS-eval normal equations need: `y` is cut into blocks
 * of `B` samples, block `b` is correlated with the segment of `x` that reaches `maxLag - 1`
 * samples beyond it on either side (one FFT of `B + 2 maxLag - 2` or more points, so the
 * circular correlation does not wrap at those lags), and since correlation is linear the
 * block spectra products are summed before a single small inverse transform. Each signal is
 * transformed once per role and reused for every pair, at about the cost of one full-length
 * transform, where full-length correlations need one full-length inverse transform per pair.
 */
export class ShortLagCorrelation {
  /** Signal length in samples. */
  readonly length: number;
  /** Lags `-(maxLag-1)..maxLag-1` are computed. */
  readonly maxLag: number;
  /** Samples of `y` per block. */
  readonly block: number;
  readonly #fft: RealFft;

  /**
   * @param length Samples per signal (>= 1).
   * @param maxLag One more than the largest lag magnitude needed (>= 1).
   */
  constructor(length: number, maxLag: number) {
    this.length = length;
    this.maxLag = maxLag;
    const margin = 2 * maxLag - 2;
    // blocks about four times the margin, one block when the signal is short
    const size = Math.min(nextPow2(length + margin), Math.max(256, nextPow2(4 * margin)));
    this.block = size - margin;
    this.#fft = new RealFft(size);
  }

  /** Number of blocks. */
  get blocks(): number {
    return Math.ceil(this.length / this.block);
  }

  /** Spectra of `x` in the leading role (segments `bB - maxLag + 1 .. bB + B + maxLag - 2`). */
  leading(x: ArrayLike<number>): BlockSpectra {
    const { block, maxLag, length } = this, stride = this.#fft.size + 2;
    const seg = new Float64Array(block + 2 * maxLag - 2);
    const out = new Float64Array(this.blocks * stride);
    for (let b = 0; b < this.blocks; b++) {
      seg.fill(0);
      const start = b * block - (maxLag - 1);
      for (let t = Math.max(0, -start); t < seg.length && start + t < length; t++) {
        seg[t] = x[start + t];
      }
      this.#fft.forwardHalf(seg, out, b * stride);
    }
    return out;
  }

  /** Spectra of `y` in the trailing role (blocks `bB .. bB + B - 1`). */
  trailing(y: ArrayLike<number>): BlockSpectra {
    const { block, length } = this, stride = this.#fft.size + 2;
    const out = new Float64Array(this.blocks * stride);
    const seg = new Float64Array(block);
    for (let b = 0; b < this.blocks; b++) {
      const start = b * block;
      seg.fill(0);
      for (let t = 0; t < block && start + t < length; t++) seg[t] = y[start + t];
      this.#fft.forwardHalf(seg, out, b * stride);
    }
    return out;
  }

  /**
   * `c` of length `2 maxLag - 1` with `c[maxLag - 1 + k] = Σ_t x[t + k] y[t]` (zero outside the
   * signals) for `|k| < maxLag`, from `leading(x)` and `trailing(y)`.
   */
  correlate(x: BlockSpectra, y: BlockSpectra): Float64Array {
    // Σ_blocks X conj(Y) over the half spectra
    const acc = new Float64Array(this.#fft.size + 2);
    for (let base = 0; base < x.length; base += acc.length) {
      for (let k = 0; k < acc.length; k += 2) {
        const xr = x[base + k], xi = x[base + k + 1], yr = y[base + k], yi = y[base + k + 1];
        acc[k] += xr * yr + xi * yi;
        acc[k + 1] += xi * yr - xr * yi;
      }
    }
    // circular correlation of segment and block: index k' = k + maxLag - 1 for lag k
    return this.#fft.inverseHalf(acc).slice(0, 2 * this.maxLag - 1);
  }
}
