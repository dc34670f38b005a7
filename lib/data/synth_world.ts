/**
 * The embedded synthetic audiovisual world: seeded scenes of 1..4 sounding objects (with silent
 * distractors and off-screen noise) and full ground truth, and the datasets the experiments
 * draw from it (curriculum levels, uncurated mixture, solo/duet separation, annotated
 * localization, 5-fold classification).
 *
 * @module
 */
import { Rng } from "../random/mod.ts";
import type { AVClip, Box, LabelledClip } from "./types.ts";
import type { AVDataset, ClipSource, LabelledSource, TrainingLevel } from "./dataset.ts";
import { SYNTH_CLASSES, type SynthClass } from "./synth_classes.ts";
import { streamSeed } from "./_synth_seed.ts";
import { drawObject, grainTable, paintBackground, placeObjects } from "./_synth_image.ts";
import {
  type AudioTables,
  audioTables,
  mixNormalised,
  offscreenNoise,
  renderSource,
} from "./_synth_audio.ts";
import { PAPER_CURRICULUM_SIZES } from "./grade_curriculum.ts";

/**
 * Options of {@linkcode synthWorld}; the defaults are the `tiny` preset.
 *
 * @category data
 */
export interface SynthWorldOptions {
  /** World seed (default 0). */
  seed?: number;
  /** Image side in pixels, >= 32 (default 64 tiny; 128 small, 224 paper). */
  imageSize?: number;
  /** Audio sample rate in Hz, >= 8000 (default 8000 tiny; 16000 small/paper). */
  sampleRate?: number;
  /** Clip duration in seconds, in (0, 60] (default 1). */
  duration?: number;
  /** Most silent visual distractors per scene; each scene draws 0..this many (default 1). */
  maxDistractors?: number;
  /** Probability that a scene has off-screen noise, in [0, 1] (default 0.25). */
  offscreenNoise?: number;
}

/**
 * The split a scene belongs to; the two draw from unrelated random streams.
 *
 * @category data
 */
export type SynthSplit = "train" | "test";

/**
 * A curriculum level: the number of sound sources.
 *
 * @category data
 */
export type SynthLevel = 1 | 2 | 3 | 4;

/**
 * A seeded synthetic audiovisual world; every method is deterministic by seed and options. It
 * is an {@linkcode AVDataset} with every capability.
 *
 * @category data
 */
export interface SynthWorld extends AVDataset {
  /** `"synthetic world"`. */
  readonly name: string;
  /** `synth:` and the options as JSON: equal options give equal data. */
  readonly identity: string;
  /** The options in effect, defaults filled in. */
  readonly options: Readonly<Required<SynthWorldOptions>>;
  /** The classes of sound-makers (see {@linkcode SYNTH_CLASSES}). */
  readonly classes: readonly SynthClass[];
  /**
   * Scene `index` of `count` (1..4) sounding objects of distinct classes in `split` (default
   * `train`), plus 0..`maxDistractors` silent objects of classes not sounding in the scene.
   * Independent of every other scene: generating it alone gives the same bytes. Carries
   * count, classes, boxes (each object's full footprint), masks (its visible pixels),
   * sources and, when there is some, `offscreenNoise`; the mix peaks at 0.8.
   */
  scene(index: number, count: number, split?: SynthSplit): AVClip;
  /** Scenes 0..size-1 of level `level` from the train split. */
  curriculumSet(level: SynthLevel, size: number): AVClip[];
  /**
   * `size` train scenes whose counts follow the paper's C1..C4 proportions
   * (9,239 / 7,098 / 2,685 / 421) along a low-discrepancy sequence, so every prefix is close
   * to those proportions. Scene `i` of count `c` is `scene(i, c)`.
   */
  uncuratedSet(size: number): AVClip[];
  /** Solo (1 source) or duet (2 sources) scenes for separation, from `split` (default train). */
  separationSet(kind: "solo" | "duet", size: number, split?: SynthSplit): AVClip[];
  /**
   * `size` single-source test scenes (like the SoundNet-Flickr test set) with boxes from three
   * simulated annotators, each coordinate jittered by ~4% of the box size, clipped to the image.
   */
  localizationSet(size: number): AVClip[];
  /**
   * Labelled clips for the ESC-50 protocol: for each of 5 folds and each class,
   * `clipsPerClassPerFold` clips (default 8), named like ESC-50 files
   * (id `{fold}-synth{k}-A-{target}`, the file stem). Each is a full-length acoustic scene: the
   * target class, a quieter interfering source of another class (0.25-0.6 of its amplitude)
   * and off-screen noise at 0.3-1 times its RMS, so an untrained net does not already solve it.
   */
  classificationSet(clipsPerClassPerFold?: number): LabelledClip[];
  /**
   * An endless lazy sequence of batches of consecutive scenes from index `start` (default 0):
   * level 1..4 as {@linkcode SynthWorld.curriculumSet}, `uncurated` as
   * {@linkcode SynthWorld.uncuratedSet}. Each batch is generated when asked for.
   */
  batches(level: SynthLevel | "uncurated", batchSize: number, start?: number): Iterable<AVClip[]>;
  /**
   * The dataset contract's training clips: {@linkcode SynthWorld.curriculumSet} or
   * {@linkcode SynthWorld.uncuratedSet} of `size`, each scene generated when asked for.
   */
  trainingClips(level: TrainingLevel, size: number): ClipSource;
  /** The contract's labelled clips: {@linkcode SynthWorld.classificationSet}, default 8. */
  classificationClips(perClassPerFold?: number): LabelledSource;
  /** The contract's held-out clips: test scenes `0..size-1` of `count` sources. */
  heldOutClips(count: SynthLevel, size: number): AVClip[];
}

