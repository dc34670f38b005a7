/**
 * The hand-written wasm SIMD kernels against what they replace, on the wasm backend, at the
 * tiny and small trunks' shapes (batch 8); `deno bench` prints each kernel's ratio to its
 * baseline in the same run:
 *
 * - convolution filter gradient (`convFilterGrad`) against the composed path it replaces on
 *   wasm (both operands transposed, a dilated XNNPACK convolution with the batch as channels,
 *   a slice and a transpose back), and the forward convolution of the same size (XNNPACK) for
 *   scale;
 * - feature normalisation + ReLU, forward and gradient (`FeatureNorm`, `FeatureNormGrad`),
 *   against the plain JavaScript kernels;
 * - soft K-means, forward and gradient, against the plain JavaScript kernels;
 * - the linear layer's products (`a b`, `a b^T`, `a^T b`) and its bias gradient (a sum over the
 *   leading axis) against tfjs-backend-wasm's own `BatchMatMul` (XNNPACK; `a^T b` after an
 *   explicit transpose, as before) and `Sum` (a transpose, then the sums);
 * - Adam over the tiny model's variables: one `AdamUpdates` call (wasm SIMD) against the plain
 *   JavaScript kernel once per variable.
 *
 *   deno bench -A bench/wasm_kernels_bench.ts
 *
 * @module
 */
import { STOCK_WASM } from "./_stock_wasm_kernels.ts";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  AdamUpdate,
  adamUpdates,
  convFilterGrad,
  FeatureNorm,
  type FeatureNormAttrs,
  FeatureNormGrad,
  SoftKMeans,
  type SoftKMeansAttrs,
  SoftKMeansGrad,
} from "../kernels/mod.ts";
import { featureNormGradPlain, featureNormPlain } from "../kernels/feature_norm_plain.ts";
import { softKMeansGradPlain, softKMeansPlain } from "../kernels/soft_kmeans_plain.ts";
import { tinyAdamInputs } from "./_tiny_adam_inputs.ts";

await initBackend("wasm");

/** Run a plain kernel function directly and free its outputs. */
function runPlain(
  kernel: (args: Parameters<typeof featureNormPlain>[0]) => tf.TensorInfo | tf.TensorInfo[],
  inputs: Record<string, tf.Tensor>,
  attrs: object,
): void {
  const backend = tf.backend();
  const out = kernel({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  for (const t of Array.isArray(out) ? out : [out]) backend.disposeData(t.dataId);
}

// [preset, x shape, stride, padding top/left, dy shape]: each trunk's largest filter gradients
type Shape4 = [number, number, number, number];
const FILTER_CASES: [string, Shape4, number, number, Shape4][] = [
  ["tiny", [8, 16, 16, 32], 1, 1, [8, 16, 16, 32]],
  ["tiny", [8, 32, 32, 16], 2, 0, [8, 16, 16, 32]],
  ["small", [8, 32, 32, 64], 1, 1, [8, 32, 32, 64]],
  ["small", [8, 16, 16, 128], 1, 1, [8, 16, 16, 128]],
];
for (const [preset, xs, s, pad, ds] of FILTER_CASES) {
  const group = `filter gradient ${preset} x [${xs}] stride ${s}`;
  const x = tf.randomNormal(xs, 0, 1, "float32", 1) as tf.Tensor4D;
  const dy = tf.randomNormal(ds, 0, 1, "float32", 2) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, xs[3], ds[3]], 0, 0.1, "float32", 3) as tf.Tensor4D;
  const k = 3;
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [pad, (ds[1] - 1) * s + k - xs[1] - pad],
    [pad, (ds[2] - 1) * s + k - xs[2] - pad],
    [0, 0],
  ];
  const n = preset === "tiny" ? 30 : 4;
  Deno.bench({
    name: `${group}: composed (transposes + dilated XNNPACK convolution)`,
    group,
    baseline: true,
    n,
    warmup: 1,
    fn() {
      const dw = tf.tidy(() => {
        const xcb = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
        const gf = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
        const full = tf.conv2d(xcb, gf, 1, padding, "NHWC", s);
        return tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, k, k, -1]), [1, 2, 0, 3]);
      });
      dw.dataSync();
      dw.dispose();
    },
  });
  Deno.bench({
    name: `${group}: convFilterGrad (wasm SIMD)`,
    group,
    n,
    warmup: 1,
    fn() {
      const dw = convFilterGrad(x, dy, { kernel: k, stride: s, top: pad, left: pad })!;
      dw.dataSync();
      dw.dispose();
    },
  });
  Deno.bench({
    name: `${group}: forward convolution of the same size (XNNPACK)`,
    group,
    n,
    warmup: 1,
    fn() {
      const y = tf.conv2d(x, w, s, padding);
      y.dataSync();
      y.dispose();
    },
  });
}

