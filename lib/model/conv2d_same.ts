/**
 * "Same"-padded 2-D convolution whose gradients run on fast kernels on every tfjs backend:
 * tfjs's wasm backend has no `Conv2DBackpropFilter` kernel (the filter gradient is the wasm SIMD
 * kernel `convFilterGrad` there, else a dilated convolution) and its cpu backend's is very slow;
 * on wasm the forward convolution and the input gradient run on wasm SIMD kernels with fused
 * multiply-adds (`conv2dDirect`, `convInputGrad`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dDirect, convFilterGrad, convInputGrad } from "../../kernels/mod.ts";

/** Explicit zero padding of a 4-D tensor, as `tf.conv2d` takes it. */
type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

/**
 * `tf.conv2d(x, w, s, padding)`: on wasm by the direct kernel {@linkcode conv2dDirect} (wasm
 * SIMD with fused multiply-adds, output channels a multiple of 16), else tfjs's `Conv2D`.
 */
function convolve(x: tf.Tensor4D, w: tf.Tensor4D, s: number, padding: Padding4): tf.Tensor4D {
  const [, h, wd] = x.shape, [kh, kw] = w.shape;
  const [, [top, bottom], [left, right]] = padding;
  return conv2dDirect(x, w, {
    stride: s,
    top,
    left,
    outHeight: Math.floor((h + top + bottom - kh) / s) + 1,
    outWidth: Math.floor((wd + left + right - kw) / s) + 1,
  }) ?? tf.conv2d(x, w, s, padding);
}

function samePadding(size: number, k: number, s: number): [number, number, number] {
  const out = Math.ceil(size / s);
  const pad = Math.max((out - 1) * s + k - size, 0);
  const before = Math.floor(pad / 2);
  return [out, before, pad - before];
}

/**
 * Options of {@linkcode conv2dSame}.
 *
 * @category model
 */
export interface Conv2dSameOptions {
  /**
   * Compute the gradient with respect to the input (default true). False for a network's first
   * layer, whose input is data: the backward pass then returns zeros for it and skips the
   * input-gradient convolution.
   */
  inputGradient?: boolean;
  /**
   * How the border is padded (default `"zeros"`): `"reflect"` mirrors the input's edge rows and
   * columns (without repeating the edge, as `tf.mirrorPad`'s `"reflect"`) and then runs a valid
   * convolution, so no border position sees values the image does not hold.
   */
  padding?: ConvPadding;
}

/**
 * The border padding of a convolution: zeros, or the input reflected at its edges.
 *
 * @category model
 */
export type ConvPadding = "zeros" | "reflect";

/**
 * Fold the gradient of a reflect-padded axis back onto the input: padded entry `i < before`
 * is input entry `before - i`, padded entry `before + n + j` is input entry `n - 2 - j`.
 */
function foldReflect(dy: tf.Tensor4D, axis: 1 | 2, before: number, after: number, n: number) {
  const begin = (at: number): number[] => axis === 1 ? [0, at, 0, 0] : [0, 0, at, 0];
  const size = (len: number): number[] => axis === 1 ? [-1, len, -1, -1] : [-1, -1, len, -1];
  const zeros = (a: number, b: number): [number, number][] =>
    axis === 1 ? [[0, 0], [a, b], [0, 0], [0, 0]] : [[0, 0], [0, 0], [a, b], [0, 0]];
  let dx: tf.Tensor = tf.slice(dy, begin(before), size(n));
  if (before > 0) {
    // padded 0..before-1 are input before..1: reversed, input rows 1..before
    const edge = tf.reverse(tf.slice(dy, begin(0), size(before)), axis);
    dx = tf.add(dx, tf.pad(edge, zeros(1, n - 1 - before)));
  }
  if (after > 0) {
    // padded before+n+j are input n-2-j: reversed, input rows n-1-after..n-2
    const edge = tf.reverse(tf.slice(dy, begin(before + n), size(after)), axis);
    dx = tf.add(dx, tf.pad(edge, zeros(n - 1 - after, 1)));
  }
  return dx as tf.Tensor4D;
}

/**
 * Reflect-pad rows and columns (`tf.mirrorPad` "reflect") with the right gradient: tfjs's
 * `MirrorPad` gradient only crops the output gradient and drops what the mirrored entries
 * received; here it is folded back onto the entries they copy.
 */
function reflectPad(
  x: tf.Tensor4D,
  rows: [number, number],
  cols: [number, number],
): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (Math.max(...rows) >= h || Math.max(...cols) >= w) {
    throw new Error(
      `conv2dSame: reflect padding ${rows}/${cols} needs a larger input [${x.shape}]`,
    );
  }
  const f = tf.customGrad(
    ((xt: tf.Tensor4D) => ({
      value: tf.mirrorPad(xt, [[0, 0], rows, cols, [0, 0]], "reflect"),
      gradFunc: (dy: tf.Tensor) =>
        foldReflect(foldReflect(dy as tf.Tensor4D, 2, cols[0], cols[1], w), 1, rows[0], rows[1], h),
    })) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return f(x) as tf.Tensor4D;
}

