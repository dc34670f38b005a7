/**
 * Where a training step's time goes on wasm: every kernel of one contrastive training step
 * (forward, backward, Adam; fixed random inputs, as `train_bench.ts`) timed by `tf.profile`,
 * summed per kernel name and per kernel with its input and output shapes (which tells a
 * layer's forward convolution, input gradient and filter gradient apart), median and best over
 * a few steps (on a shared machine the best is the steadier one), then the step's wall time
 * without the profiler. Not a timed comparison (that is `train_bench.ts`, against
 * PyTorch in the same run): a breakdown that says which kernels to work on.
 *
 *   deno run -A bench/train_profile.ts [tiny|small] [batch] [steps]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { contrastiveLoss, createModel, pairDistances, type PresetName } from "../lib/model/mod.ts";
import { Adam } from "../lib/train/mod.ts";
import { median } from "./_python.ts";

const [preset = "tiny", batchArg = "8", stepsArg = "5"] = Deno.args;
if (preset !== "tiny" && preset !== "small") {
  throw new Error(`train_profile.ts: preset must be tiny or small, got "${preset}"`);
}
const batch = Number(batchArg), steps = Number(stepsArg);
if (!Number.isInteger(batch) || batch < 2 || !Number.isInteger(steps) || steps < 1) {
  throw new Error(`train_profile.ts: batch (>= 2) and steps (>= 1) must be integers`);
}
const FRAMES: Record<string, number> = { tiny: 63, small: 201 };

await initBackend("wasm");
const model = createModel({ preset: preset as PresetName, seed: 0 });
const c = model.config;
const images = tf.randomUniform([batch, c.imageSize, c.imageSize, 3], 0, 1, "float32", 1);
const logMel = tf.randomNormal([batch, FRAMES[preset], c.nMels], 0, 1, "float32", 2);
const labels = tf.concat([tf.ones([batch]), tf.zeros([batch])]) as tf.Tensor1D;
const opt = new Adam(model.params.variables(), { lr: 1e-4 });
const step = () =>
  opt.minimize(() => {
    const d = pairDistances(model, images as tf.Tensor4D, logMel as tf.Tensor3D, {
      kAudio: 1,
      kVisual: 2,
    });
    return contrastiveLoss(tf.concat([d.positive2, d.negative2]) as tf.Tensor1D, labels);
  });

for (let i = 0; i < 2; i++) tf.dispose(step()); // warm-up

/** ms per kernel name, and per "name input-shapes -> output-shape" (the conv shapes). */
const perName = new Map<string, number[]>();
const perShape = new Map<string, number[]>();
const counts: number[] = [], totals: number[] = [], walls: number[] = [];
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  const info = await tf.profile(() => step());
  walls.push(performance.now() - t0);
  tf.dispose(info.result);
  const byName = new Map<string, number>(), byShape = new Map<string, number>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = await k.kernelTimeMs as number;
    // a custom gradient's forward shows as an "unnamed scope" around its kernels: not summed
    if (k.name !== "unnamed scope") total += ms;
    byName.set(k.name, (byName.get(k.name) ?? 0) + ms);
    const key = `${k.name} ${k.inputShapes.map((x) => `[${x}]`).join(" ")} -> [${
      k.outputShapes[0]
    }]`;
    byShape.set(key, (byShape.get(key) ?? 0) + ms);
  }
  counts.push(info.kernels.length);
  totals.push(total);
  for (const [k, v] of byName) perName.set(k, [...(perName.get(k) ?? []), v]);
  for (const [k, v] of byShape) perShape.set(k, [...(perShape.get(k) ?? []), v]);
}

/** [name, median ms, best ms], by median. */
const rows = (m: Map<string, number[]>) =>
  [...m].map(([k, v]) => [k, median(v), Math.min(...v)] as [string, number, number])
    .sort((a, b) => b[1] - a[1]);
const total = median(totals);
console.log(
  `${preset} x${batch} on wasm: ${median(counts)} kernels, ${total.toFixed(1)} ms in kernels ` +
    `(step under tf.profile ${median(walls).toFixed(1)} ms), medians of ${steps} steps; load ` +
    `average ${Deno.loadavg().map((v) => v.toFixed(1)).join(" ")}`,
);
const f = (v: number) => v.toFixed(2).padStart(7);
console.log("\nper kernel name (median ms, share, best ms):");
for (const [k, v, best] of rows(perName)) {
  if (v < 0.05) continue;
  console.log(`  ${f(v)}  ${(100 * v / total).toFixed(0).padStart(3)}%  ${f(best)}  ${k}`);
}
console.log("\nper kernel and shapes, top 40 (median ms, best ms):");
for (const [k, v, best] of rows(perShape).slice(0, 40)) console.log(`  ${f(v)}  ${f(best)}  ${k}`);
const plain: number[] = [];
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  const loss = step();
  await loss.data();
  plain.push(performance.now() - t0);
  loss.dispose();
}
console.log(`step without tf.profile: ${median(plain).toFixed(1)} ms`);
opt.dispose();
model.params.dispose();
