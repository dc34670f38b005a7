/**
 * A direct 2-D convolution as one kernel, {@linkcode Conv2dDirect}, on tfjs's wasm backend:
 * 128-bit wasm SIMD with fused multiply-adds (relaxed SIMD's `f32x4.relaxed_madd`) on the
 * backend's heap (`_conv2d_simd.wat`), reading the input and the filter in their NHWC and
 * `[kh, kw, C, O]` layouts, with the zero padding inside (no padded copy) and register blocking
 * of two output pixels by 16 output channels; and a convolution's input gradient,
 * {@linkcode ConvInputGrad}, on the same code. At the tiny preset's 3 x 3 layers with 16 or 32
 * input channels it reaches 21-24 GMAC/s where tfjs-backend-wasm's `Conv2D` (XNNPACK, a
 * separate multiply and add, the filter packed anew for every new filter tensor) reaches 15
 * (`bench/conv_bench.ts`, 2 shared EPYC cores).
 *
 * Rounding: a fused multiply-add rounds once. On a CPU with FMA (x86-64 with FMA3, ARMv8) the
 * results are bit-identical run to run; a CPU without FMA rounds the product and the sum apart
 * (last bits differ from an FMA machine's, still deterministic on that machine).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  Conv2dDirect,
  type Conv2dDirectAttrs,
  ConvInputGrad,
  type ConvInputGradAttrs,
} from "./kernel_names.ts";
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
    yb: number,
    yr: number,
    yp: number,
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
        outHeight * outWidth * o * 4,
        outWidth * o * 4,
        o * 4,
      );
    }
    return y;
  },
});

/**
 * The input gradient `dx [B, height, width, C]` of a convolution of `x [B, height, width, C]`
 * with the filter `w [k, k, C, O]` (stride `stride`, zero padding `top` rows above and `left`
 * columns left) from its output gradient `dy [B, OH, OW, O]`, by the {@linkcode ConvInputGrad}
 * kernel: each of the `stride^2` phases a stride-1 convolution with only its own taps (no
 * polyphase zeros; the filter flipped and its channels swapped on the heap, no tensor ops) on
 * the direct kernel's code, written straight into its rows and columns of `dx` (no stacking,
 * interleaving or cropping). Null where it does not run (not the wasm backend, or `C` not a
 * multiple of 16), for the caller to compose it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "@avscene/avscene/backend";
 * import { convInputGrad } from "@avscene/avscene/kernels";
 * await initBackend("wasm");
 * // k = 1, s = 2, no padding: dx holds dy at even rows and columns, zeros elsewhere
 * const dx = convInputGrad(tf.ones([1, 2, 2, 1]), tf.ones([1, 1, 16, 1]), {
 *   stride: 2, top: 0, left: 0, height: 3, width: 3,
 * })!;
 * assert.deepEqual(dx.shape, [1, 3, 3, 16]);
 * assert.deepEqual([...dx.dataSync()].filter((_, i) => i % 16 === 0), [1, 0, 1, 0, 0, 0, 1, 0, 1]);
 * ```
 * @category kernels
 */
export function convInputGrad(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  attrs: ConvInputGradAttrs,
): tf.Tensor4D | null {
  if (tf.getBackend() !== "wasm" || w.shape[2] % BLOCK !== 0) return null;
  if (dy.dtype !== "float32" || w.dtype !== "float32") return null;
  if (simd.on(tf.backend()) === null) return null;
  for (
    const [name, v, min] of [
      ["stride", attrs.stride, 1],
      ["top", attrs.top, 0],
      ["left", attrs.left, 0],
      ["height", attrs.height, 1],
      ["width", attrs.width, 1],
    ] as const
  ) {
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`convInputGrad: ${name} must be an integer >= ${min}, got ${v}`);
    }
  }
  if (w.shape[0] !== w.shape[1] || w.shape[3] !== dy.shape[3]) {
    throw new Error(`convInputGrad: filter [${w.shape}] does not fit dy [${dy.shape}]`);
  }
  return tf.engine().runKernel(ConvInputGrad, { dy, w }, attrs) as tf.Tensor4D;
}

