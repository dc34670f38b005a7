/**
 * Training throughput: one contrastive training step (forward, backward, Adam) per backend
 * (webgpu, wasm, cpu), preset (tiny, small) and batch (8, 16 clips). Peak tensor memory of a
 * step (`tf.profile`'s `peakBytes`) and the process's resident size are printed per case.
 *
 * Data preparation (group `data ...`, wasm): what a step of the default recipe pays before the
 * network runs, since it draws fresh scenes every step: generating the batch's synthetic scenes
 * (the uncurated mixture of 1..4 sources, at the preset's image size and sample rate), turning
 * them into model inputs (`modelInputs`: frames stacked, log-mel spectrograms), and the step
 * on fixed inputs (the baseline) against the step including both ("step incl. data"); one more
 * case prints the CPU time of each part and data preparation's share of a step including it.
 *
 * The anchor: when PyTorch is importable (Debian's `python3-torch`), the "vs PyTorch" cases run
 * the same step in PyTorch (`train_step_torch.py`: same trunks, soft K-means, alignment, loss
 * and Adam, same batch shapes) with 1 and 2 threads, interleaved round by round with our step on
 * wasm in the same process window, and print the median of each and ours/PyTorch (against the
 * faster thread count), and the same in CPU time (each process's user + system time over all
 * its threads, against PyTorch on 1 thread: less disturbed by other processes on a shared
 * machine). Without PyTorch they print why and skip.
 *
 * `AVSCENE_BENCH_WASM_THREADS=N` runs every wasm case on tfjs's threaded SIMD build with N
 * XNNPACK threads instead of the single-threaded SIMD build tfjs loads under Deno (see
 * `_wasm_threads.ts` for what that takes).
 *
 *   deno bench -A bench/train_bench.ts
 *   deno bench -A bench/train_bench.ts --filter PyTorch     # only the anchor comparison
 *   AVSCENE_BENCH_WASM_THREADS=2 deno bench -A bench/train_bench.ts --filter PyTorch
 */
import * as tf from "@tensorflow/tfjs";
import { BACKENDS, initBackend } from "../lib/backend/mod.ts";
import {
  type AVModel,
  contrastiveLoss,
  createModel,
  pairDistances,
  presetConfig,
  type PresetName,
} from "../lib/model/mod.ts";
import { Adam } from "../lib/train/mod.ts";
import { type AVClip, synthWorld } from "../lib/data/mod.ts";
import { modelInputs } from "../lib/model/model_inputs.ts";
import { findPython, median, PythonWorker } from "./_python.ts";
import process from "node:process";
import { useThreadedWasm } from "./_wasm_threads.ts";

/** CPU time of this process so far (user + system, all threads), ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const FRAMES: Record<string, number> = { tiny: 63, small: 201 };

const wasmThreads = Number(Deno.env.get("AVSCENE_BENCH_WASM_THREADS") ?? "0");
const wasmBuild = wasmThreads > 0
  ? `threaded SIMD, ${await useThreadedWasm(wasmThreads)} threads`
  : "SIMD, 1 thread";

/**
 * A model, fixed random inputs of `batch` clips and an optimiser: one training step, on the
 * fixed inputs or on the given ones.
 */
function trainingStep(preset: PresetName, batch: number) {
  const model: AVModel = createModel({ preset, seed: 0 });
  const c = model.config;
  const images = tf.randomUniform([batch, c.imageSize, c.imageSize, 3], 0, 1, "float32", 1);
  const logMel = tf.randomNormal([batch, FRAMES[preset], c.nMels], 0, 1, "float32", 2);
  const labels = tf.tidy(() => tf.concat([tf.ones([batch]), tf.zeros([batch])]) as tf.Tensor1D);
  const opt = new Adam(model.params.variables(), { lr: 1e-4 });
  const step = (inputs?: { images: tf.Tensor4D; logMel: tf.Tensor3D }) =>
    opt.minimize(() => {
      const d = pairDistances(
        model,
        inputs?.images ?? images as tf.Tensor4D,
        inputs?.logMel ?? logMel as tf.Tensor3D,
        { kAudio: 1, kVisual: 2 },
      );
      return contrastiveLoss(tf.concat([d.positive2, d.negative2]) as tf.Tensor1D, labels);
    });
  /** Run one step and wait for its loss: wall and CPU milliseconds. */
  const timed = async () => {
    const t0 = performance.now(), c0 = cpuMs();
    const loss = step();
    await loss.data();
    const ms = performance.now() - t0, cpu = cpuMs() - c0;
    loss.dispose();
    return { ms, cpu };
  };
  const dispose = () => {
    opt.dispose();
    tf.dispose([images, logMel, labels]);
    model.params.dispose();
  };
  return { model, step, timed, dispose };
}

