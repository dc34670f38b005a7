/**
 * Which read-out of the frozen audio net Table 1 should classify: Table 1's protocol (the
 * synthetic world's classification set, 5 folds, `classifyFrozenFeatures`) on several poolings
 * of the tiny audio trunk, for untrained nets and trained checkpoints of the same seeds, beside
 * the pooled-MFCC baseline. Not a timed bench: a measurement, rerun with
 *
 *   deno run -A bench/table1_readouts.ts [--per-class 4] [--world-seed 0] [--seeds 0,1,2]
 *     [--weights 300=/tmp/diag/abl300/weights --weights 2000=/tmp/lead/abl2000/weights]
 *     [--variant ours] [--only "NAME;NAME"] [--out runs/table1_readouts.json]
 *     [--dump features.json] [--audio-groups 8]
 *
 * Each `--weights LABEL=DIR` names a directory of `deno task ablate` weights
 * (`DIR/<variant>-s<seed>.bin`, tiny preset, default model configuration; the defaults were made
 * by `deno task ablate --variants ours --steps 300` and `--steps 2000` with `--out D`, weights in
 * `D/weights`). Read-outs (each
 * window's maps pooled, then averaged over the clip's windows, as `pooledAudioFeatures`):
 *
 * - `embedding, all positions`: the embedded map `[time, freq, D]`, mean and max over every
 *   position (`2 D` values).
 * - `embedding, over time`: mean and max over time only, per frequency column, concatenated
 *   (`2 F D`).
 * - `embedding, 2 / 4 bands`: mean and max over time and within 2 or 4 equal frequency bands.
 * - `trunk, all positions` / `trunk, over time`: the trunk's last layer (before the
 *   embedding's linear projection), pooled the same two ways.
 * - `trunk layers, all positions` / `trunk layers, over time`: every conv layer of the trunk
 *   pooled that way, concatenated.
 * - `..., mean + std`: the mean and standard deviation over every position (as the MFCC
 *   baseline pools its frames), of the embedding, the trunk's last layer, or every layer;
 *   `embedding, mean + max + std` all three.
 * - `trunk before its last norm, ...`: the trunk's last conv before its per-position
 *   normalisation and ReLU, mean and max or mean and std over every position.
 *
 * - `log-mel input, mean + std over time`: the trunk's input (the log-mel standardised per clip)
 *   pooled as the MFCC baseline pools its frames: what the front end alone allows, no weights.
 * - `layer 1 / layer 2, ...`: the first or second conv layer alone, pooled the two ways.
 * - `..., mean + std over time`: mean and standard deviation over time per frequency column.
 * - `layer 1 before its norm, ...` / `trunk layers before their norms, over time`: each conv's
 *   output before its normalisation and ReLU (where the per-position norm removes the level).
 *
 * `--only` keeps the read-outs of those names (separated by semicolons). `--dump FILE` writes
 * every read-out's features of every net (and the MFCCs, targets and folds) as JSON, for
 * classifier sweeps outside this script. `--audio-groups N` builds the nets with that audio
 * trunk normalisation (e.g. 8 for `ours+agn8` weights; default the preset's, 0).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/synth_world.ts";
import { wholeClipWindows } from "../lib/data/clip_stream.ts";
import type { AVClip, LabelledClip } from "../lib/data/types.ts";
import { type AVModel, createModel } from "../lib/model/create_model.ts";
import { audioTrunk, embedAudio } from "../lib/model/embed.ts";
import { conv2dSame } from "../lib/model/conv2d_same.ts";
import { modelInputs } from "../lib/model/model_inputs.ts";
import { presetConfig } from "../lib/model/presets.ts";
import { classifyFrozenFeatures } from "../lib/metrics/classify_frozen_features.ts";
import { pooledMfccFeatures } from "../lib/baselines/mfcc_features.ts";
import { writeFileAtomic } from "../lib/io/write_atomic.ts";
import { ablationWeightsPath, loadAblationWeights } from "../lib/experiments/run_ablation.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "per-class": { type: "string", default: "4" },
    "world-seed": { type: "string", default: "0" },
    seeds: { type: "string", default: "0,1,2" },
    weights: { type: "string", multiple: true },
    variant: { type: "string", default: "ours" },
    only: { type: "string" },
    out: { type: "string" },
    dump: { type: "string" },
    "audio-groups": { type: "string" },
  },
});
const perClass = Number(values["per-class"]);
if (!Number.isInteger(perClass) || perClass < 1) {
  throw new Error(`table1_readouts: --per-class must be an integer >= 1, got ${perClass}`);
}
const worldSeed = Number(values["world-seed"]);
if (!Number.isInteger(worldSeed) || worldSeed < 0) {
  throw new Error(`table1_readouts: --world-seed must be an integer >= 0, got ${worldSeed}`);
}
const seeds = values.seeds!.split(",").map(Number);
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) {
  throw new Error(`table1_readouts: --seeds must be integers >= 0, got "${values.seeds}"`);
}
// the audio trunk's normalisation of the checkpoints (e.g. 8 for `ours+agn8`); default the preset's
const audioGroups = values["audio-groups"] === undefined
  ? undefined
  : Number(values["audio-groups"]);
if (audioGroups !== undefined && !(Number.isInteger(audioGroups) && audioGroups >= 0)) {
  throw new Error(`table1_readouts: --audio-groups must be an integer >= 0, got ${audioGroups}`);
}
const checkpoints = (values.weights ?? [
  "300=/tmp/diag/abl300/weights",
  "2000=/tmp/lead/abl2000/weights",
]).map((w) => {
  const [label, dir] = w.split("=");
  if (!label || !dir) throw new Error(`table1_readouts: --weights must be LABEL=DIR, got "${w}"`);
  return { label, dir };
});

/** One pooling of a `[batch, time, freq, C]` map to `[batch, values]`. */
type Pool = (x: tf.Tensor4D) => tf.Tensor2D;
const allPositions: Pool = (x) =>
  tf.concat([tf.mean(x, [1, 2]), tf.max(x, [1, 2])], 1) as tf.Tensor2D;
