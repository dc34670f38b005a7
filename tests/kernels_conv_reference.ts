/**
 * Float64 reference of a convolution's input gradient in plain TypeScript, for the tests of the
 * direct convolution kernels and of `conv2dSame`. Independent of tfjs.
 *
 * @module
 */

/**
 * dx[b, y, x, c] = Σ dy[b, i, j, o] w[ky, kx, c, o] over y = i s + ky - top, x = j s + kx - left
 * in float64, with the sum of the terms' magnitudes (the rounding bound's scale): `dy` and its
 * shape `[B, outHeight, outWidth, O]`, the forward filter `w` `[k, k, C, O]`, the input's
 * `[H, W, C]`, the stride, and the zero padding above (`top`) and on the left (`left`).
 */
export function convInputGradReference(
  dy: Float32Array,
  [b, oh, ow, o]: number[],
  w: Float32Array,
  k: number,
  [h, wd, c]: number[],
  s: number,
  top: number,
  left: number,
): { y: Float64Array; scale: Float64Array } {
  const y = new Float64Array(b * h * wd * c), scale = new Float64Array(y.length);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ky = 0; ky < k; ky++) {
          const iy = i * s + ky - top;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = j * s + kx - left;
            if (ix < 0 || ix >= wd) continue;
            for (let ci = 0; ci < c; ci++) {
              const at = ((n * h + iy) * wd + ix) * c + ci;
              for (let oi = 0; oi < o; oi++) {
                const term = dy[((n * oh + i) * ow + j) * o + oi] *
                  w[((ky * k + kx) * c + ci) * o + oi];
                y[at] += term;
                scale[at] += Math.abs(term);
              }
            }
          }
        }
      }
    }
  }
  return { y, scale };
}
