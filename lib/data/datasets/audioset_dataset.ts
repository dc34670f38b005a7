/**
 * AudioSet segments with pre-extracted media (see `loadAudioSet`) as an {@linkcode AVDataset}:
 * training clips graded by their number of positive labels, decoded on demand.
 *
 * @module
 */
import { join } from "node:path";
import type { ClipSource, TrainingLevel } from "../dataset.ts";
import type { AVClip } from "../types.ts";
import { type AudioSetEntry, decodeAudioSetEntry, indexAudioSet } from "../loaders/audioset.ts";
import { countToLevel } from "../grade_curriculum.ts";
import { _datasetIdentity, _keepGood, _spread } from "./_adapter.ts";
import { _checkOpenOptions, type DatasetOpenOptions, type OpenedDataset } from "./options.ts";

/**
 * Options of {@linkcode openAudioSetDataset}.
 *
 * @category data
 */
export interface AudioSetDatasetOptions extends DatasetOpenOptions {
  /** The segments CSV inside the root (default `balanced_train_segments.csv`). */
  segmentsFile?: string;
  /**
   * The held-out segments CSV inside the root, used when present (default
   * `eval_segments.csv`, Google's evaluation split).
   */
  heldOutFile?: string;
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
 * With `eval_segments.csv` (and `countFrom: "labels"`), `heldOutClips(count, n)` gives the
 * first `n` evaluation segments of that label count, a `seconds` window from each middle.
 * `trainingClips(level, n)`: `n` segments of that level spread over the CSV (see `countFrom`), or of any
 * level for `uncurated`.
 *
 * @param root The dataset folder.
 * @param opts The model's sizes, `segmentsFile`, `countFrom`, `skipBad`.
 * @returns The dataset.
 * @throws Error naming the CSV row or file at fault (unless `skipBad`).
 * @category data
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
  const heldOutFile = opts.heldOutFile ?? "eval_segments.csv";
  let heldOut: AudioSetEntry[] = [];
  try {
    await Deno.stat(join(root, heldOutFile));
    const kept = _keepGood((await indexAudioSet(root, heldOutFile)).entries, opts.skipBad ?? false);
    heldOut = kept.good;
    skipped.push(...kept.skipped);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const identity = await _datasetIdentity(
    "audioset",
    { root, sampleRate: opts.sampleRate, imageSize: opts.imageSize, seconds, countFrom },
    [
      join(root, segmentsFile),
      ...[...good, ...heldOut].flatMap((e) => [e.audioPath, e.framePath]),
      ...(heldOut.length ? [join(root, heldOutFile)] : []),
    ],
  );
  const load = { sampleRate: opts.sampleRate, imageSize: opts.imageSize };
  const samples = Math.round(seconds * opts.sampleRate);
  const levelOf = (e: AudioSetEntry) =>
    countFrom === "labels" ? countToLevel(e.classes.length) : undefined;
  const sizes = [1, 2, 3, 4].map((l) => good.filter((e) => levelOf(e) === l).length);
  return {
    name: "AudioSet",
    root,
    identity,
    paperData: true,
    skipped,
    summary: `AudioSet at ${root}: ${good.length} segments, ${classNames.length} classes` +
      (countFrom === "labels" ? ` (by label count C1..C4: ${sizes.join(" / ")})` : "") +
      `, ${skipped.length} skipped`,
    ...(heldOut.length > 0 && countFrom === "labels"
      ? {
        async heldOutClips(count: 1 | 2 | 3 | 4, size: number): Promise<AVClip[]> {
          const out: AVClip[] = [];
          for (const e of heldOut.filter((x) => levelOf(x) === count).slice(0, size)) {
            const clip = await decodeAudioSetEntry(e, load);
            // a window of the model's length from the middle of the clip
            const start = Math.max(0, Math.floor((clip.audio.length - samples) / 2));
            out.push({ ...clip, audio: clip.audio.slice(start, start + samples), count });
          }
          return out;
        },
      }
      : {}),
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
