/**
 * Where C1's pair errors come from, and which modality knows the class: a measurement over
 * trained `deno task ablate` weights (not a timed bench). Rerun with
 *
 *   deno run -A bench/c1_errors.ts --weights runs/a450/weights [--variant ours] [--seeds 0,1,2]
 *     [--scenes 1024] [--probe-scenes 500] [--out runs/c1_errors.json] [--beta B] [--pairs-only]
 *     [--visual-init grid|audio|audio-own] [--smoothing SIGMA]
 *
 * For each seed, on held-out C1 test scenes (`world.scene(i, 1, "test")`, the ablation's
 * held-out set and beyond), in chunks of 64 scenes clustered as trained (the default recipe's
 * beta, background rule and visual centers; `--beta` clusters at another beta, for weights
 * trained with a recipe's `visualBeta`: with K_audio = 1 only the visual clustering's beta acts;
 * `--smoothing` smooths the visual features before the visual clustering, for weights trained
 * with a recipe's `visualSmoothing`;
 * `--visual-init` clusters as a recipe's `visualInit` trained: with `audio` or `audio-own` each
 * (audio, frame) pair's visual clustering starts its first center at that audio's center):
 *
 * - pair accuracy against the next scene's frame (the held-out protocol) and against every
 *   other frame of the chunk, split by what the negative frame shows: the positive's own class
 *   sounding (inherently a coin flip: nothing tells two objects of one class apart), the
 *   positive's class as the silent distractor (decidable: distractors are smaller), a class of
 *   the same colour family (drum / horn, bell / bird, flute / chime), a class of the same pitch
 *   region (horn / buzzer, bell / flute, whistle / bird, shaker / chime), or another class;
 * - the error rate of every (audio class, frame class) pair, and the 10 worst;
 * - pair accuracy with each frame's aligned visual center replaced by its visual center of
 *   largest object share (the best choice the alignment could make from the clustering as
 *   trained), and by the visual embedding averaged over the object's mask (a perfect
 *   clustering);
 * - linear probes (Table 1's classifier, `classifyFrozenFeatures`, 5 folds by scene index) of
 *   the sounding class from the frozen pooled audio embedding (mean and max over positions,
 *   as `pooledAudioFeatures`), the pooled visual embedding, the visual embedding averaged over
 *   the sounding object's mask, the audio center and the aligned visual center (as trained),
 *   for the trained net and the untrained net of that seed.
 *
 * `--pairs-only` measures the pair accuracies and their split alone (no object-center
 * replacements, no probes, no untrained net): the end-of-stage pair accuracy of many trained
 * models at a fraction of the cost.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { streamSeed } from "../lib/data/_synth_seed.ts";
import { Rng } from "../lib/random/mod.ts";
import type { AVClip } from "../lib/data/types.ts";
import { type AVModel, createModel } from "../lib/model/create_model.ts";
import { embedAudio, embedVisual } from "../lib/model/embed.ts";
import { modelInputs } from "../lib/model/model_inputs.ts";
import { checkVisualInit, ownAlignment, pairDistances } from "../lib/model/pair_distances.ts";
import { softKMeansEachStart } from "../kernels/soft_kmeans_composed.ts";
import { alignCenters, backgroundCenters } from "../lib/model/align_centers.ts";
import { softKMeans } from "../kernels/mod.ts";
import { checkVisualSpatial, clusteringFeatures } from "../lib/model/visual_spatial.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { RECIPES } from "../lib/train/recipe.ts";
import { classifyFrozenFeatures } from "../lib/metrics/classify_frozen_features.ts";
import { writeFileAtomic } from "../lib/io/write_atomic.ts";
import { ablationWeightsPath, loadAblationWeights } from "../lib/experiments/run_ablation.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    weights: { type: "string", default: "runs/a450/weights" },
    variant: { type: "string", default: "ours" },
    seeds: { type: "string", default: "0,1,2" },
    scenes: { type: "string", default: "1024" },
    "probe-scenes": { type: "string", default: "500" },
    out: { type: "string" },
    beta: { type: "string" },
    "pairs-only": { type: "boolean", default: false },
    "visual-init": { type: "string", default: "grid" },
    smoothing: { type: "string", default: "0" },
  },
});
const pairsOnly = values["pairs-only"];
const positive = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`c1_errors: --${name} must be an integer >= 1, got "${v}"`);
  }
  return n;
};
const nScenes = positive("scenes", values.scenes);
const nProbe = positive("probe-scenes", values["probe-scenes"]);
const seeds = values.seeds.split(",").map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`c1_errors: --seeds holds "${s}"`);
  return n;
});
const CHUNK = 64;

await initBackend("wasm");
const config = presetConfig("tiny");
const worldSeed = 0;
const world = synthWorld({
  seed: worldSeed,
  imageSize: config.imageSize,
  sampleRate: config.sampleRate,
});
const names = world.classes.map((c) => c.name);
const idOf = (n: string) => {
  const i = names.indexOf(n);
  if (i < 0) throw new Error(`c1_errors: no class ${n}`);
  return i;
};
const pairsOf = (list: [string, string][]) => {
  const s = new Set<string>();
  for (const [a, b] of list) s.add(`${idOf(a)},${idOf(b)}`).add(`${idOf(b)},${idOf(a)}`);
  return s;
};
/** Classes that look alike (one colour family) and classes that sound alike (pitch region). */
const VISUAL = pairsOf([["drum", "horn"], ["bell", "bird"], ["flute", "chime"]]);
const ACOUSTIC = pairsOf([
  ["horn", "buzzer"],
  ["bell", "flute"],
  ["whistle", "bird"],
  ["shaker", "chime"],
]);

