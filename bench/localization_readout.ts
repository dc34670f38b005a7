/**
 * How a trained model's localization map is read out (issue 9): the same trained weights,
 * several read-outs of the visual feature map, each scored by Table 2's protocol (the
 * synthetic world's 64 held-out localization scenes, seed 0, cIoU@0.5 and AUC, as
 * `runAblation` measures) with the centre prior and the half-image ceiling beside them.
 * Evaluation only: no training. Not a `deno bench` file: a measurement script.
 *
 *   deno run -A bench/localization_readout.ts [--test=64] [--cue] [--oracles] [--only=a,b]
 *     LABEL=weights.bin ...
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
 * `--only=a,b` scores only the read-outs whose name contains one of the parts (and today's
 * map, the reference); `--oracles` first charts the protocol with model-free maps that read the
 * boxes or masks (the object's mask, its box, a Gaussian at the box centre, the mask on the
 * feature grid, smoothed; each with the share of the box inside its prediction) and two
 * controls that read nothing (a blob at a random point). Every row also gives the AUC on the
 * off-centre half of the scenes (the object's box centre farthest from the image centre),
 * where a read-out that leans on the image centre loses; `init:SEED` models are the other
 * control: a read-out that lifts an untrained model as much as a trained one measures the
 * geometry, not the training.
 *
 * Read-outs: the aligned center's soft assignment at other K_visual, iterations and beta; the
 * sound's own maps (each position's distance or cosine to the audio center, a softmax over the
 * audio center and the background centers, its projection on the audio direction, its
 * contrast against the other clips' sounds); minus/plus gradient x feature of the scene
 * distance; as a bound that reads the boxes, the best visual center per scene and a linear
 * probe; and shape read-outs of today's map and of the probe (issue 9's protocol question):
 * Gaussian smoothing on the feature grid (edge-normalised, or zero-padded, which is a centre
 * prior), grey dilation, and a blob at the map's centroid, maximum or top-half component.
 *
 * Measured (256 scenes; C1 300 and 2000 steps, C2(C1) 300 + 300, 3 seeds each, and untrained):
 * smoothing and dilation raise cIoU@0.5 but move AUC by under the seed spread, and lose on C2
 * seeds at sigma >= 1; the blob read-outs raise every trained seed but raise untrained models
 * more (centroid blob: untrained 30.7 +- 0.9 AUC against trained 29.7-31.6, the centre prior
 * 32.3), so they measure the geometry; smoothing the probe raises it on every seed (2000 steps:
 * 32.1 -> 35.2 AUC at sigma 2). None became an option of `oursHeatmaps`.
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
import {
  clipCIoUs,
  consensusMap,
  localizationScores,
  upsampleHeatmap,
} from "../lib/metrics/mod.ts";
import { centrePrior } from "../lib/baselines/mod.ts";
import { halfImageCeiling, loadAblationWeights } from "../lib/experiments/mod.ts";

const unknown = Deno.args.filter((a) =>
  a.startsWith("--") && a !== "--cue" && a !== "--oracles" && !a.startsWith("--test=") &&
  !a.startsWith("--only=")
);
if (unknown.length) {
  throw new Error(`localization_readout.ts: unknown option(s) ${unknown.join(", ")}`);
}
const testArg = Deno.args.find((a) => a.startsWith("--test="));
const testSize = testArg ? Number(testArg.slice(7)) : 64;
if (!Number.isInteger(testSize) || testSize < 1) {
  throw new Error(`localization_readout.ts: --test must be a positive integer, got "${testArg}"`);
}
// read-outs whose name contains one of these (today's map, the reference, is always scored)
const onlyArg = Deno.args.find((a) => a.startsWith("--only="));
const only = onlyArg ? onlyArg.slice(7).split(",").filter((w) => w.length > 0) : undefined;
if (only && only.length === 0) {
  throw new Error(
    `localization_readout.ts: --only needs comma-separated name parts, got "${onlyArg}"`,
  );
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
const world = synthWorld({ seed: 0, imageSize, sampleRate });
const clips = world.localizationSet(testSize);
// the visual feature grid's side (rows = columns)
const gridSize = (() => {
  const x = modelInputs(probe, clips.slice(0, 1));
  const v = embedVisual(probe, x.images);
  tf.dispose([x.images, x.logMel, v.features]);
  return v.rows;
})();
probe.params.dispose();
const score = (maps: GridHeatmap[]) => {
  const s = localizationScores(clipCIoUs(clips, maps));
  return { ciou50: 100 * s.ciou50, auc: 100 * s.auc };
};
const fmt = (s: { ciou50: number; auc: number }) =>
  `cIoU@0.5 ${s.ciou50.toFixed(1).padStart(5)}  AUC ${s.auc.toFixed(1).padStart(5)}`;
const ceilingCIoUs = halfImageCeiling(clips);
const ceiling = localizationScores(ceilingCIoUs);
// the off-centre half of the scenes: the object's box centre farthest from the image centre
// (a read-out that leans on the image centre loses there)
const offCentre = (() => {
  const d = clips.map((c) => {
    const [x0, y0, x1, y1] = c.boxes![0];
    return Math.hypot((x0 + x1 - imageSize) / 2, (y0 + y1 - imageSize) / 2);
  });
  const mid = d.slice().sort((a, b) => a - b)[Math.floor(d.length / 2)];
  return d.map((v, i) => (v >= mid ? i : -1)).filter((i) => i >= 0);
})();
const offAUC = (cious: number[]) => 100 * localizationScores(offCentre.map((i) => cious[i])).auc;
const centralAUC = (cious: number[]) =>
  100 * localizationScores(cious.filter((_, i) => !offCentre.includes(i))).auc;
console.log(
  `half-image ceiling           ${
    fmt({ ciou50: 100 * ceiling.ciou50, auc: 100 * ceiling.auc })
  }  off-centre AUC ${offAUC(ceilingCIoUs).toFixed(1)}  central AUC ${
    centralAUC(ceilingCIoUs).toFixed(1)
  }`,
);
const centreMaps = clips.map(() => ({
  height: imageSize,
  width: imageSize,
  heatmap: centrePrior(imageSize, imageSize),
}));
console.log(
  `centre prior                 ${fmt(score(centreMaps))}  off-centre AUC ${
    offAUC(clipCIoUs(clips, centreMaps)).toFixed(1)
  }  central AUC ${centralAUC(clipCIoUs(clips, centreMaps)).toFixed(1)}  box recall ${
    (100 * predictionShares(centreMaps).recall).toFixed(1)
  }%`,
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
  const a = Array.from({ length: d }, () => new Float64Array(d + 1));
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

/** One read-out per model, computed once (the derived read-outs below reuse it). */
const cached = (readout: Readout): Readout => {
  const memo = new WeakMap<AVModel, Promise<GridHeatmap[]>>();
  return (e, m) => {
    if (!memo.has(m)) memo.set(m, readout(e, m));
    return memo.get(m)!;
  };
};

