import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  SoftKMeans,
  softKMeans,
  SoftKMeansGrad,
  softKMeansImplementation,
} from "../kernels/mod.ts";
import {
  softKMeansSplitWanted,
  WEBGPU_SOFT_KMEANS_SPLIT,
  WEBGPU_TARGET_INVOCATIONS,
} from "../kernels/soft_kmeans_webgpu.ts";
import { softKMeansReference, toleranceRatio } from "./kernels_soft_kmeans_reference.ts";
import { splitFor } from "../kernels/_soft_kmeans_layout.ts";
import { Rng } from "../lib/random/mod.ts";
import {
  type CaseOutputs,
  farApartPoints,
  runCase,
  softKMeansCases,
  SPLIT_SPECS,
} from "./kernels_soft_kmeans_cases.ts";

const requireWebgpu = Deno.env.get("AVSCENE_REQUIRE_WEBGPU") === "1";
const cases = [...softKMeansCases(), ...softKMeansCases(SPLIT_SPECS)];

// The cpu implementation's outputs, to hold the WGSL kernels equal to them.
await initBackend("cpu");
const cpu: CaseOutputs[] = [];
for (const c of cases) cpu.push(await runCase(c));

let webgpu = true;
try {
  await initBackend("webgpu");
} catch (e) {
  if (requireWebgpu) throw new Error(`AVSCENE_REQUIRE_WEBGPU=1 but webgpu is unavailable: ${e}`);
  console.log(`SKIP webgpu soft K-means tests: ${(e as Error).message}`);
  webgpu = false;
}
const ignore = !webgpu;

Deno.test({
  name: "webgpu: softKMeans runs the WGSL kernels, forward and backward",
  ignore,
  fn: async () => {
    assert.equal(softKMeansImplementation(2, 3), "wgsl");
    const x = tf.randomNormal([2, 9, 5], 0, 1, "float32", 1) as tf.Tensor3D;
    const info = await tf.profile(() => {
      const g = tf.grad((v: tf.Tensor) => tf.sum(softKMeans(v as tf.Tensor3D, 3).centers))(x);
      g.dispose();
    });
    assert.ok(info.kernelNames.includes(SoftKMeans), `kernels: ${info.kernelNames}`);
    assert.ok(info.kernelNames.includes(SoftKMeansGrad), `kernels: ${info.kernelNames}`);
    assert.ok(!info.kernelNames.includes("BatchMatMul"), "no composed matmul on the way");
    x.dispose();
  },
});

/**
 * The two ways the WGSL kernels run, forced: one workgroup per sample, and split over
 * workgroups by channel and position tiles.
 */
const MODES: [string, string][] = [
  ["per-sample", "never"],
  ["split", "always"],
];

for (const [label, mode] of MODES) {
  cases.forEach((c, i) => {
    Deno.test({
      name:
        `webgpu: WGSL ${label} forward and gradient equal the float64 reference and cpu (${c.name})`,
      ignore,
      fn: async () => {
        tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, mode);
        try {
          const out = await runCase(c);
          assert.ok(toleranceRatio(out.centers, c.centers) <= 1, "centers vs float64");
          assert.ok(toleranceRatio(out.assignments, c.assignments) <= 1, "assignments vs float64");
          assert.ok(toleranceRatio(out.grad, c.grad) <= 1, "gradient vs float64");
          assert.ok(toleranceRatio(out.centers, cpu[i].centers) <= 1, "centers vs cpu");
          assert.ok(toleranceRatio(out.assignments, cpu[i].assignments) <= 1, "assignments vs cpu");
          assert.ok(toleranceRatio(out.grad, cpu[i].grad) <= 1, "gradient vs cpu");
        } finally {
          tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, "auto");
        }
      },
    });
  });
}

/**
 * Forward and gradient of one paper-shape problem (N = 196, D = 512, K = 4, T = 4, beta 30)
 * with the WGSL kernels under split mode `mode`, read back.
 */
async function paperRun(x: tf.Tensor3D, w: tf.Tensor3D, mode: string) {
  tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, mode);
  try {
    const { centers, assignments } = softKMeans(x, 4);
    const grad = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.mul(softKMeans(v as tf.Tensor3D, 4).centers, w))
    )(x);
    const out = {
      centers: await centers.data(),
      assignments: await assignments.data(),
      grad: await grad.data(),
    };
    tf.dispose([centers, assignments, grad]);
    return out;
  } finally {
    tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, "auto");
  }
}

for (const batch of [1, 64]) {
  Deno.test({
    name: `webgpu: paper shape B=${batch} N=196 D=512 K=4: split and per-sample WGSL equal the ` +
      `float64 forward and the cpu gradient`,
    ignore,
    fn: async () => {
      const shape: [number, number, number] = [batch, 196, 512];
      const rng = new Rng(batch);
      const xs = Float32Array.from({ length: batch * 196 * 512 }, () => rng.normal() * 0.05);
      const ws = Float32Array.from({ length: batch * 4 * 512 }, () => rng.normal());
      const ref = softKMeansReference(xs, shape, 4, 4, 30);
      await tf.setBackend("cpu");
      const xCpu = tf.tensor3d(xs, shape);
      const wCpu = tf.tensor3d(ws, [batch, 4, 512]);
      const cpuGrad = await tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(softKMeans(v as tf.Tensor3D, 4).centers, wCpu))
      )(xCpu).data();
      tf.dispose([xCpu, wCpu]);
      await tf.setBackend("webgpu");
      const x = tf.tensor3d(xs, shape);
      const w = tf.tensor3d(ws, [batch, 4, 512]);
      for (const [label, mode] of MODES) {
        const out = await paperRun(x, w, mode);
        assert.ok(toleranceRatio(out.centers, ref.centers) <= 1, `${label} centers vs float64`);
        assert.ok(
          toleranceRatio(out.assignments, ref.assignments) <= 1,
          `${label} assignments vs float64`,
        );
        assert.ok(toleranceRatio(out.grad, cpuGrad) <= 1, `${label} gradient vs cpu`);
      }
      tf.dispose([x, w]);
    },
  });
}

