/**
 * AudioSet segments with pre-extracted media (see `loadAudioSet`) as an {@linkcode AVDataset}:
 * training clips graded by their number of positive labels, decoded on demand.
 *
 * @module
 */
import { join } from "node:path";
import type { ClipSource, TrainingLevel } from "../dataset.ts";
import { type AudioSetEntry, decodeAudioSetEntry, indexAudioSet } from "../loaders/audioset.ts";
import { countToLevel } from "../grade_curriculum.ts";
import { _datasetIdentity, _keepGood, _spread } from "./_adapter.ts";
import { _checkOpenOptions, type DatasetOpenOptions, type OpenedDataset } from "./options.ts";

/** Options of {@linkcode openAudioSetDataset}. */
export interface AudioSetDatasetOptions extends DatasetOpenOptions {
  /** The segments CSV inside the root (default `balanced_train_segments.csv`). */
  segmentsFile?: string;
  /**
   * Where a clip's number of sources comes from: `labels` (default), its number of positive
   * labels, clamped to 4, a proxy (a label may sound twice, or not be visible); `none`: unknown,
   * so only the uncurated level has clips (grade them with the counting model instead).
   */
  countFrom?: "labels" | "none";
}

/**
 * Open an AudioSet tree: the segments CSV and class index are read, each segment's media
 * located and stat-ed; clips are decoded when a batch asks for them.
 * `trainingClips(level, n)`: `n` segments of that level spread over the CSV (see `countFrom`), or of any
 * level for `uncurated`.
 *
 * @param root The dataset folder.
 * @param opts The model's sizes, `segmentsFile`, `countFrom`, `skipBad`.
 * @returns The dataset.
 * @throws Error naming the CSV row or file at fault (unless `skipBad`).
 */
export async function openAudioSetDataset(
  root: string,
  opts: AudioSetDatasetOptions,
): Promise<OpenedDataset> {
  const seconds = _checkOpenOptions("openAudioSetDataset", opts);
  const countFrom = opts.countFrom ?? "labels";
  if (countFrom !== "labels" && countFrom !== "none") {
    throw new Error(`openAudioSetDataset: countFrom must be labels or none, got ${countFrom}`);
  }
  const segmentsFile = opts.segmentsFile ?? "balanced_train_segments.csv";
  const { entries, classNames } = await indexAudioSet(root, segmentsFile);
  const { good, skipped } = _keepGood(entries, opts.skipBad ?? false);
  const identity = await _datasetIdentity(
    "audioset",
    { root, sampleRate: opts.sampleRate, imageSize: opts.imageSize, seconds, countFrom },
    [join(root, segmentsFile), ...good.flatMap((e) => [e.audioPath, e.framePath])],
  );
  const load = { sampleRate: opts.sampleRate, imageSize: opts.imageSize };
  const levelOf = (e: AudioSetEntry) =>
    countFrom === "labels" ? countToLevel(e.classes.length) : undefined;
  const sizes = [1, 2, 3, 4].map((l) => good.filter((e) => levelOf(e) === l).length);
  return {
    name: "AudioSet",
    root,
    identity,
    skipped,
    summary: `AudioSet at ${root}: ${good.length} segments, ${classNames.length} classes` +
      (countFrom === "labels" ? ` (by label count C1..C4: ${sizes.join(" / ")})` : "") +
      `, ${skipped.length} skipped`,
    trainingClips(level: TrainingLevel, size: number): ClipSource {
      const pool = _spread(
        level === "uncurated" ? good : good.filter((e) => levelOf(e) === level),
        size,
      );
      return {
        size: pool.length,
        entry: (i) => ({ id: pool[i].id, count: levelOf(pool[i]), classes: pool[i].classes }),
        clip: async (i) => {
          const clip = await decodeAudioSetEntry(pool[i], load);
          const count = levelOf(pool[i]);
          return count === undefined ? clip : { ...clip, count };
        },
      };
    },
  };
}
