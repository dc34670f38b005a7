import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { BACKENDS, describeBackend, initBackend } from "../lib/backend/mod.ts";

const requireWebgpu = Deno.env.get("AVSCENE_REQUIRE_WEBGPU") === "1";

Deno.test("initBackend forces cpu and reports it", async () => {
  const info = await initBackend("cpu");
  assert.equal(info.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(info.adapter, null);
  assert.equal(describeBackend(), "cpu");
});

Deno.test("initBackend forces wasm", async () => {
  const info = await initBackend("wasm");
  assert.equal(info.backend, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).arraySync());
  assert.deepEqual(y, [2, 3]);
});

Deno.test("wasm matMul with transposed operands equals the plain product and frees its copies", async () => {
  await initBackend("wasm");
  const backend = tf.engine().backend;
  // batched and broadcast shapes, each transpose flag
  const a = tf.tensor3d(Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), [2, 3, 4]);
  const b = tf.tensor2d(Array.from({ length: 4 * 5 }, (_, i) => Math.cos(i)), [4, 5]);
  const want = tf.matMul(a, b.expandDims(0).tile([2, 1, 1]) as tf.Tensor3D).arraySync();
  const before = backend.numDataIds();
  for (const [ta, tb] of [[true, false], [false, true], [true, true]]) {
    const y = tf.tidy(() =>
      tf.matMul(
        ta ? tf.transpose(a, [0, 2, 1]) : a,
        tb ? tf.transpose(b).expandDims(0).tile([2, 1, 1]) : b.expandDims(0).tile([2, 1, 1]),
        ta,
        tb,
      )
    );
    const got = y.arraySync() as number[][][];
    y.dispose();
    got.flat(2).forEach((v, i) =>
      assert.ok(Math.abs(v - (want as number[][][]).flat(2)[i]) < 1e-5, `${ta} ${tb} [${i}]`)
    );
  }
  assert.equal(backend.numDataIds(), before, "no buffer left behind");
  tf.dispose([a, b]);
});

Deno.test("wasm single-matrix products (SIMD kernels) are float32 sums within rounding of the float64 sum", async () => {
  await initBackend("wasm");
  const backend = tf.engine().backend;
  // K a multiple of the 16-row passes, and not; N a multiple of 16; M odd (a lone row/channel)
  for (
    const [k, m, n] of [[2048, 32, 32], [100, 5, 16], [48, 3, 32], [32, 2048, 32], [9, 9, 1024]]
  ) {
    const a = tf.randomNormal([k, m], 0, 1, "float32", 3) as tf.Tensor2D;
    const b = tf.randomNormal([k, n], 0, 1, "float32", 4) as tf.Tensor2D;
    const aT = tf.transpose(a) as tf.Tensor2D, bT = tf.transpose(b) as tf.Tensor2D;
    // each entry the float64 sum over k, and the bound of a sequential float32 sum of k terms
    // (fused multiply-adds or not): k unit roundoffs (2^-24) of the sum of |terms|
    const av = a.dataSync(), bv = b.dataSync();
    const want = new Float64Array(m * n), bound = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, abs = 0;
        for (let r = 0; r < k; r++) {
          s += av[r * m + i] * bv[r * n + j];
          abs += Math.abs(av[r * m + i] * bv[r * n + j]);
        }
        want[i * n + j] = s;
        bound[i * n + j] = k * 2 ** -24 * abs;
      }
    }
    const before = backend.numDataIds();
    const products: [string, () => tf.Tensor][] = [
      ["a^T b", () => tf.matMul(a, b, true, false)],
      ["a b", () => tf.matMul(aT, b)],
      ["a b^T", () => tf.matMul(aT, bT, false, true)],
      ["[1, M, K] [1, K, N]", () => tf.matMul(aT.expandDims(0) as tf.Tensor3D, b.expandDims(0))],
    ];
    for (const [name, product] of products) {
      const y = product();
      assert.deepEqual(y.shape.slice(-2), [m, n], name);
      const got = y.dataSync();
      const bad = got.findIndex((v, i) => !(Math.abs(v - want[i]) <= bound[i]));
      assert.equal(bad, -1, `${name}: [${k}, ${m}] [${k}, ${n}] entry ${bad}: ${got[bad]}`);
      // the same product again: the same bits
      const again = product();
      assert.deepEqual(again.dataSync(), got, `${name}: run to run`);
      again.dispose();
      y.dispose();
      assert.equal(backend.numDataIds(), before, `${name}: no buffer left behind`);
    }
    tf.dispose([a, b, aT, bT]);
  }
});

