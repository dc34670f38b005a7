/**
 * Private helper of `wasm_kernels_bench.ts`: tfjs-backend-wasm's own `BatchMatMul` and `Sum`
 * kernels, captured before `lib/backend` replaces them (import this module before it), so the
 * bench can time the replacements against them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

const matMul = tf.getKernel(tf.BatchMatMul, "wasm");
const sum = tf.getKernel(tf.Sum, "wasm");
if (matMul === undefined || sum === undefined) {
  throw new Error("tfjs-backend-wasm registers no BatchMatMul or Sum kernel");
}

/** The stock kernels' functions. */
export const STOCK_WASM = { matMul: matMul.kernelFunc, sum: sum.kernelFunc };
