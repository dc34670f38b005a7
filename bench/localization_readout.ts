/**
 * How a trained model's localization map is read out (issue 9): the same trained weights,
 * several read-outs of the visual feature map, each scored by Table 2's protocol (the
 * synthetic world's 64 held-out localization scenes, seed 0, cIoU@0.5 and AUC, as
 * `runAblation` measures) with the centre prior and the half-image ceiling beside them.
 * Evaluation only: no training. Not a `deno bench` file: a measurement script.
 *
 *   deno run -A bench/localization_readout.ts [--test=64] [--cue] LABEL=weights.bin ...
 *
 * Each weights file is a tiny model's flat float32 parameters (or `init:SEED`: an untrained
 * model of that seed), as `deno task ablate --out DIR`
 * writes them (`DIR/weights/<variant>-s<seed>.bin`); e.g. the C1 models of issue 9 came from
 * `deno task ablate --steps 300 --variants ours --out DIR` (and `--steps 2000`). Prints, per
 * read-out, each model's cIoU@0.5 / AUC (%), the mean per-scene cIoU difference to today's map
 * (`oursHeatmaps` as Table 2 calls it) and how many scenes it scores better : worse; writes
 * nothing. `--test=N` scores on the first N test scenes instead of 64 (the first 64 are
 * Table 2's); `--cue` adds a nearest-class-mean probe of the object's class from the aligned
 * visual center at K_visual 2, 3 and 4 (what a separation cue built from it could say).
 *
 * Read-outs: the aligned center's soft assignment at other K_visual, iterations and beta; the
 * sound's own maps (each position's distance or cosine to the audio center, a softmax over the
 * audio center and the background centers, its projection on the audio direction, its
 * contrast against the other clips' sounds); minus/plus gradient x feature of the scene
 * distance; and, as a bound that reads the boxes, the best visual center per scene.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { softKMeans } from "../kernels/mod.ts";
import { type AVClip, synthWorld } from "../lib/data/mod.ts";
import {
  alignCenters,
  type AVModel,
  backgroundCenters,
  createModel,
  embedAudio,
  embedVisual,
  type GridHeatmap,
  modelInputs,
  oursHeatmaps,
} from "../lib/model/mod.ts";
import { clipCIoUs, localizationScores } from "../lib/metrics/mod.ts";
import { centrePrior } from "../lib/baselines/mod.ts";
import { halfImageCeiling } from "../lib/experiments/mod.ts";

const unknown = Deno.args.filter((a) =>
  a.startsWith("--") && a !== "--cue" && !a.startsWith("--test=")
);
if (unknown.length) {
  throw new Error(`localization_readout.ts: unknown option(s) ${unknown.join(", ")}`);
}
const testArg = Deno.args.find((a) => a.startsWith("--test="));
const testSize = testArg ? Number(testArg.slice(7)) : 64;
if (!Number.isInteger(testSize) || testSize < 1) {
  throw new Error(`localization_readout.ts: --test must be a positive integer, got "${testArg}"`);
}
const models = Deno.args.filter((a) => !a.startsWith("--")).map((a) => {
  const eq = a.indexOf("=");
  if (eq < 1) throw new Error(`localization_readout.ts: argument "${a}" must be LABEL=weights.bin`);
  return { label: a.slice(0, eq), path: a.slice(eq + 1) };
});
if (models.length === 0) {
  throw new Error("localization_readout.ts: give at least one LABEL=weights.bin");
}

await initBackend("wasm");
const probe = createModel({ preset: "tiny", seed: 0 });
const { imageSize, sampleRate } = probe.config;
probe.params.dispose();
const world = synthWorld({ seed: 0, imageSize, sampleRate });
const clips = world.localizationSet(testSize);
const score = (maps: GridHeatmap[]) => {
  const s = localizationScores(clipCIoUs(clips, maps));
  return { ciou50: 100 * s.ciou50, auc: 100 * s.auc };
};
const fmt = (s: { ciou50: number; auc: number }) =>
  `cIoU@0.5 ${s.ciou50.toFixed(1).padStart(5)}  AUC ${s.auc.toFixed(1).padStart(5)}`;
const ceiling = localizationScores(halfImageCeiling(clips));
console.log(
  `half-image ceiling           ${fmt({ ciou50: 100 * ceiling.ciou50, auc: 100 * ceiling.auc })}`,
);
console.log(
  `centre prior                 ${
    fmt(score(clips.map(() => ({
      height: imageSize,
      width: imageSize,
      heatmap: centrePrior(imageSize, imageSize),
    }))))
  }`,
);

/** Everything a read-out needs, for every clip: features and clusterings, on the host. */
interface Embedded {
  rows: number;
  cols: number;
  /** Visual features `[clip][position][D]`. */
  u: Float32Array[][];
  /** Audio center (K_audio 1: the mean audio feature) `[clip][D]`. */
  a: Float32Array[];
}