Deno.test({
  name: "webgpu: the split gives small batches many invocations per pass (paper shape)",
  fn: () => {
    // the tiny preset's maps (B = 16) stay one workgroup per sample: too little work to split
    assert.ok(!softKMeansSplitWanted(16, 64, 32) && !softKMeansSplitWanted(16, 32, 32));
    assert.ok(!softKMeansSplitWanted(128, 196, 512), "128 samples fill a GPU already");
    for (const batch of [1, 2, 4, 8, 16, 32, 64]) {
      const dims = { batch, positions: 196, channels: 512, clusters: 4, iterations: 4 };
      assert.ok(softKMeansSplitWanted(batch, 196, 512), `auto splits B=${batch}`);
      const split = splitFor(dims, WEBGPU_TARGET_INVOCATIONS);
      // distances: B x KB x NQ x DT; center sums: B x KB x DQ x NT
      const distances = batch * 49 * split.channelTiles;
      const centers = batch * 128 * split.positionTiles;
      assert.ok(distances >= 6000, `B=${batch}: ${distances} distance invocations`);
      assert.ok(centers >= 6000, `B=${batch}: ${centers} center-sum invocations`);
      assert.ok(split.channelTiles * split.channelsPerTile >= 512, "channel tiles cover D");
      assert.ok(split.positionTiles * split.positionsPerTile >= 196, "position tiles cover N");
      assert.ok((split.channelTiles - 1) * split.channelsPerTile < 512, "no empty channel tile");
      assert.ok((split.positionTiles - 1) * split.positionsPerTile < 196, "no empty position tile");
    }
  },
});

Deno.test({
  name: "webgpu: no NaN for beta up to 1e3 and far-apart points",
  ignore,
  fn: async () => {
    for (const beta of [30, 300, 1000]) {
      const x = tf.tensor3d(farApartPoints([2, 20, 6], 5), [2, 20, 6]);
      const { centers, assignments } = softKMeans(x, 4, { beta });
      const g = tf.grad((v: tf.Tensor) => {
        const r = softKMeans(v as tf.Tensor3D, 4, { beta });
        return tf.add(tf.sum(r.centers), tf.sum(tf.mul(r.assignments, 3)));
      })(x);
      for (const t of [centers, assignments, g]) {
        assert.ok((await t.data()).every(Number.isFinite), `finite at beta ${beta}`);
      }
      const sums = await tf.sum(assignments, 1).data();
      for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `column sums to ${s}`);
      tf.dispose([x, centers, assignments, g]);
    }
  },
});

for (const [label, mode] of MODES) {
  Deno.test({
    name: `webgpu: ${label} deterministic (same input twice gives identical output and gradient)`,
    ignore,
    fn: async () => {
      tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, mode);
      const x = tf.randomNormal([3, 13, 7], 0, 1, "float32", 11) as tf.Tensor3D;
      const run = async () => {
        const r = softKMeans(x, 3, { beta: 4 });
        const g = tf.grad((v: tf.Tensor) =>
          tf.sum(softKMeans(v as tf.Tensor3D, 3).assignments.square())
        )(x);
        const out = [await r.centers.data(), await r.assignments.data(), await g.data()];
        tf.dispose([r.centers, r.assignments, g]);
        return out;
      };
      assert.deepEqual(await run(), await run());
      x.dispose();
      tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, "auto");
    },
  });

  Deno.test({
    name: `webgpu: ${label} no leaked tensors or GPU buffers (forward and gradient)`,
    ignore,
    fn: async () => {
      tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, mode);
      const x = tf.randomNormal([2, 8, 5], 0, 1, "float32", 2) as tf.Tensor3D;
      const run = async () => {
        const r = softKMeans(x, 3);
        await r.centers.data();
        tf.dispose([r.centers, r.assignments]);
        const g = tf.grad((v: tf.Tensor) => tf.sum(softKMeans(v as tf.Tensor3D, 3).centers))(x);
        await g.data();
        g.dispose();
      };
      const gpuBytes = () => (tf.memory() as { numBytesInGPU?: number }).numBytesInGPU;
      await run(); // uploads x
      const before = tf.memory().numTensors;
      const bytesBefore = gpuBytes();
      await run();
      assert.equal(tf.memory().numTensors, before);
      assert.equal(gpuBytes(), bytesBefore, "GPU bytes in use (partial sums freed)");
      x.dispose();
      tf.env().set(WEBGPU_SOFT_KMEANS_SPLIT, "auto");
    },
  });
}

Deno.test({
  name: "webgpu: bad arguments throw errors that name the argument",
  ignore,
  fn: () => {
    const x = tf.zeros([2, 5, 3]) as tf.Tensor3D;
    assert.throws(() => softKMeans(x, 6), /\bk \(6\) must not exceed/);
    assert.throws(() => softKMeans(x, 0), /\bk must be >= 1/);
    assert.throws(() => softKMeans(x, 2, { beta: -1 }), /opts\.beta/);
    // a tensor still on the host is scanned for non-finite values
    const bad = tf.tensor3d([[[0, 1], [NaN, 1]]]);
    assert.throws(() => softKMeans(bad, 1), /\bx must be finite, but x has NaN at flat index 2/);
    tf.dispose([x, bad]);
  },
});