// [preset, shape, groups]: the trunks' largest normalised maps
const NORM_CASES: [string, [number, number, number, number], number][] = [
  ["tiny", [8, 32, 32, 16], 0],
  ["tiny", [8, 16, 16, 32], 0],
  ["small", [8, 32, 32, 64], 8],
];
for (const [preset, shape, groups] of NORM_CASES) {
  const group = `feature norm ${preset} [${shape}] groups ${groups}, forward + gradient`;
  const c = shape[3];
  const attrs: FeatureNormAttrs = { groups, epsilon: 1e-5, relu: true };
  const x = tf.randomNormal(shape, 0, 1, "float32", 4);
  const gamma = tf.ones([c]), beta = tf.zeros([c]);
  const dy = tf.randomNormal(shape, 0, 1, "float32", 5);
  const n = preset === "tiny" ? 30 : 10;
  Deno.bench({
    name: `${group}: plain JavaScript kernels`,
    group,
    baseline: true,
    n,
    warmup: 1,
    fn() {
      const backend = tf.backend();
      const [y, xhat, inv] = featureNormPlain({
        inputs: { x, gamma, beta },
        backend,
        attrs: attrs as unknown as tf.NamedAttrMap,
      });
      const t = [y, xhat, inv].map((i) => tf.engine().makeTensorFromTensorInfo(i));
      runPlain(featureNormGradPlain, { dy, y: t[0], xhat: t[1], inv: t[2], gamma }, attrs);
      tf.dispose(t);
    },
  });
  Deno.bench({
    name: `${group}: wasm SIMD kernels`,
    group,
    n,
    warmup: 1,
    fn() {
      const named = attrs as unknown as tf.NamedAttrMap;
      const [y, xhat, inv] = tf.engine().runKernel(
        FeatureNorm,
        { x, gamma, beta },
        named,
      ) as tf.Tensor[];
      const grads = tf.engine().runKernel(FeatureNormGrad, { dy, y, xhat, inv, gamma }, named);
      tf.dispose([y, xhat, inv, ...grads as tf.Tensor[]]);
    },
  });
}

// [B, N, D, K]: the tiny model's visual (K = 2) and audio (K = 1) clustering
const KMEANS_CASES: [number, number, number, number][] = [[8, 256, 32, 2], [8, 128, 32, 1]];
for (const [b, n, d, k] of KMEANS_CASES) {
  const group = `soft K-means [${b}, ${n}, ${d}] K ${k}, forward + gradient`;
  const attrs: SoftKMeansAttrs = { k, iterations: 4, beta: 30 };
  const named = attrs as unknown as tf.NamedAttrMap;
  const x = tf.randomNormal([b, n, d], 0, 0.3, "float32", 6);
  const dCenters = tf.randomNormal([b, k, d], 0, 1, "float32", 7);
  const dAssignments = tf.randomNormal([b, k, n], 0, 1, "float32", 8);
  Deno.bench({
    name: `${group}: plain JavaScript kernels`,
    group,
    baseline: true,
    n: 30,
    warmup: 1,
    fn() {
      const backend = tf.backend();
      const out = softKMeansPlain({ inputs: { x }, backend, attrs: named });
      const trace = tf.engine().makeTensorFromTensorInfo(out[2]);
      runPlain(softKMeansGradPlain, { x, trace, dCenters, dAssignments }, attrs);
      backend.disposeData(out[0].dataId);
      backend.disposeData(out[1].dataId);
      trace.dispose();
    },
  });
  Deno.bench({
    name: `${group}: wasm SIMD kernels`,
    group,
    n: 30,
    warmup: 1,
    fn() {
      const out = tf.engine().runKernel(SoftKMeans, { x }, named) as tf.Tensor[];
      const dx = tf.engine().runKernel(SoftKMeansGrad, {
        x,
        trace: out[2],
        dCenters,
        dAssignments,
      }, named) as tf.Tensor;
      tf.dispose([...out, dx]);
    },
  });
}