/**
 * The silent distractors' classes of test scene `index` (C1): the first draws of the scene's
 * stream as `synthWorld`'s `scene` makes them (shuffled classes, then 0..maxDistractors of the
 * classes not sounding).
 */
function distractorsOf(index: number, sounding: number): number[] {
  const rng = new Rng(streamSeed(worldSeed, "test", 1, index));
  const order = rng.shuffle(names.map((_, i) => i));
  if (order[0] !== sounding) {
    throw new Error(`c1_errors: scene ${index}'s replayed stream disagrees with the world`);
  }
  const spare = order.slice(1);
  return Array.from(
    { length: rng.int(0, world.options.maxDistractors) },
    (_, i) => spare[i % spare.length],
  );
}

type Category = "same class" | "class as distractor" | "look alike" | "sound alike" | "other";
const CATEGORIES: Category[] = [
  "same class",
  "class as distractor",
  "look alike",
  "sound alike",
  "other",
];
function category(a: number, b: number, bDistractors: number[]): Category {
  if (a === b) return "same class";
  if (bDistractors.includes(a)) return "class as distractor";
  if (VISUAL.has(`${a},${b}`)) return "look alike";
  if (ACOUSTIC.has(`${a},${b}`)) return "sound alike";
  return "other";
}

interface Tally {
  pairs: number;
  errors: number;
}
const tally = (): Tally => ({ pairs: 0, errors: 0 });
const rate = (t: Tally) => t.pairs ? t.errors / t.pairs : NaN;

const recipe = RECIPES.ours;
const how = {
  kAudio: 1,
  kVisual: 1 + recipe.extraVisualCenters,
  beta: values.beta === undefined ? recipe.betaEnd : Number(values.beta),
  background: recipe.background,
  negatives: "all" as const,
  visualInit: checkVisualInit("c1_errors: --visual-init", values["visual-init"]),
  visualSmoothing: Number(values.smoothing),
};
checkVisualSpatial("c1_errors: --smoothing", how);
if (how.visualSmoothing > 0 && how.visualInit !== "grid") {
  throw new Error(`c1_errors: --smoothing needs --visual-init grid`);
}
if (!(Number.isFinite(how.beta) && how.beta > 0)) {
  throw new Error(`c1_errors: --beta must be a number > 0, got "${values.beta}"`);
}

