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
 * Convolution with "same" padding (tfjs's convention: output ceil(size / stride), an odd
 * padding's extra row/column at the bottom/right) and a custom gradient: the input gradient is
 * `conv2dTranspose`, the filter gradient a dilated convolution of the padded input (batch as
 * channels) with the output gradient.
 *
 * @param x input `[batch, height, width, inChannels]`.
 * @param w filter `[kernel, kernel, inChannels, outChannels]`.
 * @param stride stride in both directions.
 * @returns output `[batch, ceil(height / stride), ceil(width / stride), outChannels]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { conv2dSame } from "./conv2d_same.ts";
 * const y = conv2dSame(tf.ones([1, 5, 5, 2]), tf.ones([3, 3, 2, 4]), 2);
 * console.log(y.shape); // [1, 3, 3, 4]
 * ```
 * @category model
 */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  const [, h, wd, c] = x.shape;
  const [k, k2, wc] = w.shape;
  if (k !== k2 || wc !== c) {
    throw new Error(`conv2dSame: filter [${w.shape}] does not fit input [${x.shape}]`);
  }
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
          const dxPadded = tf.conv2dTranspose(
            g,
            wv,
            xp.shape as [number, number, number, number],
            s,
            "valid",
          );
          const dx = tf.slice(dxPadded, [0, top, left, 0], [-1, h, wd, -1]);
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
