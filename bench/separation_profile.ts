/**
 * Where a mix-and-separate training step's time goes on wasm (tiny preset, ours' conditioning
 * on an untrained C1 model: the cost does not depend on its weights): the step of
 * `trainSeparation` taken apart into its phases, each timed over the same steps, median and
 * best (on a shared machine the best is the steadier one):
 *
 * - `draw + mix`: the batch's clips and their summed waveforms (`mixtureBatch`);
 * - `spectra`: `batchSpectra` with the per-clip STFT cache warm (mixture STFT sum, log-frequency
 *   warps of the mixture and of each clip, the log input);
 * - `conditioner`: ours' `prepare` with every clip's visual centers cached (the mixtures'
 *   audio centers: log-mel, audio net, soft K-means);
 * - `targets`: the mask targets and weights;
 * - `U-Net step`: forward, backward and Adam (`optimizer.minimize` of the mask loss).
 *
 * Then the kernels of the U-Net step by `tf.profile`, summed per kernel name. Not a timed
 * comparison: a breakdown that says what to work on.
 *
 *   deno run -A bench/separation_profile.ts [batch] [steps]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { synthWorld } from "../lib/data/mod.ts";
import { createModel, createOursSeparation } from "../lib/model/mod.ts";
import type { Spectrogram } from "../lib/audio/stft.ts";
import {
  batchSpectra,
  mixtureBatch,
  predictClipMasks,
  separationLoss,
} from "../lib/model/separation/mod.ts";
import { Adam, separationTargets } from "../lib/train/mod.ts";
import { Rng } from "../lib/random/mod.ts";
import { median } from "./_python.ts";

const [batchArg = "8", stepsArg = "10"] = Deno.args;
const batch = Number(batchArg), steps = Number(stepsArg);
if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(steps) || steps < 2) {
  throw new Error(`separation_profile.ts: batch (>= 1) and steps (>= 2) must be integers`);
}

await initBackend("wasm");
const av = createModel({ preset: "tiny", seed: 0 });
const { model, conditioner } = createOursSeparation(av, { seed: 0, beta: 5 });
const clips = synthWorld({ seed: 0 }).separationSet("solo", 128, "train");
const optimizer = new Adam(model.params.variables(), { lr: 3e-3 });
const cache = new Map<string, Spectrogram>();
const rng = new Rng(1);
const draw = () =>
  Array.from(
    { length: batch },
    () => rng.shuffle([...clips.keys()]).slice(0, 2).map((i) => clips[i]),
  );
// warm every cache (clip STFTs, visual centers) as a long run has
for (let i = 0; i < clips.length; i += 2 * batch) {
  const groups = Array.from(
    { length: batch },
    (_, j) => [clips[(i + 2 * j) % clips.length], clips[(i + 2 * j + 1) % clips.length]],
  );
  const b = mixtureBatch(model, groups);
  batchSpectra(model, b, cache);
  await conditioner.prepare!(b);
}

const phases: Record<string, number[]> = {
  "draw + mix": [],
  spectra: [],
  conditioner: [],
  targets: [],
  "U-Net step": [],
  total: [],
};
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  const b = mixtureBatch(model, draw());
  const t1 = performance.now();
  const spectra = batchSpectra(model, b, cache);
  const t2 = performance.now();
  await conditioner.prepare!(b);
  const t3 = performance.now();
  const { targets, weights } = separationTargets(model, spectra);
  const t4 = performance.now();
  const loss = optimizer.minimize(() =>
    separationLoss(
      predictClipMasks(model, conditioner, b, spectra),
      targets,
      weights,
      model.config.maskType,
    )
  );
  await loss.data();
  const t5 = performance.now();
  tf.dispose([loss, targets, weights]);
  if (s === 0) continue; // warm-up
  phases["draw + mix"].push(t1 - t0);
  phases.spectra.push(t2 - t1);
  phases.conditioner.push(t3 - t2);
  phases.targets.push(t4 - t3);
  phases["U-Net step"].push(t5 - t4);
  phases.total.push(t5 - t0);
}
console.log(`ours, ${batch} mixtures of 2, ${steps - 1} steps (ms: median / best)`);
for (const [name, v] of Object.entries(phases)) {
  console.log(
    `  ${name.padEnd(12)} ${median(v).toFixed(1).padStart(7)} / ${Math.min(...v).toFixed(1)}`,
  );
}

// the U-Net step's kernels, each kernel call's best time over a few profiled steps (the same
// calls in the same order every step; the best drops the preemptions of a shared machine)
const b = mixtureBatch(model, draw());
const spectra = batchSpectra(model, b, cache);
await conditioner.prepare!(b);
const { targets, weights } = separationTargets(model, spectra);
let calls: { name: string; shapes: string; ms: number }[] = [];
for (let r = 0; r < 5; r++) {
  const info = await tf.profile(() =>
    optimizer.minimize(() =>
      separationLoss(
        predictClipMasks(model, conditioner, b, spectra),
        targets,
        weights,
        model.config.maskType,
      )
    )
  );
  const now = info.kernels.map((k) => ({
    name: k.name,
    shapes: JSON.stringify(k.inputShapes),
    ms: typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0,
  }));
  calls = r === 0 ? now : calls.map((c, i) => ({ ...c, ms: Math.min(c.ms, now[i].ms) }));
}
const byName = new Map<string, { ms: number; n: number }>();
for (const k of calls) {
  const e = byName.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += k.ms;
  e.n++;
  byName.set(k.name, e);
}
const total = calls.reduce((a, k) => a + k.ms, 0);
console.log(
  `U-Net step kernels: ${calls.length} calls, ${total.toFixed(1)} ms in kernels (best of 5)`,
);
for (const [name, e] of [...byName].sort((p, q) => q[1].ms - p[1].ms).slice(0, 12)) {
  console.log(`  ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(7)} ms  ${e.n} calls`);
}
console.log("slowest calls:");
for (const k of [...calls].sort((p, q) => q.ms - p.ms).slice(0, 10)) {
  console.log(`  ${k.name.padEnd(24)} ${k.ms.toFixed(2).padStart(6)} ms  ${k.shapes}`);
}
tf.dispose([targets, weights]);
optimizer.dispose();
conditioner.dispose?.();
model.params.dispose();
av.params.dispose();