/** Mean and max over positions `[b, n, D]` -> `[b, 2 D]`. */
const meanMax = (x: tf.Tensor3D) => tf.concat([tf.mean(x, 1), tf.max(x, 1)], 1) as tf.Tensor2D;

/** The sounding object's share of each feature cell `[b, cells]` (mask averaged per cell). */
function maskCells(clips: AVClip[], rows: number, cols: number): tf.Tensor2D {
  const size = config.imageSize;
  const data = new Float32Array(clips.length * rows * cols);
  clips.forEach((c, i) => {
    const m = c.masks![0];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (m[y * size + x]) {
          const cell = Math.floor((y * rows) / size) * cols + Math.floor((x * cols) / size);
          data[i * rows * cols + cell] += (rows * cols) / (size * size);
        }
      }
    }
  });
  return tf.tensor2d(data, [clips.length, rows * cols]);
}

/**
 * Each frame's visual features averaged under its sounding object's mask cells (`maskCells`
 * weights): features `[frame, positions, D]`, weights `[frame, positions]` -> `[frame, D]`.
 */
function objectMeanFeatures(features: tf.Tensor3D, weights: tf.Tensor2D): tf.Tensor2D {
  return tf.div(
    tf.sum(tf.mul(features, tf.expandDims(weights, 2)), 1),
    tf.add(tf.sum(weights, 1, true), 1e-6),
  ) as tf.Tensor2D;
}

/** What {@linkcode objectCenterAccuracy} measures (see `SeedResult.objectCenter`). */
interface ObjectCenterAccuracy {
  next: number;
  all: number;
  byAudioClass: number[];
  purestCenter: number;
  purestIsBackground: number;
  alignedIsPurest: number;
  nearestRule: number;
  borderRule: number;
}

interface SeedResult {
  seed: number;
  next: Record<Category, Tally>;
  all: Record<Category, Tally>;
  /** `[audio class][frame class]` over every negative of the chunks. */
  matrix: Tally[][];
  nextAccuracy: number;
  allAccuracy: number;
  probes: Record<string, { trained: number; untrained: number }>;
  /**
   * Pair accuracy with the object's mean feature as each frame's visual center (next frame,
   * every other frame, other-class error by the sound's class), and with the frame's visual
   * center of largest object share (next frame), and the share of frames where that center is
   * the one the background rule excludes; with the same clustering aligned by the nearest
   * rule (no background) and by a border rule (the center of largest share on the frame's
   * outermost cells excluded), next frame.
   */
  objectCenter: ObjectCenterAccuracy;
}

const scenes: AVClip[] = [];
const distractors: number[][] = [];
for (let i = 0; i < nScenes; i++) {
  const c = world.scene(i, 1, "test");
  scenes.push(c);
  distractors.push(distractorsOf(i, c.classes![0]));
}
const classOf = scenes.map((c) => c.classes![0]);

async function loadModel(seed: number, trained: boolean): Promise<AVModel> {
  const model = createModel({ preset: "tiny", seed });
  if (!trained) return model;
  await loadAblationWeights(model, ablationWeightsPath(values.weights, values.variant, seed))
    .catch((e) => {
      model.params.dispose();
      throw e;
    });
  return model;
}