const overTime: Pool = (x) => {
  const [b] = x.shape;
  return tf.concat([tf.reshape(tf.mean(x, 1), [b, -1]), tf.reshape(tf.max(x, 1), [b, -1])], 1);
};
const bands = (k: number): Pool => (x) => {
  const [b, t, f, c] = x.shape;
  if (f % k !== 0) throw new Error(`table1_readouts: ${f} frequency columns in ${k} bands`);
  const y = tf.reshape(x, [b, t, k, f / k, c]);
  return tf.concat([
    tf.reshape(tf.mean(y, [1, 3]), [b, -1]),
    tf.reshape(tf.max(y, [1, 3]), [b, -1]),
  ], 1);
};

/** Mean and standard deviation over every position. */
const meanStd: Pool = (x) =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2]);
    return tf.concat([mean, tf.sqrt(tf.add(variance, 1e-8))], 1) as tf.Tensor2D;
  });
/** Mean and standard deviation over time only, per frequency column, concatenated (`2 F C`). */
const meanStdOverTime: Pool = (x) =>
  tf.tidy(() => {
    const [b] = x.shape;
    const { mean, variance } = tf.moments(x, 1);
    return tf.concat([
      tf.reshape(mean, [b, -1]),
      tf.reshape(tf.sqrt(tf.add(variance, 1e-8)), [b, -1]),
    ], 1) as tf.Tensor2D;
  });
/** Mean, maximum and standard deviation over every position. */
const meanMaxStd: Pool = (x) =>
  tf.tidy(() => tf.concat([allPositions(x), tf.slice(meanStd(x), [0, x.shape[3]], [-1, -1])], 1));

/**
 * The audio net's maps of a batch: every trunk layer's output, the last conv's output before
 * its per-position normalisation and ReLU, and the embedded map.
 */
interface Maps {
  /** The trunk's input: the log-mel spectrogram standardised per clip, `[b, frames, mels, 1]`. */
  input: tf.Tensor4D;
  layers: tf.Tensor4D[];
  /** The first conv's output before its normalisation and ReLU. */
  firstPreNorm: tf.Tensor4D;
  /** Every conv's output before its normalisation and ReLU (its input: the previous layer). */
  preNorms: tf.Tensor4D[];
  preNorm: tf.Tensor4D;
  embedding: tf.Tensor4D;
}

function audioMaps(model: AVModel, logMel: tf.Tensor3D): Maps {
  const c = model.config;
  const e = embedAudio(model, logMel);
  const [b] = logMel.shape;
  const embedding = tf.reshape(e.features, [b, e.rows, e.cols, c.embedding]) as tf.Tensor4D;
  e.features.dispose();
  const layers = c.audio.map((_, k) => audioTrunk(model, logMel, k + 1));
  const last = c.audio.length - 1, layer = c.audio[last];
  if (last < 1 || layer.type !== "conv") {
    throw new Error("table1_readouts: the audio trunk's last layer must be a conv after another");
  }
  const preNorm = conv2dSame(
    layers[last - 1],
    model.params.get(`audio.${last}.w`) as tf.Tensor4D,
    layer.stride,
    { padding: c.padding },
  );
  const input = tf.tidy(() => {
    const { mean, variance } = tf.moments(logMel, [1, 2], true);
    return tf.expandDims(tf.div(tf.sub(logMel, mean), tf.sqrt(tf.add(variance, 1e-6))), 3);
  }) as tf.Tensor4D;
  const first = c.audio[0];
  if (first.type !== "conv") {
    throw new Error("table1_readouts: the audio trunk must start with a conv");
  }
  const firstPreNorm = conv2dSame(
    input,
    model.params.get("audio.0.w") as tf.Tensor4D,
    first.stride,
    { padding: c.padding },
  );
  const preNorms = c.audio.map((l, k) => {
    if (l.type !== "conv") throw new Error("table1_readouts: the audio trunk must be convs only");
    if (k === 0) return firstPreNorm.clone();
    if (k === last) return preNorm.clone();
    return conv2dSame(layers[k - 1], model.params.get(`audio.${k}.w`) as tf.Tensor4D, l.stride, {
      padding: c.padding,
    });
  });
  return { input, layers, firstPreNorm, preNorms, preNorm, embedding };
}

