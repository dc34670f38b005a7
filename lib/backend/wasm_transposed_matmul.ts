/**
 * `BatchMatMul` with a transposed operand on tfjs's wasm backend, as an explicit `Transpose`
 * followed by the plain product. The stock kernel hands the transpose flags to XNNPACK, whose
 * transposed path is 7-10x slower than its plain one at the model's shapes (a `[2048, 32]`
 * by `[32, 32]` product with `transposeB`: 2.0 ms against 0.18 ms plain and 0.05 ms for the
 * transpose), and every matMul's gradient has a transposed operand. Same products and sums,
 * one extra copy of the transposed operand. Importing this module registers the kernel
 * (replacing the stock registration); products without transposes run the stock kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

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