async function pairErrors(model: AVModel, r: SeedResult): Promise<void> {
  for (let start = 0; start + CHUNK <= nScenes; start += CHUNK) {
    const part = scenes.slice(start, start + CHUNK);
    const x = modelInputs(model, part);
    const d = pairDistances(model, x.images, x.logMel, how);
    const pos = await d.positive2.data(), all = await d.allNegative2!.data();
    tf.dispose([x.images, x.logMel, d.positive2, d.negative2, d.allNegative2!]);
    for (let i = 0; i < CHUNK; i++) {
      const a = classOf[start + i];
      let k = 0;
      for (let j = 0; j < CHUNK; j++) {
        if (j === i) continue;
        const neg = all[i * (CHUNK - 1) + k++];
        const b = classOf[start + j];
        const cat = category(a, b, distractors[start + j]);
        const err = pos[i] < neg ? 0 : 1;
        r.all[cat].pairs++, r.all[cat].errors += err;
        r.matrix[a][b].pairs++, r.matrix[a][b].errors += err;
        if (j === (i + 1) % CHUNK) r.next[cat].pairs++, r.next[cat].errors += err;
      }
    }
  }
  const sum = (t: Record<Category, Tally>) =>
    CATEGORIES.reduce(
      (s, c) => ({ pairs: s.pairs + t[c].pairs, errors: s.errors + t[c].errors }),
      tally(),
    );
  r.nextAccuracy = 1 - rate(sum(r.next));
  r.allAccuracy = 1 - rate(sum(r.all));
}

/**
 * Pair accuracy (next frame, every other frame of the chunk) when each frame's aligned visual
 * center is replaced by the visual embedding averaged over its sounding object's mask: what a
 * perfect visual clustering would leave of the errors.
 */
