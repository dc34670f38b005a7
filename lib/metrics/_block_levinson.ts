/**
 * Private block-Toeplitz solver for the BSS-eval normal equations: the multichannel Levinson
 * recursion (P. Whittle, "On the fitting of multivariate autoregressions, and the approximate
 * canonical factorization of a spectral density matrix", Biometrika 50, 1963; R. A. Wiggins and
 * E. A. Robinson, "Recursive solution to the multichannel filtering problem", J. Geophys. Res.
 * 70, 1965), in the forward/backward-vector form of the block Levinson algorithm.
 *
 * @module
 */

/**
 * Solver of `T x = d` for the symmetric block-Toeplitz matrix `T` of `order * order` blocks of
 * `m * m`, block `(a, b)` being `Γ(b - a)` with `Γ(-k) = Γ(k)^T`: the Gram matrix of `m` signals
 * each delayed by `0..order-1` samples, unknowns ordered lag-major (`x[a * m + i]` is signal `i`
 * at delay `a`).
 *
 * The recursion grows the backward vectors `b^n` (`T_n b^n = [0 … 0 I]^T`, `n` blocks) and the
 * forward vectors `f^n` (`T_n f^n = [I 0 … 0]^T`) one block at a time in
 * `O(m^3 order^2)`, and keeps every `b^n`: together they are a factorisation of `T^-1`, so each
 * right-hand side then costs `O(m^2 order^2)` (against `O((m order)^3)` for a dense
 * factorisation). The recursion has no pivoting: when an `m * m` pivot is (numerically)
 * singular it stops and {@linkcode BlockLevinson.ok} is false; each solution is refined and
 * checked by its residual ({@linkcode BlockLevinson.solve}), so an inaccurate factorisation on
 * an ill-conditioned `T` is reported instead of used.
 */
export class BlockLevinson {
  /** Block size (number of signals). */
  readonly m: number;
  /** Number of blocks per row (number of delays). */
  readonly order: number;
  /** False when the recursion broke down on a singular pivot: do not call `solve`. */
  readonly ok: boolean;
  /** `Γ(k)` row-major at `k * m * m`, `k = 0..order-1`. */
  readonly #gamma: Float64Array;
  /** `b^n` for `n = 1..order`: `n` blocks of `m * m` (row-major) at `m * m * n (n - 1) / 2`. */
  readonly #backward: Float64Array;

