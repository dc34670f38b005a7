import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  SoftKMeans,
  softKMeans,
  SoftKMeansGrad,
  softKMeansImplementation,
} from "../kernels/mod.ts";
import { toleranceRatio } from "./kernels_soft_kmeans_reference.ts";
import {
  type CaseOutputs,
  farApartPoints,
  runCase,
  softKMeansCases,
} from "./kernels_soft_kmeans_cases.ts";

const requireWebgpu = Deno.env.get("AVSCENE_REQUIRE_WEBGPU") === "1";
const cases = softKMeansCases();

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

cases.forEach((c, i) => {
  Deno.test({
    name: `webgpu: WGSL forward and gradient equal the float64 reference and cpu (${c.name})`,
    ignore,
    fn: async () => {
      const out = await runCase(c);
      assert.ok(toleranceRatio(out.centers, c.centers) <= 1, "centers vs float64");
      assert.ok(toleranceRatio(out.assignments, c.assignments) <= 1, "assignments vs float64");
      assert.ok(toleranceRatio(out.grad, c.grad) <= 1, "gradient vs float64");
      assert.ok(toleranceRatio(out.centers, cpu[i].centers) <= 1, "centers vs cpu");
      assert.ok(toleranceRatio(out.assignments, cpu[i].assignments) <= 1, "assignments vs cpu");
      assert.ok(toleranceRatio(out.grad, cpu[i].grad) <= 1, "gradient vs cpu");
    },
  });
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

Deno.test({
  name: "webgpu: deterministic (same input twice gives identical output and gradient)",
  ignore,
  fn: async () => {
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
  },
});

Deno.test({
  name: "webgpu: no leaked tensors (forward and gradient)",
  ignore,
  fn: async () => {
    const x = tf.randomNormal([2, 8, 5], 0, 1, "float32", 2) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const r = softKMeans(x, 3);
    await r.centers.data();
    tf.dispose([r.centers, r.assignments]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(softKMeans(v as tf.Tensor3D, 3).centers))(x);
    await g.data();
    g.dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  },
});

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
