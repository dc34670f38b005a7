/**
 * Mix-and-separate targets on the warped magnitudes: binary masks (the source dominates the
 * bin), ratio masks (`|S| / |X|`, clipped) and Sound-of-Pixels' loss weights.
 *
 * @module
 */
import type { MaskType } from "./separation_config.ts";

function _sameLength(name: string, arrays: readonly Float32Array[], n: number): void {
  arrays.forEach((a, i) => {
    if (a.length !== n) {
      throw new Error(`${name}: sources[${i}] has ${a.length} bins, mixture ${n}`);
    }
  });
}

/**
 * The target mask of each source of a mixture.
 *
 * - `binary`: 1 where the source's magnitude is larger than every other source's, else 0
 *   (a bin where all are silent is 0 for all).
 * - `ratio`: `|S_n| / |X|` clipped to [0, 1] (0 where the mixture is silent).
 *
 * @param sources magnitudes `|S_n|` of each source (any layout, all the same length).
 * @param mixture magnitudes `|X|` of the mixture, same layout.
 * @param type `binary` or `ratio`.
 * @returns one mask per source, same layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskTargets } from "@avscene/avscene/model";
 * const [a, b] = maskTargets([Float32Array.of(3, 0), Float32Array.of(1, 2)], Float32Array.of(4, 2), "binary");
 * assert.deepEqual([[...a], [...b]], [[1, 0], [0, 1]]);
 * ```
 * @category model
 */
export function maskTargets(
  sources: readonly Float32Array[],
  mixture: Float32Array,
  type: MaskType,
): Float32Array[] {
  if (sources.length === 0) throw new Error("maskTargets: sources is empty");
  const n = mixture.length;
  _sameLength("maskTargets", sources, n);
  // plain loops, not `Float32Array.from` with a mapping function (a call per bin, several
  // times slower): the same values
  if (type === "ratio") {
    return sources.map((s) => {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = mixture[i] > 0 ? Math.min(Math.max(s[i] / mixture[i], 0), 1) : 0;
      }
      return out;
    });
  }
  if (type !== "binary") {
    throw new Error(`maskTargets: type must be "binary" or "ratio", got ${type}`);
  }
  return sources.map((s, j) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = s[i];
      let wins = 1;
      for (let o = 0; o < sources.length; o++) {
        if (o !== j && sources[o][i] >= v) {
          wins = 0;
          break;
        }
      }
      out[i] = wins;
    }
    return out;
  });
}

/**
 * Sound-of-Pixels' per-bin loss weights: `log(1 + |X|)` clipped to [1e-3, 10], so loud bins
 * count more than near-silent ones.
 *
 * @param mixture mixture magnitudes.
 * @returns one weight per bin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskWeights } from "@avscene/avscene/model";
 * assert.equal(maskWeights(Float32Array.of(0, Math.E - 1))[1], 1);
 * ```
 * @category model
 */
export function maskWeights(mixture: Float32Array): Float32Array {
  const out = new Float32Array(mixture.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.min(Math.max(Math.log1p(mixture[i]), 1e-3), 10);
  }
  return out;
}