async function objectCenterAccuracy(
  model: AVModel,
): Promise<ObjectCenterAccuracy> {
  let nextHits = 0, nextPairs = 0, allHits = 0, allPairs = 0, purestHits = 0;
  let purestIsBackground = 0, noneHits = 0, borderHits = 0, alignedPurest = 0;
  const perClass = names.map(tally);
  for (let start = 0; start + CHUNK <= nScenes; start += CHUNK) {
    const part = scenes.slice(start, start + CHUNK);
    const x = modelInputs(model, part);
    const d2 = tf.tidy(() => {
      const a = embedAudio(model, x.logMel);
      const v = embedVisual(model, x.images);
      const w = maskCells(part, v.rows, v.cols);
      const obj = objectMeanFeatures(v.features, w); // [frame, D]
      const ac = tf.squeeze(softKMeans(a.features, 1, { beta: how.beta }).centers, [1]); // [audio, D]
      // the clustering as trained, [A, frame, Kv, .]: A = 1 (one per frame) from the grid, or
      // A = audio (frame j clustered from audio i's center) with an audio init
      const n = CHUNK, kv = how.kVisual, cells = v.rows * v.cols;
      const fromAudio = how.visualInit !== "grid";
      const vk = fromAudio
        ? softKMeansEachStart(v.features, tf.expandDims(ac, 1), kv, { beta: how.beta })
        : softKMeans(clusteringFeatures(v, how), kv, { beta: how.beta });
      const na = fromAudio ? n : 1;
      const centers = tf.reshape(vk.centers, [na, n, kv, -1]);
      const assign = tf.reshape(vk.assignments, [na, n, kv, cells]);
      // the visual center (of the clustering as trained) with the largest share of its
      // assignment mass on the object: the best the alignment could choose
      const share = tf.div(
        tf.sum(tf.mul(assign, tf.reshape(w, [1, n, 1, cells])), 3),
        tf.add(tf.sum(assign, 3), 1e-6),
      ); // [A, frame, Kv]
      const pick = tf.oneHot(tf.argMax(share, 2), kv); // [A, frame, Kv]
      const purest = tf.sum(tf.mul(centers, tf.expandDims(pick, 3)), 2); // [A, frame, D]
      // each scene's own clustering (frame i from audio i with an audio init): [frame, .]
      const own = (t: tf.Tensor) =>
        fromAudio
          ? tf.sum(tf.mul(t, tf.reshape(tf.eye(n), [n, n, ...t.shape.slice(2).map(() => 1)])), 0)
          : tf.squeeze(t, [0]);
      // 1 where that center is the one the background rule excludes
      const bg = tf.reshape(
        backgroundCenters(
          how.background,
          tf.reshape(assign, [na * n, kv, cells]) as tf.Tensor3D,
          1,
        )!,
        [na, n, kv],
      );
      const onBackground = tf.sum(own(tf.mul(bg, pick)), 1);
      // the aligned center of each scene's own clustering is the purest one
      const ownCenters = own(centers) as tf.Tensor3D;
      const nearest = how.visualInit === "audio-own"
        ? ownAlignment(ownCenters, tf.expandDims(ac, 1)).nearest
        : alignCenters(ownCenters, tf.expandDims(ac, 1) as tf.Tensor3D, own(bg) as tf.Tensor2D)
          .nearest;
      const alignedIsPurest = tf.sum(tf.mul(own(pick), tf.oneHot(tf.squeeze(nearest, [1]), kv)), 1);
      const dist = (v: tf.Tensor) =>
        tf.sum(tf.square(tf.sub(tf.expandDims(ac, 1), v.rank === 2 ? tf.expandDims(v, 0) : v)), 2);
      // other alignment rules on the same clustering: the nearest of every center (`none`),
      // and the nearest after excluding the center of largest share of its mass on the
      // frame's outermost ring of cells (a border rule)
      const perCenter = tf.sum(
        tf.square(tf.sub(tf.expandDims(tf.expandDims(ac, 1), 2), centers)),
        3,
      ); // [audio, frame, Kv]
      const ring = new Float32Array(cells).map((_, c) => {
        const r = Math.floor(c / v.cols), q = c % v.cols;
        return r === 0 || q === 0 || r === v.rows - 1 || q === v.cols - 1 ? 1 : 0;
      });
      const borderShare = tf.div(
        tf.sum(tf.mul(assign, tf.tensor1d(ring)), 3),
        tf.add(tf.sum(assign, 3), 1e-6),
      ); // [A, frame, Kv]
      const border = tf.oneHot(tf.argMax(borderShare, 2), kv); // [A, frame, Kv]
      const excluded = tf.min(tf.add(perCenter, tf.mul(border, 1e30)), 2);
      return {
        both: tf.stack([
          dist(obj),
          dist(purest),
          tf.min(perCenter, 2),
          excluded,
        ]),
        onBackground,
        alignedIsPurest,
      };
    });
    const both = await d2.both.data();
    for (const x of await d2.onBackground.data()) purestIsBackground += x;
    for (const x of await d2.alignedIsPurest.data()) alignedPurest += x;
    const n2 = CHUNK * CHUNK;
    const d = both.subarray(0, n2), p = both.subarray(n2, 2 * n2);
    const none = both.subarray(2 * n2, 3 * n2), bord = both.subarray(3 * n2);
    tf.dispose([x.images, x.logMel, d2.both, d2.onBackground, d2.alignedIsPurest]);
    for (let i = 0; i < CHUNK; i++) {
      for (let j = 0; j < CHUNK; j++) {
        if (j === i) continue;
        const hit = d[i * CHUNK + i] < d[i * CHUNK + j] ? 1 : 0;
        allHits += hit, allPairs++;
        if (classOf[start + j] !== classOf[start + i]) {
          const t = perClass[classOf[start + i]];
          t.pairs++, t.errors += 1 - hit;
        }
        if (j === (i + 1) % CHUNK) {
          nextHits += hit, nextPairs++;
          purestHits += p[i * CHUNK + i] < p[i * CHUNK + j] ? 1 : 0;
          noneHits += none[i * CHUNK + i] < none[i * CHUNK + j] ? 1 : 0;
          borderHits += bord[i * CHUNK + i] < bord[i * CHUNK + j] ? 1 : 0;
        }
      }
    }
  }
  return {
    next: nextHits / nextPairs,
    all: allHits / allPairs,
    byAudioClass: perClass.map(rate),
    purestCenter: purestHits / nextPairs,
    purestIsBackground: purestIsBackground / nextPairs,
    alignedIsPurest: alignedPurest / nextPairs,
    nearestRule: noneHits / nextPairs,
    borderRule: borderHits / nextPairs,
  };
}