Deno.test("wasm Sum over leading axes equals the stock sum of the transposed input bit for bit", async () => {
  await initBackend("wasm");
  const backend = tf.engine().backend;
  const x = tf.randomNormal([8, 256, 32], 0, 1, "float32", 5) as tf.Tensor3D;
  const cases: [number | number[], boolean, number[], () => tf.Tensor][] = [
    // the stock kernel on the transposed input: a sum over its innermost axes, no transpose
    [0, false, [256, 32], () => tf.sum(tf.transpose(x, [1, 2, 0]), 2)],
    [[0, 1], false, [32], () => tf.sum(tf.reshape(tf.transpose(x, [2, 0, 1]), [32, 2048]), 1)],
    [[1, 0], true, [1, 1, 32], () => tf.sum(tf.reshape(tf.transpose(x, [2, 0, 1]), [32, 2048]), 1)],
  ];
  for (const [axis, keepDims, shape, stock] of cases) {
    const want = tf.tidy(() => stock().dataSync());
    const before = backend.numDataIds();
    const got = tf.sum(x, axis, keepDims);
    assert.equal(backend.numDataIds(), before + 1, "one new buffer, no temporary left");
    assert.deepEqual(got.shape, shape, `axis ${axis}`);
    assert.deepEqual(got.dataSync(), want, `axis ${axis}`);
    got.dispose();
  }
  // sums the kernel leaves to the stock one: all axes, trailing axes
  tf.tidy(() => {
    assert.ok(Math.abs(tf.sum(x).dataSync()[0] - tf.sum(tf.sum(x, 2)).dataSync()[0]) < 1e-2);
    assert.deepEqual(tf.sum(x, 2).shape, [8, 256]);
  });
  x.dispose();
});

/** Values with distinct bit patterns, a NaN with a payload among them. */
function patterned(shape: number[], dtype: "float32" | "int32", seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const bits = Int32Array.from({ length: n }, (_, i) => (i + 1) * 2654435761 + seed | 0);
  if (dtype === "float32") {
    bits[0] = 0x7fc01234; // a NaN with a payload: copied bit for bit
    for (let i = 1; i < n; i++) bits[i] = (bits[i] & 0x807fffff) | 0x3f000000; // finite
    return tf.tensor(new Float32Array(bits.buffer), shape, "float32");
  }
  return tf.tensor(bits, shape, "int32");
}

/** A tensor's 32-bit patterns. */
function bitsOf(t: tf.Tensor): number[] {
  const v = t.dataSync() as Float32Array | Int32Array;
  return Array.from(new Int32Array(v.buffer, v.byteOffset, v.length));
}

/** Row-major index of `at` in `shape`. */
function flatIndex(shape: number[], at: number[]): number {
  return at.reduce((o, a, i) => o * shape[i] + a, 0);
}

/** Every index of `shape`, row-major. */
function* indices(shape: number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < n; f++) {
    const at = new Array(shape.length);
    for (let i = shape.length - 1, r = f; i >= 0; i--) {
      at[i] = r % shape[i], r = Math.floor(r / shape[i]);
    }
    yield at;
  }
}

/** The block of `x` at `begin` of `size`, by index arithmetic (the reference). */
function sliceBits(x: tf.Tensor, begin: number[], size: number[]): number[] {
  const xb = bitsOf(x);
  return [...indices(size)].map((at) => xb[flatIndex(x.shape, at.map((a, i) => a + begin[i]))]);
}