const DEFAULTS: Required<SynthWorldOptions> = {
  seed: 0,
  imageSize: 64,
  sampleRate: 8000,
  duration: 1,
  maxDistractors: 1,
  offscreenNoise: 0.25,
};
/** Annotator jitter: standard deviation of each coordinate, as a share of the box side. */
const ANNOTATOR_JITTER = 0.04;
const ANNOTATORS = 3;
const FOLDS = 5;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new Error(`synthWorld: ${what}, got ${value}`);
}

function checkSize(method: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${method}: ${name} must be a non-negative integer, got ${value}`);
  }
}

function checkLevel(method: string, name: string, value: unknown): asserts value is SynthLevel {
  if (value !== 1 && value !== 2 && value !== 3 && value !== 4) {
    throw new Error(`${method}: ${name} must be 1, 2, 3 or 4, got ${value}`);
  }
}

function resolveOptions(opts: SynthWorldOptions): Required<SynthWorldOptions> {
  const o = { ...DEFAULTS };
  for (const [k, v] of Object.entries(opts)) {
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  }
  check(Number.isFinite(o.seed), "seed must be a finite number", o.seed);
  check(
    Number.isInteger(o.imageSize) && o.imageSize >= 32,
    "imageSize must be an integer >= 32",
    o.imageSize,
  );
  check(
    Number.isInteger(o.sampleRate) && o.sampleRate >= 8000,
    "sampleRate must be an integer >= 8000 (every class's pitch range lies below 3.5 kHz)",
    o.sampleRate,
  );
  check(
    Number.isFinite(o.duration) && o.duration > 0 && o.duration <= 60,
    "duration must be in (0, 60] seconds",
    o.duration,
  );
  check(
    Number.isInteger(o.maxDistractors) && o.maxDistractors >= 0 && o.maxDistractors <= 6,
    "maxDistractors must be an integer in 0..6",
    o.maxDistractors,
  );
  check(
    Number.isFinite(o.offscreenNoise) && o.offscreenNoise >= 0 && o.offscreenNoise <= 1,
    "offscreenNoise must be a probability in [0, 1]",
    o.offscreenNoise,
  );
  return o;
}

/** Count of uncurated scene `index`: the paper's level proportions along a golden-ratio sequence. */
function uncuratedCount(offset: number, index: number): SynthLevel {
  const u = (offset + index * GOLDEN) % 1;
  const total = PAPER_CURRICULUM_SIZES.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  for (let level = 1; level <= 4; level++) {
    cumulative += PAPER_CURRICULUM_SIZES[level - 1] / total;
    if (u < cumulative) return level as SynthLevel;
  }
  return 4;
}

/** Jitter a box like a human annotator would, keeping it inside the image and non-empty. */
function jitterBox(box: Box, rng: Rng, size: number): Box {
  const w = box[2] - box[0], h = box[3] - box[1];
  const j = (v: number, side: number) => Math.round(v + rng.normal() * ANNOTATOR_JITTER * side);
  const x0 = Math.min(Math.max(j(box[0], w), 0), size - 1);
  const y0 = Math.min(Math.max(j(box[1], h), 0), size - 1);
  const x1 = Math.max(Math.min(j(box[2], w), size), x0 + 1);
  const y1 = Math.max(Math.min(j(box[3], h), size), y0 + 1);
  return [x0, y0, x1, y1];
}

/**
 * Create a seeded synthetic audiovisual world. Ten classes of sound-makers
 * ({@linkcode SYNTH_CLASSES}), each with a look (shape, colour, texture; size, hue and
 * rotation vary per object) and a sound (timbre, pitch range, envelope, modulation, noise
 * band). It serves every capability of the dataset contract ({@linkcode AVDataset}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { synthWorld } from "@avscene/avscene/data";
 * const world = synthWorld({ seed: 1 });
 * const clip = world.scene(0, 2);
 * assert.equal(clip.count, 2);
 * assert.equal(clip.classes?.length, 2);
 * assert.equal(clip.boxes?.length, 2);
 * // the same seed draws the same scene
 * assert.deepEqual(synthWorld({ seed: 1 }).scene(0, 2).boxes, clip.boxes);
 * ```
 * @category data
 */
export function synthWorld(opts: SynthWorldOptions = {}): SynthWorld {
  const options = Object.freeze(resolveOptions(opts));
  const { seed, imageSize: size, sampleRate, duration, maxDistractors } = options;
  const classes = SYNTH_CLASSES;
  const samples = Math.round(sampleRate * duration);
  const worldRng = new Rng(streamSeed(seed, "world"));
  const tables: AudioTables = audioTables(classes, sampleRate, worldRng.fork());
  const grain = grainTable(worldRng.fork());
  const uncuratedOffset = new Rng(streamSeed(seed, "uncurated")).uniform();

  /** Sources of the given classes, optional off-screen noise, and their normalised mix. */
  function renderAudio(rng: Rng, sounding: number[]) {
    const sources = sounding.map((c) => renderSource(tables, classes, c, rng.fork(), samples));
    let noise: Float32Array | undefined;
    if (rng.uniform() < options.offscreenNoise) {
      // Relative to the mean source RMS, so noise stays a background in every scene.
      let energy = 0;
      for (const x of sources) for (let n = 0; n < samples; n++) energy += x[n] * x[n];
      const rms = Math.sqrt(energy / (sources.length * samples));
      noise = offscreenNoise(tables, rng.fork(), samples, rms * rng.range(0.1, 0.35));
    }
    const audio = mixNormalised(sources, noise, samples);
    return { sources, noise, audio };
  }

  function scene(index: number, count: number, split: SynthSplit = "train"): AVClip {
    checkSize("scene", "index", index);
    checkLevel("scene", "count", count);
    if (split !== "train" && split !== "test") {
      throw new Error(`scene: split must be "train" or "test", got ${split}`);
    }
    const rng = new Rng(streamSeed(seed, split, count, index));
    const order = rng.shuffle(classes.map((_, i) => i));
    const sounding = order.slice(0, count);
    // Distractors are of classes not sounding here (cycling if there are too few), so that
    // what sounds is always decidable from the picture.
    const spare = order.slice(count);
    const distractors = Array.from(
      { length: rng.int(0, maxDistractors) },
      (_, i) => spare[i % spare.length],
    );
    const imageRng = rng.fork(), audioRng = rng.fork();

    const ids = [...sounding, ...distractors];
    const placed = placeObjects(imageRng, size, ids, classes, count);
    const data = new Float32Array(size * size * 3);
    paintBackground(imageRng, size, data, grain);
    const owner = new Int16Array(size * size).fill(-1);
    const boxes: Box[] = new Array(count);
    for (const i of imageRng.shuffle(placed.map((_, i) => i))) {
      const box = drawObject(placed[i], classes[placed[i].cls], i, size, data, owner);
      if (i < count) boxes[i] = box;
    }
    const masks = sounding.map((_, i) => {
      const m = new Uint8Array(size * size);
      for (let p = 0; p < m.length; p++) m[p] = owner[p] === i ? 1 : 0;
      return m;
    });

    const { sources, noise, audio } = renderAudio(audioRng, sounding);
    const clip: AVClip = {
      id: `synth-${seed}-${split}-c${count}-${index}`,
      image: { data, height: size, width: size },
      audio,
      sampleRate,
      count,
      classes: sounding,
      boxes,
      masks,
      sources,
    };
    if (noise) clip.offscreenNoise = noise;
    return clip;
  }

  function curriculumSet(level: SynthLevel, n: number): AVClip[] {
    checkLevel("curriculumSet", "level", level);
    checkSize("curriculumSet", "size", n);
    return Array.from({ length: n }, (_, i) => scene(i, level, "train"));
  }

  function uncuratedSet(n: number): AVClip[] {
    checkSize("uncuratedSet", "size", n);
    return Array.from(
      { length: n },
      (_, i) => scene(i, uncuratedCount(uncuratedOffset, i), "train"),
    );
  }

  function separationSet(kind: "solo" | "duet", n: number, split: SynthSplit = "train"): AVClip[] {
    if (kind !== "solo" && kind !== "duet") {
      throw new Error(`separationSet: kind must be "solo" or "duet", got ${kind}`);
    }
    checkSize("separationSet", "size", n);
    return Array.from({ length: n }, (_, i) => scene(i, kind === "solo" ? 1 : 2, split));
  }

  function localizationSet(n: number): AVClip[] {
    checkSize("localizationSet", "size", n);
    return Array.from({ length: n }, (_, i) => {
      const clip = scene(i, 1, "test");
      const rng = new Rng(streamSeed(seed, "test", 1, i, ANNOTATORS));
      clip.annotatorBoxes = Array.from(
        { length: ANNOTATORS },
        () => clip.boxes!.map((b) => jitterBox(b, rng, size)),
      );
      return clip;
    });
  }

  /**
   * A labelled clip: the target class over an acoustic scene, so that telling classes apart
   * takes more than the loudest partial: a quieter interfering source of another class (at
   * 0.25-0.6 of the target's amplitude) and off-screen noise at 0.3-1 times the target's RMS.
   */
  function labelledAudio(rng: Rng, target: number): Float32Array {
    const other = (target + rng.int(1, classes.length - 1)) % classes.length;
    const [main, interferer] = [target, other].map((c) =>
      renderSource(tables, classes, c, rng.fork(), samples)
    );
    const gain = rng.range(0.25, 0.6);
    for (let n = 0; n < samples; n++) interferer[n] *= gain;
    let energy = 0;
    for (let n = 0; n < samples; n++) energy += main[n] * main[n];
    const noise = offscreenNoise(
      tables,
      rng.fork(),
      samples,
      Math.sqrt(energy / samples) * rng.range(0.3, 1),
    );
    return mixNormalised([main, interferer], noise, samples);
  }

  function classificationSet(perClassPerFold = 8): LabelledClip[] {
    if (!Number.isInteger(perClassPerFold) || perClassPerFold < 1) {
      throw new Error(
        `classificationSet: clipsPerClassPerFold must be a positive integer, got ${perClassPerFold}`,
      );
    }
    const out: LabelledClip[] = [];
    for (let fold = 1; fold <= FOLDS; fold++) {
      for (let target = 0; target < classes.length; target++) {
        for (let k = 0; k < perClassPerFold; k++) {
          const rng = new Rng(streamSeed(seed, "classification", fold, target, k));
          out.push({
            id: `${fold}-synth${k}-A-${target}`,
            audio: labelledAudio(rng, target),
            sampleRate,
            target,
            category: classes[target].name,
            fold,
          });
        }
      }
    }
    return out;
  }

  function batches(
    level: SynthLevel | "uncurated",
    batchSize: number,
    start = 0,
  ): Iterable<AVClip[]> {
    if (level !== "uncurated") checkLevel("batches", "level", level);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
    }
    checkSize("batches", "start", start);
    const countOf = (i: number) =>
      level === "uncurated" ? uncuratedCount(uncuratedOffset, i) : level;
    return {
      *[Symbol.iterator]() {
        for (let first = start;; first += batchSize) {
          yield Array.from(
            { length: batchSize },
            (_, j) => scene(first + j, countOf(first + j), "train"),
          );
        }
      },
    };
  }

  function trainingClips(level: TrainingLevel, n: number): ClipSource {
    if (level !== "uncurated") checkLevel("trainingClips", "level", level);
    checkSize("trainingClips", "size", n);
    const countOf = (i: number) =>
      level === "uncurated" ? uncuratedCount(uncuratedOffset, i) : level;
    return {
      size: n,
      entry: (i) => ({ id: `synth-${seed}-train-c${countOf(i)}-${i}`, count: countOf(i) }),
      clip: (i) => Promise.resolve(scene(i, countOf(i), "train")),
    };
  }

  function classificationClips(perClassPerFold = 8): LabelledSource {
    const set = classificationSet(perClassPerFold);
    return {
      size: set.length,
      classes: classes.length,
      entry: (i) => {
        const { id, target, category, fold } = set[i];
        return { id, target, category, fold };
      },
      clip: (i) => Promise.resolve(set[i]),
    };
  }

  function heldOutClips(count: SynthLevel, n: number): AVClip[] {
    checkLevel("heldOutClips", "count", count);
    checkSize("heldOutClips", "size", n);
    return Array.from({ length: n }, (_, i) => scene(i, count, "test"));
  }

  return Object.freeze({
    name: "synthetic world",
    identity: `synth:${JSON.stringify(options)}`,
    options,
    classes,
    trainingClips,
    classificationClips,
    heldOutClips,
    scene,
    curriculumSet,
    uncuratedSet,
    separationSet,
    localizationSet,
    classificationSet,
    batches,
  });
}
