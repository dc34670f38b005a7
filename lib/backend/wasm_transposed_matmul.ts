/**
 * `BatchMatMul` with a transposed operand on tfjs's wasm backend, as an explicit `Transpose`
 * followed by the plain product. The stock kernel hands the transpose flags to XNNPACK, whose
 * transposed path is 7-10x slower than its plain one at the model's shapes (a `[2048, 32]`
 * by `[32, 32]` product with `transposeB`: 2.0 ms against 0.18 ms plain and 0.05 ms for the
 * transpose), and every matMul's gradient has a transposed operand. Same products and sums,
 * one extra copy of the transposed operand. Importing this module registers the kernel
 * (replacing the stock registration); products without transposes run the stock kernel.
 *
 * Products of one matrix by one matrix with N (the output's columns) a multiple of 16 run wasm
 * SIMD kernels on the heap instead, each output entry a sequential sum over K as in XNNPACK's
 * product but with a fused multiply-add per term where the CPU has FMA (`a b` and `a b^T` in
 * {@linkcode matMulOnHeap}, `a^T b` in the filter-gradient kernel; within float32 rounding of the
 * float64 sum, checked in `tests/backend_test.ts`) and 1.3-3x faster at a small model's shapes (a linear layer over all
 * positions, `[2048, 32]` by `[32, 32]` in the tiny preset, and its gradients; only up to the
 * sizes in `MAX_RIGHT_OPERAND`): `a^T b` (the layer's weight gradient) is the filter gradient of a
 * 1x1 convolution, the {@linkcode ConvFilterGrad} kernel, without the transposed copy (K cut into
 * rows of 16 where it divides, so that each row's operands stay in the first-level cache across
 * the output blocks: the same order of the sum); `a b` and `a b^T` (after the transpose of the
 * small `b`) run {@linkcode matMulOnHeap}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { ConvFilterGrad, type ConvFilterGradAttrs } from "../../kernels/kernel_names.ts";
import "../../kernels/conv_filter_grad.ts";
import { matMulOnHeap } from "../../kernels/mat_mul_simd.ts";
import { wrapStockWasmKernel } from "./_wrap_stock_kernel.ts";

/** The part of the wasm backend the kernel uses: freeing a temporary. */
interface Disposing {
  disposeData(dataId: unknown): boolean;
}

const stockTranspose = tf.getKernel(tf.Transpose, "wasm");
if (stockTranspose === undefined) {
  throw new Error("tfjs-backend-wasm registers no Transpose kernel");
}

/** `x` with its last two axes swapped, as a new buffer. */
function swapLast(x: tf.TensorInfo, backend: tf.KernelBackend): tf.TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return stockTranspose!.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

const filterGrad = tf.getKernel(ConvFilterGrad, "wasm");
if (filterGrad === undefined) throw new Error(`${ConvFilterGrad} is not registered on wasm`);

/** Rows of K per pass of {@linkcode transposedProduct}. */
const ROW = 16;

/**
 * `a^T b` of `a [1, K, M]` and `b [1, K, N]` as the filter gradient of a 1x1 convolution of
 * `a` viewed as `[1, K / row, row, M]` with the output gradient `b` viewed the same way;
 * `[1, M, N]` (a view of its `[1, 1, M, N]` result).
 */