Deno.test("wasm Concat, Slice and SplitV copy every 32-bit pattern where the stock kernels put it", async () => {
  await initBackend("wasm");
  const backend = tf.engine().backend;
  const concats: [number[][], number, "float32" | "int32"][] = [
    [[[2, 5, 4, 3], [2, 5, 4, 2]], 3, "float32"], // channels, rows shorter than a `set`
    [[[1, 2, 2, 70], [1, 2, 2, 3], [1, 2, 2, 1]], 3, "float32"], // long and short rows
    [[[2, 3, 4], [2, 1, 4]], 1, "int32"],
    [[[3, 2], [1, 2]], 0, "float32"],
    [[[5], [7]], 0, "float32"],
  ];
  for (const [shapes, axis, dtype] of concats) {
    const xs = shapes.map((s, i) => patterned(s, dtype, i));
    const before = backend.numDataIds();
    const got = tf.concat(xs, axis);
    assert.equal(backend.numDataIds(), before + 1, "one new buffer, no temporary left");
    // the reference: each output index reads the input its axis coordinate falls in
    const want = [...indices(got.shape)].map((at) => {
      let k = at[axis], i = 0;
      while (k >= shapes[i][axis]) k -= shapes[i++][axis];
      const src = at.slice();
      src[axis] = k;
      return bitsOf(xs[i])[flatIndex(shapes[i], src)];
    });
    assert.deepEqual(bitsOf(got), want, `concat ${JSON.stringify(shapes)} axis ${axis}`);
    tf.dispose([got, ...xs]);
  }
  const slices: [number[], number[], number[], "float32" | "int32"][] = [
    [[2, 6, 5, 4], [1, 2, 1, 1], [1, 3, 4, 2], "float32"],
    [[2, 6, 5, 70], [0, 1, 0, 2], [2, 2, 3, 66], "float32"],
    [[4, 6, 8], [1, 0, 2], [2, 6, 3], "int32"],
    [[6, 8], [2, 0], [3, 8], "float32"], // contiguous
    [[9], [3], [4], "float32"],
  ];
  for (const [shape, begin, size, dtype] of slices) {
    const x = patterned(shape, dtype, 3);
    const before = backend.numDataIds();
    const got = tf.slice(x, begin, size);
    assert.equal(backend.numDataIds(), before + 1, "one new buffer, no temporary left");
    assert.deepEqual(bitsOf(got), sliceBits(x, begin, size), `slice ${shape} at ${begin}`);
    tf.dispose([got, x]);
  }
  // SplitV: the gradient of a channel concatenation
  const x = patterned([2, 4, 3, 12], "float32", 4);
  const parts = tf.split(x, [5, 7], 3);
  assert.deepEqual(bitsOf(parts[0]), sliceBits(x, [0, 0, 0, 0], [2, 4, 3, 5]));
  assert.deepEqual(bitsOf(parts[1]), sliceBits(x, [0, 0, 0, 5], [2, 4, 3, 7]));
  const a = tf.ones([2, 4, 3, 5]), b = tf.ones([2, 4, 3, 7]);
  const grads = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.mul(tf.concat([p, q], 3), x))([a, b]);
  assert.deepEqual(bitsOf(grads[0]), bitsOf(parts[0]));
  assert.deepEqual(bitsOf(grads[1]), bitsOf(parts[1]));
  tf.dispose([x, ...parts, a, b, ...grads]);
});

Deno.test("initBackend rejects an unknown backend by name", async () => {
  // deno-lint-ignore no-explicit-any
  await assert.rejects(() => initBackend("tpu" as any), /backend "tpu" is not one of/);
});

Deno.test("AVSCENE_BACKEND with a bad value is a clear error", async () => {
  const before = Deno.env.get("AVSCENE_BACKEND");
  Deno.env.set("AVSCENE_BACKEND", "quantum");
  try {
    await assert.rejects(() => initBackend(), /AVSCENE_BACKEND=quantum is not a backend/);
  } finally {
    if (before === undefined) Deno.env.delete("AVSCENE_BACKEND");
    else Deno.env.set("AVSCENE_BACKEND", before);
  }
});

Deno.test("webgpu backend runs on the adapter (lavapipe in CI)", async (t) => {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) {
    if (requireWebgpu) throw new Error("AVSCENE_REQUIRE_WEBGPU=1 but no WebGPU adapter exists");
    console.log("SKIP webgpu: no adapter (install mesa-vulkan-drivers)");
    return;
  }
  const info = await initBackend("webgpu");
  assert.equal(info.backend, "webgpu");
  assert.ok(info.adapter && info.adapter.length > 0, "adapter is described");
  assert.match(describeBackend(), /^webgpu on /);
  await t.step("computes", async () => {
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    assert.deepEqual(await y.data(), new Float32Array([11]));
    y.dispose();
  });
  assert.deepEqual([...BACKENDS], ["webgpu", "wasm", "cpu"]);
});