for (const backend of BACKENDS) {
  for (const preset of ["tiny", "small"] as PresetName[]) {
    for (const batch of [8, 16]) {
      let ok = true;
      try {
        await initBackend(backend);
      } catch {
        ok = false;
      }
      Deno.bench({
        name: `train step ${preset} x${batch} on ${backend}`,
        group: `${preset} x${batch}`,
        ignore: !ok || (preset === "small" && batch === 16),
        n: preset === "tiny" ? 10 : 3,
        warmup: 1,
        async fn(b) {
          await initBackend(backend);
          const s = trainingStep(preset, batch);
          // The warm-up step also measures peak tensor memory: tf.profile tracks every
          // allocation of the step (activations, gradients, optimiser temporaries).
          const profile = await tf.profile(() => s.step());
          tf.dispose(profile.result);
          b.start();
          const loss = s.step();
          await loss.data();
          b.end();
          loss.dispose();
          console.log(
            `${preset} x${batch}/${backend}: peak tensor memory of one step ` +
              `${(profile.peakBytes / 2 ** 20).toFixed(1)} MiB, ` +
              `process rss ${(Deno.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
          );
          s.dispose();
        },
      });
    }
  }
}

// Data preparation of the default recipe (fresh scenes every step) against the step itself.
for (const [preset, batch] of [["tiny", 8], ["tiny", 16], ["small", 8]] as [PresetName, number][]) {
  const group = `data ${preset} x${batch}`;
  const c = presetConfig(preset);
  const world = synthWorld({
    seed: 0,
    imageSize: c.imageSize,
    sampleRate: c.sampleRate,
    duration: c.duration,
  });
  const fresh = world.batches("uncurated", batch)[Symbol.iterator]();
  const scenes = () => fresh.next().value as AVClip[];
  const n = preset === "tiny" ? 20 : 5;
  let ok = true;
  try {
    await initBackend("wasm");
  } catch {
    ok = false;
  }
  Deno.bench({
    name: `${preset} x${batch}: scenes`,
    group,
    ignore: !ok,
    n,
    warmup: 2,
    fn() {
      scenes();
    },
  });
  Deno.bench({
    name: `${preset} x${batch}: model inputs`,
    group,
    ignore: !ok,
    n,
    warmup: 2,
    async fn(b) {
      await initBackend("wasm");
      const model = createModel({ preset, seed: 0 });
      const clips = scenes();
      b.start();
      const x = modelInputs(model, clips);
      await Promise.all([x.images.data(), x.logMel.data()]);
      b.end();
      tf.dispose([x.images, x.logMel]);
      model.params.dispose();
    },
  });
  for (const withData of [false, true]) {
    Deno.bench({
      name: `${preset} x${batch}: step${withData ? " incl. data" : ""}`,
      group,
      baseline: !withData,
      ignore: !ok,
      n: preset === "tiny" ? 10 : 3,
      warmup: 1,
      async fn(b) {
        await initBackend("wasm");
        const s = trainingStep(preset, batch);
        tf.dispose(s.step()); // warm-up
        b.start();
        const x = withData ? modelInputs(s.model, scenes()) : undefined;
        const loss = s.step(x);
        await loss.data();
        b.end();
        tf.dispose([loss, x?.images, x?.logMel]);
        s.dispose();
      },
    });
  }
  // CPU time (less disturbed by a shared machine than wall time): each part of `steps` steps
  // on fresh scenes, medians, and data preparation's share of a step including it
  let shared = false;
  Deno.bench({
    name: `${preset} x${batch}: CPU time of data preparation and step`,
    group,
    ignore: !ok,
    n: 1,
    warmup: 0,
    async fn() {
      if (shared) return; // deno bench may call it again; one measurement is printed
      shared = true;
      await initBackend("wasm");
      const s = trainingStep(preset, batch);
      const cpu = { scenes: [] as number[], inputs: [] as number[], step: [] as number[] };
      const steps = preset === "tiny" ? 12 : 3;
      try {
        for (let i = 0; i < steps + 2; i++) {
          const c0 = cpuMs();
          const clips = scenes();
          const c1 = cpuMs();
          const x = modelInputs(s.model, clips);
          await Promise.all([x.images.data(), x.logMel.data()]);
          const c2 = cpuMs();
          const loss = s.step(x);
          await loss.data();
          const c3 = cpuMs();
          tf.dispose([loss, x.images, x.logMel]);
          if (i < 2) continue; // warm-up
          cpu.scenes.push(c1 - c0);
          cpu.inputs.push(c2 - c1);
          cpu.step.push(c3 - c2);
        }
      } finally {
        s.dispose();
      }
      const [a, b, c] = [median(cpu.scenes), median(cpu.inputs), median(cpu.step)];
      console.log(
        `${preset} x${batch} (wasm ${wasmBuild}), CPU ms per step, median of ${steps}: scenes ` +
          `${a.toFixed(1)}, model inputs ${b.toFixed(1)}, step ${c.toFixed(1)}; data ` +
          `preparation is ${(100 * (a + b) / (a + b + c)).toFixed(0)}% of a step including it; ` +
          `load average ${Deno.loadavg().map((v) => v.toFixed(1)).join(" ")}`,
      );
    },
  });
}

const python = await findPython("torch");
// deno bench calls a case's function more than once even with n: 1; the interleaved anchor
// comparison (itself many timed rounds) runs on the first call only.
const compared = new Set<string>();
for (
  const [preset, batch, rounds, steps] of [
    ["tiny", 8, 5, 6],
    ["tiny", 16, 5, 6],
    ["small", 8, 1, 2],
  ] as [PresetName, number, number, number][]
) {
  Deno.bench({
    name: `train step ${preset} x${batch}: wasm vs PyTorch CPU`,
    group: "vs PyTorch",
    n: 1,
    warmup: 0,
    async fn() {
      const key = `${preset} x${batch}`;
      if (compared.has(key)) return;
      compared.add(key);
      if (python === null) {
        console.log("PyTorch is not installed (python3 cannot import torch): no anchor run.");
        return;
      }
      await initBackend("wasm");
      const config = JSON.stringify(presetConfig(preset));
      const torch = [1, 2].map((threads) =>
        new PythonWorker(python, [
          new URL("./train_step_torch.py", import.meta.url).pathname,
          config,
          `${batch}`,
          `${FRAMES[preset]}`,
          `${threads}`,
          "0",
        ])
      );
      const ours = trainingStep(preset, batch);
      const times = { ours: [] as number[], torch1: [] as number[], torch2: [] as number[] };
      const cpu = { ours: [] as number[], torch1: [] as number[] };
      type Steps = { ms: number[]; cpu_ms: number[] };
      try {
        for (const w of torch) await w.request(`${Math.min(3, steps)}`); // warm-up
        for (let i = 0; i < 2; i++) await ours.timed();
        const ratios: number[] = [], cpuRatios: number[] = [];
        for (let r = 0; r < rounds; r++) {
          const t1 = await torch[0].request(`${steps}`) as Steps;
          const t2 = await torch[1].request(`${steps}`) as Steps;
          const mine: number[] = [], mineCpu: number[] = [];
          for (let i = 0; i < steps; i++) {
            const { ms, cpu } = await ours.timed();
            mine.push(ms);
            mineCpu.push(cpu);
          }
          const m = median(mine), m1 = median(t1.ms), m2 = median(t2.ms);
          times.torch1.push(m1);
          times.torch2.push(m2);
          times.ours.push(m);
          cpu.ours.push(median(mineCpu));
          cpu.torch1.push(median(t1.cpu_ms));
          ratios.push(m / Math.min(m1, m2));
          cpuRatios.push(median(mineCpu) / median(t1.cpu_ms));
        }
        const f = (v: number) => v.toFixed(1);
        console.log(
          `${preset} x${batch}: ours (wasm ${wasmBuild}) ${
            f(median(times.ours))
          } ms/step, PyTorch ` +
            `${f(median(times.torch1))} ms (1 thread) / ${f(median(times.torch2))} ms ` +
            `(2 threads); ours/PyTorch(faster) per round ${ratios.map((v) => v.toFixed(2))} ` +
            `(median ${median(ratios).toFixed(2)}); CPU time per step (all threads of each ` +
            `process, less sensitive to the machine's load) ours ${f(median(cpu.ours))} ms, ` +
            `PyTorch 1 thread ${f(median(cpu.torch1))} ms: ours/PyTorch per round ` +
            `${cpuRatios.map((v) => v.toFixed(2))} (median ${median(cpuRatios).toFixed(2)}); ` +
            `${rounds} rounds of ${steps} steps, medians; load average ` +
            `${Deno.loadavg().map((v) => v.toFixed(1)).join(" ")}`,
        );
      } finally {
        ours.dispose();
        for (const w of torch) await w.close();
      }
    },
  });
}
