/**
 * MUSIC (Zhao et al., "The Sound of Pixels", 2018): solo and duet instrument videos, in the
 * layout of the Sound-of-Pixels code: index CSVs `train.csv` / `val.csv` with rows
 * `audio_path,frame_dir,num_frames` (no header; paths relative to the dataset root or
 * absolute), frames `frame_dir/000001.jpg ...` (8 fps in SoP), audio one file per video.
 * The instrument category is the audio file's parent folder (`acoustic_guitar`, or a duet
 * such as `acoustic_guitar_violin`); a `solo` / `duet` folder above it is optional.
 *
 * Audio may be WAV or MP3 (SoP stores MP3). Frames come from the videos with one ffmpeg line per
 * video (SoP's 8 fps): `ffmpeg -i video.mp4 -vf fps=8 -q:v 2 frames/.../video.mp4/%06d.jpg`.
 *
 * @module
 */

import Papa from "papaparse";
import { basename, dirname, extname, isAbsolute, join, relative } from "node:path";
import { AUDIO_EXTENSIONS, writeWav } from "../../audio/mod.ts";
import { writeJpeg } from "../../vision/mod.ts";
import { writeFileAtomic } from "../../io/write_atomic.ts";
import type { AVClip, RGBImage } from "../types.ts";
import {
  _checkId,
  _checkMusicOptions,
  _collect,
  _ItemError,
  _loadAudio,
  _loadImage,
  _parseCsv,
  _readText,
  type LoadOptions,
  type LoadResult,
} from "./_common.ts";

/**
 * The 11 MUSIC instruments; a clip's `classes` index this list.
 *
 * @category data
 */
export const MUSIC_INSTRUMENTS: readonly string[] = [
  "accordion",
  "acoustic_guitar",
  "cello",
  "clarinet",
  "erhu",
  "flute",
  "saxophone",
  "trumpet",
  "tuba",
  "violin",
  "xylophone",
];

/**
 * Options of {@linkcode loadMUSIC}.
 *
 * @category data
 */
export interface MusicLoadOptions extends LoadOptions {
  /** Which index to read: `train.csv` or `val.csv`. Default `"train"`. */
  split?: "train" | "val";
  /**
   * Keep only this many seconds of audio centred on the chosen frame's time (frame index /
   * `fps`), clamped to the file. Default: the whole file.
   */
  seconds?: number;
  /** Frame rate of the extracted frames, default 8 (SoP). Used with `seconds`. */
  fps?: number;
}

/**
 * Split a category folder name into MUSIC instrument indices: `violin` -> [9],
 * `acoustic_guitar_violin` -> [1, 9]. Returns null when it is not one or two instruments.
 *
 * @param category A solo or duet category name.
 * @returns Instrument indices into {@linkcode MUSIC_INSTRUMENTS}, or null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { musicCategoryClasses } from "@avscene/avscene/data";
 * assert.deepEqual(musicCategoryClasses("cello_acoustic_guitar"), [2, 1]);
 * ```
 * @category data
 */
export function musicCategoryClasses(category: string): number[] | null {
  const whole = MUSIC_INSTRUMENTS.indexOf(category);
  if (whole >= 0) return [whole];
  for (const [i, first] of MUSIC_INSTRUMENTS.entries()) {
    if (!category.startsWith(`${first}_`)) continue;
    const j = MUSIC_INSTRUMENTS.indexOf(category.slice(first.length + 1));
    if (j >= 0) return [i, j];
  }
  return null;
}

/**
 * One row of a MUSIC index, checked but not decoded.
 *
 * @category data
 */
export interface MusicEntry {
  /** `<category>/<video>`. */
  id: string;
  /** 1 (solo) or 2 (duet). */
  count: number;
  /** Instrument indices into {@linkcode MUSIC_INSTRUMENTS}. */
  classes: number[];
  /** The audio file (WAV or MP3), absolute or relative to the working directory. */
  audioPath: string;
  /** The folder of extracted frames `000001.jpg ...`. */
  frameDir: string;
  /** Frames in `frameDir`. */
  numFrames: number;
  /** The index file and line the row came from. */
  at: string;
}

/**
 * Read and check one MUSIC index (`train.csv` / `val.csv`) without decoding any media: each
 * row becomes a {@linkcode MusicEntry}, or an error naming `file:line` (returned, not thrown,
 * so a caller can skip bad rows).
 *
 * @param root The dataset folder.
 * @param split `train` or `val`.
 * @returns Entries and row errors, in file order.
 * @throws Error naming the index when it cannot be read or parsed.
 * @category data
 */
