/**
 * The data contract between the data layer and everything after it: what a clip is, whether
 * it came from the synthetic world or a real dataset.
 *
 * @module
 */

import type { RGBImage } from "../vision/rgb_image.ts";

export type { RGBImage };

/**
 * An axis-aligned box in pixels of its image: `[x0, y0, x1, y1]`, x1/y1 exclusive.
 *
 * @category data
 */
export type Box = [number, number, number, number];

/**
 * One audiovisual clip: a frame and its sound, with whatever ground truth the source has.
 *
 * @category data
 */
export interface AVClip {
  /** Stable identifier (file stem, or `synth-<seed>-<split>-c<count>-<index>`). */
  id: string;
  /** The video frame. */
  image: RGBImage;
  /** Mono audio, float samples in [-1, 1]. */
  audio: Float32Array;
  /** Sample rate of `audio` in Hz. */
  sampleRate: number;
  /** Number of sounding sources, when known (the curriculum level). */
  count?: number;
  /** Class index of each sounding source, when known. */
  classes?: number[];
  /** Box of each sounding source in image pixels (one annotator), when known. */
  boxes?: Box[];
  /** Boxes of the sounding object(s) from several annotators: `annotators[a][i]`. */
  annotatorBoxes?: Box[][];
  /** Per-pixel mask (`height * width`, 0/1) of each sounding source, when known. */
  masks?: Uint8Array[];
  /** Each source's own waveform (same length and rate as `audio`), when known. */
  sources?: Float32Array[];
  /**
   * Sound from outside the picture (not a source), when known and present: then
   * `audio = sum(sources) + offscreenNoise`, sample by sample.
   */
  offscreenNoise?: Float32Array;
}

/**
 * A labelled single-source clip for the ESC-50 style classification protocol.
 *
 * @category data
 */
export interface LabelledClip {
  /** File name or identifier. */
  id: string;
  /** Mono audio in [-1, 1]. */
  audio: Float32Array;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Class index. */
  target: number;
  /** Class name. */
  category: string;
  /** Cross-validation fold, 1..5. */
  fold: number;
}
