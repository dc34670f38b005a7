import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { conv2dSame, createModel, embedVisual } from "../lib/model/mod.ts";
import { loadModel, saveCheckpoint } from "../lib/train/mod.ts";

/** Reflect-pad by hand: rows/columns copied one at a time (slices and concat, plain autodiff). */
function padByHand(x: tf.Tensor4D, [t, b]: number[], [l, r]: number[]): tf.Tensor4D {
  const axisPad = (v: tf.Tensor4D, axis: 1 | 2, before: number, after: number): tf.Tensor4D => {
    const n = v.shape[axis];
    const at = (i: number) =>
      axis === 1 ? tf.slice(v, [0, i, 0, 0], [-1, 1, -1, -1]) : tf.slice(v, [0, 0, i, 0], [
        -1,
        -1,
        1,
        -1,
      ]);
    const parts: tf.Tensor4D[] = [];
    for (let i = before; i >= 1; i--) parts.push(at(i)); // padded i' = before - i holds input i
    parts.push(v);
    for (let j = 0; j < after; j++) parts.push(at(n - 2 - j));
    return tf.concat(parts, axis);
  };
  return axisPad(axisPad(x, 1, t, b), 2, l, r);
}

function assertClose(a: Float32Array, b: Float32Array, what: string) {
  assert.equal(a.length, b.length, what);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-4 * (1 + Math.abs(b[i])), `${what}[${i}]`));
}

for (const [stride, kernel, outC] of [[1, 3, 16], [2, 3, 32], [2, 5, 8]]) {
  Deno.test(`conv2dSame reflect (stride ${stride}, kernel ${kernel}) on cpu and wasm equals pad-by-hand + valid conv, forward and gradients`, async () => {
    // tfjs "same": total pad (out - 1) s + k - size, the odd one at the bottom/right
    const pads = [9, 8].map((n) => {
      const p = Math.max((Math.ceil(n / stride) - 1) * stride + kernel - n, 0);
      return [Math.floor(p / 2), p - Math.floor(p / 2)];
    });
    const inputs = () => {
      const x = tf.randomNormal([2, 9, 8, 4], 0, 1, "float32", 1) as tf.Tensor4D;
      const w = tf.randomNormal([kernel, kernel, 4, outC], 0, 0.2, "float32", 2) as tf.Tensor4D;
      const shape = [2, Math.ceil(9 / stride), Math.ceil(8 / stride), outC];
      return { x, w, r: tf.randomNormal(shape, 0, 1, "float32", 3) };
    };
    const run = (f: (xt: tf.Tensor, wt: tf.Tensor) => tf.Tensor4D) => {
      const { x, w, r } = inputs();
      const y = f(x, w);
      const [dx, dw] = tf.grads((xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.mul(f(xt, wt), r)))([
        x,
        w,
      ]);
      const out = [y, dx, dw].map((t) => t.dataSync() as Float32Array);
      const shape = y.shape;
      tf.dispose([x, w, r, y, dx, dw]);
      return { out, shape };
    };
    // the reference on cpu (tfjs-backend-wasm has no Conv2DBackpropFilter kernel)
    await initBackend("cpu");
    const ref = run((xt, wt) =>
      tf.conv2d(padByHand(xt as tf.Tensor4D, pads[0], pads[1]), wt as tf.Tensor4D, stride, "valid")
    );
    assert.deepEqual(ref.shape, [2, Math.ceil(9 / stride), Math.ceil(8 / stride), outC]);
    for (const backend of ["cpu", "wasm"] as const) {
      await initBackend(backend);
      const ours = run((xt, wt) =>
        conv2dSame(xt as tf.Tensor4D, wt as tf.Tensor4D, stride, { padding: "reflect" })
      );
      assert.deepEqual(ours.shape, ref.shape);
      ["y", "dx", "dw"].forEach((what, i) =>
        assertClose(ours.out[i], ref.out[i], `${backend} ${what}`)
      );
      // the border matters: zero padding gives another output
      const zeros = run((xt, wt) => conv2dSame(xt as tf.Tensor4D, wt as tf.Tensor4D, stride));
      assert.ok(zeros.out[0].some((v, i) => Math.abs(v - ours.out[0][i]) > 1e-3));
    }
  });
}

Deno.test("conv2dSame reflect: an input too small to reflect is named", async () => {
  await initBackend("cpu");
  assert.throws(
    () => conv2dSame(tf.ones([1, 1, 4, 1]), tf.ones([3, 3, 1, 1]), 1, { padding: "reflect" }),
    /reflect padding/,
  );
});

Deno.test("model padding: reflect changes the features, round-trips through a checkpoint, bad values named", async () => {
  await initBackend("wasm");
  const zeros = createModel({ preset: "tiny", seed: 0 });
  const reflect = createModel({ preset: "tiny", seed: 0, config: { padding: "reflect" } });
  assert.equal(zeros.config.padding, undefined);
  assert.equal(reflect.config.padding, "reflect");
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const ez = embedVisual(zeros, images), er = embedVisual(reflect, images);
  assert.deepEqual(ez.features.shape, er.features.shape);
  assert.ok(tf.max(tf.abs(tf.sub(ez.features, er.features))).dataSync()[0] > 1e-3);
  const dir = await Deno.makeTempDir();
  try {
    await saveCheckpoint(dir, { model: reflect, step: 0 });
    const loaded = await loadModel(dir);
    assert.equal(loaded.config.padding, "reflect");
    const el = embedVisual(loaded, images);
    assertClose(
      el.features.dataSync() as Float32Array,
      er.features.dataSync() as Float32Array,
      "e",
    );
    tf.dispose(el.features);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // deno-lint-ignore no-explicit-any
  assert.throws(() => createModel({ config: { padding: "edge" as any } }), /padding/);
  tf.dispose([images, ez.features, er.features]);
});