export async function indexMUSIC(
  root: string,
  split: "train" | "val" = "train",
): Promise<(MusicEntry | Error)[]> {
  if (split !== "train" && split !== "val") {
    throw new Error(`loadMUSIC: split must be "train" or "val", got ${split}`);
  }
  const csvPath = join(root, `${split}.csv`);
  let rows = _parseCsv(await _readText(csvPath, `the MUSIC ${split} index`), csvPath);
  if (rows.length > 0 && rows[0].fields[2]?.trim() === "num_frames") rows = rows.slice(1);
  const resolve = (p: string) => (isAbsolute(p) ? p : join(root, p));
  return rows.map((row): MusicEntry | Error => {
    const at = `${csvPath}:${row.line}`;
    if (row.fields.length !== 3) {
      return new _ItemError(
        at,
        `expected 3 columns (audio_path,frame_dir,num_frames), got ${row.fields.length}`,
      );
    }
    const [audioRel, frameRel, countText] = row.fields.map((f) => f.trim());
    if (!/^\d+$/.test(countText) || Number(countText) < 1) {
      return new _ItemError(at, `num_frames must be a positive integer, got "${countText}"`);
    }
    const audioPath = resolve(audioRel);
    const ext = extname(audioPath).toLowerCase();
    if (!AUDIO_EXTENSIONS.includes(ext)) {
      return new _ItemError(
        at,
        `audio ${audioPath} is not ${AUDIO_EXTENSIONS.join(" or ")} (convert it with ffmpeg)`,
      );
    }
    const category = basename(dirname(audioPath));
    const classes = musicCategoryClasses(category);
    if (!classes) {
      return new _ItemError(
        at,
        `category folder "${category}" is not one or two MUSIC instruments`,
      );
    }
    return {
      id: `${category}/${basename(audioPath, extname(audioPath))}`,
      count: classes.length,
      classes,
      audioPath,
      frameDir: resolve(frameRel),
      numFrames: Number(countText),
      at,
    };
  });
}

/**
 * Frame `frameIndex` (1-based, clamped to the video's frames) of a MUSIC entry: `000042.jpg`,
 * else `000042.png`, resized when `opts.imageSize` is given.
 *
 * @param entry The video.
 * @param frameIndex 1-based frame number.
 * @param opts `imageSize`.
 * @returns The frame.
 * @throws Error naming the missing or corrupt frame file.
 * @category data
 */
export async function musicFrame(
  entry: MusicEntry,
  frameIndex: number,
  opts: LoadOptions = {},
): Promise<RGBImage> {
  const k = Math.min(entry.numFrames, Math.max(1, Math.round(frameIndex)));
  const name = String(k).padStart(6, "0");
  try {
    return await _loadImage(join(entry.frameDir, `${name}.jpg`), opts);
  } catch (e) {
    const png = join(entry.frameDir, `${name}.png`);
    try {
      await Deno.stat(png);
    } catch {
      throw e;
    }
    return await _loadImage(png, opts);
  }
}

/**
 * Decode one MUSIC entry (see {@linkcode loadMUSIC} for what the clip holds).
 *
 * @param entry The video.
 * @param opts `seconds`, `fps`, `sampleRate`, `imageSize`.
 * @returns The clip.
 * @throws Error naming the file that is missing or cannot be decoded.
 * @category data
 */
export async function decodeMusicEntry(
  entry: MusicEntry,
  opts: MusicLoadOptions = {},
): Promise<AVClip> {
  const fps = opts.fps ?? 8;
  const frameIndex = Math.ceil(entry.numFrames / 2);
  const image = await musicFrame(entry, frameIndex, opts);
  let { audio, sampleRate } = await _loadAudio(entry.audioPath, opts);
  if (opts.seconds !== undefined) {
    const want = Math.min(audio.length, Math.round(opts.seconds * sampleRate));
    const centre = Math.round(((frameIndex - 0.5) / fps) * sampleRate);
    const start = Math.max(0, Math.min(audio.length - want, centre - Math.floor(want / 2)));
    audio = audio.slice(start, start + want);
  }
  return {
    id: entry.id,
    image,
    audio,
    sampleRate,
    count: entry.count,
    classes: [...entry.classes],
  };
}