async function embed(model: AVModel): Promise<Embedded> {
  const x = modelInputs(model, clips);
  const v = embedVisual(model, x.images);
  const au = embedAudio(model, x.logMel);
  const ak = softKMeans(au.features, 1, { beta: 5 });
  const uData = await v.features.array() as number[][][];
  const aData = await ak.centers.array() as number[][][];
  tf.dispose([x.images, x.logMel, v.features, au.features, ak.centers, ak.assignments]);
  return {
    rows: v.rows,
    cols: v.cols,
    u: uData.map((c) => c.map((p) => Float32Array.from(p))),
    a: aData.map((c) => Float32Array.from(c[0])),
  };
}

const dist = (p: Float32Array, q: Float32Array) => {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - q[i]) ** 2;
  return Math.sqrt(s);
};

/** Soft K-means of the visual features and the alignment, as `localize` does. */
async function clusterings(
  model: AVModel,
  opts: { kVisual: number; iterations: number; beta: number; background: "none" | "largest" },
  on: readonly AVClip[] = clips,
) {
  const x = modelInputs(model, on);
  const res = tf.tidy(() => {
    const v = embedVisual(model, x.images);
    const a = embedAudio(model, x.logMel).features;
    const km = { iterations: opts.iterations, beta: opts.beta };
    const vk = softKMeans(v.features, opts.kVisual, km);
    const ak = softKMeans(a, 1, km);
    const bg = backgroundCenters(opts.background, vk.assignments, 1);
    return [vk.assignments, vk.centers, alignCenters(vk.centers, ak.centers, bg).nearest];
  });
  const [assign, centers, nearest] = await Promise.all(res.map((t) => t.array())) as [
    number[][][],
    number[][][],
    number[][],
  ];
  tf.dispose([x.images, x.logMel, ...res]);
  const mass = assign.map((c) => c.map((row) => row.reduce((s, v) => s + v, 0)));
  return on.map((_, i) => ({
    assign: assign[i].map((r) => Float32Array.from(r)),
    centers: centers[i].map((r) => Float32Array.from(r)),
    aligned: nearest[i][0],
    largest: mass[i].indexOf(Math.max(...mass[i])),
  }));
}

type Readout = (e: Embedded, model: AVModel) => Promise<GridHeatmap[]>;

const grid = (e: Embedded, maps: Float32Array[]): GridHeatmap[] =>
  maps.map((heatmap) => ({ height: e.rows, width: e.cols, heatmap }));

/** Today's map: the aligned center's soft assignment. */
const assignment = (kVisual: number, iterations: number, beta: number): Readout => async (e, m) =>
  grid(
    e,
    (await clusterings(m, { kVisual, iterations, beta, background: "largest" })).map((c) =>
      c.assign[c.aligned]
    ),
  );

