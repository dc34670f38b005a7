import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  NonFiniteError,
  softKMeans,
  softKMeansComposed,
  softKMeansImplementation,
} from "../kernels/mod.ts";
import { toleranceRatio } from "./kernels_soft_kmeans_reference.ts";
import { farApartPoints, runCase, softKMeansCases } from "./kernels_soft_kmeans_cases.ts";

await initBackend("cpu");
const cases = softKMeansCases();

Deno.test("cpu: softKMeans runs the plain kernels", () => {
  assert.equal(softKMeansImplementation(2, 3), "plain");
});

for (const c of cases) {
  Deno.test(`cpu: forward and gradient equal the float64 reference (${c.name})`, async () => {
    const out = await runCase(c);
    assert.ok(toleranceRatio(out.centers, c.centers) <= 1, "centers");
    assert.ok(toleranceRatio(out.assignments, c.assignments) <= 1, "assignments");
    assert.ok(toleranceRatio(out.grad, c.grad) <= 1, "gradient");
  });
}

for (const c of cases) {
  Deno.test(`wasm: forward and gradient equal the float64 reference (${c.name})`, async () => {
    await initBackend("wasm");
    try {
      assert.equal(softKMeansImplementation(c.shape[0], c.k), "plain");
      const out = await runCase(c);
      assert.ok(toleranceRatio(out.centers, c.centers) <= 1, "centers");
      assert.ok(toleranceRatio(out.assignments, c.assignments) <= 1, "assignments");
      assert.ok(toleranceRatio(out.grad, c.grad) <= 1, "gradient");
    } finally {
      await initBackend("cpu");
    }
  });
}

Deno.test("cpu: the plain kernels and the composed ops agree (forward and gradient)", () => {
  const x = tf.randomNormal([3, 40, 7], 0, 1, "float32", 5) as tf.Tensor3D;
  const w = tf.randomNormal([3, 3, 40], 0, 1, "float32", 6);
  const run = (f: typeof softKMeans) => {
    const r = f(x, 3, { beta: 5 });
    const g = tf.grad((v: tf.Tensor) => {
      const q = f(v as tf.Tensor3D, 3, { beta: 5 });
      return tf.add(tf.sum(q.centers), tf.sum(tf.mul(q.assignments, w)));
    })(x);
    return [r.centers, r.assignments, g].map((t) => t.dataSync() as Float32Array);
  };
  const plain = run(softKMeans), composed = run(softKMeansComposed);
  plain.forEach((p, i) => {
    const err = p.reduce((m, v, j) => Math.max(m, Math.abs(v - composed[i][j])), 0);
    assert.ok(err < 1e-4, `output ${i}: max difference ${err}`);
  });
  tf.dispose([x, w]);
});

Deno.test("cpu: assignments are a distribution over clusters, shapes as documented", async () => {
  const x = tf.randomNormal([2, 11, 6], 0, 1, "float32", 3) as tf.Tensor3D;
  const { centers, assignments } = softKMeans(x, 3);
  assert.deepEqual(centers.shape, [2, 3, 6]);
  assert.deepEqual(assignments.shape, [2, 3, 11]);
  const sums = await tf.sum(assignments, 1).data();
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `column sums to ${s}`);
  tf.dispose([x, centers, assignments]);
});

Deno.test("cpu: the reference catches a wrong result (tolerance is not vacuous)", () => {
  const c = cases[0];
  const off = Float32Array.from(c.centers, (v, i) => i === 0 ? v + 1e-2 : v);
  assert.ok(toleranceRatio(off, c.centers) > 1);
});

Deno.test("cpu: no NaN for beta up to 1e3 and far-apart points", () => {
  for (const beta of [30, 300, 1000]) {
    const x = tf.tensor3d(farApartPoints([2, 20, 6], 5), [2, 20, 6]);
    const { centers, assignments } = softKMeans(x, 4, { beta });
    const g = tf.grad((v: tf.Tensor) => {
      const r = softKMeans(v as tf.Tensor3D, 4, { beta });
      return tf.add(tf.sum(r.centers), tf.sum(tf.mul(r.assignments, 3)));
    })(x);
    for (const t of [centers, assignments, g]) {
      assert.ok(t.dataSync().every(Number.isFinite), `finite at beta ${beta}`);
    }
    tf.dispose([x, centers, assignments, g]);
  }
});

