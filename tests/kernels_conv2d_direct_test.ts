// The direct convolution kernel (wasm SIMD, fused multiply-adds) against a float64 sum, for the
// tiny and small trunks' layers, their input gradients' filters (stride 1, asymmetric padding,
// 2x1 / 1x2 phase filters), batch 1 and odd sizes; its value per pixel independent of the batch;
// the input gradient written phase by phase (convInputGrad) against a float64 sum; and
// where they do not run.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { conv2dDirect, convInputGrad } from "../kernels/mod.ts";
import { conv2dReference, convInputGradReference } from "./kernels_conv_reference.ts";

type Case = {
  x: [number, number, number, number];
  w: [number, number, number, number];
  s: number;
  top: number;
  left: number;
  out: [number, number];
};
/** tfjs's "same" output size and padding before. */
const same = (n: number, k: number, s: number): [number, number] => {
  const out = Math.ceil(n / s);
  return [out, Math.floor(Math.max((out - 1) * s + k - n, 0) / 2)];
};
const sameCase = (x: Case["x"], k: number, o: number, s: number): Case => {
  const [oh, top] = same(x[1], k, s), [ow, left] = same(x[2], k, s);
  return { x, w: [k, k, x[3], o], s, top, left, out: [oh, ow] };
};
const CASES: Case[] = [
  // the tiny trunks' layers ("same")
  sameCase([2, 16, 16, 3], 3, 16, 2),
  sameCase([2, 16, 16, 16], 3, 32, 2),
  sameCase([2, 8, 8, 32], 3, 32, 1),
  sameCase([1, 16, 8, 32], 3, 32, 1),
  // the small trunks' (5x5 and 7x7 filters)
  sameCase([2, 13, 11, 1], 5, 32, 2),
  sameCase([1, 9, 9, 32], 3, 64, 2),
  sameCase([1, 11, 10, 3], 7, 64, 2),
  // odd sizes, batch 1, a single column, more output columns than fit a block of four
  sameCase([1, 7, 5, 5], 3, 16, 1),
  sameCase([3, 5, 1, 2], 3, 48, 1),
  sameCase([1, 1, 9, 4], 3, 16, 2),
  sameCase([1, 6, 13, 7], 1, 16, 1),
  // an input gradient's phase filters: stride 1, 2x2 / 2x1 / 1x2 taps, padding before 0 or 1,
  // an output larger than the input (padding after)
  { x: [2, 8, 8, 32], w: [2, 2, 32, 16], s: 1, top: 1, left: 1, out: [9, 9] },
  { x: [1, 5, 7, 16], w: [2, 1, 16, 16], s: 1, top: 1, left: 0, out: [6, 7] },
  { x: [2, 7, 5, 32], w: [1, 2, 32, 16], s: 1, top: 0, left: 1, out: [7, 6] },
  // an output smaller than the input allows (odd width: the last pair would overrun it)
  { x: [2, 6, 9, 16], w: [3, 3, 16, 16], s: 1, top: 0, left: 0, out: [3, 3] },
  // padding wider than the filter: rows and columns that see no input
  { x: [1, 3, 4, 2], w: [3, 3, 2, 16], s: 1, top: 3, left: 4, out: [8, 10] },
];

for (const { x: xs, w: ws, s, top, left, out } of CASES) {
  Deno.test(`conv2dDirect equals the float64 sum: x [${xs}] w [${ws}] s ${s} pad ${top},${left} out ${out}`, async () => {
    await initBackend("wasm");
    const x = tf.randomNormal(xs, 0, 1, "float32", 7) as tf.Tensor4D;
    const w = tf.randomNormal(ws, 0, 1, "float32", 8) as tf.Tensor4D;
    const y = conv2dDirect(x, w, {
      stride: s,
      top,
      left,
      outHeight: out[0],
      outWidth: out[1],
    });
    assert.ok(y !== null, "the kernel runs on wasm");
    assert.deepEqual(y.shape, [xs[0], out[0], out[1], ws[3]]);
    const want = conv2dReference(
      x.dataSync() as Float32Array,
      xs,
      w.dataSync() as Float32Array,
      ws,
      s,
      top,
      left,
      out[0],
      out[1],
    );
    const got = y.dataSync();
    // float32 accumulation of n terms (fused or not): |error| <= n 2^-24 Σ|term| (with slack)
    const n = ws[0] * ws[1] * ws[2];
    for (let i = 0; i < want.y.length; i++) {
      const bound = (n + 1) * 2 ** -24 * want.scale[i] + 1e-30;
      assert.ok(
        Math.abs(got[i] - want.y[i]) <= bound,
        `y[${i}] ${got[i]} vs ${want.y[i]} (bound ${bound})`,
      );
    }
    tf.dispose([x, w, y]);
  });
}

Deno.test("conv2dDirect: a clip's output does not depend on the rest of the batch (bit for bit)", async () => {
  await initBackend("wasm");
  const x = tf.randomNormal([3, 11, 13, 16], 0, 1, "float32", 3) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 16, 32], 0, 1, "float32", 4) as tf.Tensor4D;
  const attrs = { stride: 1, top: 1, left: 1, outHeight: 11, outWidth: 13 };
  const all = conv2dDirect(x, w, attrs)!;
  const one = conv2dDirect(tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), w, attrs)!;
  assert.deepEqual(one.dataSync(), tf.slice(all, [1, 0, 0, 0], [1, -1, -1, -1]).dataSync());
  // and the same call twice gives the same bits
  assert.deepEqual(conv2dDirect(x, w, attrs)!.dataSync(), all.dataSync());
  tf.dispose([x, w, all, one]);
});

