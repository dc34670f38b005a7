/**
 * What every dataset adapter takes and returns beyond the contract.
 *
 * @module
 */
import type { AVDataset } from "../dataset.ts";

/**
 * Options of every dataset adapter (`openDataset` and the `open*Dataset` functions).
 *
 * @category data
 */
export interface DatasetOpenOptions {
  /** Sample rate every clip is resampled to: the model's. */
  sampleRate: number;
  /** Side every frame is resized to (square, aspect not kept): the model's. */
  imageSize: number;
  /**
   * Length in seconds of the clips of the evaluation sets (held-out, separation), cut around
   * the representative frame: the model's clip length (default 1). Training windows are drawn
   * by the trainer over the whole clip instead.
   */
  seconds?: number;
  /**
   * Drop index rows and items whose files are missing or malformed, listing them in
   * `skipped`, instead of failing at open (default false). Files that exist but fail to decode
   * are only found when a clip is decoded, and then always throw, naming the file.
   */
  skipBad?: boolean;
}

/**
 * A dataset opened from disk: the contract plus what was skipped at open and a summary.
 *
 * @category data
 */
export interface OpenedDataset extends AVDataset {
  /** The dataset's folder. */
  readonly root: string;
  /** True: a dataset on disk is the paper's own data (its numbers compare with the paper's). */
  readonly paperData: true;
  /** One line per index row or item dropped under `skipBad`. */
  readonly skipped: readonly string[];
  /** E.g. `MUSIC at /data/MUSIC: 412 train videos (303 solo, 109 duet), 40 val, 0 skipped`. */
  readonly summary: string;
}

/**
 * Check the numeric options, naming the adapter and the bad one.
 *
 * @category data
 */
export function _checkOpenOptions(name: string, opts: DatasetOpenOptions): number {
  if (!Number.isInteger(opts.sampleRate) || opts.sampleRate < 1) {
    throw new Error(`${name}: sampleRate must be a positive integer, got ${opts.sampleRate}`);
  }
  if (!Number.isInteger(opts.imageSize) || opts.imageSize < 1) {
    throw new Error(`${name}: imageSize must be a positive integer, got ${opts.imageSize}`);
  }
  const seconds = opts.seconds ?? 1;
  if (!(seconds > 0)) throw new Error(`${name}: seconds must be > 0, got ${seconds}`);
  return seconds;
}
