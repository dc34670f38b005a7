/**
 * A float32 matrix product on tfjs's wasm backend in wasm SIMD (`_mat_mul_simd.wat`), on the
 * backend's heap: the same sums in the same order as XNNPACK's product of one matrix by one
 * matrix, each term a fused multiply-add where the CPU has FMA (relaxed SIMD; a CPU without it
 * rounds the product first, as XNNPACK does, so results can differ across machines in the last
 * bits, never run to run on one), 1.2-3.5x faster (before the fused multiply-add, which gave
 * another 1.2x) than tfjs-backend-wasm's `BatchMatMul` at a small model's shapes (`[2048, 32]` by
 * `[32, 32]` or `[64, 64]`: a linear layer over every position of a batch,
 * `bench/wasm_kernels_bench.ts`), where XNNPACK's per-call set-up (packing the weights anew after
 * each step) outweighs the products; about even with XNNPACK at 512 x 512. `lib/backend` runs
 * `BatchMatMul` through it where it applies.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { MAT_MUL_SIMD } from "./_mat_mul_simd_wasm.ts";
import { heapModule, heapOffset, type WasmHeapBackend } from "./_wasm_heap.ts";

/** The export of `_mat_mul_simd.wat`. */
interface SimdExports {
  matMul(a: number, b: number, out: number, m: number, k: number, n: number): void;
}

const simd = heapModule<SimdExports>(MAT_MUL_SIMD);

/**
 * The product `a b` of `a [1, M, K]` and `b [1, K, N]` (float32, N a multiple of 16) as a new
 * `[1, M, N]` tensor on tfjs's wasm backend `backend`, or null where it does not apply (another
 * backend, other shapes or dtypes) for the caller to run another kernel.
 *
 * @param a the left operand `[1, M, K]`.
 * @param b the right operand `[1, K, N]`.
 * @param backend tfjs's wasm backend.
 * @returns `a b` `[1, M, N]`, or null.
 * @category kernels
 */
export function matMulOnHeap(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  backend: unknown,
): tf.TensorInfo | null {
  const kernels = simd.on(backend);
  if (
    kernels === null || a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 ||
    b.shape[0] !== 1 || a.shape[2] !== b.shape[1] || b.shape[2] % 16 !== 0 ||
    a.dtype !== "float32" || b.dtype !== "float32"
  ) {
    return null;
  }
  const heap = backend as WasmHeapBackend;
  const [, m, k] = a.shape, n = b.shape[2];
  const out = heap.makeOutput([1, m, n], "float32");
  kernels.matMul(heapOffset(heap, a), heapOffset(heap, b), heapOffset(heap, out), m, k, n);
  return out;
}
