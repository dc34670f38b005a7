/**
 * The MUSIC dataset (Sound-of-Pixels layout, see `loadMUSIC`) as an {@linkcode AVDataset}:
 * training clips by level (solo = C1, duet = C2; decoded whole on demand, with the frame at
 * any time from the extracted frames), held-out clips and solo / duet separation sets from
 * `val.csv`.
 *
 * @module
 */
import { join } from "node:path";
import type { ClipSource, SeparationAudio, TrainingLevel } from "../dataset.ts";
import type { AVClip } from "../types.ts";
import { _checkMusicOptions } from "../loaders/_common.ts";
import { decodeMusicEntry, indexMUSIC, type MusicEntry, musicFrame } from "../loaders/music.ts";
import { _datasetIdentity, _keepGood, _spread } from "./_adapter.ts";
import { _checkOpenOptions, type DatasetOpenOptions, type OpenedDataset } from "./options.ts";

/**
 * Options of {@linkcode openMusicDataset}.
 *
 * @category data
 */
export interface MusicDatasetOptions extends DatasetOpenOptions {
  /** Frame rate of the extracted frames (default 8, as Sound of Pixels extracts them). */
  fps?: number;
}

async function _exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Open a MUSIC tree for streaming: only the index (`train.csv`, and `val.csv` when present) is
 * read and every listed file stat-ed (for the identity, and so a missing file fails at open);
 * media are decoded when a batch asks for them.
 *
 * - `trainingClips(1 | 2, n)`: `n` solo / duet videos of `train.csv` spread evenly over the index
 * (all when there are fewer); `uncurated`:
 *   all of them in index order; levels 3 and 4 have no clips. Each clip is decoded whole (the
 *   trainer draws random windows over it), `frameAt` reads the frame shown at a time
 *   (`floor(t * fps) + 1`).
 * - `heldOutClips(count, n)` and `separationSet(kind, n, "test")`: videos of `val.csv`, each a
 *   `seconds` window centred on its middle frame (`separationSet(.., "train")`: `train.csv`);
 *   `separationSet`'s `audio` decodes at a protocol's rate and window length instead.
 *
 * @param root The dataset folder.
 * @param opts The model's sample rate and image size, window length, `fps`, `skipBad`.
 * @returns The dataset.
 * @throws Error naming the index or file at fault (unless `skipBad` for rows and files).
 *
 * @example
 * ```ts ignore
 * // needs the real dataset on disk: shown, not run by `deno test --doc`
 * import assert from "node:assert/strict";
 * import { openMusicDataset } from "@avscene/avscene/data";
 * const music = await openMusicDataset("/data/MUSIC", { sampleRate: 8000, imageSize: 64 });
 * assert.match(music.summary, /^MUSIC/);
 * ```
 * @category data
 */
export async function openMusicDataset(
  root: string,
  opts: MusicDatasetOptions,
): Promise<OpenedDataset> {
  const seconds = _checkOpenOptions("openMusicDataset", opts);
  const fps = opts.fps ?? 8;
  _checkMusicOptions({ fps, sampleRate: opts.sampleRate, imageSize: opts.imageSize });
  const skipBad = opts.skipBad ?? false;
  const skipped: string[] = [];
  const present = async (entries: MusicEntry[]) => {
    const out: MusicEntry[] = [];
    for (const e of entries) {
      const missing = !(await _exists(e.audioPath))
        ? e.audioPath
        : !(await _exists(e.frameDir))
        ? e.frameDir
        : null;
      if (!missing) out.push(e);
      else if (skipBad) skipped.push(`${e.at}: ${missing} not found`);
      else throw new Error(`${e.at}: ${missing} not found`);
    }
    return out;
  };
  const readSplit = async (split: "train" | "val") => {
    const kept = _keepGood(await indexMUSIC(root, split), skipBad);
    skipped.push(...kept.skipped);
    return await present(kept.good);
  };
  const train = await readSplit("train");
  const hasVal = await _exists(join(root, "val.csv"));
  const val = hasVal ? await readSplit("val") : [];
  const files = [
    join(root, "train.csv"),
    ...(hasVal ? [join(root, "val.csv")] : []),
    ...[...train, ...val].flatMap((e) => [e.audioPath, e.frameDir]),
  ];
  const identity = await _datasetIdentity(
    "music",
    { root, sampleRate: opts.sampleRate, imageSize: opts.imageSize, seconds, fps, skipBad },
    files,
  );
  const load = { sampleRate: opts.sampleRate, imageSize: opts.imageSize, fps };
  const windowed = (entries: MusicEntry[]): Promise<AVClip[]> =>
    Promise.all(entries.map((e) => decodeMusicEntry(e, { ...load, seconds })));
  const testSet = () => {
    if (!hasVal) {
      throw new Error(`${join(root, "val.csv")}: not found; MUSIC's held-out clips come from it`);
    }
    return val;
  };
  const source = (entries: MusicEntry[]): ClipSource => ({
    size: entries.length,
    entry: (i) => ({ id: entries[i].id, count: entries[i].count, classes: entries[i].classes }),
    clip: (i) => decodeMusicEntry(entries[i], load),
    frameAt: (i, t) => musicFrame(entries[i], Math.floor(t * fps) + 1, load),
  });
  const solo = train.filter((e) => e.count === 1).length;
  return {
    name: "MUSIC",
    root,
    identity,
    paperData: true,
    skipped,
    summary: `MUSIC at ${root}: ${train.length} train videos (${solo} solo, ${
      train.length - solo
    } duet), ${val.length} val, ${skipped.length} skipped`,
    trainingClips(level: TrainingLevel, size: number): ClipSource {
      const pool = level === "uncurated" ? train : train.filter((e) => e.count === level);
      return source(_spread(pool, size));
    },
    async heldOutClips(count: 1 | 2 | 3 | 4, size: number): Promise<AVClip[]> {
      return await windowed(testSet().filter((e) => e.count === count).slice(0, size));
    },
    async separationSet(
      kind: "solo" | "duet",
      size: number,
      split: "train" | "test" = "train",
      audio?: SeparationAudio,
    ) {
      const pool = split === "train" ? train : testSet();
      const chosen = pool.filter((e) => e.count === (kind === "solo" ? 1 : 2)).slice(0, size);
      if (!audio) return await windowed(chosen);
      // a separation protocol's rate and window, decoded from the file (not resampled twice)
      return await Promise.all(chosen.map((e) =>
        decodeMusicEntry(e, {
          ...load,
          sampleRate: audio.sampleRate,
          seconds: audio.seconds,
        })
      ));
    },
  };
}
