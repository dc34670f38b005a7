/**
 * The NMF-MFCC separation baseline (Spiertz and Gnann, 2009): factor the mixture spectrogram,
 * cluster the bases by their MFCCs, one cluster per source.
 *
 * @module
 */

import Meyda from "meyda";
import { istft, stft } from "../audio/mod.ts";
import { kMeans } from "./k_means.ts";
import { nmf } from "./nmf.ts";

/**
 * Options of {@linkcode nmfMfccSeparate}.
 *
 * @category model
 */
export interface NmfMfccOptions {
  /** NMF components (bases). Default 16. */
  components?: number;
  /** FFT size of the STFT (power of two). Default 1024. */
  nFft?: number;
  /** Hop of the STFT in samples. Default `nFft / 4`. */
  hop?: number;
  /** NMF iterations. Default 200. */
  iterations?: number;
  /** MFCCs computed per basis (c0 is then dropped, the rest cluster). Default 13. */
  mfccCoefficients?: number;
  /** Mel bands of the MFCC filter bank. Default 26. */
  melBands?: number;
  /** Seed of NMF and k-means. Default 0. */
  seed?: number;
}

/** Per-basis MFCCs through meyda's own extractor, fed the basis as an amplitude spectrum. */
function basisMfccs(
  bases: Float64Array[],
  sampleRate: number,
  nFft: number,
  melBands: number,
  coefficients: number,
): Float64Array[] {
  // deno-lint-ignore no-explicit-any
  const m = Meyda as any;
  m.sampleRate = sampleRate;
  m.bufferSize = nFft;
  m.melBands = melBands;
  m.numberOfMFCCCoefficients = coefficients;
  // meyda caches its mel filter bank and rebuilds it only when bufferSize or melBands change,
  // not the sample rate: drop it so this extraction builds one for these settings
  m.melFilterBank = undefined;
  m.extract("mfcc", new Float32Array(nFft));
  const melFilterBank = m.melFilterBank as number[][];
  return bases.map((b) => {
    // unit peak times a fixed gain, so log(power + 1) sees comparable levels for every basis
    const peak = b.reduce((a, v) => Math.max(a, v), 0) || 1;
    const amp = Float32Array.from(b, (v) => (100 * v) / peak);
    const mfcc = m.featureExtractors.mfcc({
      ampSpectrum: amp,
      melFilterBank,
      numberOfMFCCCoefficients: coefficients,
      bufferSize: nFft,
    }) as ArrayLike<number>;
    // c0 (overall level) is dropped: the clustering should follow spectral shape, not loudness
    return Float64Array.from(mfcc).slice(1);
  });
}

/**
 * Separate a mono mixture into `sources` signals without training: NMF (KL) of the STFT
 * magnitude into `components` bases, MFCCs of each basis (meyda's extractor fed the basis as
 * an amplitude spectrum; c0, the level, dropped), seeded k-means of those into
 * `sources` clusters, a Wiener-style soft mask per cluster
 * (`sum of the cluster's W H / total W H`) on the complex mixture STFT, and the inverse STFT
 * (so the mixture phase is kept). The estimates sum to the mixture (up to the mask's epsilon);
 * their order is arbitrary (evaluate with `bssEval`'s permutation).
 *
 * @param mixture Mono samples.
 * @param sampleRate Sample rate in Hz (for the mel scale).
 * @param sources Number of sources to return (at least 1, at most `components`).
 * @param opts STFT, NMF and clustering settings.
 * @returns One waveform per source, each as long as the mixture.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nmfMfccSeparate } from "@avscene/avscene/baselines";
 * const sr = 8000;
 * const mix = Float32Array.from({ length: sr / 2 }, (_, t) =>
 *   Math.sin(2 * Math.PI * 200 * t / sr) + Math.sin(2 * Math.PI * 2500 * t / sr));
 * const [a, b] = nmfMfccSeparate(mix, sr, 2, { nFft: 512, components: 4 });
 * assert.ok(a.length === mix.length && b.length === mix.length);
 * ```
 * @category model
 */
export function nmfMfccSeparate(
  mixture: Float32Array | Float64Array,
  sampleRate: number,
  sources: number,
  opts: NmfMfccOptions = {},
): Float32Array[] {
  const components = opts.components ?? 16;
  const nFft = opts.nFft ?? 1024;
  const hop = opts.hop ?? nFft / 4;
  if (!Number.isInteger(sources) || sources < 1 || sources > components) {
    throw new Error(
      `nmfMfccSeparate: sources must be an integer in [1, components = ${components}], got ${sources}`,
    );
  }
  if (!(sampleRate > 0)) {
    throw new Error(`nmfMfccSeparate: sampleRate must be positive, got ${sampleRate}`);
  }
  if (mixture.length === 0) throw new Error("nmfMfccSeparate: mixture is empty");
  for (let t = 0; t < mixture.length; t++) {
    if (!Number.isFinite(mixture[t])) {
      throw new Error(`nmfMfccSeparate: mixture[${t}] is not finite (${mixture[t]})`);
    }
  }
  const spec = stft(mixture, { nFft, hop });
  const { frames, bins } = spec;
  // magnitude as [bins, frames]
  const mag = new Float64Array(bins * frames);
  for (let f = 0; f < frames; f++) {
    for (let b = 0; b < bins; b++) {
      mag[b * frames + f] = Math.hypot(spec.re[f * bins + b], spec.im[f * bins + b]);
    }
  }
  const seed = opts.seed ?? 0;
  const { w, h } = nmf(mag, bins, frames, components, { iterations: opts.iterations, seed });
  const bases = Array.from(
    { length: components },
    (_, c) => Float64Array.from({ length: bins }, (_, b) => w[b * components + c]),
  );
  let labels: number[];
  if (sources === 1) {
    labels = bases.map(() => 0);
  } else {
    const mfccs = basisMfccs(
      bases,
      sampleRate,
      nFft,
      opts.melBands ?? 26,
      opts.mfccCoefficients ?? 13,
    );
    labels = kMeans(mfccs, sources, { seed }).labels;
  }
  // per-source model spectrograms and the Wiener-style masks
  const parts = Array.from({ length: sources }, () => new Float64Array(bins * frames));
  for (let c = 0; c < components; c++) {
    const part = parts[labels[c]];
    for (let b = 0; b < bins; b++) {
      const wv = w[b * components + c];
      for (let f = 0; f < frames; f++) part[b * frames + f] += wv * h[c * frames + f];
    }
  }
  return parts.map((part) => {
    const re = new Float32Array(frames * bins), im = new Float32Array(frames * bins);
    for (let f = 0; f < frames; f++) {
      for (let b = 0; b < bins; b++) {
        let total = 0;
        for (const p of parts) total += p[b * frames + f];
        const mask = total > 0 ? part[b * frames + f] / total : 1 / sources;
        re[f * bins + b] = mask * spec.re[f * bins + b];
        im[f * bins + b] = mask * spec.im[f * bins + b];
      }
    }
    return istft({ re, im, frames, bins }, { nFft, hop, length: mixture.length });
  });
}
