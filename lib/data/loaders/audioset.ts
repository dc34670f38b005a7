/**
 * AudioSet (Gemmeke et al., 2017) segments with pre-extracted media. Layout:
 *
 * - a segments CSV as Google ships it (`balanced_train_segments.csv` by default): three `#`
 *   comment lines (the last naming the columns `YTID, start_seconds, end_seconds,
 *   positive_labels`), then rows like `--PJHxphWEs, 30.000, 40.000, "/m/09x0r,/t/dd00088"`;
 * - `media/<YTID>_<start>.wav` (or `.mp3`) and a frame `media/<YTID>_<start>.jpg` (or `.png`), where
 *   `<start>` is the CSV's start text (`30.000`); `30` and milliseconds `30000` are also tried;
 * - optionally `class_labels_indices.csv` (`index,mid,display_name`).
 *
 * @module
 */

import Papa from "papaparse";
import { join } from "node:path";
import { writeWav } from "../../audio/mod.ts";
import { writeJpeg } from "../../vision/mod.ts";
import { writeFileAtomic } from "../../io/write_atomic.ts";
import type { AVClip } from "../types.ts";
import {
  _checkLoadOptions,
  _collect,
  _firstExisting,
  _ItemError,
  _loadAudio,
  _loadImage,
  _parseCsv,
  _readText,
  type LoadOptions,
  type LoadResult,
} from "./_common.ts";

/**
 * Options of {@linkcode loadAudioSet}.
 *
 * @category data
 */
export interface AudioSetLoadOptions extends LoadOptions {
  /** The segments CSV inside the root, default `"balanced_train_segments.csv"`. */
  segmentsFile?: string;
}

/**
 * What {@linkcode loadAudioSet} returns: the clips plus the names their `classes` index.
 *
 * @category data
 */
export interface AudioSetLoadResult extends LoadResult<AVClip> {
  /**
   * `classNames[k]` for class index `k`: display names from `class_labels_indices.csv` when
   * present, else the label ids (`/m/...`) in order of first appearance.
   */
  classNames: string[];
}

/**
 * One AudioSet class for {@linkcode writeAudioSet}'s `class_labels_indices.csv`.
 *
 * @category data
 */
export interface AudioSetClass {
  /** Label id, e.g. `/m/09x0r`. */
  mid: string;
  /** Human-readable name, e.g. `Speech`. */
  displayName: string;
}

interface _Segment {
  line: number;
  ytid: string;
  start: string;
  labels: string[];
}

/** Google's rows have a space after each comma and a quoted label list: parse them exactly. */
const SEGMENT_ROW = /^([^,\s]+)\s*,\s*([0-9.]+)\s*,\s*([0-9.]+)\s*,\s*"?([^"]*)"?\s*$/;

function _parseSegments(text: string, path: string): (_Segment | _ItemError)[] {
  const out: (_Segment | _ItemError)[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = SEGMENT_ROW.exec(line);
    if (!m) {
      out.push(
        new _ItemError(
          `${path}:${i + 1}`,
          'expected YTID, start_seconds, end_seconds, "positive_labels"',
        ),
      );
      return;
    }
    const [, ytid, start, end, labels] = m;
    if (!(Number(end) > Number(start))) {
      out.push(new _ItemError(`${path}:${i + 1}`, `end ${end} is not after start ${start}`));
      return;
    }
    const list = labels.split(",").map((l) => l.trim()).filter((l) => l);
    if (list.length === 0) {
      out.push(new _ItemError(`${path}:${i + 1}`, "no positive labels"));
      return;
    }
    out.push({ line: i + 1, ytid, start, labels: list });
  });
  return out;
}

/**
 * One checked AudioSet segment with its media located, not decoded.
 *
 * @category data
 */
export interface AudioSetEntry {
  /** `<YTID>_<start>`. */
  id: string;
  /** Label indices into the index's `classNames`. */
  classes: number[];
  /** The audio file (`.wav` or `.mp3`). */
  audioPath: string;
  /** The frame (`.jpg` or `.png`). */
  framePath: string;
  /** `segments.csv:line`. */
  at: string;
}

/**
 * What {@linkcode indexAudioSet} returns.
 *
 * @category data
 */
export interface AudioSetIndex {
  /** Entries and row / media errors, in file order. */
  entries: (AudioSetEntry | Error)[];
  /** Display names (or label ids) the entries' `classes` index. */
  classNames: string[];
}