/** Taps `[My, Mx]` of each phase `(ry, rx)` (row-major) of a `k`-tap filter at stride `s`. */
function phaseShapes(k: number, s: number): [number, number][] {
  const taps = (r: number) => Math.ceil((k - r) / s);
  const shapes: [number, number][] = [];
  for (let ry = 0; ry < s; ry++) for (let rx = 0; rx < s; rx++) shapes.push([taps(ry), taps(rx)]);
  return shapes;
}

/** The memory of tfjs's wasm backend (its single-threaded build exports it, the threaded keeps it). */
function heapMemory(heap: WasmHeapBackend): WebAssembly.Memory {
  const memory = heap.wasm.asm?.memory ?? heap.wasm.wasmMemory;
  if (memory === undefined) throw new Error(`${ConvInputGrad}: the wasm backend has no memory`);
  return memory;
}

tf.registerKernel({
  kernelName: ConvInputGrad,
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const heap = backend as unknown as WasmHeapBackend;
    const { dy, w } = inputs as { dy: tf.TensorInfo; w: tf.TensorInfo };
    const { stride: s, top, left, height, width } = attrs as unknown as ConvInputGradAttrs;
    const [b, oh, ow, o] = dy.shape, [k, , c] = w.shape;
    const kernels = simd.on(backend);
    if (kernels === null || c % BLOCK !== 0) {
      throw new Error(`${ConvInputGrad}: needs tfjs's wasm backend and C % 16 = 0`);
    }
    const dx = heap.makeOutput([b, height, width, c], "float32");
    if (b === 0) return dx;
    const shapes = phaseShapes(k, s);
    const taps = shapes.reduce((n, [my, mx]) => n + my * mx, 0);
    const filters = heap.wasm._malloc(taps * o * c * 4);
    if (filters === 0) throw new Error(`${ConvInputGrad}: out of wasm memory for the filters`);
    try {
      // the phases' filters one after another, phase (ry, rx) [My, Mx, O, C] with entry
      // (a, b, o, c) = w[(My-1-a) s + ry, (Mx-1-b) s + rx, c, o] (a view made after the
      // allocation, which may grow the memory)
      const f32 = new Float32Array(heapMemory(heap).buffer);
      const src = heapOffset(heap, w) / 4;
      let at = filters / 4;
      shapes.forEach(([my, mx], phase) => {
        const ry = Math.floor(phase / s), rx = phase % s;
        for (let a = 0; a < my; a++) {
          for (let bb = 0; bb < mx; bb++) {
            const tap = src + (((my - 1 - a) * s + ry) * k + (mx - 1 - bb) * s + rx) * c * o;
            for (let oi = 0; oi < o; oi++) {
              for (let ci = 0; ci < c; ci++) f32[at++] = f32[tap + ci * o + oi];
            }
          }
        }
      });
      // phase (ry, rx) holds input rows p = q s + ry - top for q in qa..qb (likewise columns):
      // a stride-1 convolution of dy with its My x Mx filter whose output row i is q = qa + i,
      // reading dy rows q - (My - 1) + a: top padding My - 1 - qa
      const x = heapOffset(heap, dy), y = heapOffset(heap, dx);
      const first = (pad: number, r: number) => Math.ceil((pad - r) / s);
      const last = (pad: number, r: number, n: number) => Math.floor((n - 1 + pad - r) / s);
      at = 0;
      shapes.forEach(([my, mx], phase) => {
        const ry = Math.floor(phase / s), rx = phase % s;
        const qa = first(top, ry), rows = last(top, ry, height) - qa + 1;
        const ja = first(left, rx), cols = last(left, rx, width) - ja + 1;
        if (rows > 0 && cols > 0) {
          const p0 = qa * s + ry - top, x0 = ja * s + rx - left;
          kernels.conv2d(
            x,
            filters + at * o * c * 4,
            y + (p0 * width + x0) * c * 4,
            b,
            oh,
            ow,
            o,
            rows,
            cols,
            c,
            my,
            mx,
            1,
            my - 1 - qa,
            mx - 1 - ja,
            height * width * c * 4,
            s * width * c * 4,
            s * c * 4,
          );
        }
        at += my * mx;
      });
    } finally {
      heap.wasm._free(filters);
    }
    return dx;
  },
});
