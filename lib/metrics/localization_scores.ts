/**
 * Dataset-level localization scores from per-image cIoUs: cIoU@0.5 and AUC.
 *
 * @module
 */

/**
 * cIoU@0.5 and the area under the success-rate curve.
 *
 * @category metrics
 */
export interface LocalizationScores {
  /** Share of images with cIoU >= 0.5. */
  ciou50: number;
  /** Trapezoidal area under the success rate (share with cIoU >= t) at t = 0, 0.05, .., 1. */
  auc: number;
}

/**
 * Summarise per-image cIoUs as in Senocak et al.'s evaluation: `ciou50` is the share of
 * images whose cIoU is at least 0.5; `auc` integrates, by the trapezoid rule, the success rate
 * `share(cIoU >= t)` over the 21 thresholds `t = 0.05 * i`, `i = 0..20` (computed as
 * `0.05 * i` in float64, like the reference Python code).
 *
 * @param cious One cIoU per test image, each in [0, 1].
 * @returns The two scores, each in [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localizationScores } from "@avscene/avscene/metrics";
 * assert.deepEqual(localizationScores([1, 0]), { ciou50: 0.5, auc: 0.5125 });
 * ```
 * @category metrics
 */
export function localizationScores(cious: readonly number[]): LocalizationScores {
  if (cious.length === 0) throw new Error("localizationScores: cious is empty");
  cious.forEach((c, i) => {
    if (!(c >= 0 && c <= 1)) {
      throw new Error(`localizationScores: cious[${i}] must be in [0, 1], got ${c}`);
    }
  });
  const rate = (t: number) => cious.filter((c) => c >= t).length / cious.length;
  let auc = 0;
  let prevT = 0, prevR = rate(0);
  for (let i = 1; i <= 20; i++) {
    const t = 0.05 * i;
    const r = rate(t);
    auc += (t - prevT) * (r + prevR) / 2;
    prevT = t;
    prevR = r;
  }
  return { ciou50: rate(0.5), auc };
}