/**
 * Read and check the segments CSV (and `class_labels_indices.csv` when present) and locate each
 * segment's audio and frame, without decoding media. Row and missing-media problems are
 * returned as errors naming `file:line` or the file, so a caller can skip them.
 *
 * @param root The dataset folder.
 * @param segmentsFile The segments CSV inside `root`.
 * @returns Entries (or errors) and class names.
 * @throws Error naming the CSV when it cannot be read, or a malformed class index.
 * @category data
 */
export async function indexAudioSet(
  root: string,
  segmentsFile = "balanced_train_segments.csv",
): Promise<AudioSetIndex> {
  const segPath = join(root, segmentsFile);
  const segments = _parseSegments(await _readText(segPath, "the AudioSet segments"), segPath);
  const classNames: string[] = [];
  const indexOf = new Map<string, number>();
  const indexPath = join(root, "class_labels_indices.csv");
  const hasIndex = (await _firstExisting(root, ["class_labels_indices.csv"])) !== null;
  if (hasIndex) {
    const rows = _parseCsv(await _readText(indexPath, "the class index"), indexPath);
    const header = rows[0]?.fields.map((h) => h.trim()).join(",");
    if (header !== "index,mid,display_name") {
      throw new Error(`${indexPath}:1: header must be index,mid,display_name, got ${header}`);
    }
    for (const { line, fields } of rows.slice(1)) {
      if (fields.length !== 3) {
        throw new Error(`${indexPath}:${line}: expected 3 columns, got ${fields.length}`);
      }
      const [index, mid, name] = fields.map((f) => f.trim());
      if (Number(index) !== classNames.length) {
        throw new Error(
          `${indexPath}:${line}: index ${index} out of order (expected ${classNames.length})`,
        );
      }
      indexOf.set(mid, classNames.length);
      classNames.push(name);
    }
  }
  const media = join(root, "media");
  const entries: (AudioSetEntry | Error)[] = [];
  for (const seg of segments) {
    if (seg instanceof Error) {
      entries.push(seg);
      continue;
    }
    const at = `${segPath}:${seg.line}`;
    const unknown = hasIndex ? seg.labels.find((mid) => !indexOf.has(mid)) : undefined;
    if (unknown) {
      entries.push(new _ItemError(at, `label ${unknown} is not in ${indexPath}`));
      continue;
    }
    const classes = seg.labels.map((mid) => {
      let k = indexOf.get(mid);
      if (k === undefined) {
        k = classNames.length;
        indexOf.set(mid, k);
        classNames.push(mid);
      }
      return k;
    });
    const seconds = Number(seg.start);
    const stems = [...new Set([seg.start, String(seconds), String(Math.round(seconds * 1000))])]
      .map((s) => `${seg.ytid}_${s}`);
    const audioPath = await _firstExisting(media, stems.flatMap((s) => [`${s}.wav`, `${s}.mp3`]));
    if (!audioPath) {
      entries.push(new _ItemError(join(media, `${stems[0]}.wav`), "audio not found"));
      continue;
    }
    const framePath = await _firstExisting(media, stems.flatMap((s) => [`${s}.jpg`, `${s}.png`]));
    if (!framePath) {
      entries.push(new _ItemError(join(media, `${stems[0]}.jpg`), "frame not found"));
      continue;
    }
    entries.push({ id: `${seg.ytid}_${seg.start}`, classes, audioPath, framePath, at });
  }
  return { entries, classNames };
}

/**
 * Decode one AudioSet entry: its frame and its whole audio.
 *
 * @param entry The segment.
 * @param opts `sampleRate`, `imageSize`.
 * @returns The clip (`classes` the segment's labels; no `count`: see the dataset adapter).
 * @throws Error naming the media file that cannot be decoded.
 * @category data
 */
export async function decodeAudioSetEntry(
  entry: AudioSetEntry,
  opts: LoadOptions = {},
): Promise<AVClip> {
  const image = await _loadImage(entry.framePath, opts);
  const { audio, sampleRate } = await _loadAudio(entry.audioPath, opts);
  return { id: entry.id, image, audio, sampleRate, classes: [...entry.classes] };
}

