/**
 * Curriculum grading: sort clips into levels C1..C4 by their number of sound sources, either
 * the ground-truth `count` or the estimate of a counting model.
 *
 * @module
 */
import type { AVClip } from "./types.ts";

/**
 * The paper's AudioSet-Balanced curriculum sizes C1..C4 (19,443 clips in all).
 *
 * @category data
 */
export const PAPER_CURRICULUM_SIZES: readonly [number, number, number, number] = Object.freeze([
  9239,
  7098,
  2685,
  421,
]) as readonly [number, number, number, number];

/**
 * Estimates a clip's number of sound sources (e.g. lib/model's `countingPredictor`).
 *
 * @category data
 */
export type CountPredictor = (clip: AVClip) => number | Promise<number>;

/**
 * The result of {@linkcode gradeCurriculum}.
 *
 * @category data
 */
export interface CurriculumGrading {
  /** Clips of each level, in input order within a level. */
  levels: { 1: AVClip[]; 2: AVClip[]; 3: AVClip[]; 4: AVClip[] };
  /** Sizes of C1..C4. */
  sizes: [number, number, number, number];
  /**
   * With a predictor and every clip's `count` known: the share of clips whose graded level
   * equals their true level (true counts above 4 are level 4).
   */
  agreement?: number;
  /**
   * With a predictor and every `count` known: `confusion[truth - 1][graded - 1]` clip counts,
   * rows the true level, columns the graded level.
   */
  confusion?: number[][];
}

/**
 * A source count as a level 1..4: rounded, then clamped (5+ sources are level 4).
 *
 * @category data
 */
export function countToLevel(count: number): 1 | 2 | 3 | 4 {
  return Math.min(4, Math.max(1, Math.round(count))) as 1 | 2 | 3 | 4;
}

/**
 * Grade clips into C1..C4. Without `predictor` each clip's ground-truth `count` decides (an
 * error names the first clip without one); with it, the prediction, rounded and clamped to
 * 1..4. Predictions are awaited one clip at a time, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatGradeSizes, gradeCurriculum } from "@avscene/avscene/data";
 * const clip = (id: string, count: number) =>
 *   ({ id, count, image: { data: new Float32Array(3), height: 1, width: 1 }, audio: new Float32Array(1), sampleRate: 8000 });
 * const graded = await gradeCurriculum([clip("a", 1), clip("b", 2), clip("c", 2)]);
 * assert.equal(formatGradeSizes(graded.sizes), "C1 1 / C2 2 / C3 0 / C4 0");
 * ```
 * @category data
 */
export async function gradeCurriculum(
  clips: readonly AVClip[],
  predictor?: CountPredictor,
): Promise<CurriculumGrading> {
  const levels: CurriculumGrading["levels"] = { 1: [], 2: [], 3: [], 4: [] };
  const confusion = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  let allKnown = true;
  for (const clip of clips) {
    const truth = clip.count;
    const known = truth !== undefined;
    if (known && (!Number.isFinite(truth) || truth < 1)) {
      throw new Error(`gradeCurriculum: clip ${clip.id} has count ${truth}; counts start at 1`);
    }
    let estimate: number;
    if (predictor) {
      estimate = await predictor(clip);
      if (!Number.isFinite(estimate)) {
        throw new Error(`gradeCurriculum: predictor returned ${estimate} for clip ${clip.id}`);
      }
    } else if (known) {
      estimate = truth;
    } else {
      throw new Error(
        `gradeCurriculum: clip ${clip.id} has no count and no predictor was given`,
      );
    }
    const level = countToLevel(estimate);
    levels[level].push(clip);
    if (known) confusion[countToLevel(truth) - 1][level - 1]++;
    else allKnown = false;
  }
  const sizes: CurriculumGrading["sizes"] = [
    levels[1].length,
    levels[2].length,
    levels[3].length,
    levels[4].length,
  ];
  if (!predictor || !allKnown || clips.length === 0) return { levels, sizes };
  const agreed = confusion.reduce((s, row, i) => s + row[i], 0);
  return { levels, sizes, agreement: agreed / clips.length, confusion };
}

/**
 * Level sizes as the paper writes them: `C1 9,239 / C2 7,098 / C3 2,685 / C4 421`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatGradeSizes, PAPER_CURRICULUM_SIZES } from "@avscene/avscene/data";
 * assert.equal(formatGradeSizes(PAPER_CURRICULUM_SIZES), "C1 9,239 / C2 7,098 / C3 2,685 / C4 421");
 * ```
 * @category data
 */
export function formatGradeSizes(sizes: readonly number[]): string {
  return sizes.map((n, i) => `C${i + 1} ${n.toLocaleString("en-US")}`).join(" / ");
}
