/**
 * "Same"-padded 2-D convolution whose filter gradient is itself a (dilated) convolution, so it
 * trains on every tfjs backend: tfjs's wasm backend has no `Conv2DBackpropFilter` kernel and
 * its cpu backend's is very slow.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

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
}

/**
 * The input gradient of a "same" convolution as a forward (valid, stride 1) convolution: the
 * output gradient padded so the result covers exactly the unpadded input, convolved with the
 * filter flipped in space and transposed in channels. Equal to `conv2dTranspose` and its crop;
 * it runs on the backends' fast forward convolution (tfjs-backend-wasm's `Conv2DBackpropInput`
 * is a plain loop, 10x slower). With stride `s > 1`, {@linkcode stridedInputGradient}.
 */
function inputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  s: number,
  size: [number, number],
  before: [number, number],
): tf.Tensor4D {
  if (s > 1) return stridedInputGradient(dy, w, s, size, before);
  const [, oh, ow] = dy.shape;
  const k = w.shape[0];
  // rows p of dx read dy rows p + top - ky: pad k - 1 - top before, and after whatever makes
  // the output h long
  const after = [0, 1].map((i) => size[i] - [oh, ow][i] + before[i]);
  const padded = tf.pad(dy, [
    [0, 0],
    [k - 1 - before[0], after[0]],
    [k - 1 - before[1], after[1]],
    [0, 0],
  ]) as tf.Tensor4D;
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(padded, flipped, 1, "valid");
}

/**
 * The input gradient of a strided "same" convolution in polyphase form, without the zeros a
 * dilated output gradient would feed the convolution. Input row `p` with `p + top = q s + r`
 * receives `dx[p] = Σ_m dy[q - m] w[m s + r]` (taps `m s + r < k`): for each phase `r` a
 * stride-1 convolution of the output gradient with every `s`-th tap of the filter. All `s^2`
 * phases (rows x columns) run as one convolution whose filter holds each phase's taps (zero
 * past the kernel) side by side in its output channels; the phases are then interleaved into
 * rows and columns and the padding cropped. Same sums as the dilated form, ~`s^2` times fewer
 * multiplications by zero.
 */
function stridedInputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  s: number,
  size: [number, number],
  before: [number, number],
): tf.Tensor4D {
  const [b, oh, ow, o] = dy.shape;
  const [k, , c] = w.shape;
  const taps = Math.ceil(k / s); // taps per phase, M
  // phase filter [M, M, O, s s C]: entry (a, b, o, (ry, rx, c)) = w[(M-1-a) s + ry, (M-1-b) s + rx, c, o]
  const grown = tf.pad(w, [[0, taps * s - k], [0, taps * s - k], [0, 0], [0, 0]]);
  const phases = tf.reshape(
    tf.transpose(
      tf.reverse(tf.reshape(grown, [taps, s, taps, s, c, o]), [0, 2]),
      [0, 2, 5, 1, 3, 4],
    ),
    [taps, taps, o, s * s * c],
  ) as tf.Tensor4D;
  // q runs over 0..Q-1, Q = ceil((size + top) / s); dy[q - m] needs M - 1 zeros before
  const q = [0, 1].map((i) => Math.ceil((size[i] + before[i]) / s));
  const padded = tf.pad(dy, [
    [0, 0],
    [taps - 1, q[0] - oh],
    [taps - 1, q[1] - ow],
    [0, 0],
  ]) as tf.Tensor4D;
  const z = tf.conv2d(padded, phases, 1, "valid"); // [B, Qy, Qx, (ry, rx, c)]
  const interleaved = tf.reshape(
    tf.transpose(tf.reshape(z, [b, q[0], q[1], s, s, c]), [0, 1, 3, 2, 4, 5]),
    [b, q[0] * s, q[1] * s, c],
  );
  return tf.slice(interleaved, [0, before[0], before[1], 0], [
    -1,
    size[0],
    size[1],
    -1,
  ]) as tf.Tensor4D;
}

/**
 * Convolution with "same" padding (tfjs's convention: output ceil(size / stride), an odd
 * padding's extra row/column at the bottom/right) and a custom gradient: the input gradient is
 * a forward convolution of the dilated output gradient with the flipped filter, the filter
 * gradient a dilated convolution of the padded input (batch as channels) with the output
 * gradient.
 *
 * @param x input `[batch, height, width, inChannels]`.
 * @param w filter `[kernel, kernel, inChannels, outChannels]`.
 * @param stride stride in both directions.
 * @param opts `inputGradient: false` skips the input gradient (zeros) for a first layer.
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
  const [oh, top, bottom] = samePadding(h, k, s);
  const [ow, left, right] = samePadding(wd, k, s);
  const f = tf.customGrad(
    ((xt: tf.Tensor4D, wt: tf.Tensor4D, save: tf.GradSaveFunc) => {
      const padded = tf.pad(xt, [[0, 0], [top, bottom], [left, right], [0, 0]]) as tf.Tensor4D;
      save([padded, wt]);
      const value = tf.conv2d(padded, wt, s, "valid");
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xp, wv] = saved as [tf.Tensor4D, tf.Tensor4D];
          const g = dy as tf.Tensor4D;
          const dx = withInputGradient
            ? inputGradient(g, wv, s, [h, wd], [top, left])
            : tf.zeros(x.shape);
          // dW[ky, kx, c, o] = sum_{b,i,j} xp[b, i s + ky, j s + kx, c] dy[b, i, j, o]
          const xcb = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [C, Hp, Wp, B]
          const gf = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, B, O]
          const full = tf.conv2d(xcb, gf, 1, "valid", "NHWC", s); // [C, >=k, >=k, O]
          const dw = tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, k, k, -1]), [1, 2, 0, 3]);
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
