/**
 * `BatchMatMul` with a transposed operand on tfjs's wasm backend, as an explicit `Transpose`
 * followed by the plain product. The stock kernel hands the transpose flags to XNNPACK, whose
 * transposed path is 7-10x slower than its plain one at the model's shapes (a `[2048, 32]`
 * by `[32, 32]` product with `transposeB`: 2.0 ms against 0.18 ms plain and 0.05 ms for the
 * transpose), and every matMul's gradient has a transposed operand. Same products and sums,
 * one extra copy of the transposed operand. Importing this module registers the kernel
 * (replacing the stock registration); products without transposes run the stock kernel.
 *
 * A product with only `a` transposed, `a^T b` of one `[K, M]` and one `[K, N]` matrix with N a
 * multiple of 16 (a linear layer's weight gradient: `[2048, 32]` by `[2048, 32]` in the tiny
 * preset), runs the {@linkcode ConvFilterGrad} kernel instead: it is the filter gradient of a
 * 1x1 convolution, each output entry the same sequential sum over K as XNNPACK's product
 * (bit-identical, checked in `tests/backend_test.ts`), without the transposed copy and 2-3x
 * faster at these shapes. K is cut into rows of 16 where it divides, so that each row's
 * operands stay in the first-level cache across the output blocks (same order of the sum).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { ConvFilterGrad, type ConvFilterGradAttrs } from "../../kernels/kernel_names.ts";
import "../../kernels/conv_filter_grad.ts";

/** The part of the wasm backend the kernel uses: freeing a temporary. */
interface Disposing {
  disposeData(dataId: unknown): boolean;
}

const stockMatMul = tf.getKernel(tf.BatchMatMul, "wasm");
const stockTranspose = tf.getKernel(tf.Transpose, "wasm");
if (stockMatMul === undefined || stockTranspose === undefined) {
  throw new Error("tfjs-backend-wasm registers no BatchMatMul or Transpose kernel");
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

tf.unregisterKernel(tf.BatchMatMul, "wasm");
tf.registerKernel({
  kernelName: tf.BatchMatMul,
  backendName: "wasm",
  setupFunc: stockMatMul.setupFunc,
  kernelFunc: (args) => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return stockMatMul.kernelFunc(args);
    const backend = args.backend as tf.KernelBackend;
    const inputs = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (
      transposeA && !transposeB && inputs.a.shape.length === 3 && inputs.b.shape.length === 3 &&
      inputs.a.shape[0] === 1 && inputs.b.shape[0] === 1 && inputs.b.shape[2] % 16 === 0 &&
      inputs.a.dtype === "float32" && inputs.b.dtype === "float32"
    ) {
      return transposedProduct(inputs.a, inputs.b, backend);
    }
    const a = transposeA ? swapLast(inputs.a, backend) : inputs.a;
    const b = transposeB ? swapLast(inputs.b, backend) : inputs.b;
    try {
      return stockMatMul.kernelFunc({
        inputs: { a, b },
        backend,
        attrs: { transposeA: false, transposeB: false },
      });
    } finally {
      if (transposeA) (backend as unknown as Disposing).disposeData(a.dataId);
      if (transposeB) (backend as unknown as Disposing).disposeData(b.dataId);
    }
  },
});