/** Probe features of the first `nProbe` scenes: pooled audio, pooled visual, object visual. */
async function probeFeatures(model: AVModel): Promise<Record<string, Float32Array[]>> {
  const out: Record<string, Float32Array[]> = {
    audio: [],
    visual: [],
    "visual object": [],
    "audio center": [],
    "aligned visual center": [],
  };
  for (let start = 0; start < nProbe; start += CHUNK) {
    const part = scenes.slice(start, Math.min(nProbe, start + CHUNK));
    const x = modelInputs(model, part);
    const feats = tf.tidy(() => {
      const a = embedAudio(model, x.logMel);
      const v = embedVisual(model, x.images);
      const w = maskCells(part, v.rows, v.cols);
      const obj = objectMeanFeatures(v.features, w);
      const km = { beta: how.beta };
      const ac = softKMeans(a.features, 1, km).centers;
      // as trained: each frame's visual clustering from the grid, or from its own audio center
      const init = how.visualInit === "grid" ? undefined : ac;
      const vk = softKMeans(init ? v.features : clusteringFeatures(v, how), how.kVisual, {
        ...km,
        init,
      });
      const bg = backgroundCenters(how.background, vk.assignments, 1);
      const { nearest } = how.visualInit === "audio-own"
        ? ownAlignment(vk.centers, ac)
        : alignCenters(vk.centers, ac, bg);
      // the aligned visual center of each scene: one-hot(nearest) . centers
      const aligned = tf.sum(
        tf.mul(vk.centers, tf.expandDims(tf.oneHot(tf.squeeze(nearest, [1]), how.kVisual), 2)),
        1,
      );
      return {
        audio: meanMax(a.features),
        visual: meanMax(v.features),
        "visual object": obj,
        "audio center": tf.squeeze(ac, [1]),
        "aligned visual center": aligned,
      };
    });
    for (const [k, t] of Object.entries(feats)) {
      const data = await t.data() as Float32Array;
      const f = t.shape[1]!;
      for (let i = 0; i < part.length; i++) out[k].push(data.slice(i * f, (i + 1) * f));
    }
    tf.dispose([x.images, x.logMel, ...Object.values(feats)]);
  }
  return out;
}

const probeAccuracy = (features: Float32Array[]) =>
  100 * classifyFrozenFeatures(
    features,
    classOf.slice(0, nProbe),
    features.map((_, i) => i % 5),
    { classes: names.length },
  ).meanAccuracy;