/**
 * Gaussian smoothing of a grid map, `sigma` in grid cells. `edges: "normalised"` divides by
 * the kernel's weight inside the grid (a constant map stays constant: no pull to the centre);
 * `"zeros"` pads with zeros, which lowers the border and so acts as a centre prior.
 */
function smoothGrid(
  map: Float32Array,
  rows: number,
  cols: number,
  sigma: number,
  edges: "normalised" | "zeros",
): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = Float64Array.from(
    { length: 2 * r + 1 },
    (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma ** 2)),
  );
  const pass = (src: Float64Array, along: "row" | "col") => {
    const out = new Float64Array(rows * cols);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        let s = 0, w = 0;
        for (let d = -r; d <= r; d++) {
          const yy = along === "col" ? y + d : y, xx = along === "row" ? x + d : x;
          if (yy < 0 || yy >= rows || xx < 0 || xx >= cols) continue;
          s += k[d + r] * src[yy * cols + xx];
          w += k[d + r];
        }
        out[y * cols + x] = edges === "normalised" ? s / w : s;
      }
    }
    return out;
  };
  return Float32Array.from(pass(pass(Float64Array.from(map), "row"), "col"));
}

const smoothed =
  (base: Readout, sigma: number, edges: "normalised" | "zeros" = "normalised"): Readout =>
  async (e, m) =>
    (await base(e, m)).map((g) => ({
      ...g,
      heatmap: smoothGrid(g.heatmap, g.height, g.width, sigma, edges),
    }));

