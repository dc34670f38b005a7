/**
 * The filter gradient of a 2-D convolution as one kernel, {@linkcode ConvFilterGrad}, on tfjs's
 * wasm backend: 128-bit wasm SIMD on the backend's heap (`_conv_filter_grad_simd.wat`), reading
 * the input and the output gradient in their NHWC layout. tfjs-backend-wasm has no
 * `Conv2DBackpropFilter`; composed from its ops the gradient is a dilated convolution with the
 * batch as channels, after transposing both operands, at 6 GMAC/s against 9.5 for the forward
 * convolution of the same size (tiny preset, `bench/train_profile.ts`).
 *
 * Each product is added with a fused multiply-add (relaxed SIMD's `f32x4.relaxed_madd`, rounded
 * once; 1.23-1.28x the unfused kernel at the tiny preset's shapes): bit-identical run to run on
 * a CPU with FMA (x86-64 with FMA3, ARMv8); a CPU without FMA rounds the product and the sum
 * apart, so its last bits differ (still deterministic on that machine).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ConvFilterGrad, type ConvFilterGradAttrs } from "./kernel_names.ts";
import { CONV_FILTER_GRAD_SIMD } from "./_conv_filter_grad_simd_wasm.ts";
import { heapModule, heapOffset, type WasmHeapBackend } from "./_wasm_heap.ts";

/** The export of `_conv_filter_grad_simd.wat`. */
interface FilterGradExports {
  convFilterGrad(
    x: number,
    dy: number,
    dw: number,
    b: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    o: number,
    k: number,
    s: number,
    top: number,
    left: number,
  ): void;
}

const simd = heapModule<FilterGradExports>(CONV_FILTER_GRAD_SIMD);

/** Output channels are processed 16 at a time. */
const BLOCK = 16;

/**
 * The filter gradient `dw [k, k, C, O]` of a convolution of `x [B, H, W, C]` (zero padding
 * `top` rows above and `left` columns left, stride `stride`) whose output gradient is
 * `dy [B, OH, OW, O]`, by the {@linkcode ConvFilterGrad} kernel; null where it does not run
 * (not the wasm backend, or `O` not a multiple of 16), for the
 * caller to compose it from other ops.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { convFilterGrad } from "@avscene/avscene/kernels";
 * await initBackend("wasm");
 * // 1x1 input of ones, 3x3 filter, padding 1: only the centre tap sees the input
 * const dw = convFilterGrad(tf.ones([1, 1, 1, 1]), tf.ones([1, 1, 1, 16]), {
 *   kernel: 3, stride: 1, top: 1, left: 1,
 * })!;
 * assert.deepEqual(dw.shape, [3, 3, 1, 16]);
 * assert.equal(dw.sum().dataSync()[0], 16);
 * ```
 * @category kernels
 */
export function convFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: ConvFilterGradAttrs,
): tf.Tensor4D | null {
  if (tf.getBackend() !== "wasm" || dy.shape[3] % BLOCK !== 0) return null;
  if (simd.on(tf.backend()) === null) return null;
  if (x.shape[0] !== dy.shape[0]) {
    throw new Error(`convFilterGrad: x [${x.shape}] and dy [${dy.shape}] differ in batch`);
  }
  return tf.engine().runKernel(ConvFilterGrad, { x, dy }, attrs) as tf.Tensor4D;
}

tf.registerKernel({
  kernelName: ConvFilterGrad,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const heap = backend as unknown as WasmHeapBackend;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { kernel: k, stride, top, left } = attrs as unknown as ConvFilterGradAttrs;
    const [b, h, w, c] = x.shape, [, oh, ow, o] = dy.shape;
    const kernels = simd.on(backend);
    if (kernels === null || o % BLOCK !== 0) {
      throw new Error(`${ConvFilterGrad}: needs tfjs's wasm backend and O % 16 = 0`);
    }
    const dw = heap.makeOutput([k, k, c, o], "float32");
    kernels.convFilterGrad(
      heapOffset(heap, x),
      heapOffset(heap, dy),
      heapOffset(heap, dw),
      b,
      h,
      w,
      c,
      oh,
      ow,
      o,
      k,
      stride,
      top,
      left,
    );
    return dw;
  },
});
