/**
 * ESC-50 (Piczak, 2015): 2000 five-second clips of 50 environmental sound classes in 5
 * cross-validation folds. Layout: `meta/esc50.csv` (header
 * `filename,fold,target,category,esc10,src_file,take`) and `audio/<filename>` WAVs.
 *
 * @module
 */

import Papa from "papaparse";
import { join } from "node:path";
import { writeWav } from "../../audio/mod.ts";
import { writeFileAtomic } from "../../io/write_atomic.ts";
import type { LabelledClip } from "../types.ts";
import {
  _checkId,
  _checkLoadOptions,
  _collect,
  _ItemError,
  _loadAudio,
  _parseCsv,
  _readText,
  type LoadOptions,
  type LoadResult,
} from "./_common.ts";

/**
 * The columns of `meta/esc50.csv`, in order.
 *
 * @category data
 */
export const ESC50_COLUMNS: readonly string[] = [
  "filename",
  "fold",
  "target",
  "category",
  "esc10",
  "src_file",
  "take",
];

/**
 * One checked row of `meta/esc50.csv`, not decoded.
 *
 * @category data
 */
export interface ESC50Entry {
  /** File name without `.wav`. */
  id: string;
  /** The WAV file. */
  audioPath: string;
  /** Class index. */
  target: number;
  /** Class name. */
  category: string;
  /** Cross-validation fold, 1..5. */
  fold: number;
  /** `meta/esc50.csv:line`. */
  at: string;
}

/**
 * Read and check `meta/esc50.csv` without decoding audio: each row becomes an
 * {@linkcode ESC50Entry} or an error naming `meta/esc50.csv:line` (returned, not thrown, so a
 * caller can skip bad rows). Rows are checked: 7 columns, fold in 1..5, a non-negative integer
 * target, a non-empty category, one category per target, a plain `.wav` file name.
 *
 * @param root The dataset folder.
 * @returns Entries and row errors, in file order.
 * @throws Error naming the index when it is missing, empty or has another header.
 * @category data
 */
export async function indexESC50(root: string): Promise<(ESC50Entry | Error)[]> {
  const csvPath = join(root, "meta", "esc50.csv");
  const rows = _parseCsv(await _readText(csvPath, "the ESC-50 index"), csvPath);
  if (rows.length === 0) throw new Error(`${csvPath}: empty (expected a header row)`);
  const header = rows[0].fields.map((h) => h.trim());
  if (header.join(",") !== ESC50_COLUMNS.join(",")) {
    throw new Error(
      `${csvPath}:${rows[0].line}: header must be ${ESC50_COLUMNS.join(",")}, got ${
        header.join(",")
      }`,
    );
  }
  const categoryOf = new Map<number, { category: string; line: number }>();
  return rows.slice(1).map((row): ESC50Entry | Error => {
    const at = `${csvPath}:${row.line}`;
    const f = row.fields;
    if (f.length !== ESC50_COLUMNS.length) {
      return new _ItemError(at, `expected ${ESC50_COLUMNS.length} columns, got ${f.length}`);
    }
    const [filename, foldText, targetText, category] = f.map((v) => v.trim());
    const fold = Number(foldText), target = Number(targetText);
    if (!/^[1-5]$/.test(foldText)) {
      return new _ItemError(at, `fold must be 1..5, got "${foldText}"`);
    }
    if (!/^\d+$/.test(targetText)) {
      return new _ItemError(at, `target must be a non-negative integer, got "${targetText}"`);
    }
    if (!category) return new _ItemError(at, "category is empty");
    if (!filename.endsWith(".wav") || filename.includes("/")) {
      return new _ItemError(at, `filename must be a plain .wav name, got "${filename}"`);
    }
    const seen = categoryOf.get(target);
    if (seen && seen.category !== category) {
      return new _ItemError(
        at,
        `target ${target} is "${category}" here but "${seen.category}" on line ${seen.line}`,
      );
    }
    if (!seen) categoryOf.set(target, { category, line: row.line });
    return {
      id: filename.slice(0, -4),
      audioPath: join(root, "audio", filename),
      target,
      category,
      fold,
      at,
    };
  });
}

/**
 * Decode one ESC-50 entry: its whole clip (5 s in ESC-50), resampled when asked.
 *
 * @param entry The row.
 * @param opts `sampleRate`.
 * @returns The labelled clip.
 * @throws Error naming the WAV file when it is missing or cannot be decoded.
 * @category data
 */
