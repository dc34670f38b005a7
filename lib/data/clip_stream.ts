/**
 * Streaming clips for training: windows of the model's length cut from clips decoded on
 * demand, a bounded cache of decoded clips (least recently used out first) and prefetching of
 * the next batch, so memory stays bounded whatever the dataset's size.
 *
 * @module
 */
import type { ClipSource } from "./dataset.ts";
import type { AVClip } from "./types.ts";

/**
 * Options of {@linkcode ClipStream}.
 *
 * @category data
 */
export interface ClipStreamOptions {
  /** Window length in seconds (the model's clip duration). */
  seconds: number;
  /** The sample rate every clip must have (the model's). */
  sampleRate: number;
  /**
   * Most bytes of decoded audio and frames kept in the cache (default 256 MiB). Clips in use
   * by a batch stay alive while the batch does; the cache only stops holding them.
   */
  maxCachedBytes?: number;
}

/**
 * Counters of a {@linkcode ClipStream}.
 *
 * @category data
 */
export interface ClipStreamStats {
  /** Clips decoded (cache misses). */
  decoded: number;
  /** Requests served from the cache. */
  hits: number;
  /** Bytes the cache holds now. */
  cachedBytes: number;
  /** Most bytes the cache held at once. */
  peakCachedBytes: number;
}

/**
 * Default cache bound of {@linkcode ClipStream}: 256 MiB.
 *
 * @category data
 */
export const DEFAULT_MAX_CACHED_BYTES = 256 * 1024 * 1024;

function clipBytes(c: AVClip): number {
  let n = c.audio.byteLength + c.image.data.byteLength;
  for (const s of c.sources ?? []) n += s.byteLength;
  for (const m of c.masks ?? []) n += m.byteLength;
  if (c.offscreenNoise) n += c.offscreenNoise.byteLength;
  return n;
}

/** `x[start, start + n)`, zero-padded past the end. */
function cut(x: Float32Array, start: number, n: number): Float32Array {
  if (start === 0 && x.length === n) return x;
  const out = new Float32Array(n);
  out.set(x.subarray(start, Math.min(x.length, start + n)));
  return out;
}

/**
 * Where the windows of a clip of `length` samples start when the whole clip is covered by
 * windows of `n` samples: `0, n, 2n, ...` and, when the clip does not divide evenly, one last
 * window ending at the clip's end (overlapping its neighbour). A clip shorter than `n` gives
 * one window at 0 (zero-padded when cut).
 *
 * @param length Samples in the clip.
 * @param n Samples per window.
 * @returns The start of each window.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wholeClipWindowStarts } from "@avscene/avscene/data";
 * assert.deepEqual(wholeClipWindowStarts(25, 10), [0, 10, 15]);
 * ```
 * @category data
 */
export function wholeClipWindowStarts(length: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`wholeClipWindowStarts: n must be a positive integer, got ${n}`);
  }
  if (length <= n) return [0];
  const starts: number[] = [];
  for (let s = 0; s + n <= length; s += n) starts.push(s);
  if (starts[starts.length - 1] + n < length) starts.push(length - n);
  return starts;
}

/**
 * The windows of {@linkcode wholeClipWindowStarts} cut from `audio`: together they cover the
 * whole clip.
 *
 * @param audio The clip's samples.
 * @param n Samples per window.
 * @returns One `Float32Array` of `n` samples per window.
 * @category data
 */
export function wholeClipWindows(audio: Float32Array, n: number): Float32Array[] {
  return wholeClipWindowStarts(audio.length, n).map((s) => cut(audio, s, n));
}

/**
 * Clips of a {@linkcode ClipSource} cut into training windows on demand. `window(i, u)` decodes
 * clip `i` (or takes it from the cache), cuts `seconds` of its audio starting at
 * `floor(u * (length - window))` (so `u` uniform in [0, 1) draws a random window over the whole
 * clip; a clip shorter than the window is zero-padded) and pairs it with the frame shown in the
 * middle of the window when the source has frames over time (else the clip's one picture).
 * Sources and off-screen noise, when known, are cut alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClipStream, clipSourceOf } from "@avscene/avscene/data";
 * const image = { data: new Float32Array(3), height: 1, width: 1 };
 * const audio = Float32Array.from({ length: 40 }, (_, i) => i);
 * const stream = new ClipStream(clipSourceOf([{ id: "a", image, audio, sampleRate: 10 }]),
 *   { seconds: 1, sampleRate: 10 });
 * assert.equal((await stream.window(0, 0.5)).audio[0], 15);
 * ```
 * @category data
 */
export class ClipStream {
  /** The clips the windows are cut from. */
  readonly source: ClipSource;
  /** Samples per window: `round(seconds * sampleRate)`. */
  readonly samples: number;
  readonly #opts: Required<ClipStreamOptions>;
  readonly #cache = new Map<number, { clip: Promise<AVClip>; bytes: number }>();
  #stats: ClipStreamStats = { decoded: 0, hits: 0, cachedBytes: 0, peakCachedBytes: 0 };

