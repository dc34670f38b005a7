/**
 * Table 3's separation network with an oracle cue: does the network learn in the quick budget
 * when the cue names the object? The quick world's Table 3 data (128 solo training clips, the
 * 16 test mixtures of two solo test clips of different classes, as `runTable3` draws them),
 * ours' network (tiny, product conditioning, D = 32, model seed = seed, mixtures drawn by
 * `seed * 1000 + 7`, Adam at `TABLE3_LR`, soft masks), but each clip's cue is a one-hot of its
 * class instead of its aligned visual center. `class@p` keeps the right class for a share `p`
 * of the clips (fixed per clip and seed; the others get a wrong class at random, the same at
 * training and test), to see how good a cue the quick target needs. `mask`: the frozen C1
 * model's visual features pooled under the clip's true object mask (perfect localization with
 * today's features; the newest `C1-s<seed>-*` model under `--models`, as `table3_cue.ts`
 * caches them). `center`: of ours' soft K-means centers of the frame (K_visual 3, beta 5, as
 * Table 3 clusters), the one with the largest share of its assignment mass on the true object
 * (ours' cue with a perfect choice of center). Network variants:
 * `default`, `ratio` (ratio masks and L1 instead of binary masks and BCE). Not a timed bench:
 * a measurement, rerun with
 *
 *   deno run -A bench/table3_oracle.ts [--cues class,class@0.5] [--nets default,ratio]
 *     [--seeds 0,1,2] [--steps 500x8] [--lr 0.003] [--models runs/table3_cue/models]
 *
 * Prints each (cue, network) row's SDR per seed with mean ± SD, and the mixture's.
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import type { AVClip } from "../lib/data/types.ts";
import { resolveExperimentOptions } from "../lib/experiments/experiment_options.ts";
import {
  separationClips,
  separationScores,
  TABLE3_LR,
  TABLE3_SOFT_MASKS,
  table3Scale,
  testPairs,
} from "../lib/experiments/run_table3.ts";
import {
  type Conditioner,
  createSeparationModel,
  fitClipAudio,
  mixClips,
  type MixtureBatch,
  mixtureBatch,
  separateMixtures,
  type SeparationConfig,
  separationConfig,
} from "../lib/model/separation/mod.ts";
import { fnv1a, Rng } from "../lib/random/mod.ts";
import type { AVModel } from "../lib/model/create_model.ts";
import { embedVisual } from "../lib/model/embed.ts";
import { LOCALIZE_DEFAULTS } from "../lib/model/localize.ts";
import { softKMeans } from "../kernels/mod.ts";
import { modelInputs } from "../lib/model/model_inputs.ts";
import { loadModel } from "../lib/train/checkpoint.ts";
import { trainSeparation } from "../lib/train/train_separation.ts";
import { seedSpread } from "./_table3_rows.ts";

const NETS: Record<string, Partial<Omit<SeparationConfig, "preset">>> = {
  default: {},
  ratio: { maskType: "ratio" },
};

const { values } = parseArgs({
  args: Deno.args,
  options: {
    cues: { type: "string", default: "class,class@0.5" },
    nets: { type: "string", default: "default" },
    seeds: { type: "string", default: "0,1,2" },
    steps: { type: "string", default: "500x8" },
    lr: { type: "string", default: String(TABLE3_LR) },
    models: { type: "string", default: "runs/table3_cue/models" },
  },
});
const seeds = values.seeds.split(",").map(Number);
const [steps, batchSize] = values.steps.split("x").map(Number);
if (!(Number.isInteger(steps) && steps >= 1 && Number.isInteger(batchSize) && batchSize >= 1)) {
  throw new Error(`--steps: "${values.steps}" is not STEPSxBATCH`);
}
const lr = Number(values.lr);
if (!(lr > 0)) throw new Error(`--lr: "${values.lr}" is not a positive number`);
const cues = values.cues.split(",").map((c) => {
  if (c === "mask" || c === "center") return { name: c, right: NaN };
  const m = /^class(?:@(0(?:\.\d+)?|1))?$/.exec(c);
  if (!m) {
    throw new Error(`--cues: "${c}" is not mask, center, class or class@P (0 <= P <= 1)`);
  }
  return { name: c, right: m[1] === undefined ? 1 : Number(m[1]) };
});
const nets = values.nets.split(",");
for (const n of nets) {
  if (!(n in NETS)) throw new Error(`--nets: "${n}" is not one of ${Object.keys(NETS).join(", ")}`);
}

await initBackend("wasm");
const { world, preset } = resolveExperimentOptions({ quick: true });
const sep = table3Scale(true);
const base = separationConfig(preset);
const train = separationClips(await world.separationSet!("solo", sep.soloTrainSize, "train"), base);
const pairs = testPairs(
  separationClips(await world.separationSet!("solo", 3 * sep.testMixtures, "test"), base),
  sep.testMixtures,
);
const CLASSES = 10;

/** Each clip's one-hot class cue, right for a share `right` of the clips (fixed per clip). */
function classCue(right: number, seed: number, size: number): Conditioner {
  const label = (c: AVClip) => {
    const rng = new Rng(seed * 7919 + parseInt(fnv1a(c.id).slice(0, 7), 16));
    const truth = c.classes![0];
    if (rng.uniform() < right) return truth;
    return (truth + rng.int(1, CLASSES - 1)) % CLASSES;
  };
  return {
    name: `class@${right}`,
    condition(batch: MixtureBatch) {
      const b = batch.clips.length, n = batch.clips[0].length;
      const v = new Float32Array(b * n * size);
      batch.clips.flat().forEach((c, i) => v[i * size + label(c)] = 1);
      return { vectors: tf.tensor4d(v, [b, n, 1, size]), valid: tf.ones([b, n, 1]) as tf.Tensor3D };
    },
  };
}

