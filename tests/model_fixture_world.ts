/**
 * A small seeded audiovisual world for the model and training tests: each class is a coloured
 * square whose sound is a harmonic tone of its own pitch; scenes place n sounding objects
 * (non-overlapping) on a noisy background and mix their tones. Ground truth: count, classes,
 * boxes and masks. Stands in for `lib/data`'s `synthWorld` in these tests.
 */
import type { AVClip, Box } from "../lib/data/types.ts";
import { type ClipSource, clipSourceOf } from "../lib/data/dataset.ts";
import { Rng } from "../lib/random/mod.ts";

const COLOURS = [[0.9, 0.15, 0.1], [0.1, 0.8, 0.2], [0.15, 0.3, 0.95], [0.95, 0.85, 0.1]];
const PITCH = [220, 440, 880, 1500];

export interface FixtureWorldOptions {
  seed: number;
  imageSize: number;
  sampleRate: number;
  duration: number;
}

export function fixtureWorld(opts: FixtureWorldOptions) {
  const { imageSize: s, sampleRate, duration } = opts;
  const samples = Math.round(sampleRate * duration);
  function scene(index: number, count: number): AVClip {
    const rng = new Rng(opts.seed * 100_003 + index * 31 + count);
    const data = new Float32Array(s * s * 3);
    for (let i = 0; i < data.length; i++) data[i] = 0.35 + 0.15 * rng.uniform();
    const classes = rng.shuffle([0, 1, 2, 3]).slice(0, count);
    const boxes: Box[] = [];
    const masks: Uint8Array[] = [];
    const sources: Float32Array[] = [];
    const audio = new Float32Array(samples);
    for (const c of classes) {
      const side = Math.round(s * rng.range(0.22, 0.32));
      let box: Box = [0, 0, side, side];
      for (let tries = 0; tries < 50; tries++) {
        const x = rng.int(0, s - side), y = rng.int(0, s - side);
        box = [x, y, x + side, y + side];
        const overlaps = boxes.some((b) =>
          x < b[2] && b[0] < x + side && y < b[3] && b[1] < y + side
        );
        if (!overlaps) break;
      }
      const mask = new Uint8Array(s * s);
      for (let y = box[1]; y < box[3]; y++) {
        for (let x = box[0]; x < box[2]; x++) {
          mask[y * s + x] = 1;
          for (let ch = 0; ch < 3; ch++) data[(y * s + x) * 3 + ch] = COLOURS[c][ch];
        }
      }
      boxes.push(box);
      masks.push(mask);
      const f0 = PITCH[c] * rng.range(0.95, 1.05);
      const wave = new Float32Array(samples);
      for (let i = 0; i < samples; i++) {
        const t = i / sampleRate;
        wave[i] = 0.2 * (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(4 * Math.PI * f0 * t));
      }
      sources.push(wave);
      for (let i = 0; i < samples; i++) audio[i] += wave[i];
    }
    for (let i = 0; i < samples; i++) audio[i] += 0.01 * rng.normal();
    return {
      id: `fixture-${opts.seed}-${count}-${index}`,
      image: { data, height: s, width: s },
      audio,
      sampleRate,
      count,
      classes,
      boxes,
      masks,
      sources,
    };
  }
  return {
    scene,
    /** The dataset contract's training clips (what the trainer takes). */
    trainingClips(level: 1 | 2 | 3 | 4 | "uncurated", size: number): ClipSource {
      return clipSourceOf(
        level === "uncurated"
          ? this.uncuratedSet(size)
          : Array.from({ length: size }, (_, i) => scene(i, level)),
      );
    },
    curriculumSet(level: 1 | 2 | 3 | 4, size: number, offset = 0): AVClip[] {
      return Array.from({ length: size }, (_, i) => scene(offset + i, level));
    },
    uncuratedSet(size: number): AVClip[] {
      const rng = new Rng(opts.seed + 17);
      return Array.from({ length: size }, (_, i) => scene(1_000_000 + i, rng.int(1, 4)));
    },
  };
}