/** Minus the distance of each position's feature to the audio center. */
const audioDistance: Readout = (e) =>
  Promise.resolve(grid(e, e.u.map((u, i) => Float32Array.from(u, (f) => -dist(f, e.a[i])))));

/** Cosine similarity of each position's feature to the audio center. */
const audioCosine: Readout = (e) =>
  Promise.resolve(grid(
    e,
    e.u.map((u, i) => {
      const na = Math.hypot(...e.a[i]);
      return Float32Array.from(u, (f) => {
        let d = 0;
        for (let j = 0; j < f.length; j++) d += f[j] * e.a[i][j];
        return d / (Math.hypot(...f) * na + 1e-12);
      });
    }),
  ));

/**
 * Softmax over {audio center, the background (unaligned) visual centers} of -beta * distance:
 * the aligned visual center replaced by the sound's own center.
 */
const audioVsBackground =
  (kVisual: number, beta: number, which: "unaligned" | "largest"): Readout => async (e, m) => {
    const cl = await clusterings(m, { kVisual, iterations: 4, beta: 5, background: "largest" });
    return grid(
      e,
      e.u.map((u, i) => {
        const c = cl[i];
        const others = which === "largest"
          ? [c.centers[c.largest]]
          : c.centers.filter((_, j) => j !== c.aligned);
        return Float32Array.from(u, (f) => {
          const da = dist(f, e.a[i]);
          let z = 1;
          for (const o of others) z += Math.exp(-beta * (dist(f, o) - da));
          return 1 / z;
        });
      }),
    );
  };

/** Minus the distance of each position's feature to the aligned visual center. */
const alignedDistance = (kVisual: number): Readout => async (e, m) => {
  const cl = await clusterings(m, { kVisual, iterations: 4, beta: 5, background: "largest" });
  return grid(
    e,
    e.u.map((u, i) => Float32Array.from(u, (f) => -dist(f, cl[i].centers[cl[i].aligned]))),
  );
};

/**
 * How much closer each position is to its own sound than to the other clips' sounds (mean
 * distance to the other audio centers minus the distance to its own): needs a set of other
 * sounds (here the rest of the test set).
 */
const audioContrast: Readout = (e) =>
  Promise.resolve(grid(
    e,
    e.u.map((u, i) =>
      Float32Array.from(u, (f) => {
        let other = 0;
        e.a.forEach((a, j) => {
          if (j !== i) other += dist(f, a);
        });
        return other / (e.a.length - 1) - dist(f, e.a[i]);
      })
    ),
  ));

/** Projection of each position's feature on the direction from `from` to the audio center. */
const projection = (from: "largest kv2" | "frame mean"): Readout => async (e, m) => {
  const cl = await clusterings(m, { kVisual: 2, iterations: 4, beta: 5, background: "largest" });
  return grid(
    e,
    e.u.map((u, i) => {
      const d = e.a[i].length;
      const o = new Float32Array(d);
      if (from === "largest kv2") o.set(cl[i].centers[cl[i].largest]);
      else for (const f of u) for (let j = 0; j < d; j++) o[j] += f[j] / u.length;
      return Float32Array.from(u, (f) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += f[j] * (e.a[i][j] - o[j]);
        return s;
      });
    }),
  );
};

/** 1 - the largest (background) center's assignment: everything not background. */
const notLargest = (kVisual: number): Readout => async (e, m) =>
  grid(
    e,
    (await clusterings(m, { kVisual, iterations: 4, beta: 5, background: "largest" })).map((c) =>
      Float32Array.from(c.assign[c.largest], (v) => 1 - v)
    ),
  );

/**
 * Nearest-class-mean probe (z-scored features) of the object's class from the aligned visual
 * center (the features pooled under the aligned map): fitted on 128 C1 training scenes, read on
 * the test scenes. How much a separation cue built from that center could say.
 */
