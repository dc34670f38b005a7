/**
 * From clips to the separation network's inputs: each clip's STFT, the mixture's (their sum:
 * the STFT is linear), warped magnitudes and the log-compressed, frame-padded U-Net input.
 *
 * @module
 */
import { type Spectrogram, stft } from "../../audio/stft.ts";
import { magnitude } from "../../audio/stft.ts";
import { logFrequencyWarp } from "../../audio/log_frequency.ts";
import type { AVClip } from "../../data/types.ts";
import { type SeparationConfig, separationFrames } from "./separation_config.ts";

/**
 * Floor added before the log: the input's silence level.
 *
 * @category model
 */
export const LOG_MAGNITUDE_FLOOR = 1e-4;

/**
 * The spectra of one mixture.
 *
 * @category model
 */
export interface MixtureSpectra {
  /** The mixture's complex STFT (its phase is reused at inference). */
  mixture: Spectrogram;
  /** Warped mixture magnitudes `|X|`, `[frames, warpBins]`. */
  mixMagnitude: Float32Array;
  /** Warped magnitudes `|S_n|` of each clip, `[frames, warpBins]` each. */
  clipMagnitudes: Float32Array[];
  /** `log(|X| + floor)`, frames padded to `paddedFrames` with silence, `[paddedFrames, warpBins]`. */
  logMix: Float32Array;
}

/**
 * A clip's audio cut or zero-padded to the configuration's duration, checked for its rate and
 * for finite samples.
 *
 * @param clip a clip.
 * @param config the separation configuration.
 * @returns `sampleRate * duration` samples.
 * @category model
 */
export function fitClipAudio(clip: AVClip, config: SeparationConfig): Float32Array {
  if (clip.sampleRate !== config.sampleRate) {
    throw new Error(
      `separation: clip ${clip.id} has sample rate ${clip.sampleRate}, the "${config.preset}" separation network needs ${config.sampleRate}`,
    );
  }
  const n = Math.round(config.sampleRate * config.duration);
  const out = new Float32Array(n);
  out.set(clip.audio.subarray(0, n));
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i])) {
      throw new Error(`separation: clip ${clip.id} audio[${i}] is not finite`);
    }
  }
  return out;
}

/**
 * The mixture's waveform: the sum of the clips' fitted audio.
 *
 * @param clips the clips mixed.
 * @param config the separation configuration.
 * @returns the mixture, `sampleRate * duration` samples.
 * @category model
 */
export function mixClips(clips: readonly AVClip[], config: SeparationConfig): Float32Array {
  if (clips.length === 0) throw new Error("mixClips: clips is empty");
  const out = new Float32Array(Math.round(config.sampleRate * config.duration));
  for (const c of clips) {
    const a = fitClipAudio(c, config);
    for (let i = 0; i < out.length; i++) out[i] += a[i];
  }
  return out;
}

/**
 * A waveform's STFT with the configuration's settings (centred frames).
 *
 * @param audio samples (`sampleRate * duration` of them).
 * @param config the separation configuration.
 * @returns its complex spectrogram.
 * @category model
 */
export function separationStft(audio: Float32Array, config: SeparationConfig): Spectrogram {
  return stft(audio, { nFft: config.nFft, hop: config.hop, center: true });
}

/**
 * The spectra of a mixture of clips, from the clips' STFTs.
 *
 * @param clipSpectra each clip's STFT (see {@linkcode separationStft}).
 * @param config the separation configuration.
 * @returns mixture STFT, warped magnitudes and the padded log input.
 * @category model
 */
export function mixtureSpectra(
  clipSpectra: readonly Spectrogram[],
  config: SeparationConfig,
): MixtureSpectra {
  if (clipSpectra.length === 0) throw new Error("mixtureSpectra: clipSpectra is empty");
  const { frames, bins } = clipSpectra[0];
  const { paddedFrames } = separationFrames(config);
  if (frames !== separationFrames(config).frames || bins !== config.nFft / 2 + 1) {
    throw new Error(
      `mixtureSpectra: spectra of ${frames} x ${bins} do not fit the configuration (${
        separationFrames(config).frames
      } x ${config.nFft / 2 + 1})`,
    );
  }
  const re = new Float32Array(frames * bins), im = new Float32Array(frames * bins);
  for (const s of clipSpectra) {
    if (s.frames !== frames || s.bins !== bins) {
      throw new Error("mixtureSpectra: spectra differ in size");
    }
    for (let i = 0; i < re.length; i++) {
      re[i] += s.re[i];
      im[i] += s.im[i];
    }
  }
  const mixture = { re, im, frames, bins };
  const warp = (mag: Float32Array) =>
    logFrequencyWarp(mag, frames, bins, config.warpBins, config.sampleRate);
  const mixMagnitude = warp(magnitude(mixture));
  const logMix = new Float32Array(paddedFrames * config.warpBins).fill(
    Math.log(LOG_MAGNITUDE_FLOOR),
  );
  for (let i = 0; i < mixMagnitude.length; i++) {
    logMix[i] = Math.log(mixMagnitude[i] + LOG_MAGNITUDE_FLOOR);
  }
  return {
    mixture,
    mixMagnitude,
    clipMagnitudes: clipSpectra.map((s) => warp(magnitude(s))),
    logMix,
  };
}