// the tiny model's projection over 8 images' positions: [2048, 32] by [32, 32], and its gradients
{
  const a = tf.randomNormal([2048, 32], 0, 1, "float32", 9) as tf.Tensor2D;
  const w = tf.randomNormal([32, 32], 0, 0.1, "float32", 10) as tf.Tensor2D;
  const dy = tf.randomNormal([2048, 32], 0, 1, "float32", 11) as tf.Tensor2D;
  /** The stock kernel on `x y` (no transposes), its output freed. */
  const stock = (x: tf.Tensor, y: tf.Tensor) => {
    const backend = tf.backend();
    const out = STOCK_WASM.matMul({
      inputs: { a: x, b: y },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    backend.disposeData(out.dataId);
  };
  // a fresh weight matrix each call (a copy, in both cases), as after every Adam step: XNNPACK
  // caches its packed weights per tensor, which a fixed matrix would reuse
  const fresh = () => tf.add(w, 0) as tf.Tensor2D;
  const PRODUCTS: [string, () => void, () => void][] = [
    ["a b [2048, 32] x [32, 32]", () => tf.tidy(() => stock(a, fresh())), () =>
      tf.tidy(() => {
        tf.matMul(a, fresh());
      })],
    [
      "a b^T (input gradient)",
      () => tf.tidy(() => stock(dy, tf.transpose(fresh()))),
      () =>
        tf.tidy(() => {
          tf.matMul(dy, fresh(), false, true);
        }),
    ],
    [
      "a^T b [2048, 32]^T x [2048, 32] (weight gradient)",
      () => tf.tidy(() => stock(tf.transpose(a), dy)),
      () =>
        tf.tidy(() => {
          tf.matMul(a, dy, true, false);
        }),
    ],
  ];
  for (const [name, before, after] of PRODUCTS) {
    const group = `matrix product ${name}`;
    Deno.bench({
      name: `${group}: tfjs-backend-wasm (XNNPACK)`,
      group,
      baseline: true,
      n: 100,
      warmup: 5,
      fn: before,
    });
    Deno.bench({
      name: `${group}: wasm SIMD kernel`,
      group,
      n: 100,
      warmup: 5,
      fn: after,
    });
  }
  const group = "sum over the leading axis [2048, 32] -> [32] (bias gradient)";
  Deno.bench({
    name: `${group}: tfjs-backend-wasm (transpose, sums)`,
    group,
    baseline: true,
    n: 100,
    warmup: 5,
    fn() {
      const backend = tf.backend();
      const out = STOCK_WASM.sum({
        inputs: { x: dy },
        backend,
        attrs: { axis: [0], keepDims: false },
      }) as tf.TensorInfo;
      backend.disposeData(out.dataId);
    },
  });
  Deno.bench({
    name: `${group}: from the heap`,
    group,
    n: 100,
    warmup: 5,
    fn() {
      tf.sum(dy, 0).dispose();
    },
  });
}

// Adam over the tiny model's variables (their shapes; random gradients and moments)
{
  const { vars, attrs } = tinyAdamInputs();
  const plain = tf.getKernel(AdamUpdate, "cpu")!.kernelFunc; // the plain JavaScript loop
  const group = `Adam over the tiny model's ${vars.length} variables`;
  Deno.bench({
    name: `${group}: plain JavaScript kernel per variable`,
    group,
    baseline: true,
    n: 100,
    warmup: 5,
    fn() {
      const backend = tf.backend();
      for (const inputs of vars) {
        const out = plain({ inputs, backend, attrs }) as tf.TensorInfo[];
        for (const t of out) backend.disposeData(t.dataId);
      }
    },
  });
  Deno.bench({
    name: `${group}: one AdamUpdates call (wasm SIMD)`,
    group,
    n: 100,
    warmup: 5,
    fn() {
      tf.dispose(adamUpdates(vars, attrs).flat());
    },
  });
}
