/**
 * Shared pieces of the dataset loaders: options, the result with its skipped items, CSV
 * reading with line numbers, and media loading with optional resampling / resizing.
 *
 * @module
 */

import Papa from "papaparse";
import { join } from "node:path";
import { readAudio, resample } from "../../audio/mod.ts";
import { readImage, resizeImage } from "../../vision/mod.ts";
import type { Box, RGBImage } from "../types.ts";

/**
 * Options every dataset loader accepts.
 *
 * @category data
 */
export interface LoadOptions {
  /**
   * Skip an item that cannot be loaded (missing or corrupt file, malformed row, box outside
   * its image) and list it in `skipped`, instead of throwing (the default). Problems with the
   * dataset as a whole (missing index file) always throw.
   */
  skipBad?: boolean;
  /** Resample every clip's audio to this rate in Hz (default: keep each file's rate). */
  sampleRate?: number;
  /**
   * Resize every frame to `imageSize x imageSize` (aspect not kept; boxes are scaled with the
   * frame). Default: keep each file's size.
   */
  imageSize?: number;
  /**
   * Most pixels a frame may declare (default: the decoder's, 2^24); a larger frame is a bad
   * item, rejected from its header before decoding.
   */
  maxImagePixels?: number;
}

/**
 * An item a loader skipped under `skipBad`, and why.
 *
 * @category data
 */
export interface SkippedItem {
  /** The offending file (with `:line` for a CSV row). */
  file: string;
  /** The error message. */
  reason: string;
}

/**
 * What a loader returns: the items, the skipped ones, and a one-line summary.
 *
 * @category data
 */
export interface LoadResult<T> {
  /** The loaded items, in index order. */
  items: T[];
  /** Items skipped under `skipBad` (always empty otherwise: the first problem throws). */
  skipped: SkippedItem[];
  /** E.g. `"ESC-50: 40 clips loaded, 2 skipped"`. */
  summary: string;
}

/** An error that carries the file (and line) it is about, for `skipped`. */
export class _ItemError extends Error {
  /** The file, with `:line` for a CSV row. */
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.file = file;
  }
}

/** Checks the numeric options once, naming the bad one. */
export function _checkLoadOptions(name: string, opts: LoadOptions): void {
  if (
    opts.sampleRate !== undefined && (!Number.isInteger(opts.sampleRate) || opts.sampleRate < 1)
  ) {
    throw new Error(`${name}: sampleRate must be a positive integer, got ${opts.sampleRate}`);
  }
  if (opts.imageSize !== undefined && (!Number.isInteger(opts.imageSize) || opts.imageSize < 1)) {
    throw new Error(`${name}: imageSize must be a positive integer, got ${opts.imageSize}`);
  }
  if (
    opts.maxImagePixels !== undefined &&
    (!Number.isInteger(opts.maxImagePixels) || opts.maxImagePixels < 1)
  ) {
    throw new Error(
      `${name}: maxImagePixels must be a positive integer, got ${opts.maxImagePixels}`,
    );
  }
}

/**
 * Run `load` on every entry; with `skipBad`, an {@linkcode _ItemError} (or any error, filed
 * under `fallbackFile(entry)`) becomes a skipped item instead of propagating.
 */