  /**
   * Run the recursion.
   *
   * @param gamma `Γ(0..order-1)`, each `m * m` row-major (`order * m * m` values).
   * @param m Block size.
   * @param order Number of blocks.
   */
  constructor(gamma: Float64Array, m: number, order: number) {
    if (gamma.length !== order * m * m) {
      throw new Error(`BlockLevinson: gamma has ${gamma.length} values, expected ${order * m * m}`);
    }
    this.m = m;
    this.order = order;
    this.#gamma = gamma;
    const mm = m * m;
    const backward = new Float64Array(mm * order * (order + 1) / 2);
    this.#backward = backward;
    let f = new Float64Array(order * mm);
    let fNext = new Float64Array(order * mm);
    const ef = new Float64Array(mm), eb = new Float64Array(mm);
    const prod = new Float64Array(mm), alpha = new Float64Array(mm), delta = new Float64Array(mm);
    const tmp = new Float64Array(mm), efAlpha = new Float64Array(mm);
    const ebDelta = new Float64Array(mm);
    let ok = invert(gamma.subarray(0, mm), m, tmp);
    f.set(tmp);
    backward.set(tmp);
    for (let n = 1; n < order && ok; n++) {
      const bOld = backward.subarray(mm * n * (n - 1) / 2, mm * n * (n + 1) / 2);
      const bNew = backward.subarray(mm * n * (n + 1) / 2, mm * (n + 1) * (n + 2) / 2);
      // ε_f = Σ_b Γ(b - n) f_b = Σ_b Γ(n - b)^T f_b;  ε_b = Σ_{b=1..n} Γ(b) b_{b-1}
      ef.fill(0);
      eb.fill(0);
      for (let b = 0; b < n; b++) {
        const gf = (n - b) * mm, gb = (b + 1) * mm, blk = b * mm;
        for (let i = 0; i < m; i++) {
          for (let k = 0; k < m; k++) {
            const gT = gamma[gf + k * m + i], g = gamma[gb + i * m + k], row = blk + k * m;
            for (let j = 0; j < m; j++) {
              ef[i * m + j] += gT * f[row + j];
              eb[i * m + j] += g * bOld[row + j];
            }
          }
        }
      }
      // f^{n+1} = [f; 0] α - [0; b] ε_f α,  α = (I - ε_b ε_f)^-1
      // b^{n+1} = [0; b] δ - [f; 0] ε_b δ,  δ = (I - ε_f ε_b)^-1
      identityMinusProduct(eb, ef, m, prod);
      if (!invert(prod, m, alpha)) {
        ok = false;
        break;
      }
      identityMinusProduct(ef, eb, m, prod);
      if (!invert(prod, m, delta)) {
        ok = false;
        break;
      }
      matMul(ef, alpha, m, efAlpha);
      matMul(eb, delta, m, ebDelta);
      fNext.fill(0, n * mm, (n + 1) * mm);
      bNew.fill(0, n * mm, (n + 1) * mm);
      // the [f; 0] terms (blocks 0..n-1), then the [0; b] terms (blocks 1..n)
      for (let b = 0; b < n; b++) {
        const blk = b * mm;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            let sf = 0, sb = 0;
            for (let k = 0; k < m; k++) {
              const v = f[blk + i * m + k];
              sf += v * alpha[k * m + j];
              sb -= v * ebDelta[k * m + j];
            }
            fNext[blk + i * m + j] = sf;
            bNew[blk + i * m + j] = sb;
          }
        }
      }
      for (let b = 1; b <= n; b++) {
        const blk = b * mm, old = blk - mm;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            let sf = 0, sb = 0;
            for (let k = 0; k < m; k++) {
              const v = bOld[old + i * m + k];
              sf += v * efAlpha[k * m + j];
              sb += v * delta[k * m + j];
            }
            fNext[blk + i * m + j] -= sf;
            bNew[blk + i * m + j] += sb;
          }
        }
      }
      for (let i = 0; i < (n + 1) * mm; i++) {
        if (!Number.isFinite(fNext[i])) ok = false;
      }
      [f, fNext] = [fNext, f];
    }
    this.ok = ok;
  }

  /**
   * `T x` for a lag-major vector `x` (`order * m` values); also the row sums `Σ_b |T_ab| |x_b|`
   * into `absRows` when given (for the componentwise backward error).
   */
  multiply(x: Float64Array, absRows?: Float64Array): Float64Array {
    const { m, order } = this, g = this.#gamma, mm = m * m;
    const y = new Float64Array(order * m);
    for (let a = 0; a < order; a++) {
      for (let i = 0; i < m; i++) {
        let s = 0, sAbs = 0;
        // block (a, b) is Γ(b - a) on and above the diagonal
        for (let b = a; b < order; b++) {
          const row = (b - a) * mm + i * m, xb = b * m;
          for (let j = 0; j < m; j++) {
            const v = g[row + j] * x[xb + j];
            s += v;
            sAbs += Math.abs(v);
          }
        }
        // and Γ(a - b)^T below it
        for (let b = 0; b < a; b++) {
          const col = (a - b) * mm + i, xb = b * m;
          for (let j = 0; j < m; j++) {
            const v = g[col + j * m] * x[xb + j];
            s += v;
            sAbs += Math.abs(v);
          }
        }
        y[a * m + i] = s;
        if (absRows) absRows[a * m + i] = sAbs;
      }
    }
    return y;
  }

  /** `x = T^-1 d` by the stored backward vectors (no refinement); a new array. */
  #apply(d: Float64Array): Float64Array {
    const { m, order } = this, g = this.#gamma, bw = this.#backward, mm = m * m;
    const x = new Float64Array(order * m);
    const rest = new Float64Array(m);
    for (let n = 0; n < order; n++) {
      // rest = d_n - θ, θ = Σ_{b<n} Γ(n - b)^T x_b;  x^{n+1} = [x^n; 0] + b^{n+1} rest
      for (let i = 0; i < m; i++) rest[i] = d[n * m + i];
      for (let b = 0; b < n; b++) {
        const base = (n - b) * mm;
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let j = 0; j < m; j++) s += g[base + j * m + i] * x[b * m + j];
          rest[i] -= s;
        }
      }
      const off = mm * n * (n + 1) / 2;
      for (let b = 0; b <= n; b++) {
        const blk = off + b * mm;
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let j = 0; j < m; j++) s += bw[blk + i * m + j] * rest[j];
          x[b * m + i] += s;
        }
      }
    }
    return x;
  }

  /**
   * A solution `x` of `T x = d` (lag-major, `order * m` values) and its product `tx = T x`,
   * refined by up to `refinements` steps of iterative refinement, or `null` when the
   * componentwise backward error `max_i |T x - d|_i / (Σ_b |T_ib| |x_b| + |d_i|)` stays above
   * `tolerance` (the recursion is then too inaccurate for this `T`; use a dense factorisation).
   */
  solve(
    d: Float64Array,
    tolerance = 1e-12,
    refinements = 2,
  ): { x: Float64Array; tx: Float64Array } | null {
    if (!this.ok) return null;
    const x = this.#apply(d);
    for (let step = 0;; step++) {
      const absRows = new Float64Array(d.length);
      const tx = this.multiply(x, absRows);
      const r = new Float64Array(d.length);
      let worst = 0;
      for (let i = 0; i < d.length; i++) {
        r[i] = d[i] - tx[i];
        const scale = absRows[i] + Math.abs(d[i]);
        const err = scale === 0 ? 0 : Math.abs(r[i]) / scale;
        if (!(err <= worst)) worst = err; // NaN propagates as failure
      }
      if (worst <= tolerance) return { x, tx };
      if (step === refinements || !Number.isFinite(worst)) return null;
      const dx = this.#apply(r);
      for (let i = 0; i < x.length; i++) x[i] += dx[i];
    }
  }
}