/** The newest C1 model of `seed` that Table 3's cache holds under `root` (`C1-s<seed>-*`). */
async function cachedC1(root: string, seed: number): Promise<AVModel> {
  let best: { path: string; mtime: number } | undefined;
  for await (const e of Deno.readDir(root)) {
    if (!e.name.startsWith(`C1-s${seed}-`)) continue;
    const path = `${root}/${e.name}/checkpoints`;
    const mtime = (await Deno.stat(`${path}/latest.json`).catch(() => null))?.mtime?.getTime();
    if (mtime !== undefined && (!best || mtime > best.mtime)) best = { path, mtime };
  }
  if (!best) throw new Error(`--models: no C1-s${seed}-*/checkpoints under ${root}`);
  // the trained model: the weight average when the run averaged its weights (loadModel)
  return await loadModel(best.path);
}

/**
 * Each clip's cue from the frozen C1 model's visual features and the clip's true object mask
 * (each feature position weighted by the share of its pixels on the object): `mask`, the
 * features pooled under it (perfect localization with today's features); `center`, ours'
 * clustered center with the largest share of its assignment mass on the object (ours with a
 * perfect choice of center).
 */
function maskCue(av: AVModel, choice: "mask" | "center"): Conditioner {
  const cache = new Map<string, Float32Array>();
  const d = av.config.embedding;
  const cueOf = (c: AVClip) => cache.get(c.id)!;
  return {
    name: "mask",
    prepare(batch: MixtureBatch) {
      const todo = [...new Map(batch.clips.flat().map((c) => [c.id, c])).values()]
        .filter((c) => !cache.has(c.id));
      if (todo.length === 0) return Promise.resolve();
      const [feats, centers, assign] = tf.tidy(() => {
        const f = embedVisual(av, modelInputs(av, todo).images).features;
        // ours' clustering: K_visual = 1 + the recipe's spare centers, beta 5
        const k = softKMeans(f, 1 + LOCALIZE_DEFAULTS.extraVisualCenters, {
          beta: LOCALIZE_DEFAULTS.beta,
        });
        return [f.arraySync(), k.centers.arraySync(), k.assignments.arraySync()] as [
          number[][][],
          number[][][],
          number[][][],
        ];
      });
      todo.forEach((c, i) => {
        const { width, height } = c.image, p = feats[i].length, g = Math.round(Math.sqrt(p));
        const mask = c.masks![0], v = new Float32Array(d), onObject = new Float32Array(p);
        let total = 0;
        for (let r = 0; r < g; r++) {
          for (let q = 0; q < g; q++) {
            let on = 0, n = 0;
            for (let y = Math.floor(r * height / g); y < Math.floor((r + 1) * height / g); y++) {
              for (let x = Math.floor(q * width / g); x < Math.floor((q + 1) * width / g); x++) {
                on += mask[y * width + x];
                n++;
              }
            }
            const w = on / n;
            onObject[r * g + q] = w;
            total += w;
            for (let e = 0; e < d; e++) v[e] += w * feats[i][r * g + q][e];
          }
        }
        if (choice === "mask") {
          cache.set(c.id, total > 0 ? v.map((x) => x / total) : v);
          return;
        }
        // the center with the largest share of its assignment mass on the object
        const share = assign[i].map((a) => {
          let on = 0, all = 0;
          a.forEach((x, pos) => {
            all += x;
            on += x * onObject[pos];
          });
          return on / all;
        });
        const best = share.indexOf(Math.max(...share));
        cache.set(c.id, Float32Array.from(centers[i][best]));
      });
      return Promise.resolve();
    },
    condition(batch: MixtureBatch) {
      const b = batch.clips.length, n = batch.clips[0].length;
      const v = new Float32Array(b * n * d);
      batch.clips.flat().forEach((c, i) => v.set(cueOf(c), i * d));
      return { vectors: tf.tensor4d(v, [b, n, 1, d]), valid: tf.ones([b, n, 1]) as tf.Tensor3D };
    },
    dispose: () => av.params.dispose(),
  };
}