async function cueProbe(model: AVModel, kVisual: number): Promise<number> {
  const train = Array.from({ length: 128 }, (_, i) => world.scene(i, 1, "train"));
  const how = { kVisual, iterations: 4, beta: 5, background: "largest" as const };
  const cue = async (on: readonly AVClip[]) =>
    (await clusterings(model, how, on)).map((c) => c.centers[c.aligned]);
  const [xs, ys] = [await cue(train), await cue(clips)];
  const d = xs[0].length;
  const mu = new Float64Array(d), sd = new Float64Array(d);
  for (const x of xs) for (let j = 0; j < d; j++) mu[j] += x[j] / xs.length;
  for (const x of xs) for (let j = 0; j < d; j++) sd[j] += (x[j] - mu[j]) ** 2 / xs.length;
  const z = (x: Float32Array) =>
    Float64Array.from(x, (v, j) => (v - mu[j]) / Math.sqrt(sd[j] + 1e-12));
  const means = new Map<number, { sum: Float64Array; n: number }>();
  xs.forEach((x, i) => {
    const c = train[i].classes![0];
    const m = means.get(c) ?? { sum: new Float64Array(d), n: 0 };
    z(x).forEach((v, j) => m.sum[j] += v);
    m.n++;
    means.set(c, m);
  });
  let right = 0;
  ys.forEach((y, i) => {
    const zy = z(y);
    let best = -1, bestD = Infinity;
    for (const [c, m] of means) {
      let dd = 0;
      for (let j = 0; j < d; j++) dd += (zy[j] - m.sum[j] / m.n) ** 2;
      if (dd < bestD) [best, bestD] = [c, dd];
    }
    if (best === clips[i].classes![0]) right++;
  });
  return right / ys.length;
}

/** Diagnosis only (reads the boxes): the visual center whose map scores best on each clip. */
const oracleCenter = (kVisual: number): Readout => async (e, m) => {
  const cl = await clusterings(m, { kVisual, iterations: 4, beta: 5, background: "largest" });
  return cl.map((c, i) => {
    const maps = grid(e, c.assign);
    const s = clipCIoUs(maps.map(() => clips[i]), maps);
    return maps[s.indexOf(Math.max(...s))];
  });
};

/**
 * How each position's feature moves the scene distance (the sound's aligned visual center to
 * its audio center, through the clustering): minus gradient x input (Grad-CAM's idea on the
 * embedded feature map), or minus the gradient's projection on the feature's offset from the
 * frame mean.
 */
const gradient =
  (kind: "x input" | "x offset", kVisual = 2, sign = -1): Readout => async (e, m) => {
    const x = modelInputs(m, clips);
    const out = tf.tidy(() => {
      const v = embedVisual(m, x.images).features;
      const a = softKMeans(embedAudio(m, x.logMel).features, 1, { beta: 5 }).centers;
      const bg = backgroundCenters("largest", softKMeans(v, kVisual, { beta: 5 }).assignments, 1);
      const g = tf.grad((u: tf.Tensor) =>
        tf.sum(
          alignCenters(softKMeans(u as tf.Tensor3D, kVisual, { beta: 5 }).centers, a, bg)
            .sceneDistance2,
        )
      )(v);
      const ref = kind === "x input" ? v : tf.sub(v, tf.mean(v, 1, true));
      return tf.mul(sign, tf.sum(tf.mul(g, ref), 2));
    });
    const data = await out.array() as number[][];
    tf.dispose([x.images, x.logMel, out]);
    return grid(e, data.map((r) => Float32Array.from(r)));
  };

/**
 * Bound, reads the boxes: Fisher's linear discriminant of object against background feature
 * cells (a cell is the object's when its centre lies in the sounding object's box), fitted on
 * 256 C1 training scenes; each position's score is its feature's projection. Whether the
 * features hold the object linearly at all, whatever the sound says.
 */