/**
 * Load one MUSIC split from `root`. Each row gives one clip: the middle frame
 * (`ceil(num_frames / 2)`, 1-based, 6-digit name, `.jpg` or `.png`), the audio (WAV or MP3;
 * optionally a `seconds` window centred on that frame), `count` = 1 (solo) or 2 (duet) and
 * `classes` = the instruments. `id` = `<category>/<video>`. Every clip is decoded: for
 * training on a large tree use the streaming adapter (`openDataset("music:ROOT")`).
 *
 * @param root The dataset folder (holding `train.csv` / `val.csv`).
 * @param opts `split`, `seconds`, `fps`, `skipBad`, `sampleRate`, `imageSize`.
 * @returns The clips, skipped rows and a summary.
 * @throws Error naming the file (and `train.csv:line` for a bad row), unless `skipBad`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMUSIC } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/val.csv`, "");
 * assert.equal((await loadMUSIC(root, { split: "val" })).summary, "MUSIC val: 0 clips loaded, 0 skipped");
 * ```
 * @category data
 */
export async function loadMUSIC(
  root: string,
  opts: MusicLoadOptions = {},
): Promise<LoadResult<AVClip>> {
  _checkMusicOptions(opts);
  const split = opts.split ?? "train";
  const entries = await indexMUSIC(root, split);
  return await _collect(
    `MUSIC ${split}`,
    entries,
    opts,
    (e) => e instanceof _ItemError ? e.file : (e as MusicEntry).at,
    async (e) => {
      if (e instanceof Error) throw e;
      return await decodeMusicEntry(e, opts);
    },
  );
}

/**
 * Write clips in the MUSIC layout {@linkcode loadMUSIC} reads: `audios/<solo|duet>/<category>/<video>.wav`,
 * one frame `frames/<solo|duet>/<category>/<video>.mp4/000001.jpg` (JPEG) and the index
 * `<split>.csv` (replaced). Each clip needs `classes` with one or two instrument indices; its
 * video name is the id's last path segment.
 *
 * @param root The dataset folder (created if needed).
 * @param clips The clips.
 * @param split The index to write, default `"train"`.
 * @throws Error naming the clip for missing or invalid `classes` or a duplicate video.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadMUSIC, writeMUSIC } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * const image = { data: new Float32Array(8 * 8 * 3), height: 8, width: 8 };
 * await writeMUSIC(root, [{ id: "violin/v1", image, audio: new Float32Array(80),
 *   sampleRate: 8000, classes: [9] }]);
 * const { items } = await loadMUSIC(root);
 * assert.deepEqual([items[0].classes, items[0].audio.length], [[9], 80]);
 * await Deno.remove(root, { recursive: true });
 * ```
 * @category data
 */
export async function writeMUSIC(
  root: string,
  clips: readonly AVClip[],
  split: "train" | "val" = "train",
): Promise<void> {
  const rows: string[][] = [];
  const seen = new Set<string>();
  const planned = clips.map((c) => {
    const cls = c.classes ?? [];
    if (cls.length < 1 || cls.length > 2 || !cls.every((k) => MUSIC_INSTRUMENTS[k] !== undefined)) {
      throw new Error(
        `writeMUSIC: clip "${c.id}" needs classes with 1 or 2 MUSIC instrument indices`,
      );
    }
    const video = c.id.split("/").pop()!;
    _checkId("writeMUSIC", video);
    const category = cls.map((k) => MUSIC_INSTRUMENTS[k]).join("_");
    const kind = cls.length === 1 ? "solo" : "duet";
    const key = `${category}/${video}`;
    if (seen.has(key)) throw new Error(`writeMUSIC: duplicate video "${key}"`);
    seen.add(key);
    return { c, video, category, kind };
  });
  for (const { c, video, category, kind } of planned) {
    const audioPath = join(root, "audios", kind, category, `${video}.wav`);
    const frameDir = join(root, "frames", kind, category, `${video}.mp4`);
    await Deno.mkdir(dirname(audioPath), { recursive: true });
    await Deno.mkdir(frameDir, { recursive: true });
    await writeWav(audioPath, c.audio, c.sampleRate);
    await writeJpeg(join(frameDir, "000001.jpg"), c.image, 95);
    rows.push([relative(root, audioPath), relative(root, frameDir), "1"]);
  }
  const text = rows.length ? Papa.unparse(rows, { newline: "\n" }) + "\n" : "";
  await writeFileAtomic(join(root, `${split}.csv`), text);
}
