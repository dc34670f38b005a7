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
 * output gradient is dilated by the stride (zeros between its rows and columns), padded so the
 * result covers exactly the unpadded input, and convolved with the filter flipped in space and
 * transposed in channels. Equal to `conv2dTranspose` and its crop; it runs on the backends' fast
 * forward convolution (tfjs-backend-wasm's `Conv2DBackpropInput` is a plain loop, 10x slower).
 */
function inputGradient(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  s: number,
  size: [number, number],
  before: [number, number],
): tf.Tensor4D {
  const [b, oh, ow, o] = dy.shape;
  const k = w.shape[0];
  const dilated = s === 1 ? dy : tf.reshape(
    tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, o]), [
      [0, 0],
      [0, 0],
      [0, s - 1],
      [0, 0],
      [0, s - 1],
      [0, 0],
    ]),
    [b, oh * s, ow * s, o],
  );
  // rows p of dx read dilated rows p + top - ky: pad k - 1 - top before, and after whatever
  // makes the output h long (negative: trailing zero rows of the dilation are dropped)
  const after = [0, 1].map((i) => size[i] - [oh, ow][i] * s + before[i]);
  const kept = tf.slice(dilated, [0, 0, 0, 0], [
    -1,
    oh * s + Math.min(after[0], 0),
    ow * s + Math.min(after[1], 0),
    -1,
  ]);
  const padded = tf.pad(kept, [
    [0, 0],
    [k - 1 - before[0], Math.max(after[0], 0)],
    [k - 1 - before[1], Math.max(after[1], 0)],
    [0, 0],
  ]) as tf.Tensor4D;
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(padded, flipped, 1, "valid");
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