Deno.test("conv2dDirect returns null where it does not run: cpu, or O not a multiple of 16, and names a bad attribute", async () => {
  await initBackend("wasm");
  const x = tf.ones([1, 3, 3, 2]) as tf.Tensor4D;
  const attrs = { stride: 1, top: 1, left: 1, outHeight: 3, outWidth: 3 };
  assert.equal(conv2dDirect(x, tf.ones([3, 3, 2, 8]) as tf.Tensor4D, attrs), null);
  assert.throws(
    () => conv2dDirect(x, tf.ones([3, 3, 2, 16]) as tf.Tensor4D, { ...attrs, stride: 0 }),
    /stride must be an integer >= 1/,
  );
  assert.throws(
    () => conv2dDirect(x, tf.ones([3, 3, 4, 16]) as tf.Tensor4D, attrs),
    /does not fit input/,
  );
  await initBackend("cpu");
  assert.equal(conv2dDirect(x, tf.ones([3, 3, 2, 16]) as tf.Tensor4D, attrs), null);
});

// [dx shape [B, H, W, C], kernel, stride, top, left, O]: the tiny trunks' stride-2 layers
// ("same": top/left 0 at even sizes) and stride-1 layers, odd sizes (padding 1), a 5x5 filter,
// stride 3, a 1x1 filter (phases without taps), a 2x2 filter, batch 1, a single column
const INPUT_GRAD_CASES: [
  [number, number, number, number],
  number,
  number,
  number,
  number,
  number,
][] = [
  [[2, 32, 32, 16], 3, 2, 0, 0, 32],
  [[2, 32, 16, 16], 3, 2, 0, 0, 32],
  [[2, 16, 16, 32], 3, 1, 1, 1, 32],
  [[1, 7, 5, 16], 5, 1, 2, 2, 16],
  [[1, 9, 7, 32], 3, 2, 1, 1, 16],
  [[2, 13, 11, 32], 5, 2, 2, 2, 64],
  [[1, 10, 8, 16], 3, 3, 1, 0, 16],
  [[1, 7, 6, 16], 1, 2, 0, 0, 16],
  [[2, 7, 6, 16], 2, 2, 0, 1, 16],
  [[3, 5, 1, 16], 3, 2, 1, 1, 32],
];

for (const [xs, k, s, top, left, o] of INPUT_GRAD_CASES) {
  Deno.test(`convInputGrad equals the float64 sum: dx [${xs}] k ${k} s ${s} pad ${top},${left} O ${o}`, async () => {
    await initBackend("wasm");
    const [b, h, wd, c] = xs;
    const oh = Math.floor((h + top - 1 + s - k) / s) + 1;
    const ow = Math.floor((wd + left - 1 + s - k) / s) + 1;
    const dy = tf.randomNormal([b, oh, ow, o], 0, 1, "float32", 5) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, c, o], 0, 1, "float32", 6) as tf.Tensor4D;
    const wv = w.dataSync() as Float32Array;
    const dx = convInputGrad(dy, w, { stride: s, top, left, height: h, width: wd });
    assert.ok(dx !== null, "the kernel runs on wasm");
    assert.deepEqual(dx.shape, xs);
    const want = convInputGradReference(
      dy.dataSync() as Float32Array,
      dy.shape,
      wv,
      k,
      [h, wd, c],
      s,
      top,
      left,
    );
    const got = dx.dataSync();
    const n = k * k * o;
    for (let i = 0; i < want.y.length; i++) {
      const bound = (n + 1) * 2 ** -24 * want.scale[i] + 1e-30;
      assert.ok(Math.abs(got[i] - want.y[i]) <= bound, `dx[${i}] ${got[i]} vs ${want.y[i]}`);
    }
    tf.dispose([dy, w, dx]);
  });
}

Deno.test("convInputGrad returns null where it does not run (cpu, C not a multiple of 16) and names a bad argument", async () => {
  await initBackend("wasm");
  const dy = tf.ones([1, 2, 2, 16]) as tf.Tensor4D;
  const attrs = { stride: 2, top: 0, left: 0, height: 4, width: 4 };
  assert.equal(convInputGrad(dy, tf.ones([3, 3, 8, 16]) as tf.Tensor4D, attrs), null);
  assert.throws(
    () => convInputGrad(dy, tf.ones([3, 3, 16, 32]) as tf.Tensor4D, attrs),
    /filter \[3,3,16,32\] does not fit dy/,
  );
  assert.throws(
    () => convInputGrad(dy, tf.ones([3, 3, 16, 16]) as tf.Tensor4D, { ...attrs, stride: 0 }),
    /stride must be an integer >= 1/,
  );
  await initBackend("cpu");
  assert.equal(convInputGrad(dy, tf.ones([3, 3, 16, 16]) as tf.Tensor4D, attrs), null);
});
