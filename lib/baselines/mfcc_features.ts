/**
 * The MFCC baseline of the classification protocol (Table 1): hand-made features, no network.
 *
 * @module
 */
import { mfcc } from "../audio/meyda_features.ts";
import type { LabelledClip } from "../data/types.ts";

/**
 * Pooled MFCCs of each clip: 20 coefficients per 32 ms frame (hop 16 ms, 40 mel bands), and
 * their mean and standard deviation over the clip's frames, `40` values per clip: the classic
 * baseline that learned audio features should beat under the same linear classifier.
 *
 * @param clips labelled clips (any sample rate).
 * @returns one feature vector `[40]` per clip.
 *
 * @example
 * ```ts
 * import { pooledMfccFeatures } from "./mfcc_features.ts";
 * const audio = Float32Array.from({ length: 8000 }, (_, t) => Math.sin(t / 5));
 * const [f] = pooledMfccFeatures([{ id: "a", audio, sampleRate: 8000, target: 0, category: "a", fold: 1 }]);
 * console.log(f.length); // 40
 * ```
 * @category metrics
 */
export function pooledMfccFeatures(clips: readonly LabelledClip[]): Float32Array[] {
  const nMfcc = 20;
  return clips.map((c) => {
    const frameSize = 2 ** Math.round(Math.log2(0.032 * c.sampleRate));
    const frames = mfcc(c.audio, c.sampleRate, {
      frameSize,
      hop: frameSize / 2,
      melBands: 40,
      nMfcc,
    });
    if (frames.length === 0) throw new Error(`pooledMfccFeatures: clip ${c.id} has no frame`);
    const out = new Float32Array(2 * nMfcc);
    for (let k = 0; k < nMfcc; k++) {
      let s = 0, s2 = 0;
      for (const f of frames) {
        const v = Number.isFinite(f[k]) ? f[k] : 0;
        s += v;
        s2 += v * v;
      }
      const mean = s / frames.length;
      out[k] = mean;
      out[nMfcc + k] = Math.sqrt(Math.max(0, s2 / frames.length - mean * mean));
    }
    return out;
  });
}