/**
 * A blob at image resolution: minus the squared distance to (cx, cy) (image pixels) over
 * 2 sigma^2, the log of a Gaussian (the same ranking as the Gaussian, without underflow).
 * Under the protocol's top-half threshold every radial blob predicts the same half of the
 * image, the pixels nearest its centre, whatever sigma.
 */
function blob(cx: number, cy: number, sigma: number): GridHeatmap {
  const out = new Float32Array(imageSize * imageSize);
  for (let y = 0; y < imageSize; y++) {
    for (let x = 0; x < imageSize; x++) {
      out[y * imageSize + x] = -((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) / (2 * sigma ** 2);
    }
  }
  return { height: imageSize, width: imageSize, heatmap: out };
}

/**
 * A blob at a grid map's centre of mass, sigma its spatial spread. `centroid`: weights the
 * min-max normalised map over the whole grid (a flat map's centroid is the image centre, so
 * this leans on the centre); `maximum`: centred on the largest cell; `component`: the
 * 4-connected component of cells in the map's top half (`>= sorted[n/2]`, as the protocol)
 * holding the most mass above that threshold, weighted by that excess.
 */
const centreBlob =
  (base: Readout, at: "centroid" | "maximum" | "component"): Readout => async (e, m) =>
    (await base(e, m)).map((g) => {
      const n = g.height * g.width, cell = imageSize / g.height;
      const sorted = Float32Array.from(g.heatmap).sort();
      const [lo, hi, mid] = [sorted[0], sorted[n - 1], sorted[Math.floor(n / 2)]];
      let w = Float64Array.from(g.heatmap, (v) => (v - lo) / (hi - lo || 1));
      if (at === "component") {
        const label = new Int32Array(n).fill(-1);
        let best = -1, bestMass = -1;
        for (let p0 = 0; p0 < n; p0++) {
          if (label[p0] >= 0 || g.heatmap[p0] < mid) continue;
          const stack = [p0];
          label[p0] = p0;
          let mass = 0;
          while (stack.length) {
            const p = stack.pop()!;
            mass += g.heatmap[p] - mid;
            const y = Math.floor(p / g.width), x = p % g.width;
            for (const [yy, xx] of [[y - 1, x], [y + 1, x], [y, x - 1], [y, x + 1]]) {
              if (yy < 0 || yy >= g.height || xx < 0 || xx >= g.width) continue;
              const q = yy * g.width + xx;
              if (label[q] < 0 && g.heatmap[q] >= mid) {
                label[q] = p0;
                stack.push(q);
              }
            }
          }
          if (mass > bestMass) [best, bestMass] = [p0, mass];
        }
        w = Float64Array.from(g.heatmap, (v, p) => label[p] === best ? v - mid + 1e-9 : 0);
      }
      let sw = 0, sx = 0, sy = 0;
      for (let p = 0; p < n; p++) {
        sw += w[p];
        sx += w[p] * (p % g.width + 0.5) * cell;
        sy += w[p] * (Math.floor(p / g.width) + 0.5) * cell;
      }
      let [cx, cy] = [sx / sw, sy / sw];
      if (at === "maximum") {
        const p = g.heatmap.indexOf(hi);
        [cx, cy] = [(p % g.width + 0.5) * cell, (Math.floor(p / g.width) + 0.5) * cell];
      }
      let v = 0;
      for (let p = 0; p < n; p++) {
        v += w[p] * (((p % g.width + 0.5) * cell - cx) ** 2 +
          ((Math.floor(p / g.width) + 0.5) * cell - cy) ** 2);
      }
      return blob(cx, cy, Math.max(Math.sqrt(v / (2 * sw)), 1));
    });

/**
 * Grey dilation: each cell takes the largest value within `r` cells (a square window, cut at
 * the grid's edges): object evidence grown into its surroundings, as the box extends past the
 * object's shape.
 */
const dilated = (base: Readout, r: number): Readout => async (e, m) =>
  (await base(e, m)).map((g) => ({
    ...g,
    heatmap: Float32Array.from(g.heatmap, (_, p) => {
      const y = Math.floor(p / g.width), x = p % g.width;
      let best = -Infinity;
      for (let yy = Math.max(0, y - r); yy <= Math.min(g.height - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(g.width - 1, x + r); xx++) {
          best = Math.max(best, g.heatmap[yy * g.width + xx]);
        }
      }
      return best;
    }),
  }));

/**
 * Today's clustering and alignment (K_visual 2, beta 5, the largest center the background) of
 * the visual features smoothed over the grid (each channel, edge-normalised, sigma in cells):
 * spatially coherent clusters before the assignment, instead of smoothing the map after it.
 */
const smoothedFeatures = (sigma: number): Readout => async (e) => {
  const d = e.a[0].length, n = e.rows * e.cols;
  const flat = new Float32Array(e.u.length * n * d);
  e.u.forEach((u, b) => {
    for (let j = 0; j < d; j++) {
      const s = smoothGrid(Float32Array.from(u, (f) => f[j]), e.rows, e.cols, sigma, "normalised");
      for (let p = 0; p < n; p++) flat[(b * n + p) * d + j] = s[p];
    }
  });
  const res = tf.tidy(() => {
    const v = tf.tensor3d(flat, [e.u.length, n, d]);
    const a = tf.tensor3d(Float32Array.from(e.a.flatMap((x) => [...x])), [e.u.length, 1, d]);
    const vk = softKMeans(v, 2, { beta: 5 });
    const bg = backgroundCenters("largest", vk.assignments, 1);
    return [vk.assignments, alignCenters(vk.centers, a, bg).nearest];
  });
  const [assign, nearest] = await Promise.all(res.map((t) => t.array())) as [
    number[][][],
    number[][],
  ];
  tf.dispose(res);
  return grid(e, assign.map((c, b) => Float32Array.from(c[nearest[b][0]])));
};

const today = cached((_, m) => oursHeatmaps(m, clips, "aligned"));
const probeMap = cached(linearProbe);

/**
 * Oracles that read the boxes or masks (issue 9's protocol chart): what shape of map the
 * top-half threshold rewards. Model-free, printed once. Each is a map at image resolution
 * (`rest random`: a deterministic random order below the region, so the top half is the
 * region and random background).
 */
function oracles(gridSize: number): [string, GridHeatmap[]][] {
  const n = imageSize * imageSize;
  const rand = (i: number) => {
    let s = (i + 1) * 2654435761 >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  };
  const image = (f: (c: AVClip, i: number) => Float32Array) =>
    clips.map((c, i) => ({ height: imageSize, width: imageSize, heatmap: f(c, i) }));
  const boxMap = (c: AVClip) => {
    const [x0, y0, x1, y1] = c.boxes![0];
    return Float32Array.from({ length: n }, (_, p) => {
      const x = p % imageSize + 0.5, y = Math.floor(p / imageSize) + 0.5;
      return x >= x0 && x < x1 && y >= y0 && y < y1 ? 1 : 0;
    });
  };
  const consensus = (c: AVClip) => consensusMap(c.annotatorBoxes!, imageSize, imageSize);
  const mask = (c: AVClip) => Float32Array.from(c.masks![0]);
  const restRandom = (m: Float32Array, i: number) => {
    const r = rand(i);
    return Float32Array.from(m, (v) => 2 * v + r());
  };
  // minus the chamfer distance (1, sqrt 2) to the region: the region, then its surroundings
  const restByDistance = (m: Float32Array) => {
    const d = Float64Array.from(m, (v) => (v > 0 ? 0 : Infinity));
    const at = (x: number, y: number) =>
      x < 0 || y < 0 || x >= imageSize || y >= imageSize ? Infinity : d[y * imageSize + x];
    for (const dir of [1, -1]) {
      for (let k = 0; k < n; k++) {
        const p = dir > 0 ? k : n - 1 - k, x = p % imageSize, y = Math.floor(p / imageSize);
        d[p] = Math.min(
          d[p],
          at(x - dir, y) + 1,
          at(x, y - dir) + 1,
          at(x - dir, y - dir) + Math.SQRT2,
          at(x + dir, y - dir) + Math.SQRT2,
        );
      }
    }
    return Float32Array.from(d, (v) => -v);
  };
  const boxBlob = (sigmaPerSize: number) =>
    clips.map((c) => {
      const [x0, y0, x1, y1] = c.boxes![0];
      return blob((x0 + x1) / 2, (y0 + y1) / 2, sigmaPerSize * Math.sqrt((x1 - x0) * (y1 - y0)));
    });
  // the share of each feature cell's pixels inside the region: the sharpest map the model's
  // grid can hold, bilinearly upsampled by the protocol
  const onGrid = (m: Float32Array): GridHeatmap => {
    const cell = imageSize / gridSize, out = new Float32Array(gridSize * gridSize);
    for (let p = 0; p < n; p++) {
      const q = Math.floor(Math.floor(p / imageSize) / cell) * gridSize +
        Math.floor((p % imageSize) / cell);
      out[q] += m[p] / (cell * cell);
    }
    return { height: gridSize, width: gridSize, heatmap: out };
  };
  // ties broken by a random order far below the smallest share a cell of the object has
  const maskOnGridRandom = (c: AVClip, i: number): GridHeatmap => {
    const g = onGrid(mask(c)), r = rand(i);
    return { ...g, heatmap: g.heatmap.map((v) => v + 1e-4 * r()) };
  };
  return [
    ["object mask (ties: all predicted)", image(mask)],
    ["object mask, rest random", image((c, i) => restRandom(mask(c), i))],
    ["object mask, rest by distance", image((c) => restByDistance(mask(c)))],
    ["object box (ties)", image(boxMap)],
    ["object box, rest random", image((c, i) => restRandom(boxMap(c), i))],
    ["object box, rest by distance", image((c) => restByDistance(boxMap(c)))],
    ["consensus map itself (ties)", image(consensus)],
    ["consensus map, rest random", image((c, i) => restRandom(consensus(c), i))],
    ["box-centre Gaussian, sigma 0.25 size", boxBlob(0.25)],
    ["box-centre Gaussian, sigma 1 size", boxBlob(1)],
    // controls that read nothing: a compact half-image prediction placed at random
    [
      "blob at a random point (no map)",
      clips.map((_, i) => {
        const r = rand(i + 100000);
        return blob(r() * imageSize, r() * imageSize, imageSize / 4);
      }),
    ],
    [
      "blob at a random cell centre (no map)",
      clips.map((_, i) => {
        const r = rand(i + 200000), cell = imageSize / gridSize;
        const [x, y] = [Math.floor(r() * gridSize), Math.floor(r() * gridSize)];
        return blob((x + 0.5) * cell, (y + 0.5) * cell, imageSize / 4);
      }),
    ],
    [`mask on the ${gridSize}x${gridSize} grid (ties)`, clips.map((c) => onGrid(mask(c)))],
    [`mask on the grid, rest random`, clips.map(maskOnGridRandom)],
    ...[0.5, 1, 2, 3].map((s): [string, GridHeatmap[]] => [
      `mask on the grid, rest random, smoothed s${s}`,
      clips.map((c, i) => {
        const g = maskOnGridRandom(c, i);
        return { ...g, heatmap: smoothGrid(g.heatmap, gridSize, gridSize, s, "normalised") };
      }),
    ]),
    [`box on the ${gridSize}x${gridSize} grid`, clips.map((c) => onGrid(boxMap(c)))],
  ];
}

/**
 * Means over the scenes of the share of the consensus region's weight inside the prediction
 * (the top half, `>= sorted[n/2]`) and of the image predicted.
 */
function predictionShares(maps: GridHeatmap[]): { recall: number; predicted: number } {
  let recall = 0, predicted = 0;
  maps.forEach((h, i) => {
    const up = upsampleHeatmap(h.heatmap, h.height, h.width, imageSize, imageSize);
    const g = consensusMap(clips[i].annotatorBoxes!, imageSize, imageSize);
    let lo = Infinity, hi = -Infinity;
    for (const v of up) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const norm = Float64Array.from(up, (v) => (v - lo) / (hi - lo || 1));
    const t = norm.slice().sort()[Math.floor(norm.length / 2)];
    let inter = 0, sum = 0, count = 0;
    g.forEach((v, p) => {
      sum += v;
      if (norm[p] >= t) [inter, count] = [inter + v, count + 1];
    });
    recall += inter / sum / maps.length;
    predicted += count / g.length / maps.length;
  });
  return { recall, predicted };
}

const READOUTS: [string, Readout][] = [
  ["assign default (today)", today],
  ["assign kv2 it4 b5", assignment(2, 4, 5)],
  ["assign kv2 it8 b5", assignment(2, 8, 5)],
  ["assign kv2 it4 b2", assignment(2, 4, 2)],
  ["assign kv2 it4 b10", assignment(2, 4, 10)],
  ["assign kv2 it4 b30", assignment(2, 4, 30)],
  ["assign kv3 it4 b5", assignment(3, 4, 5)],
  ["assign kv3 it8 b5", assignment(3, 8, 5)],
  ["assign kv3 it4 b10", assignment(3, 4, 10)],
  ["assign kv3 it4 b2.5", assignment(3, 4, 2.5)],
  ["assign kv3 it4 b20", assignment(3, 4, 20)],
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
  ["linear probe (boxes)", probeMap],
  ["oracle center kv2 (boxes)", oracleCenter(2)],
  ["oracle center kv3 (boxes)", oracleCenter(3)],
  ...[0.5, 1, 2, 3].map((s): [string, Readout] => [`today smoothed s${s}`, smoothed(today, s)]),
  ["today smoothed s2 zero edges", smoothed(today, 2, "zeros")],
  ["today centroid blob", centreBlob(today, "centroid")],
  ["today maximum blob", centreBlob(today, "maximum")],
  ["today s1 maximum blob", centreBlob(smoothed(today, 1), "maximum")],
  ["today component blob", centreBlob(today, "component")],
  ["today dilated r1", dilated(today, 1)],
  ["today from features smoothed s0.5", smoothedFeatures(0.5)],
  ["today from features smoothed s1", smoothedFeatures(1)],
  ["today dilated r2", dilated(today, 2)],
  ["today smoothed s1 dilated r1", dilated(smoothed(today, 1), 1)],
  ...[0.5, 1, 2, 3].map((
    s,
  ): [string, Readout] => [`probe smoothed s${s} (boxes)`, smoothed(probeMap, s)]),
  ["probe centroid blob (boxes)", centreBlob(probeMap, "centroid")],
  ["probe maximum blob (boxes)", centreBlob(probeMap, "maximum")],
  ["probe component blob (boxes)", centreBlob(probeMap, "component")],
  ["probe dilated r1 (boxes)", dilated(probeMap, 1)],
  ["probe dilated r2 (boxes)", dilated(probeMap, 2)],
];

if (Deno.args.includes("--oracles")) {
  for (const [name, maps] of oracles(gridSize)) {
    const { recall, predicted } = predictionShares(maps);
    console.log(
      `${name.padEnd(46)} ${fmt(score(maps))}  off-centre AUC ${
        offAUC(clipCIoUs(clips, maps)).toFixed(1)
      }  box recall ${(100 * recall).toFixed(1)}%  predicted ${(100 * predicted).toFixed(1)}%`,
    );
  }
}
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
  await loadAblationWeights(model, path);
  loaded.push(model);
  embeddings.push(await embed(model));
}
console.log(
  `${testSize} test scenes; per model: cIoU@0.5/AUC (%), then the mean per-scene cIoU ` +
    `difference to today's map (points) and scenes better:worse`,
);
const todayCIoUs: number[][] = [];
const chosen = READOUTS.filter(([name], i) =>
  i === 0 || !only || only.some((w) => name.includes(w))
);
for (const [name, readout] of chosen) {
  const rows: string[] = [];
  const s: { ciou50: number; auc: number }[] = [];
  for (let i = 0; i < loaded.length; i++) {
    const cious = clipCIoUs(clips, await readout(embeddings[i], loaded[i]));
    todayCIoUs[i] ??= cious;
    if (name === chosen[0][0] && Deno.args.includes("--oracles")) {
      const { recall, predicted } = predictionShares(await readout(embeddings[i], loaded[i]));
      console.log(
        `${models[i].label}: today's map, box recall ${(100 * recall).toFixed(1)}%, ` +
          `predicted ${(100 * predicted).toFixed(1)}% of the image`,
      );
    }
    const r = localizationScores(cious);
    s.push({ ciou50: 100 * r.ciou50, auc: 100 * r.auc });
    const diff = cious.map((c, j) => c - todayCIoUs[i][j]);
    const delta = 100 * diff.reduce((a, d) => a + d, 0) / diff.length;
    const wins = diff.filter((d) => d > 1e-9).length, losses = diff.filter((d) => d < -1e-9).length;
    rows.push(
      `${models[i].label} ${s[i].ciou50.toFixed(1)}/${s[i].auc.toFixed(1)} ` +
        `off ${offAUC(cious).toFixed(1)} ` +
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
