/**
 * Band-limited sample-rate conversion: Kaiser-windowed sinc interpolation, with the filter
 * taps tabulated per phase (polyphase) whenever the rate ratio is a small rational.
 *
 * @module
 */

/** Zero crossings of the sinc on each side, in units of the output (or input) period. */
const ZERO_CROSSINGS = 32;
/** Kaiser window shape: ~85 dB stop-band attenuation. */
const KAISER_BETA = 8.6;
/** Cut-off as a fraction of the lower Nyquist frequency, leaving room for the transition. */
const ROLLOFF = 0.92;
/** Largest number of distinct phases worth a tap table. */
const MAX_PHASES = 4096;

/** Modified Bessel function of the first kind, order 0 (power series). */
function _besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

function _gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Resample `x` from `fromRate` to `toRate` Hz with a Kaiser-windowed sinc low-pass (cut-off at
 * 92 % of the lower Nyquist frequency, 32 zero crossings each side, ~85 dB stop band), the
 * signal taken as zero outside its ends. Output sample `j` sits at input time
 * `j * fromRate / toRate`; the output has `ceil(x.length * toRate / fromRate)` samples.
 * Equal rates return a copy.
 *
 * @param x Input samples.
 * @param fromRate Input sample rate in Hz (positive integer).
 * @param toRate Output sample rate in Hz (positive integer).
 * @returns The resampled signal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resample } from "@avscene/avscene/audio";
 * const x = Float32Array.from({ length: 16000 }, (_, t) => Math.sin(2 * Math.PI * 440 * t / 16000));
 * assert.equal(resample(x, 16000, 8000).length, 8000);
 * ```
 * @category data
 */
export function resample(x: ArrayLike<number>, fromRate: number, toRate: number): Float32Array {
  for (const [key, rate] of [["fromRate", fromRate], ["toRate", toRate]] as const) {
    if (!Number.isInteger(rate) || rate < 1) {
      throw new Error(`resample: ${key} must be a positive integer, got ${rate}`);
    }
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`resample: x[${i}] is not finite (${x[i]})`);
  }
  if (fromRate === toRate) return Float32Array.from(x);
  const g = _gcd(fromRate, toRate);
  const up = toRate / g, down = fromRate / g; // output j is at input time j * down / up
  const outLength = Math.ceil((x.length * up) / down);
  // cut-off in cycles per input sample (input Nyquist = 0.5)
  const cutoff = 0.5 * ROLLOFF * Math.min(1, toRate / fromRate);
  const halfWidth = ZERO_CROSSINGS / (2 * cutoff); // in input samples
  const i0Beta = _besselI0(KAISER_BETA);
  const kernel = (d: number): number => {
    const r = d / halfWidth;
    if (r <= -1 || r >= 1) return 0;
    const a = 2 * Math.PI * cutoff * d;
    const sinc = a === 0 ? 1 : Math.sin(a) / a;
    return 2 * cutoff * sinc * (_besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta);
  };
  const span = Math.ceil(halfWidth);
  const taps = 2 * span + 1;
  // tap table per phase p (output at input time k0 + p / up): weights of x[k0 - span .. k0 + span]
  const table = up <= MAX_PHASES ? new Float64Array(up * taps) : null;
  if (table) {
    for (let p = 0; p < up; p++) {
      for (let i = 0; i < taps; i++) table[p * taps + i] = kernel(p / up - (i - span));
    }
  }
  const out = new Float32Array(outLength);
  const weights = new Float64Array(taps);
  for (let j = 0; j < outLength; j++) {
    const k0 = Math.floor((j * down) / up), phase = (j * down) % up;
    let w: Float64Array;
    if (table) {
      w = table.subarray(phase * taps, phase * taps + taps);
    } else {
      for (let i = 0; i < taps; i++) weights[i] = kernel(phase / up - (i - span));
      w = weights;
    }
    let acc = 0;
    const lo = Math.max(0, span - k0), hi = Math.min(taps, x.length - k0 + span);
    for (let i = lo; i < hi; i++) acc += w[i] * x[k0 - span + i];
    out[j] = acc;
  }
  return out;
}
