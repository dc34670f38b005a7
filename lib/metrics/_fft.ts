/**
 * Private float64 FFT helpers (fft.js) for correlations and convolutions of real signals.
 *
 * @module
 */

import FFT from "fft.js";

/** Forward and inverse transforms of real signals zero-padded to a fixed power-of-two size. */
export class RealFft {
  /** Transform size (a power of two, at least 2). */
  readonly size: number;
  #fft: FFT;
  #input: Float64Array;
  #scratch: Float64Array;

  /** Prepare transforms of `size` points; `size` must be a power of two >= 2. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new Error(`RealFft: size must be a power of two >= 2, got ${size}`);
    }
    this.size = size;
    this.#fft = new FFT(size);
    this.#input = new Float64Array(size);
    this.#scratch = new Float64Array(2 * size);
  }

  /** The full complex spectrum (interleaved re, im; `2 * size` values) of `x` zero-padded. */
  forward(x: ArrayLike<number>, length: number = x.length): Float64Array {
    if (length > this.size) {
      throw new Error(`RealFft.forward: signal of ${length} samples exceeds size ${this.size}`);
    }
    const input = this.#input;
    for (let i = 0; i < length; i++) input[i] = x[i];
    input.fill(0, length);
    const out = new Float64Array(2 * this.size);
    this.#fft.realTransform(out, input);
    this.#fft.completeSpectrum(out);
    return out;
  }

  /**
   * The non-negative-frequency half of the spectrum of `x` zero-padded (bins `0..size/2`,
   * interleaved re, im: `size + 2` values), written into `out` from `offset`; the other half
   * of a real signal's spectrum is its mirror image, conjugated.
   */
  forwardHalf(x: ArrayLike<number>, out: Float64Array, offset: number, length = x.length): void {
    if (length > this.size) {
      throw new Error(`RealFft.forwardHalf: signal of ${length} samples exceeds size ${this.size}`);
    }
    const input = this.#input;
    for (let i = 0; i < length; i++) input[i] = x[i];
    input.fill(0, length);
    this.#fft.realTransform(this.#scratch, input);
    out.set(this.#scratch.subarray(0, this.size + 2), offset);
  }

  /**
   * The inverse transform (scaled by 1 / size) of the real signal whose half spectrum (as
   * {@linkcode RealFft.forwardHalf} writes it) is `half`, as a new array of `size` values.
   */
  inverseHalf(half: Float64Array): Float64Array {
    const n = this.size, full = new Float64Array(2 * n);
    full.set(half.subarray(0, n + 2));
    for (let k = 1; k < n / 2; k++) {
      full[2 * (n - k)] = half[2 * k];
      full[2 * (n - k) + 1] = -half[2 * k + 1];
    }
    return this.inverseReal(full);
  }

  /**
   * The real part of the inverse transform (scaled by 1 / size) of an interleaved spectrum,
   * as a new array of `size` values.
   */
  inverseReal(spectrum: Float64Array): Float64Array {
    const scratch = this.#scratch;
    this.#fft.inverseTransform(scratch, spectrum);
    const out = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = scratch[2 * i];
    return out;
  }
}

/** `acc += a * b`, element-wise on interleaved spectra. */
export function addMul(acc: Float64Array, a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i += 2) {
    const ar = a[i], ai = a[i + 1], br = b[i], bi = b[i + 1];
    acc[i] += ar * br - ai * bi;
    acc[i + 1] += ar * bi + ai * br;
  }
}

/** The smallest power of two that is >= `n` (and >= 2). */
export function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}