/**
 * Load AudioSet segments with their pre-extracted audio (WAV or MP3) and frame. `classes` are
 * the segment's label indices (into `classNames`); `id` = `<YTID>_<start>`.
 *
 * @param root The dataset folder.
 * @param opts `segmentsFile`, `skipBad`, `sampleRate`, `imageSize`.
 * @returns The clips, skipped rows, a summary and the class names.
 * @throws Error naming the file (and `segments.csv:line` for a bad row), unless `skipBad`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadAudioSet } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/balanced_train_segments.csv`, "# YTID, start_seconds, end_seconds, positive_labels\n");
 * assert.equal((await loadAudioSet(root)).items.length, 0);
 * ```
 * @category data
 */
export async function loadAudioSet(
  root: string,
  opts: AudioSetLoadOptions = {},
): Promise<AudioSetLoadResult> {
  _checkLoadOptions("loadAudioSet", opts);
  const { entries, classNames } = await indexAudioSet(root, opts.segmentsFile);
  const result = await _collect(
    "AudioSet",
    entries,
    opts,
    (e) => e instanceof _ItemError ? e.file : (e as AudioSetEntry).at,
    async (e) => {
      if (e instanceof Error) throw e;
      return await decodeAudioSetEntry(e, opts);
    },
  );
  return { ...result, classNames };
}

/**
 * Write clips in the AudioSet layout {@linkcode loadAudioSet} reads: the segments CSV with
 * Google's three comment lines, `media/<id>.wav` (16-bit) and `media/<id>.jpg`, and
 * `class_labels_indices.csv` from `classes`. Clip ids must be `<YTID>_<start seconds>`; the
 * end is start plus the audio's duration; labels are `classes[clip.classes[i]].mid`.
 *
 * @param root The dataset folder (created if needed).
 * @param clips The clips, each with `classes`.
 * @param classes The class list the clips' `classes` index.
 * @param segmentsFile Name of the segments CSV, default `"balanced_train_segments.csv"`.
 * @throws Error naming the clip for a malformed id or class index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadAudioSet, writeAudioSet } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * const image = { data: new Float32Array(4 * 4 * 3), height: 4, width: 4 };
 * await writeAudioSet(root, [{ id: "abcdefghijk_30.000", image, audio: new Float32Array(800),
 *   sampleRate: 8000, classes: [0] }], [{ mid: "/m/09x0r", displayName: "Speech" }]);
 * const loaded = await loadAudioSet(root);
 * assert.deepEqual([loaded.items[0].classes, loaded.classNames], [[0], ["Speech"]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 * @category data
 */
export async function writeAudioSet(
  root: string,
  clips: readonly AVClip[],
  classes: readonly AudioSetClass[],
  segmentsFile = "balanced_train_segments.csv",
): Promise<void> {
  const rows = clips.map((c) => {
    const m = /^([A-Za-z0-9_-]+)_([0-9]+(?:\.[0-9]+)?)$/.exec(c.id);
    if (!m) throw new Error(`writeAudioSet: clip id "${c.id}" is not <YTID>_<start seconds>`);
    const labels = (c.classes ?? []).map((k) => {
      const cls = classes[k];
      if (!cls) throw new Error(`writeAudioSet: clip "${c.id}" class ${k} not in classes`);
      return cls.mid;
    });
    if (labels.length === 0) throw new Error(`writeAudioSet: clip "${c.id}" has no classes`);
    const end = (Number(m[2]) + c.audio.length / c.sampleRate).toFixed(3);
    return `${m[1]}, ${m[2]}, ${end}, "${labels.join(",")}"`;
  });
  const uniqueLabels = new Set(clips.flatMap((c) => c.classes ?? [])).size;
  const header = [
    "# Segments csv created by avscene writeAudioSet",
    `# num_ytids=${clips.length}, num_segs=${clips.length}, num_unique_labels=${uniqueLabels}, ` +
    `num_positive_labels=${clips.reduce((s, c) => s + (c.classes?.length ?? 0), 0)}`,
    "# YTID, start_seconds, end_seconds, positive_labels",
  ];
  await Deno.mkdir(join(root, "media"), { recursive: true });
  for (const c of clips) {
    await writeWav(join(root, "media", `${c.id}.wav`), c.audio, c.sampleRate);
    await writeJpeg(join(root, "media", `${c.id}.jpg`), c.image, 95);
  }
  await writeFileAtomic(join(root, segmentsFile), [...header, ...rows].join("\n") + "\n");
  const index = [
    ["index", "mid", "display_name"],
    ...classes.map((c, i) => [String(i), c.mid, c.displayName]),
  ];
  await writeFileAtomic(
    join(root, "class_labels_indices.csv"),
    Papa.unparse(index, { newline: "\n" }) + "\n",
  );
}
