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
 * Whittle's recursion grows the forward and backward prediction-error filters
 * `A = [I, A_1 … A_p]` and `B = [B_0 … B_{p-1}, I]` (block rows with `A T_{p+1} = [V_f, 0 … 0]`
 * and `B T_{p+1} = [0 … 0, V_b]`) one order at a time: with `Δ = Σ_k A_k Γ(p + 1 - k)` (the
 * backward filter's counterpart is `Δ^T` because `T` is symmetric),
 * `A ← [A, 0] - Δ V_b^-1 [0, B]`, `B ← [0, B] - Δ^T V_f^-1 [A, 0]`,
 * `V_f ← V_f - Δ V_b^-1 Δ^T`, `V_b ← V_b - Δ^T V_f^-1 Δ`, in `3 m^3 order^2` multiply-adds.
 * Every order's `B` and `V_b^-1` is kept: `T_{p+1} B^T V_b^-1 = [0 … 0, I]^T`, so they are a
 * factorisation of `T^-1` and each right-hand side then costs `O(m^2 order^2)` (the solution is
 * extended one block at a time), against `O((m order)^3)` for a dense factorisation. The
 * recursion has no pivoting: when a prediction-error covariance is (numerically) singular it
 * stops and {@linkcode BlockLevinson.ok} is false; each solution is refined and checked by its
 * residual ({@linkcode BlockLevinson.solve}), so an inaccurate factorisation of an
 * ill-conditioned `T` is reported instead of used.
 */
export class BlockLevinson {
  /** Block size (number of signals). */
  readonly m: number;
  /** Number of blocks per row (number of delays). */
  readonly order: number;
  /** False when the recursion broke down on a singular pivot: do not call `solve`. */
  readonly ok: boolean;
  /**
   * `Γ(k)[i][j]` at `(i * m + j) * order + k`: one plane per entry, lags contiguous, so every
   * inner loop below runs over lags (long) rather than over the block (`m` is 1-3).
   */
  readonly #planes: Float64Array;
  /**
   * Backward filter of `n = 1..order` blocks at `m * m * n (n - 1) / 2`, in planes of `n`
   * lags: `B_k[i][j]` at `(i * m + j) * n + k` from there.
   */
  readonly #backward: Float64Array;
  /** `V_b^-1` of the filter of `n` blocks at `m * m * (n - 1)`. */
  readonly #backwardErrorInverse: Float64Array;

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
    const mm = m * m;
    const g = new Float64Array(mm * order);
    for (let k = 0; k < order; k++) {
      for (let e = 0; e < mm; e++) g[e * order + k] = gamma[k * mm + e];
    }
    this.#planes = g;
    const backward = new Float64Array(mm * order * (order + 1) / 2);
    const vbInv = new Float64Array(mm * order);
    this.#backward = backward;
    this.#backwardErrorInverse = vbInv;
    // A in planes of `order` lags; lags beyond the current order are 0
    const forward = new Float64Array(mm * order);
    const vf = gamma.slice(0, mm), vb = gamma.slice(0, mm);
    const vfInv = new Float64Array(mm), delta = new Float64Array(mm);
    const kf = new Float64Array(mm), kb = new Float64Array(mm), tmp = new Float64Array(mm);
    for (let i = 0; i < m; i++) forward[(i * m + i) * order] = backward[i * m + i] = 1;
    let ok = invert(vf, m, vfInv) && invert(vb, m, vbInv.subarray(0, mm));
    for (let p = 0; p + 1 < order && ok; p++) {
      // Δ[i][j] = Σ_l Σ_{k=0..p} A_k[i][l] Γ(p + 1 - k)[l][j]
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let s = 0;
          for (let l = 0; l < m; l++) {
            const a = (i * m + l) * order, c = (l * m + j) * order + p + 1;
            for (let k = 0; k <= p; k++) s += forward[a + k] * g[c - k];
          }
          delta[i * m + j] = s;
        }
      }
      // K_f = Δ V_b^-1, K_b = Δ^T V_f^-1
      kf.fill(0);
      mulAdd(kf, delta, 0, vbInv, p * mm, m, 1);
      transpose(delta, m, tmp);
      kb.fill(0);
      mulAdd(kb, tmp, 0, vfInv, 0, m, 1);
      const n = p + 1, old = mm * n * (n - 1) / 2, nw = mm * (n + 1) * n / 2;
      // B'_k = B_{k-1} - K_b A_k, k = 0..n (B_{-1} = 0, A_n = 0), from the old A
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          const dst = nw + (i * m + j) * (n + 1), src = old + (i * m + j) * n;
          backward[dst] = 0;
          for (let k = 0; k < n; k++) backward[dst + 1 + k] = backward[src + k];
          for (let l = 0; l < m; l++) {
            const c = kb[i * m + l], a = (l * m + j) * order;
            if (c === 0) continue;
            for (let k = 0; k < n; k++) backward[dst + k] -= c * forward[a + k];
          }
        }
      }
      // A_k ← A_k - K_f B_{k-1}, k = 1..n
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          const dst = (i * m + j) * order + 1;
          for (let l = 0; l < m; l++) {
            const c = kf[i * m + l], b = old + (l * m + j) * n;
            if (c === 0) continue;
            for (let k = 0; k < n; k++) forward[dst + k] -= c * backward[b + k];
          }
        }
      }
      // V_f ← V_f - K_f Δ^T, V_b ← V_b - K_b Δ
      mulAdd(vf, kf, 0, tmp, 0, m, -1);
      mulAdd(vb, kb, 0, delta, 0, m, -1);
      // prediction-error covariances of a positive definite T are positive definite
      for (let i = 0; i < m; i++) ok &&= vf[i * m + i] > 0 && vb[i * m + i] > 0;
      ok &&= invert(vf, m, vfInv) && invert(vb, m, vbInv.subarray(n * mm, (n + 1) * mm));
    }
    this.ok = ok;
  }

  /**
   * `T x` for a lag-major vector `x` (`order * m` values); also the row sums `Σ_b |T_ab| |x_b|`
   * into `absRows` when given (for the componentwise backward error).
   */
  multiply(x: Float64Array, absRows?: Float64Array): Float64Array {
    const { m, order } = this;
    const y = this.#multiplyPlanes(toPlanes(x, m, order), absRows);
    if (absRows) absRows.set(fromPlanes(absRows, m, order));
    return fromPlanes(y, m, order);
  }

  /** `T x` and `Σ_b |T_ab| |x_b|` (into `absRows` when given) in planes. */
  #multiplyPlanes(x: Float64Array, absRows?: Float64Array): Float64Array {
    const { m, order } = this, g = this.#planes;
    const y = new Float64Array(order * m);
    for (let i = 0; i < m; i++) {
      for (let a = 0; a < order; a++) {
        let s = 0, sAbs = 0;
        for (let j = 0; j < m; j++) {
          const xj = j * order;
          // block (a, b) is Γ(b - a) on and above the diagonal
          const up = (i * m + j) * order - a;
          for (let b = a; b < order; b++) {
            const v = g[up + b] * x[xj + b];
            s += v;
            sAbs += Math.abs(v);
          }
          // and Γ(a - b)^T below it
          const low = (j * m + i) * order + a;
          for (let b = 0; b < a; b++) {
            const v = g[low - b] * x[xj + b];
            s += v;
            sAbs += Math.abs(v);
          }
        }
        y[i * order + a] = s;
        if (absRows) absRows[i * order + a] = sAbs;
      }
    }
    return y;
  }

  /** `x = T^-1 d` in planes by the stored backward filters (no refinement); a new array. */
  #apply(d: Float64Array): Float64Array {
    const { m, order } = this, g = this.#planes, bw = this.#backward, mm = m * m;
    const vbInv = this.#backwardErrorInverse;
    const x = new Float64Array(order * m);
    const rest = new Float64Array(m), w = new Float64Array(m);
    for (let n = 0; n < order; n++) {
      // rest = d_n - θ, θ_i = Σ_j Σ_{b<n} Γ(n - b)[j][i] x_j[b];  x ← [x; 0] + B^T V_b^-1 rest
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) {
          const c = (j * m + i) * order + n, xj = j * order;
          for (let b = 0; b < n; b++) s += g[c - b] * x[xj + b];
        }
        rest[i] = d[i * order + n] - s;
      }
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += vbInv[n * mm + i * m + j] * rest[j];
        w[i] = s;
      }
      // the filter of n + 1 blocks: x_i[b] += Σ_j B_b[j][i] w_j, b = 0..n
      const off = mm * (n + 1) * n / 2;
      for (let i = 0; i < m; i++) {
        const xi = i * order;
        for (let j = 0; j < m; j++) {
          const c = w[j], blk = off + (j * m + i) * (n + 1);
          if (c === 0) continue;
          for (let b = 0; b <= n; b++) x[xi + b] += bw[blk + b] * c;
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
    const { m, order } = this;
    const solved = this.solvePlanes(toPlanes(d, m, order), tolerance, refinements);
    if (solved === null) return null;
    return { x: fromPlanes(solved.x, m, order), tx: fromPlanes(solved.tx, m, order) };
  }

  /**
   * {@linkcode BlockLevinson.solve} with `d`, `x` and `tx` source-major (in planes:
   * `x[i * order + a]` is signal `i` at delay `a`).
   */
  solvePlanes(
    d: Float64Array,
    tolerance = 1e-12,
    refinements = 2,
  ): { x: Float64Array; tx: Float64Array } | null {
    if (!this.ok) return null;
    const x = this.#apply(d);
    const absRows = new Float64Array(d.length), r = new Float64Array(d.length);
    for (let step = 0;; step++) {
      const tx = this.#multiplyPlanes(x, absRows);
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

/** Lag-major (`v[a * m + i]`) to planes (`out[i * order + a]`). */
function toPlanes(v: Float64Array, m: number, order: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let a = 0; a < order; a++) for (let i = 0; i < m; i++) out[i * order + a] = v[a * m + i];
  return out;
}

/** Planes (`v[i * order + a]`) to lag-major (`out[a * m + i]`). */
function fromPlanes(v: Float64Array, m: number, order: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let a = 0; a < order; a++) for (let i = 0; i < m; i++) out[a * m + i] = v[i * order + a];
  return out;
}

/** `out += sign * A B` for the `m * m` row-major blocks `A` at `a[aOff]`, `B` at `b[bOff]`. */
function mulAdd(
  out: Float64Array,
  a: Float64Array,
  aOff: number,
  b: Float64Array,
  bOff: number,
  m: number,
  sign: number,
) {
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = sign * a[aOff + i * m + k];
      if (aik === 0) continue;
      const row = bOff + k * m;
      for (let j = 0; j < m; j++) out[i * m + j] += aik * b[row + j];
    }
  }
}

/** `out = A^T` (`m * m` row-major). */
function transpose(a: Float64Array, m: number, out: Float64Array) {
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[j * m + i] = a[i * m + j];
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