const linearProbe: Readout = async (e, m) => {
  const train = Array.from({ length: 256 }, (_, i) => world.scene(i, 1, "train"));
  const d = m.config.embedding;
  const sum = [new Float64Array(d), new Float64Array(d)], n = [0, 0];
  const feats: { f: Float32Array; y: number }[] = [];
  for (let i = 0; i < train.length; i += 32) {
    const part = train.slice(i, i + 32);
    const x = modelInputs(m, part);
    const v = embedVisual(m, x.images);
    const data = await v.features.data() as Float32Array;
    tf.dispose([x.images, x.logMel, v.features]);
    const cell = imageSize / v.rows;
    part.forEach((c, b) => {
      const [x0, y0, x1, y1] = c.boxes![0];
      for (let p = 0; p < v.rows * v.cols; p++) {
        const cx = (p % v.cols + 0.5) * cell, cy = (Math.floor(p / v.cols) + 0.5) * cell;
        const y = cx >= x0 && cx < x1 && cy >= y0 && cy < y1 ? 1 : 0;
        const f = data.subarray((b * v.rows * v.cols + p) * d, (b * v.rows * v.cols + p + 1) * d);
        feats.push({ f, y });
        for (let j = 0; j < d; j++) sum[y][j] += f[j];
        n[y]++;
      }
    });
  }
  const mu = sum.map((s_, y) => s_.map((v) => v / n[y]));
  // pooled within-class covariance (+ a small ridge), solved by Gaussian elimination
  const a = Array.from({ length: d }, (_, r) => new Float64Array(d + 1));
  for (const { f, y } of feats) {
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) a[r][c] += (f[r] - mu[y][r]) * (f[c] - mu[y][c]) / feats.length;
    }
  }
  for (let r = 0; r < d; r++) {
    a[r][r] += 1e-3;
    a[r][d] = mu[1][r] - mu[0][r];
  }
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const k = a[r][c] / a[c][c];
      for (let j = c; j <= d; j++) a[r][j] -= k * a[c][j];
    }
  }
  const w = a.map((row, r) => row[d] / row[r]);
  return grid(
    e,
    e.u.map((u) =>
      Float32Array.from(u, (f) => {
        let s_ = 0;
        for (let j = 0; j < d; j++) s_ += f[j] * w[j];
        return s_;
      })
    ),
  );
};

const READOUTS: [string, Readout][] = [
  ["assign kv2 it4 b5 (today)", (_, m) => oursHeatmaps(m, clips, "aligned")],
  ["assign kv2 it8 b5", assignment(2, 8, 5)],
  ["assign kv2 it4 b2", assignment(2, 4, 2)],
  ["assign kv2 it4 b10", assignment(2, 4, 10)],
  ["assign kv2 it4 b30", assignment(2, 4, 30)],
  ["assign kv3 it4 b5", (_, m) => oursHeatmaps(m, clips, "aligned", { extraVisualCenters: 2 })],
  ["assign kv3 it8 b5", assignment(3, 8, 5)],
  ["assign kv3 it4 b10", assignment(3, 4, 10)],
  ["aligned distance kv2", alignedDistance(2)],
  ["audio distance", audioDistance],
  ["audio cosine", audioCosine],
  ["audio vs largest kv2 b5", audioVsBackground(2, 5, "largest")],
  ["audio vs largest kv2 b1", audioVsBackground(2, 1, "largest")],
  ["audio vs unaligned kv3 b5", audioVsBackground(3, 5, "unaligned")],
  ["audio contrast (others)", audioContrast],
  ["assign kv4 it4 b5", assignment(4, 4, 5)],
  ["not largest kv3", notLargest(3)],
  ["not largest kv4", notLargest(4)],
  ["projection a - largest kv2", projection("largest kv2")],
  ["projection a - frame mean", projection("frame mean")],
  ["smallest of kv3 (no audio)", async (e, m) =>
    grid(
      e,
      (await clusterings(m, { kVisual: 3, iterations: 4, beta: 5, background: "largest" })).map(
        (c) => {
          const mass = c.assign.map((r) => r.reduce((a, v) => a + v, 0));
          return c.assign[mass.indexOf(Math.min(...mass))];
        },
      ),
    )],
  ["-gradient x input kv2", gradient("x input")],
  ["-gradient x offset kv2", gradient("x offset")],
  ["-gradient x offset kv3", gradient("x offset", 3)],
  ["+gradient x input kv2", gradient("x input", 2, 1)],
  ["+gradient x offset kv2", gradient("x offset", 2, 1)],
  ["linear probe (boxes)", linearProbe],
  ["oracle center kv2 (boxes)", oracleCenter(2)],
  ["oracle center kv3 (boxes)", oracleCenter(3)],
];