/**
 * The filter of {@linkcode inputGradient}'s convolution, `[M, M, O, s s C]` for a filter
 * `[k, k, C, O]` and stride `s` (`M = ceil(k / s)` taps per phase): entry
 * `(a, b, o, (ry, rx, c))` is `w[(M-1-a) s + ry, (M-1-b) s + rx, c, o]`, zero past the kernel.
 * With `s = 1` the filter flipped in space and transposed in channels. The taps are picked by a
 * product with a 0/1 selection matrix (exact; tfjs-backend-wasm's `Reverse` and `GatherV2`
 * are slow loops, its matrix product is XNNPACK).
 */
function phaseFilter(w: tf.Tensor4D, s: number): tf.Tensor4D {
  const [k, , c, o] = w.shape;
  const taps = Math.ceil(k / s);
  // row (a, b, ry, rx) of the selection picks tap (ky, kx), or nothing past the kernel
  const select = new Float32Array(taps * taps * s * s * k * k);
  let row = 0;
  for (let a = 0; a < taps; a++) {
    for (let b = 0; b < taps; b++) {
      for (let ry = 0; ry < s; ry++) {
        for (let rx = 0; rx < s; rx++, row++) {
          const ky = (taps - 1 - a) * s + ry, kx = (taps - 1 - b) * s + rx;
          if (ky < k && kx < k) select[row * k * k + ky * k + kx] = 1;
        }
      }
    }
  }
  const gathered = tf.matMul(
    tf.tensor2d(select, [row, k * k]),
    tf.reshape(w, [k * k, c * o]),
  ); // [(a, b, ry, rx), (c, o)]
  // [(a, b), (ry, rx, c), o] -> [(a, b), o, (ry, rx, c)]
  const t = tf.transpose(tf.reshape(gathered, [taps * taps, s * s * c, o]), [0, 2, 1]);
  return tf.reshape(t, [taps, taps, o, s * s * c]) as tf.Tensor4D;
}

/**
 * The filters of {@linkcode inputGradient}'s phases apart, without the polyphase filter's zero
 * taps: for a filter `[k, k, C, O]` and stride `s`, phase `(ry, rx)` (row-major) has
 * `My = ceil((k - ry) / s)` by `Mx = ceil((k - rx) / s)` taps, and its filter `[My, Mx, O, C]`
 * entry `(a, b, o, c)` is `w[(My-1-a) s + ry, (Mx-1-b) s + rx, c, o]`: the taps of
 * {@linkcode phaseFilter}'s phase that lie in the kernel, in the same order. Picked by one product
 * with a 0/1 selection matrix (exact), then sliced per phase.
 */
function phaseFilters(w: tf.Tensor4D, s: number): tf.Tensor4D[] {
  const [k, , c, o] = w.shape;
  const taps = (r: number) => Math.ceil((k - r) / s);
  const shapes: [number, number][] = [];
  for (let ry = 0; ry < s; ry++) for (let rx = 0; rx < s; rx++) shapes.push([taps(ry), taps(rx)]);
  const rows = shapes.reduce((n, [my, mx]) => n + my * mx, 0);
  const select = new Float32Array(rows * k * k);
  let row = 0;
  shapes.forEach(([my, mx], phase) => {
    const ry = Math.floor(phase / s), rx = phase % s;
    for (let a = 0; a < my; a++) {
      for (let b = 0; b < mx; b++, row++) {
        select[row * k * k + ((my - 1 - a) * s + ry) * k + (mx - 1 - b) * s + rx] = 1;
      }
    }
  });
  const gathered = tf.matMul(
    tf.tensor2d(select, [rows, k * k]),
    tf.reshape(w, [k * k, c * o]),
  ); // [(phase, a, b), (c, o)]
  const t = tf.transpose(tf.reshape(gathered, [rows, c, o]), [0, 2, 1]); // [(phase, a, b), o, c]
  let at = 0;
  return shapes.map(([my, mx]) => {
    const f = tf.reshape(tf.slice(t, [at, 0, 0], [my * mx, o, c]), [my, mx, o, c]);
    at += my * mx;
    return f as tf.Tensor4D;
  });
}