function transposedProduct(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  backend: tf.KernelBackend,
): tf.TensorInfo {
  const [, k, m] = a.shape, n = b.shape[2];
  const row = k % ROW === 0 ? ROW : k;
  const attrs: ConvFilterGradAttrs = { kernel: 1, stride: 1, top: 0, left: 0 };
  const dw = filterGrad!.kernelFunc({
    inputs: {
      x: { ...a, shape: [1, k / row, row, m] },
      dy: { ...b, shape: [1, k / row, row, n] },
    },
    backend,
    attrs: attrs as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  return { ...dw, shape: [1, m, n] };
}

/** Entries of a shape's leading (batch) dimensions. */
const batchOf = (t: tf.TensorInfo) => t.shape.slice(0, -2).reduce((x, y) => x * y, 1);

/** A one-matrix operand `[..., r, c]` (leading dimensions all 1) viewed as `[1, r, c]`. */
const asMatrix = (t: tf.TensorInfo): tf.TensorInfo => ({ ...t, shape: [1, ...t.shape.slice(-2)] });

/**
 * The largest `b` (K N floats) of an `a b` product, and the largest output (M N floats) of
 * an `a^T b` product, that the SIMD kernels take: they stream `b` (or the output) once per pair
 * of rows (or per 16 rows of K). Measured before the fused multiply-add: 2.8-3.5x faster than
 * XNNPACK at 64 x 64, 0.9-1.3x at 128 x 128, 0.5-0.6x at 512 x 512 and 1024 x 1024; `a^T b`
 * keeps the limit that set. The `a b` kernel with its fused multiply-adds was 1.04-6.3x
 * XNNPACK's product with a new `b` each call (as in training, where XNNPACK repacks every new
 * weight tensor) for K N from 4608 to 131072, and 1.1-1.6x with the same `b` (XNNPACK's
 * packing cached) for K N from 9216 to 65536: from `[9, 9]` by `[9, 1024]` (a convolution's
 * filter transform) to `[512, 256]` by `[256, 256]`; 0.99x at 512 x 512 (262144).
 */
const MAX_RIGHT_OPERAND = 65536, MAX_TRANSPOSED_OUTPUT = 16384;

/**
 * The product of two single matrices on the wasm SIMD kernels: `a^T b` on the filter-gradient
 * kernel, `a b` and `a b^T` (after transposing `b`, a small weight matrix in a linear
 * layer's input gradient) on {@linkcode matMulOnHeap}; `[1, M, N]`, or null where neither
 * applies.
 */
function singleProduct(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  backend: tf.KernelBackend,
): tf.TensorInfo | null {
  if (transposeA) {
    const [m, n] = [a.shape[2], b.shape[2]];
    return !transposeB && n % 16 === 0 && m * n <= MAX_TRANSPOSED_OUTPUT
      ? transposedProduct(a, b, backend)
      : null;
  }
  const [k, n] = transposeB ? [b.shape[2], b.shape[1]] : [b.shape[1], b.shape[2]];
  if (n % 16 !== 0 || k * n > MAX_RIGHT_OPERAND) return null;
  const bt = transposeB ? swapLast(b, backend) : b;
  try {
    return matMulOnHeap(a, bt, backend);
  } finally {
    if (transposeB) (backend as unknown as Disposing).disposeData(bt.dataId);
  }
}

wrapStockWasmKernel(tf.BatchMatMul, (stockMatMul) => (args) => {
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const backend = args.backend as tf.KernelBackend;
  const inputs = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  if (
    batchOf(inputs.a) === 1 && batchOf(inputs.b) === 1 && inputs.a.dtype === "float32" &&
    inputs.b.dtype === "float32"
  ) {
    const out = singleProduct(
      asMatrix(inputs.a),
      asMatrix(inputs.b),
      transposeA,
      transposeB,
      backend,
    );
    if (out !== null) {
      // the broadcast shape of the leading dimensions (all 1), then [M, N]
      const lead = inputs.a.shape.length >= inputs.b.shape.length ? inputs.a : inputs.b;
      return { ...out, shape: [...lead.shape.slice(0, -2), ...out.shape.slice(1)] };
    }
  }
  if (!transposeA && !transposeB) return stockMatMul(args);
  const a = transposeA ? swapLast(inputs.a, backend) : inputs.a;
  const b = transposeB ? swapLast(inputs.b, backend) : inputs.b;
  try {
    return stockMatMul({
      inputs: { a, b },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
  } finally {
    if (transposeA) (backend as unknown as Disposing).disposeData(a.dataId);
    if (transposeB) (backend as unknown as Disposing).disposeData(b.dataId);
  }
});