export async function _collect<E, T>(
  dataset: string,
  entries: readonly E[],
  opts: LoadOptions,
  fallbackFile: (entry: E) => string,
  load: (entry: E) => Promise<T>,
): Promise<LoadResult<T>> {
  const items: T[] = [], skipped: SkippedItem[] = [];
  for (const entry of entries) {
    try {
      items.push(await load(entry));
    } catch (e) {
      if (!opts.skipBad) throw e;
      const file = e instanceof _ItemError ? e.file : fallbackFile(entry);
      skipped.push({ file, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const summary = `${dataset}: ${items.length} clips loaded, ${skipped.length} skipped`;
  return { items, skipped, summary };
}

/** A parsed CSV row with its 1-based line number in the file. */
export interface _CsvRow {
  line: number;
  fields: string[];
}

/** Read a whole text file, turning a missing file into an error naming it. */
export async function _readText(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read ${what} (${(e as Error).message})`);
  }
}

/** The part of papaparse's per-row result used here (the package ships no types). */
interface _PapaStep {
  data: string[];
  errors: { type: string; message: string; index?: number }[];
  meta: { cursor: number };
}

/**
 * Parse CSV text (papaparse, RFC 4180 quoting) into rows with the line each starts on; blank
 * lines and, when `comments` is given, comment lines are dropped. A quoting error throws,
 * naming `path` and the line.
 */
export function _parseCsv(raw: string, path: string, comments?: string): _CsvRow[] {
  // one newline convention, so mixed CRLF / LF files cannot leave "\r" in last fields
  const text = raw.replaceAll("\r\n", "\n");
  const rows: _CsvRow[] = [];
  // newlines before `pos`, advanced incrementally so line numbers cost O(length) in total
  let pos = 0, newlines = 0;
  const lineAt = (offset: number): number => {
    for (; pos < offset; pos++) if (text.charCodeAt(pos) === 10) newlines++;
    return newlines + 1;
  };
  let failure: string | null = null;
  Papa.parse(text, {
    comments: comments ?? false,
    skipEmptyLines: false,
    step: (result: _PapaStep, parser: { abort(): void }) => {
      const bad = result.errors.find((e) => e.type === "Quotes");
      if (bad) {
        failure = `${path}:${lineAt(bad.index ?? 0)}: ${bad.message}`;
        parser.abort();
        return;
      }
      const fields = result.data;
      // the row ends just before its terminating newline; it starts that many lines earlier
      let end = result.meta.cursor;
      if (text[end - 1] === "\n") end--;
      const lastLine = lineAt(end);
      let inner = 0;
      for (const f of fields) {
        for (let i = 0; i < f.length; i++) if (f.charCodeAt(i) === 10) inner++;
      }
      if (fields.length === 1 && fields[0].trim() === "") return;
      rows.push({ line: lastLine - inner, fields });
    },
  });
  if (failure) throw new Error(failure);
  return rows;
}

/** Load a WAV or MP3 clip, resampled to `opts.sampleRate` when given, as an item error on failure. */
export async function _loadAudio(
  path: string,
  opts: LoadOptions,
): Promise<{ audio: Float32Array; sampleRate: number }> {
  let wav;
  try {
    wav = await readAudio(path);
  } catch (e) {
    throw new _ItemError(path, (e as Error).message.replace(`${path}: `, ""));
  }
  if (wav.samples.length === 0) throw new _ItemError(path, "audio has no samples");
  const rate = opts.sampleRate ?? wav.sampleRate;
  const audio = rate === wav.sampleRate ? wav.samples : resample(wav.samples, wav.sampleRate, rate);
  return { audio, sampleRate: rate };
}

/** Load a PNG / JPEG frame, resized when `opts.imageSize` is given, as an item error on failure. */
export async function _loadImage(path: string, opts: LoadOptions): Promise<RGBImage> {
  let img;
  try {
    img = await readImage(path, { maxPixels: opts.maxImagePixels });
  } catch (e) {
    throw new _ItemError(path, (e as Error).message.replace(`${path}: `, ""));
  }
  return opts.imageSize ? resizeImage(img, opts.imageSize, opts.imageSize) : img;
}

/** Scale a box from a `from` image to a `to` image (rounded to whole pixels, kept non-empty). */
export function _scaleBox(
  box: Box,
  from: { height: number; width: number },
  to: { height: number; width: number },
): Box {
  if (from.height === to.height && from.width === to.width) return [...box] as Box;
  const sx = to.width / from.width, sy = to.height / from.height;
  const x0 = Math.round(box[0] * sx), y0 = Math.round(box[1] * sy);
  const x1 = Math.max(x0 + 1, Math.round(box[2] * sx)),
    y1 = Math.max(y0 + 1, Math.round(box[3] * sy));
  return [x0, y0, Math.min(x1, to.width), Math.min(y1, to.height)];
}

/** The first of `names` (relative to `dir`) that exists, or null. */
export async function _firstExisting(dir: string, names: string[]): Promise<string | null> {
  for (const name of names) {
    const path = join(dir, name);
    try {
      await Deno.stat(path);
      return path;
    } catch {
      // try the next candidate
    }
  }
  return null;
}

/** Reject an id that is not a plain file name, so writers never escape their root. */
export function _checkId(writer: string, id: string): void {
  if (!id || id.includes("/") || id.includes("\\") || id === "." || id === "..") {
    throw new Error(`${writer}: clip id ${JSON.stringify(id)} is not a plain file name`);
  }
}

/** Check the options of `loadMUSIC`, naming the bad one. */
export function _checkMusicOptions(opts: LoadOptions & { fps?: number; seconds?: number }): void {
  _checkLoadOptions("loadMUSIC", opts);
  const fps = opts.fps ?? 8;
  if (!(fps > 0)) throw new Error(`loadMUSIC: fps must be positive, got ${fps}`);
  if (opts.seconds !== undefined && !(opts.seconds > 0)) {
    throw new Error(`loadMUSIC: seconds must be positive, got ${opts.seconds}`);
  }
}