/**
 * The input gradient of a "same" convolution as forward (stride 1) convolutions, in polyphase
 * form: input row `p` with `p + top = q s + r` receives `dx[p] = Σ_m dy[q - m] w[m s + r]` (taps
 * `m s + r < k`), for each phase `r` a convolution of the output gradient with every `s`-th tap
 * of the filter. For strides > 1 each of the `s^2` phases (rows x columns) is its own
 * convolution with only its taps ({@linkcode phaseFilters}: 9 of the 16 taps of one polyphase
 * filter at `k = 3, s = 2`; the four convolutions 1.7x faster on XNNPACK than the one at the
 * tiny visual trunk's stride-2 layer, `bench/conv_bench.ts`); their outputs are stacked along
 * the batch axis, interleaved into rows and columns and cropped to the input. On wasm (`C` a
 * multiple of 16) one kernel, {@linkcode convInputGrad}, runs the phases (one at `s = 1`) and
 * writes each straight into its rows and columns of `dx`. With
 * `s = 1` (or a phase without taps, or more top padding than a phase has taps) one convolution
 * with {@linkcode phaseFilter}'s filter, which holds the `s^2` phases side by side in its output
 * channels (zeros past the kernel). The same sums in the same order either way, on one kernel
 * (XNNPACK and the direct kernel add the taps in order; a zero tap adds nothing). Equal to `conv2dTranspose`
 * (tfjs-backend-wasm's `Conv2DBackpropInput` is a plain loop, 10x slower than its forward
 * convolution) without the zeros a dilated output gradient would feed a convolution; with
 * `s = 1`, a convolution of the padded output gradient with the flipped filter.
 */
function inputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  s: number,
  size: [number, number],
  before: [number, number],
): tf.Tensor4D {
  // on wasm one kernel: each phase with only its taps, written straight into its rows and
  // columns of dx
  const direct = convInputGrad(dy, w, {
    stride: s,
    top: before[0],
    left: before[1],
    height: size[0],
    width: size[1],
  });
  if (direct !== null) return direct;
  const [b, oh, ow] = dy.shape;
  const [k, , c] = w.shape;
  const taps = Math.ceil(k / s);
  // phase rows q0..q1 cover input rows 0..size-1: q0 = floor(top / s),
  // q1 = ceil((size + top) / s) - 1; dy[q - m] reads M - 1 - q0 zeros before, q1 - (oh - 1) after
  const q0 = before.map((t) => Math.floor(t / s));
  const q1 = [0, 1].map((i) => Math.ceil((size[i] + before[i]) / s) - 1);
  const rows = q1[0] - q0[0] + 1, cols = q1[1] - q0[1] + 1;
  // the fewest taps of a phase: ceil((k - (s - 1)) / s)
  const fewest = Math.ceil((k - s + 1) / s);
  let interleaved: tf.Tensor;
  if (s > 1 && fewest >= 1 && fewest - 1 >= Math.max(q0[0], q0[1])) {
    // the phases apart, stacked on the leading axis (tfjs-backend-wasm's Concat copies the
    // inputs row by row in JavaScript: on the channels it costs more than the zeros saved)
    const z = tf.concat(
      phaseFilters(w, s).map((f) =>
        convolve(dy, f, 1, [
          [0, 0],
          [f.shape[0] - 1 - q0[0], q1[0] - (oh - 1)],
          [f.shape[1] - 1 - q0[1], q1[1] - (ow - 1)],
          [0, 0],
        ])
      ),
      0,
    ); // [(ry, rx, B), rows, cols, c]
    // [ry, rx, (B, rows, cols), c] -> [ry, (B, rows, cols), rx, c]
    // -> [(B, rows), ry, (cols, rx, c)]: two transposes that tfjs-backend-wasm runs fast (one
    // 6-D transpose runs its slow general loop, 17 ms at the tiny trunk's shape)
    const columns = tf.transpose(tf.reshape(z, [s, s, b * rows * cols, c]), [0, 2, 1, 3]);
    interleaved = tf.reshape(
      tf.transpose(tf.reshape(columns, [s, b * rows, cols * s * c]), [1, 0, 2]),
      [b, rows * s, cols * s, c],
    );
  } else {
    const z = convolve(dy, phaseFilter(w, s), 1, [
      [0, 0],
      [taps - 1 - q0[0], q1[0] - (oh - 1)],
      [taps - 1 - q0[1], q1[1] - (ow - 1)],
      [0, 0],
    ]); // [B, rows, cols, (ry, rx, c)]
    if (s === 1) return z;
    interleaved = tf.reshape(
      tf.transpose(tf.reshape(z, [b, rows, cols, s, s, c]), [0, 1, 3, 2, 4, 5]),
      [b, rows * s, cols * s, c],
    );
  }
  return tf.slice(interleaved, [0, before[0] - q0[0] * s, before[1] - q0[1] * s, 0], [
    -1,
    size[0],
    size[1],
    -1,
  ]) as tf.Tensor4D;
}

