/**
 * Float64 references of a convolution (forward, filter gradient, input gradient) in plain
 * TypeScript, for the tests of the direct convolution kernels and of `conv2dSame`. Independent
 * of tfjs. The three share one loop over the terms x[b, i s + ky - top, j s + kx - left, c] ·
 * w[ky, kx, c, o] of y[b, i, j, o], each summing them into its own output in the same order.
 *
 * @module
 */

/**
 * Every term of a strided, zero-padded convolution, in the order n, i, j, ky, kx, c, o: `visit`
 * gets the flat indices of its x (`[B, H, W, C]`), w (`[kh, kw, C, O]`) and y
 * (`[B, outHeight, outWidth, O]`) entries; taps in the padding are skipped.
 */
function forEachConvTerm(
  [b, h, wd, c]: number[],
  [kh, kw, o]: number[],
  [oh, ow]: number[],
  s: number,
  top: number,
  left: number,
  visit: (xAt: number, wAt: number, yAt: number) => void,
): void {
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = i * s + ky - top;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = j * s + kx - left;
            if (ix < 0 || ix >= wd) continue;
            for (let ci = 0; ci < c; ci++) {
              const xAt = ((n * h + iy) * wd + ix) * c + ci;
              for (let oi = 0; oi < o; oi++) {
                visit(xAt, ((ky * kw + kx) * c + ci) * o + oi, ((n * oh + i) * ow + j) * o + oi);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * y[b, i, j, o] = Σ x[b, i s + ky - top, j s + kx - left, c] w[ky, kx, c, o] in float64, with
 * the sum of the terms' magnitudes (the rounding bound's scale): `x` and its shape, `w` and
 * its shape `[kh, kw, C, O]`, the stride, the zero padding above and on the left, and the
 * output's height and width.
 */
export function conv2dReference(
  x: Float32Array,
  xShape: number[],
  w: Float32Array,
  [kh, kw, , o]: number[],
  s: number,
  top: number,
  left: number,
  oh: number,
  ow: number,
): { y: Float64Array; scale: Float64Array } {
  const y = new Float64Array(xShape[0] * oh * ow * o), scale = new Float64Array(y.length);
  forEachConvTerm(xShape, [kh, kw, o], [oh, ow], s, top, left, (xAt, wAt, yAt) => {
    const term = x[xAt] * w[wAt];
    y[yAt] += term;
    scale[yAt] += Math.abs(term);
  });
  return { y, scale };
}

/**
 * dw[ky, kx, c, o] = Σ x[b, i s + ky - top, j s + kx - left, c] dy[b, i, j, o] in float64:
 * `x` and its shape, `dy` and its shape `[B, outHeight, outWidth, O]`, the kernel size, the
 * stride and the zero padding above and on the left.
 */
export function convFilterGradReference(
  x: Float32Array,
  xShape: number[],
  dy: Float32Array,
  [, oh, ow, o]: number[],
  k: number,
  s: number,
  top: number,
  left: number,
): Float64Array {
  const dw = new Float64Array(k * k * xShape[3] * o);
  forEachConvTerm(xShape, [k, k, o], [oh, ow], s, top, left, (xAt, wAt, yAt) => {
    dw[wAt] += x[xAt] * dy[yAt];
  });
  return dw;
}

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
  forEachConvTerm([b, h, wd, c], [k, k, o], [oh, ow], s, top, left, (xAt, wAt, yAt) => {
    const term = dy[yAt] * w[wAt];
    y[xAt] += term;
    scale[xAt] += Math.abs(term);
  });
  return { y, scale };
}