const results: SeedResult[] = [];
for (const seed of seeds) {
  const r: SeedResult = {
    seed,
    next: Object.fromEntries(CATEGORIES.map((c) => [c, tally()])) as Record<Category, Tally>,
    all: Object.fromEntries(CATEGORIES.map((c) => [c, tally()])) as Record<Category, Tally>,
    matrix: names.map(() => names.map(tally)),
    nextAccuracy: 0,
    allAccuracy: 0,
    probes: {},
    objectCenter: {
      next: NaN,
      all: NaN,
      byAudioClass: [],
      purestCenter: NaN,
      purestIsBackground: NaN,
      alignedIsPurest: NaN,
      nearestRule: NaN,
      borderRule: NaN,
    },
  };
  for (const trained of pairsOnly ? [true] : [true, false]) {
    const model = await loadModel(seed, trained);
    try {
      if (trained) {
        await pairErrors(model, r);
        if (pairsOnly) continue;
        r.objectCenter = await objectCenterAccuracy(model);
      }
      const feats = await probeFeatures(model);
      for (const [k, f] of Object.entries(feats)) {
        r.probes[k] ??= { trained: NaN, untrained: NaN };
        r.probes[k][trained ? "trained" : "untrained"] = probeAccuracy(f);
      }
    } finally {
      model.params.dispose();
    }
  }
  results.push(r);
  const pct = (x: number) => (100 * x).toFixed(1);
  console.log(
    `\nseed ${seed}: held-out pair accuracy ${r.nextAccuracy.toFixed(3)} (next frame, ` +
      `${
        r.next["other"].pairs + CATEGORIES.slice(0, 4).reduce((s, c) => s + r.next[c].pairs, 0)
      } pairs), ` +
      `${r.allAccuracy.toFixed(3)} (every other frame of ${CHUNK})`,
  );
  console.log(
    "| negative frame shows | share of next pairs | error (next) | share of all pairs | error (all) |",
  );
  console.log("|---|---|---|---|---|");
  const totalNext = CATEGORIES.reduce((s, c) => s + r.next[c].pairs, 0);
  const totalAll = CATEGORIES.reduce((s, c) => s + r.all[c].pairs, 0);
  for (const c of CATEGORIES) {
    console.log(
      `| ${c} | ${pct(r.next[c].pairs / totalNext)}% | ${pct(rate(r.next[c]))}% | ${
        pct(r.all[c].pairs / totalAll)
      }% | ${pct(rate(r.all[c]))}% |`,
    );
  }
  const cells = r.matrix.flatMap((row, a) => row.map((t, b) => ({ a, b, t }))).filter((x) =>
    x.a !== x.b
  ).sort((x, y) => rate(y.t) - rate(x.t));
  console.log(
    "worst (audio -> frame) class pairs, every negative: " +
      cells.slice(0, 10).map((x) => `${names[x.a]}->${names[x.b]} ${pct(rate(x.t))}%`).join(", "),
  );
  const perAudio = names.map((_, a) => {
    const t = r.matrix[a].reduce(
      (s, x, b) => b === a ? s : ({ pairs: s.pairs + x.pairs, errors: s.errors + x.errors }),
      tally(),
    );
    return `${names[a]} ${pct(rate(t))}`;
  });
  const perFrame = names.map((_, b) => {
    const t = r.matrix.reduce(
      (s, row, a) =>
        a === b ? s : ({ pairs: s.pairs + row[b].pairs, errors: s.errors + row[b].errors }),
      tally(),
    );
    return `${names[b]} ${pct(rate(t))}`;
  });
  console.log(`error by audio class (other-class negatives): ${perAudio.join(", ")}`);
  console.log(`error by negative frame class (other-class positives): ${perFrame.join(", ")}`);
  if (pairsOnly) continue;
  console.log(
    `with the frame's visual center of largest object share: ` +
      `${r.objectCenter.purestCenter.toFixed(3)} (next frame); that center is the excluded ` +
      `background in ${pct(r.objectCenter.purestIsBackground)}% of the frames and the aligned ` +
      `center in ${pct(r.objectCenter.alignedIsPurest)}%; the same ` +
      `clustering aligned by the nearest rule ${r.objectCenter.nearestRule.toFixed(3)}, by the ` +
      `border rule ${r.objectCenter.borderRule.toFixed(3)} (next frame)`,
  );
  console.log(
    `with the object's mean feature as the visual center: ${r.objectCenter.next.toFixed(3)} ` +
      `(next frame), ${r.objectCenter.all.toFixed(3)} (every other frame); error by audio ` +
      `class (other-class negatives): ${
        names.map((n, a) => `${n} ${pct(r.objectCenter.byAudioClass[a])}`).join(", ")
      }`,
  );
  console.log(
    "probes (trained / untrained, %): " +
      Object.entries(r.probes).map(([k, p]) =>
        `${k} ${p.trained.toFixed(1)} / ${p.untrained.toFixed(1)}`
      ).join("; "),
  );
}
if (values.out) {
  await writeFileAtomic(
    values.out,
    new TextEncoder().encode(JSON.stringify({ names, nScenes, nProbe, results }, null, 2) + "\n"),
  );
}