/** `out[outOff] += sign * A[aOff] B` (all `m * m` row-major). */
function matMulInto(
  out: Float64Array,
  outOff: number,
  a: Float64Array,
  aOff: number,
  b: Float64Array,
  m: number,
  sign: number,
) {
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = sign * a[aOff + i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[outOff + i * m + j] += aik * b[k * m + j];
    }
  }
}

/** `out = A B` (`m * m` row-major). */
function matMul(a: Float64Array, b: Float64Array, m: number, out: Float64Array) {
  out.fill(0);
  matMulInto(out, 0, a, 0, b, m, 1);
}

/** `out = I - A B` (`m * m` row-major). */
function identityMinusProduct(a: Float64Array, b: Float64Array, m: number, out: Float64Array) {
  matMul(a, b, m, out);
  for (let i = 0; i < m * m; i++) out[i] = -out[i];
  for (let i = 0; i < m; i++) out[i * m + i] += 1;
}

/**
 * `out = A^-1` by Gauss-Jordan elimination with partial pivoting; false when a pivot is below
 * `1e-13` of the largest entry of `A` (numerically singular) or not finite.
 */
function invert(a: Float64Array, m: number, out: Float64Array): boolean {
  const w = Float64Array.from(a);
  out.fill(0);
  for (let i = 0; i < m; i++) out[i * m + i] = 1;
  let scale = 0;
  for (const v of w) scale = Math.max(scale, Math.abs(v));
  if (!(scale > 0) || !Number.isFinite(scale)) return false;
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(w[r * m + c]) > Math.abs(w[p * m + c])) p = r;
    if (!(Math.abs(w[p * m + c]) > 1e-13 * scale)) return false;
    if (p !== c) {
      for (let j = 0; j < m; j++) {
        [w[p * m + j], w[c * m + j]] = [w[c * m + j], w[p * m + j]];
        [out[p * m + j], out[c * m + j]] = [out[c * m + j], out[p * m + j]];
      }
    }
    const piv = w[c * m + c];
    for (let j = 0; j < m; j++) {
      w[c * m + j] /= piv;
      out[c * m + j] /= piv;
    }
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const factor = w[r * m + c];
      if (factor === 0) continue;
      for (let j = 0; j < m; j++) {
        w[r * m + j] -= factor * w[c * m + j];
        out[r * m + j] -= factor * out[c * m + j];
      }
    }
  }
  return true;
}
