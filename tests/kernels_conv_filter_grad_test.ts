import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { convFilterGrad } from "../kernels/mod.ts";
import { conv2dSame } from "../lib/model/mod.ts";
import { convFilterGradReference } from "./kernels_conv_reference.ts";

// [x shape, kernel, stride, top, left, out channels]: the tiny and small trunks' layers,
// odd sizes, asymmetric and zero padding
const CASES: [[number, number, number, number], number, number, number, number, number][] = [
  [[2, 9, 8, 3], 3, 2, 0, 0, 16],
  [[2, 7, 6, 1], 3, 2, 1, 1, 16],
  [[3, 8, 8, 16], 3, 2, 0, 0, 32],
  [[2, 5, 4, 32], 3, 1, 1, 1, 32],
  [[2, 9, 7, 4], 5, 2, 1, 2, 64],
  [[1, 6, 6, 8], 1, 2, 0, 0, 16],
  [[2, 4, 5, 2], 7, 2, 3, 3, 16],
];

for (const [shape, k, s, top, left, o] of CASES) {
  Deno.test(`convFilterGrad on wasm equals the float64 sum: x [${shape}] k ${k} s ${s} pad ${top},${left} O ${o}`, async () => {
    await initBackend("wasm");
    const [b, h, w] = shape;
    const oh = Math.floor((h + 2 * top - k) / s) + 1, ow = Math.floor((w + 2 * left - k) / s) + 1;
    const x = tf.randomNormal(shape, 0, 1, "float32", 7) as tf.Tensor4D;
    const dy = tf.randomNormal([b, oh, ow, o], 0, 1, "float32", 8) as tf.Tensor4D;
    const dw = convFilterGrad(x, dy, { kernel: k, stride: s, top, left });
    assert.ok(dw !== null, "the kernel runs on wasm");
    assert.deepEqual(dw.shape, [k, k, shape[3], o]);
    const want = convFilterGradReference(
      x.dataSync() as Float32Array,
      shape,
      dy.dataSync() as Float32Array,
      dy.shape,
      k,
      s,
      top,
      left,
    );
    const got = dw.dataSync();
    for (let i = 0; i < want.length; i++) {
      assert.ok(
        Math.abs(got[i] - want[i]) < 1e-4 * (1 + Math.abs(want[i])),
        `dw[${i}] ${got[i]} vs ${want[i]}`,
      );
    }
    tf.dispose([x, dy, dw]);
  });
}

Deno.test("convFilterGrad returns null where it does not run: cpu, or O not a multiple of 16", async () => {
  await initBackend("wasm");
  const x = tf.ones([1, 3, 3, 2]) as tf.Tensor4D;
  assert.equal(
    convFilterGrad(x, tf.ones([1, 3, 3, 8]) as tf.Tensor4D, {
      kernel: 3,
      stride: 1,
      top: 1,
      left: 1,
    }),
    null,
  );
  await initBackend("cpu");
  assert.equal(
    convFilterGrad(x, tf.ones([1, 3, 3, 16]) as tf.Tensor4D, {
      kernel: 3,
      stride: 1,
      top: 1,
      left: 1,
    }),
    null,
  );
});

Deno.test("conv2dSame's filter gradient on wasm (kernel) equals cpu's (composed) for a stride-2 layer", async () => {
  const grads: Float32Array[] = [];
  for (const backend of ["wasm", "cpu"] as const) {
    await initBackend(backend);
    const x = tf.randomNormal([2, 9, 8, 16], 0, 1, "float32", 9) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 16, 32], 0, 0.2, "float32", 10) as tf.Tensor4D;
    const r = tf.randomNormal([2, 5, 4, 32], 0, 1, "float32", 11);
    const dw = tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(conv2dSame(x, wt as tf.Tensor4D, 2), r)))(
      w,
    );
    grads.push(dw.dataSync() as Float32Array);
    tf.dispose([x, w, r, dw]);
  }
  grads[0].forEach((v, i) =>
    assert.ok(Math.abs(v - grads[1][i]) < 1e-4 * (1 + Math.abs(grads[1][i])), `dw[${i}]`)
  );
});
