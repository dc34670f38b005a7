import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { Adam } from "../lib/train/mod.ts";
import { AdamUpdate, adamUpdate, AdamUpdates, adamUpdates } from "../kernels/mod.ts";

/** Adam with L2 weight decay in float64, PyTorch's formulas, on loss sum((w - target)^2). */
function referenceAdam(w0: number[], target: number[], steps: number, lr: number, wd: number) {
  const w = w0.slice(), m = w.map(() => 0), v = w.map(() => 0);
  for (let t = 1; t <= steps; t++) {
    const lrT = lr * Math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t);
    for (let i = 0; i < w.length; i++) {
      const g = 2 * (w[i] - target[i]) + wd * w[i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      w[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-8);
    }
  }
  return w;
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`Adam on ${backend} (fused update kernel) follows the float64 reference`, async () => {
    await initBackend(backend);
    const w0 = [0.5, -1.25, 2, 0.1, -0.3, 3], target = [1, 1, -1, 0, 0.2, 2.5];
    const a = tf.variable(tf.tensor(w0.slice(0, 4), [2, 2]));
    const b = tf.variable(tf.tensor(w0.slice(4)));
    const t = tf.tensor(target);
    const before = tf.memory().numTensors;
    const opt = new Adam([a, b], { lr: 0.05, weightDecay: 0.01 });
    for (let s = 0; s < 20; s++) {
      opt.minimize(() =>
        tf.tidy(() => tf.sum(tf.square(tf.sub(tf.concat([tf.reshape(a, [4]), b]), t))))
      ).dispose();
    }
    assert.equal(tf.memory().numTensors, before + 2 * 2, "only the moments are kept");
    const got = [...a.dataSync(), ...b.dataSync()];
    const want = referenceAdam(w0, target, 20, 0.05, 0.01);
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-5, `w[${i}] ${g} vs ${want[i]}`));
    const state = await opt.getState();
    assert.equal(state.step, 20);
    opt.dispose();
    tf.dispose([a, b, t]);
  });
}

Deno.test("adamUpdate: the fused cpu kernel and the composed tfjs ops agree", async () => {
  await initBackend("cpu");
  const [w, g, m] = [1, 2, 3].map((s) => tf.randomNormal([5, 3], 0, 1, "float32", s));
  const v = tf.abs(tf.randomNormal([5, 3], 0, 1, "float32", 4));
  const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 };
  const fused = adamUpdate(w, g, m, v, attrs).map((t) => t.dataSync());
  const kernel = tf.getKernel(AdamUpdate, "cpu")!;
  tf.unregisterKernel(AdamUpdate, "cpu");
  let composed: Float32Array[];
  try {
    composed = adamUpdate(w, g, m, v, attrs).map((t) => t.dataSync() as Float32Array);
  } finally {
    tf.registerKernel(kernel);
  }
  fused.forEach((f, i) =>
    f.forEach((x, j) => assert.ok(Math.abs(x - composed[i][j]) < 1e-6, `output ${i}[${j}]`))
  );
  assert.throws(() => adamUpdate(w, tf.zeros([3]), m, v, attrs), /g \[3\] does not match w/);
});

Deno.test("adamUpdates on wasm (SIMD on the heap) equals the plain loop bit for bit", async () => {
  await initBackend("wasm");
  // odd and even sizes (the SIMD loop takes two values at a time), shapes of a model's variables
  const shapes = [[3, 3, 3, 16], [7], [1], [32, 32], [5, 3]];
  const vars = shapes.map((shape, i) => ({
    w: tf.randomNormal(shape, 0, 1, "float32", 10 * i + 1),
    g: tf.randomNormal(shape, 0, 1, "float32", 10 * i + 2),
    m: tf.randomNormal(shape, 0, 0.1, "float32", 10 * i + 3),
    v: tf.abs(tf.randomNormal(shape, 0, 0.01, "float32", 10 * i + 4)),
  }));
  const attrs = { lr: 3e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4 };
  const before = tf.memory().numTensors;
  const simd = adamUpdates(vars, attrs);
  assert.equal(tf.memory().numTensors, before + 3 * shapes.length, "three outputs per variable");
  const single = vars.map(({ w, g, m, v }) => adamUpdate(w, g, m, v, attrs));
  // the plain JavaScript loop, run as the cpu kernel on the same values
  const plain = tf.getKernel(AdamUpdates, "cpu")!;
  await initBackend("cpu");
  const onCpu = vars.map((t) =>
    Object.fromEntries(Object.entries(t).map(([k, x]) => [k, tf.tensor(x.dataSync(), x.shape)]))
  );
  const inputs = Object.fromEntries(
    onCpu.flatMap((t, i) => Object.entries(t).map(([k, x]) => [`${k}${i}`, x])),
  );
  const want = tf.engine().runKernel(plain.kernelName, inputs, attrs) as tf.Tensor[];
  simd.forEach((out, i) =>
    out.forEach((t, j) => {
      const w = want[3 * i + j].dataSync();
      assert.deepEqual(t.dataSync(), w, `variable ${i} output ${j}`);
      assert.deepEqual(single[i][j].dataSync(), w, `adamUpdate of variable ${i} output ${j}`);
    })
  );
  tf.dispose([want, onCpu.flatMap(Object.values)]);
  await initBackend("wasm");
  tf.dispose([simd.flat(), single.flat(), vars.flatMap(Object.values)]);
  assert.throws(
    () =>
      adamUpdates(
        [{ w: tf.zeros([2]), g: tf.zeros([3]), m: tf.zeros([2]), v: tf.zeros([2]) }],
        attrs,
      ),
    /variable 0: g \[3\] does not match w \[2\]/,
  );
});