export async function decodeESC50Entry(
  entry: ESC50Entry,
  opts: LoadOptions = {},
): Promise<LabelledClip> {
  const { audio, sampleRate } = await _loadAudio(entry.audioPath, opts);
  const { id, target, category, fold } = entry;
  return { id, audio, sampleRate, target, category, fold };
}

/**
 * Load ESC-50 from `root`: every row of `meta/esc50.csv` (checked as by
 * {@linkcode indexESC50}) with its `audio/<filename>` WAV, as a {@linkcode LabelledClip}
 * (`id` = file name without `.wav`).
 *
 * @param root The dataset folder.
 * @param opts `skipBad`, `sampleRate` (ESC-50 is 44.1 kHz; resampling is applied per clip).
 * @returns The clips, the skipped rows (with `skipBad`) and a summary.
 * @throws Error naming the file (and `meta/esc50.csv:line` for a bad row), unless `skipBad`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadESC50, writeESC50 } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * const clip = { id: "1-100-A-0", audio: new Float32Array(800), sampleRate: 8000, target: 0,
 *   category: "dog", fold: 1 };
 * await writeESC50(root, [clip]);
 * assert.equal((await loadESC50(root)).summary, "ESC-50: 1 clips loaded, 0 skipped");
 * ```
 * @category data
 */
export async function loadESC50(
  root: string,
  opts: LoadOptions = {},
): Promise<LoadResult<LabelledClip>> {
  _checkLoadOptions("loadESC50", opts);
  const entries = await indexESC50(root);
  return await _collect(
    "ESC-50",
    entries,
    opts,
    (e) => e instanceof _ItemError ? e.file : (e as ESC50Entry).at,
    async (e) => {
      if (e instanceof Error) throw e;
      return await decodeESC50Entry(e, opts);
    },
  );
}

/**
 * Write clips in the ESC-50 layout: `audio/<id>.wav` (16-bit) and `meta/esc50.csv`. Ids of the
 * ESC-50 form `<fold>-<src_file>-<take>-<target>` fill `src_file` and `take`; other ids use the
 * id as `src_file` and take `A`. `esc10` is written `False`.
 *
 * @param root The dataset folder (created if needed).
 * @param clips The clips; ids must be distinct plain file names.
 * @throws Error naming the clip for a bad id, fold or target, or a duplicate id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadESC50, writeESC50 } from "@avscene/avscene/data";
 * const root = await Deno.makeTempDir();
 * await writeESC50(root, [{ id: "a", audio: new Float32Array(8), sampleRate: 8000, target: 3,
 *   category: "cow", fold: 2 }]);
 * const { items } = await loadESC50(root);
 * assert.deepEqual([items[0].target, items[0].fold, items[0].audio.length], [3, 2, 8]);
 * await Deno.remove(root, { recursive: true });
 * ```
 * @category data
 */
export async function writeESC50(root: string, clips: readonly LabelledClip[]): Promise<void> {
  const ids = new Set<string>();
  for (const c of clips) {
    _checkId("writeESC50", c.id);
    if (ids.has(c.id)) throw new Error(`writeESC50: duplicate clip id "${c.id}"`);
    ids.add(c.id);
    if (!Number.isInteger(c.fold) || c.fold < 1 || c.fold > 5) {
      throw new Error(`writeESC50: clip "${c.id}" fold must be 1..5, got ${c.fold}`);
    }
    if (!Number.isInteger(c.target) || c.target < 0) {
      throw new Error(`writeESC50: clip "${c.id}" target must be a non-negative integer`);
    }
  }
  await Deno.mkdir(join(root, "audio"), { recursive: true });
  await Deno.mkdir(join(root, "meta"), { recursive: true });
  const rows: string[][] = [ESC50_COLUMNS.slice()];
  for (const c of clips) {
    await writeWav(join(root, "audio", `${c.id}.wav`), c.audio, c.sampleRate);
    const parts = /^\d+-(.+)-([A-Z]+)-\d+$/.exec(c.id);
    rows.push([
      `${c.id}.wav`,
      String(c.fold),
      String(c.target),
      c.category,
      "False",
      parts ? parts[1] : c.id,
      parts ? parts[2] : "A",
    ]);
  }
  await writeFileAtomic(
    join(root, "meta", "esc50.csv"),
    Papa.unparse(rows, { newline: "\n" }) + "\n",
  );
}
