/**
 * Grading a dataset whose source counts are unknown (SoundNet-Flickr, AudioSet by content) with
 * a count predictor such as the counting model: the paper's graded-data rows (Table 2, marked
 * ‡), counting model -> grading -> curriculum stages.
 *
 * @module
 */
import { ClipStream } from "./clip_stream.ts";
import type { AVDataset, ClipSource, TrainingLevel } from "./dataset.ts";
import { type CountPredictor, countToLevel } from "./grade_curriculum.ts";

/**
 * Options of {@linkcode gradeDataset}.
 *
 * @category data
 */
export interface GradeDatasetOptions {
  /** Uncurated training clips to grade (the dataset gives all it has when fewer). */
  size: number;
  /** Length in seconds of the window the predictor sees (the model's clip length). */
  seconds: number;
  /** The model's sample rate. */
  sampleRate: number;
}

/**
 * A dataset graded by a predictor: its training levels are the predicted ones.
 *
 * @category data
 */
export interface GradedDataset extends AVDataset {
  /** Clips graded into C1..C4. */
  readonly sizes: [number, number, number, number];
}

/**
 * Grade `dataset`'s uncurated training clips with `predictor` and give them back as training
 * levels: the predictor sees one window of `seconds` from the middle of each clip (decoded one
 * at a time), its estimate is rounded and clamped to 1..4, and `trainingClips(level, n)` then
 * streams `n` of the clips graded into `level` (their `count` set to it), spread over them;
 * `uncurated` gives all graded clips. Every other capability is the dataset's own.
 *
 * @param dataset A dataset with training clips.
 * @param predictor Estimates a clip's number of sources (e.g. `countingPredictor(counter)`).
 * @param opts How many clips, and the window the predictor sees.
 * @returns The graded dataset (its identity adds the grades to the dataset's).
 * @throws Error with a sentence when the dataset has no training clips, or the predictor
 *   returns a non-finite count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradeDataset, synthWorld } from "@avscene/avscene/data";
 * // a stand-in predictor: the ground truth the synthetic world knows
 * const graded = await gradeDataset(synthWorld(), (clip) => clip.count ?? 1, {
 *   size: 20, seconds: 1, sampleRate: 8000 });
 * assert.equal(graded.sizes.reduce((a, b) => a + b), 20);
 * ```
 * @category data
 */
export async function gradeDataset(
  dataset: AVDataset,
  predictor: CountPredictor,
  opts: GradeDatasetOptions,
): Promise<GradedDataset> {
  if (typeof dataset.trainingClips !== "function") {
    throw new Error(`gradeDataset: ${dataset.name} has no training clips to grade`);
  }
  const source = dataset.trainingClips("uncurated", opts.size);
  const stream = new ClipStream(source, {
    seconds: opts.seconds,
    sampleRate: opts.sampleRate,
    maxCachedBytes: 0,
  });
  const levelOf: number[] = [];
  for (let i = 0; i < source.size; i++) {
    const clip = await stream.window(i, 0.5);
    const estimate = await predictor(clip);
    if (!Number.isFinite(estimate)) {
      throw new Error(`gradeDataset: the predictor returned ${estimate} for clip ${clip.id}`);
    }
    levelOf.push(countToLevel(estimate));
  }
  const sizes = [1, 2, 3, 4].map((l) => levelOf.filter((x) => x === l).length) as [
    number,
    number,
    number,
    number,
  ];
  const graded = (indices: number[], level: number | undefined): ClipSource => ({
    size: indices.length,
    entry: (i) => ({ ...source.entry(indices[i]), count: level ?? levelOf[indices[i]] }),
    clip: async (i) => ({
      ...(await source.clip(indices[i])),
      count: level ?? levelOf[indices[i]],
    }),
    ...(source.frameAt
      ? { frameAt: (i: number, t: number) => source.frameAt!(indices[i], t) }
      : {}),
  });
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(dataset)) {
    const v = (dataset as unknown as Record<string, unknown>)[key];
    if (typeof v === "function") out[key] = v.bind(dataset);
  }
  return {
    ...out,
    name: `${dataset.name} (graded by a count predictor)`,
    identity: `${dataset.identity}+graded:${levelOf.join("")}`,
    sizes,
    trainingClips(level: TrainingLevel, size: number): ClipSource {
      const all = levelOf.map((_, i) => i);
      const pool = level === "uncurated" ? all : all.filter((i) => levelOf[i] === level);
      const n = Math.min(size, pool.length);
      const picked = Array.from({ length: n }, (_, i) => pool[Math.floor((i * pool.length) / n)]);
      return graded(picked, level === "uncurated" ? undefined : level);
    },
  };
}
