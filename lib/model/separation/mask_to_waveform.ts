/**
 * Inference's last step: a predicted warped mask back to linear frequency, applied to the
 * mixture's STFT (so the mixture's phase is kept), and the inverse STFT.
 *
 * @module
 */
import { istft, type Spectrogram } from "../../audio/stft.ts";
import { inverseLogFrequencyWarp } from "../../audio/log_frequency.ts";
import type { SeparationConfig } from "./separation_config.ts";

/**
 * The waveform a mask selects from a mixture. Binary masks are thresholded at 0.5 after the
 * warp back (as Sound-of-Pixels), unless `soft`: then, as ratio masks always are, they are used
 * as they are (clipped to [0, 1]). A binary network's soft mask is its probability that the
 * source dominates each bin: where it is unsure (near 0.5) it keeps half the mixture instead of
 * a coin toss, so an undecided network scores about the mixture instead of below it.
 *
 * @param mask warped mask `[frames, warpBins]` in [0, 1] (the U-Net's padding frames removed).
 * @param mixture the mixture's STFT `[frames, nFft / 2 + 1]`.
 * @param config the separation configuration.
 * @param length samples to return (default `sampleRate * duration`).
 * @param soft use a binary network's mask without the 0.5 threshold (default false).
 * @returns the separated waveform.
 * @category model
 */
export function maskToWaveform(
  mask: Float32Array,
  mixture: Spectrogram,
  config: SeparationConfig,
  length: number = Math.round(config.sampleRate * config.duration),
  soft = false,
): Float32Array {
  const { frames, bins } = mixture;
  if (mask.length !== frames * config.warpBins) {
    throw new Error(
      `maskToWaveform: mask has ${mask.length} values, frames * warpBins = ${
        frames * config.warpBins
      } expected`,
    );
  }
  const linear = inverseLogFrequencyWarp(mask, frames, config.warpBins, bins, config.sampleRate);
  const re = new Float32Array(linear.length), im = new Float32Array(linear.length);
  for (let i = 0; i < linear.length; i++) {
    const m = config.maskType === "binary" && !soft
      ? (linear[i] > 0.5 ? 1 : 0)
      : Math.min(Math.max(linear[i], 0), 1);
    re[i] = m * mixture.re[i];
    im[i] = m * mixture.im[i];
  }
  return istft({ re, im, frames, bins }, {
    nFft: config.nFft,
    hop: config.hop,
    center: true,
    length,
  });
}
