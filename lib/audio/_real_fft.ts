/**
 * Private float64 DFT of any even size for the STFT: fft.js (radix-4, powers of two only) where
 * the size is a power of two, else Bluestein's chirp-z algorithm over an fft.js transform of
 * the next power of two >= `2n - 1` (no maintained npm FFT does arbitrary sizes in float64;
 * the kissfft ports are float32 and unmaintained). Sound of Pixels' STFT is 1022 points.
 *
 * @module
 */
import FFT from "fft.js";

/** A DFT of one size `n`, unnormalised forward, `1 / n` inverse (numpy's convention). */
export interface RealFft {
  /** Its size. */
  readonly n: number;
  /**
   * The spectrum of the real frame `input` (`n` values): `out[2k], out[2k + 1]` are the real
   * and imaginary parts of bin `k` for `k <= n / 2` (the rest of `out` is scratch).
   * `out` holds at least `2n` values.
   */
  forward(input: Float64Array, out: Float64Array): void;
  /**
   * The inverse DFT of the full complex spectrum `spectrum` (`2n` values, interleaved) into
   * `out` (`2n` values, interleaved; a real signal's samples are `out[2t]`).
   */
  inverse(spectrum: Float64Array, out: Float64Array): void;
}

const cache = new Map<number, RealFft>();

/**
 * The DFT of size `n` (cached per size).
 *
 * @param n an even integer >= 4.
 * @returns the transform.
 */
export function realFft(n: number): RealFft {
  let f = cache.get(n);
  if (!f) {
    f = (n & (n - 1)) === 0 ? _powerOfTwo(n) : _bluestein(n);
    cache.set(n, f);
  }
  return f;
}

function _powerOfTwo(n: number): RealFft {
  const fft = new FFT(n);
  return {
    n,
    forward: (input, out) => fft.realTransform(out, input),
    inverse: (spectrum, out) => fft.inverseTransform(out, spectrum),
  };
}

/**
 * Bluestein: `X_k = c_k sum_j (x_j c_j) conj(c_{k - j})` with the chirp `c_k = exp(-i pi k^2 /
 * n)`, the sum a circular convolution of length `m` (power of two >= 2n - 1) done by fft.js.
 */
function _bluestein(n: number): RealFft {
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  const fft = new FFT(m);
  // chirp c_k; k^2 is reduced mod 2n so the angle stays exact for large k
  const cos = new Float64Array(n), sin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const angle = (Math.PI * ((k * k) % (2 * n))) / n;
    cos[k] = Math.cos(angle);
    sin[k] = -Math.sin(angle);
  }
  // the FFT of conj(c) laid out circularly: b[k] = b[m - k] = conj(c_k)
  const b = new Float64Array(2 * m);
  for (let k = 0; k < n; k++) {
    b[2 * k] = cos[k];
    b[2 * k + 1] = -sin[k];
    if (k > 0) {
      b[2 * (m - k)] = cos[k];
      b[2 * (m - k) + 1] = -sin[k];
    }
  }
  const fb = new Float64Array(2 * m);
  fft.transform(fb, b);
  const a = new Float64Array(2 * m), fa = new Float64Array(2 * m), conv = new Float64Array(2 * m);
  /** Forward DFT of the `n` complex values `re(k) + i im(k)` into `out` (interleaved). */
  const dft = (re: (k: number) => number, im: (k: number) => number, out: Float64Array) => {
    a.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = re(k), xi = im(k);
      a[2 * k] = xr * cos[k] - xi * sin[k];
      a[2 * k + 1] = xr * sin[k] + xi * cos[k];
    }
    fft.transform(fa, a);
    for (let k = 0; k < m; k++) {
      const pr = fa[2 * k], pi = fa[2 * k + 1], qr = fb[2 * k], qi = fb[2 * k + 1];
      fa[2 * k] = pr * qr - pi * qi;
      fa[2 * k + 1] = pr * qi + pi * qr;
    }
    fft.inverseTransform(conv, fa); // includes 1 / m
    for (let k = 0; k < n; k++) {
      const cr = conv[2 * k], ci = conv[2 * k + 1];
      out[2 * k] = cr * cos[k] - ci * sin[k];
      out[2 * k + 1] = cr * sin[k] + ci * cos[k];
    }
  };
  return {
    n,
    forward: (input, out) => dft((k) => input[k], () => 0, out),
    // x = conj(DFT(conj(X))) / n
    inverse: (spectrum, out) => {
      dft((k) => spectrum[2 * k], (k) => -spectrum[2 * k + 1], out);
      for (let k = 0; k < n; k++) {
        out[2 * k] /= n;
        out[2 * k + 1] = -out[2 * k + 1] / n;
      }
    },
  };
}
