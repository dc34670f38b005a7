/**
 * The log-frequency warp of Sound of Pixels (Zhao et al., 2018): a linear-frequency
 * spectrogram resampled onto a log-like frequency axis (bilinear along frequency), and back.
 *
 * Output bin `j` of `outBins` reads linear bin `p(u) = (bins - 1) * (21^u - 1) / 20` with
 * `u = j / (outBins - 1)`, exactly SoP's `warpgrid` (`grid_y = (21^((y + 1) / 2) - 11) / 10`
 * through `grid_sample` with aligned corners). The inverse samples the warped axis at
 * `u(k) = log(1 + 20 k / (bins - 1)) / log(21)`. Both ends map onto each other (DC to DC,
 * Nyquist to Nyquist), so the mapping depends on bin positions only, not on the sample rate;
 * {@linkcode logFrequencyHz} gives the frequency each warped bin stands for.
 *
 * @module
 */

/** The base of SoP's warp: `p(u) = (21^u - 1) / 20` on [0, 1]. */
const WARP_BASE = 21;

function _check(
  name: string,
  data: Float32Array,
  frames: number,
  inBins: number,
  outBins: number,
  sampleRate: number,
): void {
  for (const [key, v] of [["frames", frames], ["input bins", inBins], ["outBins", outBins]]) {
    if (!Number.isInteger(v) || (v as number) < (key === "frames" ? 0 : 2)) {
      throw new Error(
        `${name}: ${key} must be an integer >= ${key === "frames" ? 0 : 2}, got ${v}`,
      );
    }
  }
  if (!(sampleRate > 0)) throw new Error(`${name}: sampleRate must be positive, got ${sampleRate}`);
  if (data.length !== frames * inBins) {
    throw new Error(
      `${name}: input has ${data.length} values, frames * bins = ${frames} * ${inBins} expected`,
    );
  }
}

/** Resample each frame's frequency axis at fractional positions `pos` (bilinear). */
function _resampleRows(
  data: Float32Array,
  frames: number,
  inBins: number,
  pos: Float64Array,
): Float32Array {
  const outBins = pos.length;
  const out = new Float32Array(frames * outBins);
  for (let j = 0; j < outBins; j++) {
    const p = Math.min(Math.max(pos[j], 0), inBins - 1);
    const lo = Math.min(Math.floor(p), inBins - 2), w = p - lo;
    for (let f = 0; f < frames; f++) {
      const row = f * inBins;
      out[f * outBins + j] = (1 - w) * data[row + lo] + w * data[row + lo + 1];
    }
  }
  return out;
}

/**
 * Warp a linear-frequency magnitude spectrogram onto SoP's log frequency axis.
 *
 * @param mag Frame-major `[frames, bins]` values (magnitudes, masks, anything smooth).
 * @param frames Number of frames.
 * @param bins Linear bins per frame (`nFft / 2 + 1`).
 * @param outBins Warped bins per frame (SoP: 256 for 512 linear bins).
 * @param sampleRate Sample rate of the audio (validated; the warp itself is rate-free).
 * @returns Frame-major `[frames, outBins]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logFrequencyWarp } from "@avscene/avscene/audio";
 * const mag = Float32Array.from({ length: 9 }, (_, k) => k); // one frame, a linear ramp
 * const warped = logFrequencyWarp(mag, 1, 9, 5, 8000);
 * assert.deepEqual([warped[0], warped[4]], [0, 8]);
 * ```
 * @category data
 */
export function logFrequencyWarp(
  mag: Float32Array,
  frames: number,
  bins: number,
  outBins: number,
  sampleRate: number,
): Float32Array {
  _check("logFrequencyWarp", mag, frames, bins, outBins, sampleRate);
  const pos = new Float64Array(outBins);
  for (let j = 0; j < outBins; j++) {
    pos[j] = ((bins - 1) * (WARP_BASE ** (j / (outBins - 1)) - 1)) / (WARP_BASE - 1);
  }
  return _resampleRows(mag, frames, bins, pos);
}

/**
 * Map a warped spectrogram (or mask) back onto linear frequency bins: the inverse of
 * {@linkcode logFrequencyWarp} up to the interpolation loss where the warped axis is coarser
 * than the linear one (high frequencies).
 *
 * @param warped Frame-major `[frames, outBins]`.
 * @param frames Number of frames.
 * @param outBins Warped bins per frame.
 * @param bins Linear bins per frame to produce (`nFft / 2 + 1`).
 * @param sampleRate Sample rate of the audio (validated; the warp itself is rate-free).
 * @returns Frame-major `[frames, bins]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inverseLogFrequencyWarp, logFrequencyWarp } from "@avscene/avscene/audio";
 * const flat = new Float32Array(33).fill(2);
 * const back = inverseLogFrequencyWarp(logFrequencyWarp(flat, 1, 33, 16, 8000), 1, 16, 33, 8000);
 * assert.ok(back.every((v) => Math.abs(v - 2) < 1e-6));
 * ```
 * @category data
 */
export function inverseLogFrequencyWarp(
  warped: Float32Array,
  frames: number,
  outBins: number,
  bins: number,
  sampleRate: number,
): Float32Array {
  _check("inverseLogFrequencyWarp", warped, frames, outBins, bins, sampleRate);
  const pos = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    const u = Math.log(1 + ((WARP_BASE - 1) * k) / (bins - 1)) / Math.log(WARP_BASE);
    pos[k] = u * (outBins - 1);
  }
  return _resampleRows(warped, frames, outBins, pos);
}

/**
 * The frequency in Hz that each bin of {@linkcode logFrequencyWarp}'s output samples.
 *
 * @param outBins Warped bins.
 * @param sampleRate Sample rate in Hz.
 * @returns `outBins` frequencies from 0 to `sampleRate / 2`, increasing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logFrequencyHz } from "@avscene/avscene/audio";
 * const hz = logFrequencyHz(256, 11025);
 * assert.deepEqual([hz[0], hz[255]], [0, 5512.5]);
 * ```
 * @category data
 */
export function logFrequencyHz(outBins: number, sampleRate: number): Float64Array {
  if (!Number.isInteger(outBins) || outBins < 2) {
    throw new Error(`logFrequencyHz: outBins must be an integer >= 2, got ${outBins}`);
  }
  if (!(sampleRate > 0)) {
    throw new Error(`logFrequencyHz: sampleRate must be positive, got ${sampleRate}`);
  }
  return Float64Array.from(
    { length: outBins },
    (_, j) => ((sampleRate / 2) * (WARP_BASE ** (j / (outBins - 1)) - 1)) / (WARP_BASE - 1),
  );
}