const mixRefs = pairs.map((p) => p.map((c) => fitClipAudio(c, base)));
const mixture = separationScores(
  mixRefs,
  mixRefs.map((r, i) => r.map(() => mixClips(pairs[i], base))),
  false,
);
console.log(
  `mixture ${
    mixture.sdr.toFixed(2)
  } dB; ${pairs.length} test mixtures; ${steps} x ${batchSize}, lr ${lr}`,
);
const out: { cue: string; net: string; sdr: number[]; wall: number }[] = [];
for (const cue of cues) {
  for (const net of nets) {
    const t0 = performance.now();
    const sdr: number[] = [];
    for (const seed of seeds) {
      const model = createSeparationModel({ preset, seed, config: NETS[net] });
      const cond = cue.name === "mask" || cue.name === "center"
        ? maskCue(await cachedC1(values.models, seed), cue.name)
        : classCue(cue.right, seed, model.config.conditionSize);
      try {
        await trainSeparation(model, {
          conditioner: cond,
          clips: train,
          steps,
          batchSize,
          lr,
          seed: seed * 1000 + 7,
        });
        const refs = pairs.map((p) => p.map((c) => fitClipAudio(c, model.config)));
        const est: Float32Array[][] = [];
        for (let i = 0; i < pairs.length; i += batchSize) {
          est.push(
            ...await separateMixtures(
              model,
              cond,
              mixtureBatch(model, pairs.slice(i, i + batchSize)),
              { soft: TABLE3_SOFT_MASKS },
            ),
          );
        }
        sdr.push(separationScores(refs, est, false).sdr);
      } finally {
        cond.dispose?.();
        model.params.dispose();
      }
    }
    const wall = (performance.now() - t0) / 1000;
    out.push({ cue: cue.name, net, sdr, wall });
    console.log(
      `${cue.name.padEnd(10)} ${net.padEnd(8)} ${seedSpread(sdr)}; wall ${wall.toFixed(0)} s`,
    );
  }
}