const ALL_READOUTS: readonly { name: string; read: (m: Maps) => tf.Tensor2D }[] = [
  { name: "embedding, all positions (today)", read: (m) => allPositions(m.embedding) },
  { name: "embedding, over time", read: (m) => overTime(m.embedding) },
  { name: "embedding, 2 bands", read: (m) => bands(2)(m.embedding) },
  { name: "embedding, 4 bands", read: (m) => bands(4)(m.embedding) },
  { name: "trunk, all positions", read: (m) => allPositions(m.layers.at(-1)!) },
  { name: "trunk, over time", read: (m) => overTime(m.layers.at(-1)!) },
  {
    name: "trunk layers, all positions",
    read: (m) => tf.concat(m.layers.map(allPositions), 1) as tf.Tensor2D,
  },
  {
    name: "trunk layers, over time",
    read: (m) => tf.concat(m.layers.map(overTime), 1) as tf.Tensor2D,
  },
  { name: "embedding, mean + std", read: (m) => meanStd(m.embedding) },
  { name: "embedding, mean + max + std", read: (m) => meanMaxStd(m.embedding) },
  { name: "trunk, mean + std", read: (m) => meanStd(m.layers.at(-1)!) },
  { name: "trunk before its last norm, all positions", read: (m) => allPositions(m.preNorm) },
  { name: "trunk before its last norm, mean + std", read: (m) => meanStd(m.preNorm) },
  {
    name: "trunk layers, mean + std",
    read: (m) => tf.concat(m.layers.map(meanStd), 1) as tf.Tensor2D,
  },
  // the net's own input pooled like the MFCC baseline: what the front end alone allows
  { name: "log-mel input, mean + std over time", read: (m) => meanStdOverTime(m.input) },
  { name: "layer 1, all positions", read: (m) => allPositions(m.layers[0]) },
  { name: "layer 2, all positions", read: (m) => allPositions(m.layers[1]) },
  { name: "layer 1, over time", read: (m) => overTime(m.layers[0]) },
  { name: "layer 2, over time", read: (m) => overTime(m.layers[1]) },
  { name: "trunk, mean + std over time", read: (m) => meanStdOverTime(m.layers.at(-1)!) },
  { name: "embedding, mean + std over time", read: (m) => meanStdOverTime(m.embedding) },
  {
    name: "trunk before its last norm, over time",
    read: (m) => overTime(m.preNorm),
  },
  { name: "layer 1 before its norm, over time", read: (m) => overTime(m.firstPreNorm) },
  { name: "layer 1 before its norm, all positions", read: (m) => allPositions(m.firstPreNorm) },
  {
    name: "trunk layers before their norms, over time",
    read: (m) => tf.concat(m.preNorms.map(overTime), 1) as tf.Tensor2D,
  },
];

const only = values.only?.split(";").map((s) => s.trim());
const READOUTS = only ? ALL_READOUTS.filter((r) => only.includes(r.name)) : ALL_READOUTS;
if (READOUTS.length === 0) {
  throw new Error(
    `table1_readouts: --only names no read-out (have ${
      ALL_READOUTS.map((r) => r.name).join("; ")
    })`,
  );
}

