/**
 * Private dense solver for the symmetric positive semi-definite normal equations of the
 * BSS-eval projections.
 *
 * @module
 */

/**
 * Rank-revealing Cholesky factorisation with diagonal pivoting (as LAPACK's `dpstrf`) of a
 * symmetric positive semi-definite matrix `G = P L L^T P^T`. It stops when the largest
 * remaining pivot falls below `tolerance * max(diag)`: the remaining columns are (numerically)
 * dependent on the chosen ones and get coefficient 0. For normal equations `G x = A^T b`,
 * which are always consistent, every solution gives the same projection `A x`, so dropping
 * dependent columns changes the coefficients but not the projection; pivoting keeps the chosen
 * columns well conditioned, where plain Cholesky breaks down on the nearly singular Gram
 * matrices of tonal or short signals.
 */
export class PivotedCholesky {
  /** Matrix order. */
  readonly n: number;
  /** Number of columns chosen (the numerical rank). */
  readonly rank: number;
  /** `pivots[m]` is the original index of the m-th chosen column (`rank` entries). */
  readonly pivots: Int32Array;
  /** Row-major factor indexed `[original row, step]` (`n * n`; steps < rank are meaningful). */
  readonly lower: Float64Array;

  /**
   * Factor the row-major symmetric matrix `g` (`n * n`, fully filled).
   *
   * @param g The matrix.
   * @param n Its order.
   * @param tolerance Relative pivot threshold; default `1e-15` (about 4.5 ulp of the largest
   *   diagonal entry: pivots below it are rounding noise; keeping every pivot above it is
   *   closest to the plain LU solve of mir_eval, which drops nothing).
   */
  constructor(g: Float64Array, n: number, tolerance: number = 1e-15) {
    if (g.length !== n * n) {
      throw new Error(`PivotedCholesky: g has ${g.length} values, expected ${n * n}`);
    }
    this.n = n;
    const L = new Float64Array(n * n);
    const d = new Float64Array(n);
    const chosen = new Uint8Array(n);
    const pivots = new Int32Array(n);
    let maxDiag = 0;
    for (let i = 0; i < n; i++) {
      d[i] = g[i * n + i];
      maxDiag = Math.max(maxDiag, d[i]);
    }
    const tol = tolerance * maxDiag;
    let rank = 0;
    for (let k = 0; k < n; k++) {
      let p = -1, best = tol;
      for (let i = 0; i < n; i++) {
        if (!chosen[i] && d[i] > best) {
          best = d[i];
          p = i;
        }
      }
      if (p < 0) break;
      chosen[p] = 1;
      pivots[k] = p;
      rank = k + 1;
      const lpp = Math.sqrt(d[p]);
      const rp = p * n;
      L[rp + k] = lpp;
      for (let i = 0; i < n; i++) {
        if (chosen[i]) continue;
        const ri = i * n;
        let s = g[ri + p];
        for (let m = 0; m < k; m++) s -= L[ri + m] * L[rp + m];
        const v = s / lpp;
        L[ri + k] = v;
        d[i] -= v * v;
      }
    }
    this.rank = rank;
    this.pivots = pivots.slice(0, rank);
    this.lower = L;
  }

  /** A solution of `G x = b` with the unchosen (dependent) columns at 0; a new array. */
  solve(b: Float64Array): Float64Array {
    const n = this.n, L = this.lower, piv = this.pivots, r = this.rank;
    if (b.length !== n) throw new Error(`PivotedCholesky.solve: b has ${b.length} values`);
    const y = new Float64Array(r);
    for (let m = 0; m < r; m++) {
      const rm = piv[m] * n;
      let s = b[piv[m]];
      for (let q = 0; q < m; q++) s -= L[rm + q] * y[q];
      y[m] = s / L[rm + m];
    }
    const z = new Float64Array(r);
    for (let m = r - 1; m >= 0; m--) {
      let s = y[m];
      for (let q = m + 1; q < r; q++) s -= L[piv[q] * n + m] * z[q];
      z[m] = s / L[piv[m] * n + m];
    }
    const x = new Float64Array(n);
    for (let m = 0; m < r; m++) x[piv[m]] = z[m];
    return x;
  }
}