  /**
   * A stream over `source`'s clips (nothing is decoded yet).
   *
   * @param source The clips.
   * @param opts Window length, sample rate, cache bound.
   */
  constructor(source: ClipSource, opts: ClipStreamOptions) {
    if (!(opts.seconds > 0)) {
      throw new Error(`ClipStream: seconds must be > 0, got ${opts.seconds}`);
    }
    if (!Number.isInteger(opts.sampleRate) || opts.sampleRate < 1) {
      throw new Error(`ClipStream: sampleRate must be a positive integer, got ${opts.sampleRate}`);
    }
    const max = opts.maxCachedBytes ?? DEFAULT_MAX_CACHED_BYTES;
    if (!(max >= 0)) throw new Error(`ClipStream: maxCachedBytes must be >= 0, got ${max}`);
    this.source = source;
    this.#opts = { ...opts, maxCachedBytes: max };
    this.samples = Math.round(opts.seconds * opts.sampleRate);
  }

  /** Decode and cache counters. */
  get stats(): ClipStreamStats {
    return { ...this.#stats };
  }

  /**
   * Clip `index` whole, decoded once and kept in the cache while it fits.
   *
   * @param index A clip of the source.
   * @returns The decoded clip.
   */
  whole(index: number): Promise<AVClip> {
    if (!Number.isInteger(index) || index < 0 || index >= this.source.size) {
      throw new Error(`ClipStream: index ${index} is outside 0..${this.source.size - 1}`);
    }
    const hit = this.#cache.get(index);
    if (hit) {
      this.#stats.hits++;
      // most recently used last
      this.#cache.delete(index);
      this.#cache.set(index, hit);
      return hit.clip;
    }
    this.#stats.decoded++;
    const slot = { clip: this.source.clip(index), bytes: 0 };
    this.#cache.set(index, slot);
    slot.clip.then((c) => {
      if (c.sampleRate !== this.#opts.sampleRate) {
        this.#cache.delete(index);
        return;
      }
      if (this.#cache.get(index) !== slot) return;
      slot.bytes = clipBytes(c);
      this.#stats.cachedBytes += slot.bytes;
      this.#evict(index);
      this.#stats.peakCachedBytes = Math.max(this.#stats.peakCachedBytes, this.#stats.cachedBytes);
    }, () => this.#cache.delete(index));
    return slot.clip;
  }

  #evict(keep: number): void {
    for (const [i, slot] of this.#cache) {
      if (this.#stats.cachedBytes <= this.#opts.maxCachedBytes) break;
      if (i === keep || slot.bytes === 0) continue;
      this.#cache.delete(i);
      this.#stats.cachedBytes -= slot.bytes;
    }
    const own = this.#cache.get(keep);
    if (own && this.#stats.cachedBytes > this.#opts.maxCachedBytes) {
      this.#cache.delete(keep);
      this.#stats.cachedBytes -= own.bytes;
    }
  }

  /**
   * Start decoding clips a later batch will need, without waiting (errors surface when the
   * batch asks for them).
   *
   * @param indices Clips of the next batch.
   */
  prefetch(indices: readonly number[]): void {
    for (const i of indices) this.whole(i).catch(() => {});
  }

  /**
   * A window of the model's length from clip `index` (see the class doc).
   *
   * @param index A clip of the source.
   * @param u Where the window starts, as a share in [0, 1) of the room the clip leaves.
   * @returns A clip of exactly `samples` samples of audio and the frame of the window's middle.
   * @throws Error naming the clip when its sample rate is not the stream's.
   */
  async window(index: number, u: number): Promise<AVClip> {
    if (!(u >= 0 && u < 1)) throw new Error(`ClipStream: u must be in [0, 1), got ${u}`);
    const clip = await this.whole(index);
    if (clip.sampleRate !== this.#opts.sampleRate) {
      throw new Error(
        `ClipStream: clip ${clip.id} has sample rate ${clip.sampleRate}, the stream needs ${this.#opts.sampleRate} (open the dataset at the model's rate)`,
      );
    }
    const n = this.samples;
    const start = Math.floor(u * Math.max(0, clip.audio.length - n));
    const image = this.source.frameAt
      ? await this.source.frameAt(index, (start + n / 2) / clip.sampleRate)
      : clip.image;
    const out: AVClip = { ...clip, image, audio: cut(clip.audio, start, n) };
    if (clip.sources) out.sources = clip.sources.map((s) => cut(s, start, n));
    if (clip.offscreenNoise) out.offscreenNoise = cut(clip.offscreenNoise, start, n);
    return out;
  }

  /**
   * The windows of a batch, decoded concurrently.
   *
   * @param indices Clips of the batch.
   * @param starts One `u` in [0, 1) per clip (see {@linkcode ClipStream.window}).
   * @returns One window per index, in order.
   */
  batch(indices: readonly number[], starts: readonly number[]): Promise<AVClip[]> {
    if (starts.length !== indices.length) {
      throw new Error(`ClipStream: ${indices.length} indices but ${starts.length} starts`);
    }
    return Promise.all(indices.map((i, j) => this.window(i, starts[j])));
  }
}

/**
 * Every clip of `source` as one window of `seconds` from its middle (`u = 0.5`), decoded one
 * at a time with nothing cached: for evaluation sets of bounded size.
 *
 * @param source The clips.
 * @param seconds Window length (the model's clip length).
 * @param sampleRate The model's sample rate (every clip must have it).
 * @returns One window per clip, in order.
 * @category data
 */
export async function middleWindows(
  source: ClipSource,
  seconds: number,
  sampleRate: number,
): Promise<AVClip[]> {
  const stream = new ClipStream(source, { seconds, sampleRate, maxCachedBytes: 0 });
  const out: AVClip[] = [];
  for (let i = 0; i < source.size; i++) out.push(await stream.window(i, 0.5));
  return out;
}
