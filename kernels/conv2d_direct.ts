/**
 * A direct 2-D convolution as one kernel, {@linkcode Conv2dDirect}, on tfjs's wasm backend:
 * 128-bit wasm SIMD with fused multiply-adds (relaxed SIMD's `f32x4.relaxed_madd`) on the
 * backend's heap (`_conv2d_simd.wat`), reading the input and the filter in their NHWC and
 * `[kh, kw, C, O]` layouts, with the zero padding inside (no padded copy) and register blocking
 * of two output pixels by 16 output channels. tfjs-backend-wasm's `Conv2D` (XNNPACK) packs
 * the filter anew for every new filter tensor (every training step, every input gradient's
 * rearranged filter) and reaches 6-7 GMAC/s at the tiny preset's shapes with a separate
 * multiply and add.
 *
 * Rounding: a fused multiply-add rounds once. On a CPU with FMA (x86-64 with FMA3, ARMv8) the
 * results are bit-identical run to run; a CPU without FMA rounds the product and the sum apart
 * (last bits differ from an FMA machine's, still deterministic on that machine).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Conv2dDirect, type Conv2dDirectAttrs } from "./kernel_names.ts";
import { CONV2D_SIMD } from "./_conv2d_simd_wasm.ts";
import { heapModule, heapOffset, type WasmHeapBackend } from "./_wasm_heap.ts";

/** The export of `_conv2d_simd.wat`. */
interface Conv2dExports {
  conv2d(
    x: number,
    w: number,
    y: number,
    b: number,
    h: number,
    wd: number,
    c: number,
    oh: number,
    ow: number,
    o: number,
    kh: number,
    kw: number,
    s: number,
    top: number,
    left: number,
  ): void;
}

const simd = heapModule<Conv2dExports>(CONV2D_SIMD);

/** Output channels are processed 16 at a time. */
const BLOCK = 16;

/**
 * The convolution `y [B, outHeight, outWidth, O]` of `x [B, H, W, C]` with the filter
 * `w [kh, kw, C, O]` (stride `stride`, zero padding: `top` rows above, `left` columns left, and
 * below and right as far as the output size reaches), by the {@linkcode Conv2dDirect} kernel;
 * null where it does not run (not the wasm backend, or `O` not a multiple of 16), for the caller
 * to run `tf.conv2d`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { conv2dDirect } from "@avscene/avscene/kernels";
 * await initBackend("wasm");
 * // 3x3 input of ones, 3x3 filter of ones, "same" padding: 4 taps at a corner, 9 at the centre
 * const y = conv2dDirect(tf.ones([1, 3, 3, 1]), tf.ones([3, 3, 1, 16]), {
 *   stride: 1, top: 1, left: 1, outHeight: 3, outWidth: 3,
 * })!;
 * assert.deepEqual(y.shape, [1, 3, 3, 16]);
 * assert.deepEqual([...y.dataSync()].filter((_, i) => i % 16 === 0), [4, 6, 4, 6, 9, 6, 4, 6, 4]);
 * ```
 * @category kernels
 */
export function conv2dDirect(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  attrs: Conv2dDirectAttrs,
): tf.Tensor4D | null {
  if (tf.getBackend() !== "wasm" || w.shape[3] % BLOCK !== 0) return null;
  if (x.dtype !== "float32" || w.dtype !== "float32") return null;
  if (simd.on(tf.backend()) === null) return null;
  if (x.shape[3] !== w.shape[2]) {
    throw new Error(`conv2dDirect: filter [${w.shape}] does not fit input [${x.shape}]`);
  }
  const { stride, top, left, outHeight, outWidth } = attrs;
  for (
    const [name, v, min] of [
      ["stride", stride, 1],
      ["top", top, 0],
      ["left", left, 0],
      ["outHeight", outHeight, 1],
      ["outWidth", outWidth, 1],
    ] as const
  ) {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`conv2dDirect: ${name} must be an integer >= ${min}, got ${v}`);
    }
  }
  return tf.engine().runKernel(Conv2dDirect, { x, w }, attrs) as tf.Tensor4D;
}

tf.registerKernel({
  kernelName: Conv2dDirect,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const heap = backend as unknown as WasmHeapBackend;
    const { x, w } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo };
    const { stride, top, left, outHeight, outWidth } = attrs as unknown as Conv2dDirectAttrs;
    const [b, h, wd, c] = x.shape, [kh, kw, , o] = w.shape;
    const kernels = simd.on(backend);
    if (kernels === null || o % BLOCK !== 0) {
      throw new Error(`${Conv2dDirect}: needs tfjs's wasm backend and O % 16 = 0`);
    }
    const y = heap.makeOutput([b, outHeight, outWidth, o], "float32");
    if (b > 0) {
      kernels.conv2d(
        heapOffset(heap, x),
        heapOffset(heap, w),
        heapOffset(heap, y),
        b,
        h,
        wd,
        c,
        outHeight,
        outWidth,
        o,
        kh,
        kw,
        stride,
        top,
        left,
      );
    }
    return y;
  },
});
