/**
 * Table 3's separation network with an oracle cue: does the network learn in the quick budget
 * when the cue names the object? The quick world's Table 3 data (128 solo training clips, the
 * 16 test mixtures of two solo test clips of different classes, as `runTable3` draws them),
 * ours' network (tiny, product conditioning, D = 32, model seed = seed, mixtures drawn by
 * `seed * 1000 + 7`, Adam at `TABLE3_LR`, soft masks), but each clip's cue is a one-hot of its
 * class instead of its aligned visual center. `class@p` keeps the right class for a share `p`
 * of the clips (fixed per clip and seed; the others get a wrong class at random, the same at
 * training and test), to see how good a cue the quick target needs. Network variants:
 * `default`, `ratio` (ratio masks and L1 instead of binary masks and BCE). Not a timed bench:
 * a measurement, rerun with
 *
 *   deno run -A bench/table3_oracle.ts [--cues class,class@0.5] [--nets default,ratio]
 *     [--seeds 0,1,2] [--steps 500x8] [--lr 0.003]
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
  const m = /^class(?:@(0(?:\.\d+)?|1))?$/.exec(c);
  if (!m) throw new Error(`--cues: "${c}" is not class or class@P (0 <= P <= 1)`);
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
      const cond = classCue(cue.right, seed, model.config.conditionSize);
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