const embeddings: Embedded[] = [];
const loaded: AVModel[] = [];
for (const { path } of models) {
  // "init:SEED": an untrained model of that seed (the floor training starts from)
  if (path.startsWith("init:")) {
    const seed = Number(path.slice(5));
    if (!Number.isInteger(seed) || seed < 0) {
      throw new Error(`localization_readout.ts: "${path}" must be init:SEED, SEED an integer >= 0`);
    }
    loaded.push(createModel({ preset: "tiny", seed }));
    embeddings.push(await embed(loaded[loaded.length - 1]));
    continue;
  }
  const model = createModel({ preset: "tiny", seed: 0 });
  const bytes = await Deno.readFile(path).catch((err) => {
    throw new Error(`localization_readout.ts: cannot read ${path}: ${err.message}`);
  });
  if (bytes.byteLength !== 4 * model.params.size) {
    throw new Error(
      `localization_readout.ts: ${path} holds ${bytes.byteLength} bytes, expected ${
        4 * model.params.size
      }`,
    );
  }
  model.params.fromFlat(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  loaded.push(model);
  embeddings.push(await embed(model));
}
console.log(
  `${testSize} test scenes; per model: cIoU@0.5/AUC (%), then the mean per-scene cIoU ` +
    `difference to today's map (points) and scenes better:worse`,
);
const today: number[][] = [];
for (const [name, readout] of READOUTS) {
  const rows: string[] = [];
  const s: { ciou50: number; auc: number }[] = [];
  for (let i = 0; i < loaded.length; i++) {
    const cious = clipCIoUs(clips, await readout(embeddings[i], loaded[i]));
    today[i] ??= cious;
    const r = localizationScores(cious);
    s.push({ ciou50: 100 * r.ciou50, auc: 100 * r.auc });
    const diff = cious.map((c, j) => c - today[i][j]);
    const delta = 100 * diff.reduce((a, d) => a + d, 0) / diff.length;
    const wins = diff.filter((d) => d > 1e-9).length, losses = diff.filter((d) => d < -1e-9).length;
    rows.push(
      `${models[i].label} ${s[i].ciou50.toFixed(1)}/${s[i].auc.toFixed(1)} ` +
        `${delta >= 0 ? "+" : ""}${delta.toFixed(1)} ${wins}:${losses}`,
    );
  }
  const mean = (k: "ciou50" | "auc") => s.reduce((a, r) => a + r[k], 0) / s.length;
  console.log(
    `${name.padEnd(28)} mean ${mean("ciou50").toFixed(1)}/${mean("auc").toFixed(1)} | ${
      rows.join("  ")
    }`,
  );
}
if (Deno.args.includes("--cue")) {
  for (const kv of [2, 3, 4]) {
    const acc = [];
    for (const m of loaded) acc.push(100 * await cueProbe(m, kv));
    console.log(
      `cue probe, aligned center kv${kv}: ${acc.map((a) => a.toFixed(0)).join(" / ")}% ` +
        `(chance ${(100 / new Set(clips.map((c) => c.classes![0])).size).toFixed(0)}%)`,
    );
  }
}
loaded.forEach((m) => m.params.dispose());
