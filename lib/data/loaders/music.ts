/**
 * MUSIC (Zhao et al., "The Sound of Pixels", 2018): solo and duet instrument videos, in the
 * layout of the Sound-of-Pixels code: index CSVs `train.csv` / `val.csv` with rows
 * `audio_path,frame_dir,num_frames` (no header; paths relative to the dataset root or
 * absolute), frames `frame_dir/000001.jpg ...` (8 fps in SoP), audio one file per video.
 * The instrument category is the audio file's parent folder (`acoustic_guitar`, or a duet
 * such as `acoustic_guitar_violin`); a `solo` / `duet` folder above it is optional.
 *
 * SoP stores MP3 audio; this loader reads WAV only (convert with e.g. ffmpeg).
 *
 * @module
 */

import Papa from "papaparse";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { writeWav } from "../../audio/mod.ts";
import { writeJpeg } from "../../vision/mod.ts";
import { writeFileAtomic } from "../../io/write_atomic.ts";
import type { AVClip } from "../types.ts";
import {
  _checkId,
  _checkLoadOptions,
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
 * Load one MUSIC split from `root`. Each row gives one clip: the middle frame
 * (`ceil(num_frames / 2)`, 1-based, 6-digit name, `.jpg` or `.png`), the audio (optionally a
 * `seconds` window centred on that frame), `count` = 1 (solo) or 2 (duet) and `classes` =
 * the instruments. `id` = `<category>/<video>`.
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
  _checkLoadOptions("loadMUSIC", opts);
  const split = opts.split ?? "train";
  if (split !== "train" && split !== "val") {
    throw new Error(`loadMUSIC: split must be "train" or "val", got ${split}`);
  }
  const fps = opts.fps ?? 8;
  if (!(fps > 0)) throw new Error(`loadMUSIC: fps must be positive, got ${fps}`);
  if (opts.seconds !== undefined && !(opts.seconds > 0)) {
    throw new Error(`loadMUSIC: seconds must be positive, got ${opts.seconds}`);
  }
  const csvPath = join(root, `${split}.csv`);
  let rows = _parseCsv(await _readText(csvPath, `the MUSIC ${split} index`), csvPath);
  if (rows.length > 0 && rows[0].fields[2]?.trim() === "num_frames") rows = rows.slice(1);
  const resolve = (p: string) => (isAbsolute(p) ? p : join(root, p));
  return await _collect(
    `MUSIC ${split}`,
    rows,
    opts,
    (r) => `${csvPath}:${r.line}`,
    async (row) => {
      const at = `${csvPath}:${row.line}`;
      if (row.fields.length !== 3) {
        throw new _ItemError(
          at,
          `expected 3 columns (audio_path,frame_dir,num_frames), got ${row.fields.length}`,
        );
      }
      const [audioRel, frameRel, countText] = row.fields.map((f) => f.trim());
      if (!/^\d+$/.test(countText) || Number(countText) < 1) {
        throw new _ItemError(at, `num_frames must be a positive integer, got "${countText}"`);
      }
      const numFrames = Number(countText);
      const audioPath = resolve(audioRel);
      if (!audioPath.endsWith(".wav")) {
        throw new _ItemError(
          audioPath,
          "only WAV audio is supported (Sound of Pixels ships MP3: convert with ffmpeg)",
        );
      }
      const category = basename(dirname(audioPath));
      const classes = musicCategoryClasses(category);
      if (!classes) {
        throw new _ItemError(
          at,
          `category folder "${category}" is not one or two MUSIC instruments`,
        );
      }
      const frameIndex = Math.ceil(numFrames / 2);
      const frameName = String(frameIndex).padStart(6, "0");
      const frameDir = resolve(frameRel);
      let image;
      try {
        image = await _loadImage(join(frameDir, `${frameName}.jpg`), opts);
      } catch (e) {
        const png = join(frameDir, `${frameName}.png`);
        try {
          await Deno.stat(png);
        } catch {
          throw e;
        }
        image = await _loadImage(png, opts);
      }
      let { audio, sampleRate } = await _loadAudio(audioPath, opts);
      if (opts.seconds !== undefined) {
        const want = Math.min(audio.length, Math.round(opts.seconds * sampleRate));
        const centre = Math.round(((frameIndex - 0.5) / fps) * sampleRate);
        const start = Math.max(0, Math.min(audio.length - want, centre - Math.floor(want / 2)));
        audio = audio.slice(start, start + want);
      }
      const video = basename(audioPath, ".wav");
      return {
        id: `${category}/${video}`,
        image,
        audio,
        sampleRate,
        count: classes.length,
        classes,
      };
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