/**
 * Convolution with "same" padding (tfjs's convention: output ceil(size / stride), an odd
 * padding's extra row/column at the bottom/right, padded inside the convolution) and a custom
 * gradient: the input gradient is a forward convolution of the output gradient with the
 * flipped filter (in polyphase form for strides > 1, one convolution per phase), the filter
 * gradient the wasm SIMD kernel {@linkcode convFilterGrad} on wasm (output channels a multiple
 * of 16), else a dilated convolution of the padded input (batch as channels) with the output
 * gradient. On wasm the forward convolution and the input gradient's run on the direct kernel
 * {@linkcode conv2dDirect} (wasm SIMD with fused multiply-adds; channels a multiple of 16),
 * else on tfjs's `Conv2D`. Fused multiply-adds round once per term, so on wasm the results
 * differ in the last bits from XNNPACK's and between CPUs with and without FMA; on one machine
 * they are the same run to run.
 *
 * @param x input `[batch, height, width, inChannels]`.
 * @param w filter `[kernel, kernel, inChannels, outChannels]`.
 * @param stride stride in both directions.
 * @param opts `inputGradient: false` skips the input gradient (zeros) for a first layer;
 *   `padding: "reflect"` pads by reflection (then a valid convolution) instead of zeros.
 * @returns output `[batch, ceil(height / stride), ceil(width / stride), outChannels]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { conv2dSame } from "@avscene/avscene/model";
 * const y = conv2dSame(tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 2, 4]), 2);
 * assert.deepEqual(y.shape, [1, 3, 3, 4]);
 * ```
 * @category model
 */
export function conv2dSame(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  opts: Conv2dSameOptions = {},
): tf.Tensor4D {
  const [, h, wd, c] = x.shape;
  const [k, k2, wc] = w.shape;
  if (k !== k2 || wc !== c) {
    throw new Error(`conv2dSame: filter [${w.shape}] does not fit input [${x.shape}]`);
  }
  const withInputGradient = opts.inputGradient ?? true;
  const s = stride;
  const [oh, padTop, padBottom] = samePadding(h, k, s);
  const [ow, padLeft, padRight] = samePadding(wd, k, s);
  if (opts.padding === "reflect") {
    // the padded input's valid convolution: the same code with zero padding
    return tf.tidy(() => {
      const xp = reflectPad(x, [padTop, padBottom], [padLeft, padRight]);
      return conv2dPadded(xp, w, s, [oh, ow], [0, 0, 0, 0], withInputGradient);
    });
  }
  return conv2dPadded(x, w, s, [oh, ow], [padTop, padBottom, padLeft, padRight], withInputGradient);
}

/**
 * {@linkcode conv2dSame}'s convolution with explicit zero padding `[top, bottom, left, right]`
 * and output size `[oh, ow]`, with its custom gradient.
 */
function conv2dPadded(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  s: number,
  [oh, ow]: [number, number],
  [top, bottom, left, right]: [number, number, number, number],
  withInputGradient: boolean,
): tf.Tensor4D {
  const [, h, wd] = x.shape;
  const [k] = w.shape;
  // explicit padding inside the convolutions (no padded copy of the input)
  const padding: Padding4 = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const f = tf.customGrad(
    ((xt: tf.Tensor4D, wt: tf.Tensor4D, save: tf.GradSaveFunc) => {
      save([xt, wt]);
      const value = convolve(xt, wt, s, padding);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, wv] = saved as [tf.Tensor4D, tf.Tensor4D];
          const g = dy as tf.Tensor4D;
          const dx = withInputGradient
            ? inputGradient(g, wv, s, [h, wd], [top, left])
            : tf.zerosLike(x);
          // dW[ky, kx, c, o] = sum_{b,i,j} xp[b, i s + ky, j s + kx, c] dy[b, i, j, o], xp the
          // padded input: one wasm SIMD kernel where it runs, else a dilated convolution of
          // the input (batch as channels) with the output gradient (padded inside)
          const dw = convFilterGrad(xs, g, { kernel: k, stride: s, top, left }) ??
            tf.tidy(() => {
              const xcb = tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D; // [C, H, W, B]
              const gf = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, B, O]
              const full = tf.conv2d(xcb, gf, 1, padding, "NHWC", s); // [C, >=k, >=k, O]
              return tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, k, k, -1]), [1, 2, 0, 3]);
            });
          return [dx, dw];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  const y = f(x, w) as tf.Tensor4D;
  if (y.shape[1] !== oh || y.shape[2] !== ow) {
    throw new Error(`conv2dSame: internal shape error [${y.shape}] vs ${oh}x${ow}`);
  }
  return y;
}