/** Every read-out of every clip: `[readout][clip]`, each the mean over the clip's windows. */
async function readouts(model: AVModel, clips: readonly LabelledClip[]): Promise<Float32Array[][]> {
  const c = model.config;
  const n = Math.round(c.sampleRate * c.duration);
  const frame = { data: new Float32Array(3).fill(0.5), height: 1, width: 1 };
  const out: Float32Array[][] = READOUTS.map(() => []);
  for (let start = 0; start < clips.length; start += 32) {
    const batch = clips.slice(start, start + 32);
    const windows: { clip: number; audio: Float32Array }[] = [];
    batch.forEach((clip, j) => {
      for (const audio of wholeClipWindows(clip.audio, n)) windows.push({ clip: start + j, audio });
    });
    const avClips: AVClip[] = windows.map((w, j) => ({
      id: String(j),
      image: frame,
      audio: w.audio,
      sampleRate: c.sampleRate,
    }));
    const x = modelInputs(model, avClips);
    const maps = audioMaps(model, x.logMel);
    for (let r = 0; r < READOUTS.length; r++) {
      const pooled = tf.tidy(() => READOUTS[r].read(maps));
      const data = await pooled.data() as Float32Array;
      const f = pooled.shape[1];
      pooled.dispose();
      const counts = new Map<number, number>();
      windows.forEach((w, j) => {
        out[r][w.clip] ??= new Float32Array(f);
        const s = out[r][w.clip];
        for (let d = 0; d < f; d++) s[d] += data[j * f + d];
        counts.set(w.clip, (counts.get(w.clip) ?? 0) + 1);
      });
      for (const [clip, k] of counts) out[r][clip] = out[r][clip].map((v) => v / k);
    }
    tf.dispose([
      x.images,
      x.logMel,
      maps.input,
      maps.embedding,
      maps.firstPreNorm,
      maps.preNorm,
      ...maps.layers,
    ]);
  }
  return out;
}

await initBackend("wasm");
const config = presetConfig("tiny");
const world = synthWorld({
  seed: worldSeed,
  imageSize: config.imageSize,
  sampleRate: config.sampleRate,
});
const set = world.classificationSet(perClass);
const classes = new Set(set.map((c) => c.target)).size;
const accuracy = (features: Float32Array[]) =>
  100 * classifyFrozenFeatures(
    features,
    set.map((c) => c.target),
    set.map((c) => c.fold),
    { classes: Math.max(2, classes) },
  ).meanAccuracy;

const mfcc = accuracy(pooledMfccFeatures(set));
console.log(
  `world seed ${worldSeed}: ${set.length} clips, ${classes} classes; MFCC (no network) ${
    mfcc.toFixed(1)
  }%`,
);
/** `--dump`: every read-out's features, for classifier sweeps outside this script. */
const dumped: Record<string, Record<string, number[][][]>> = {};
/** `results[readout][net label][seed index]`: accuracy (%). */
const results: Record<string, Record<string, number[]>> = {};
const dims: Record<string, number> = {};
for (const r of READOUTS) results[r.name] = {};
const nets = ["untrained", ...checkpoints.map((c) => c.label)];
for (const seed of seeds) {
  for (const net of nets) {
    const model = createModel({
      preset: "tiny",
      seed,
      config: audioGroups === undefined ? {} : { audioGroups },
    });
    try {
      const ckpt = checkpoints.find((c) => c.label === net);
      if (ckpt) {
        await loadAblationWeights(model, ablationWeightsPath(ckpt.dir, values.variant, seed));
      }
      const features = await readouts(model, set);
      READOUTS.forEach((r, i) => {
        dims[r.name] = features[i][0].length;
        (results[r.name][net] ??= []).push(accuracy(features[i]));
        if (values.dump) ((dumped[r.name] ??= {})[net] ??= []).push(features[i].map((f) => [...f]));
      });
      console.log(
        `seed ${seed} ${net}: ` +
          READOUTS.map((r) => `${r.name} ${results[r.name][net].at(-1)!.toFixed(1)}`).join("; "),
      );
    } finally {
      model.params.dispose();
    }
  }
}

const cell = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${xs.map((x) => x.toFixed(1)).join(" / ")} (${m.toFixed(1)} ± ${sd.toFixed(1)})`;
};
console.log(
  `\n| read-out | values | ${nets.join(" | ")} | trained > untrained, every seed |`,
);
console.log(`|---|---|${nets.map(() => "---|").join("")}---|`);
for (const r of READOUTS) {
  const row = results[r.name];
  const beats = checkpoints.map((c) =>
    // accuracies are means of fold accuracies: a tie can differ in the last bits
    row[c.label].every((a, i) => a > row.untrained[i] + 1e-6) ? c.label : null
  ).filter(Boolean);
  console.log(
    `| ${r.name} | ${dims[r.name]} | ${nets.map((n) => cell(row[n])).join(" | ")} | ${
      beats.join(", ") || "none"
    } |`,
  );
}
console.log(`| MFCC (no network) | 40 | ${mfcc.toFixed(1)} |`);
if (values.dump) {
  await writeFileAtomic(
    values.dump,
    new TextEncoder().encode(JSON.stringify({
      seeds,
      targets: set.map((c) => c.target),
      folds: set.map((c) => c.fold),
      mfcc: pooledMfccFeatures(set).map((f) => [...f]),
      features: dumped,
    })),
  );
}
if (values.out) {
  await writeFileAtomic(
    values.out,
    new TextEncoder().encode(
      JSON.stringify(
        { worldSeed, clips: set.length, classes, seeds, mfcc, dims, results },
        null,
        2,
      ) + "\n",
    ),
  );
}