Deno.test("cpu: deterministic (same input twice gives identical output)", () => {
  const x = tf.randomNormal([2, 9, 5], 0, 1, "float32", 11) as tf.Tensor3D;
  const a = softKMeans(x, 3, { beta: 4 });
  const b = softKMeans(x, 3, { beta: 4 });
  assert.deepEqual(a.centers.dataSync(), b.centers.dataSync());
  assert.deepEqual(a.assignments.dataSync(), b.assignments.dataSync());
  tf.dispose([x, a.centers, a.assignments, b.centers, b.assignments]);
});

Deno.test("cpu: no leaked tensors (forward and gradient)", () => {
  const x = tf.randomNormal([2, 8, 5], 0, 1, "float32", 2) as tf.Tensor3D;
  const before = tf.memory().numTensors;
  const r = softKMeans(x, 3);
  tf.dispose([r.centers, r.assignments]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(softKMeans(v as tf.Tensor3D, 3).centers))(x);
  g.dispose();
  const c = softKMeansComposed(x, 2);
  tf.dispose([c.centers, c.assignments]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

Deno.test("bad arguments throw errors that name the argument", async (t) => {
  const x = tf.zeros([2, 5, 3]) as tf.Tensor3D;
  const bad: [string, () => unknown, RegExp | ((e: unknown) => boolean)][] = [
    ["k > N", () => softKMeans(x, 6), /\bk \(6\) must not exceed the number of positions/],
    ["k < 1", () => softKMeans(x, 0), /\bk must be >= 1, got 0/],
    ["non-integer k", () => softKMeans(x, 1.5), /\bk must be an integer, got 1.5/],
    [
      "wrong rank",
      () => softKMeans(tf.zeros([5, 3]) as unknown as tf.Tensor3D, 2),
      /\bx must be rank 3/,
    ],
    ["iterations < 1", () => softKMeans(x, 2, { iterations: 0 }), /opts\.iterations must be/],
    ["beta <= 0", () => softKMeans(x, 2, { beta: 0 }), /opts\.beta must be a finite number > 0/],
    ["beta NaN", () => softKMeans(x, 2, { beta: NaN }), /opts\.beta must be/],
    ["beta Infinity", () => softKMeans(x, 2, { beta: Infinity }), /opts\.beta must be/],
    [
      "non-finite x",
      () => softKMeans(tf.tensor3d([[[0, NaN], [1, 1]]]), 1),
      /\bx must be finite, but x has NaN at flat index 1/,
    ],
    [
      "infinite x",
      () => softKMeansComposed(tf.tensor3d([[[0, 1], [Infinity, 1]]]), 1),
      /softKMeansComposed: x must be finite, but x has Infinity/,
    ],
    [
      "finite but huge x (squared distances overflow)",
      () => softKMeans(tf.tensor3d([[[0, 1e20], [1, 1]]]), 1),
      (e: unknown) =>
        e instanceof NonFiniteError &&
        /softKMeans: x has 1\d{20} at flat index 1, beyond \+-6\.52e\+18/
          .test((e as Error).message),
    ],
    [
      "int32 x",
      () => softKMeans(tf.zeros([1, 2, 2], "int32") as tf.Tensor3D, 1),
      /\bx must be float32/,
    ],
  ];
  for (const [name, f, re] of bad) {
    await t.step(name, () => assert.throws(f, re));
  }
  x.dispose();
});

Deno.test("inputs just inside the overflow bound give finite centers and assignments", () => {
  // bound for D = 2: sqrt(3.4e38 / 8) = 6.52e18; opposite points are the worst case
  const x = tf.tensor3d([[[6e18, -6e18], [-6e18, 6e18], [6e18, 6e18]]]);
  const r = softKMeans(x, 2);
  assert.ok(r.centers.dataSync().every(Number.isFinite), "centers finite");
  assert.ok(r.assignments.dataSync().every(Number.isFinite), "assignments finite");
  tf.dispose([x, r.centers, r.assignments]);
});
