/**
 * BSS-eval v3 source metrics (SDR, SIR, SAR) with the semantics of
 * `mir_eval.separation.bss_eval_sources`.
 *
 * @module
 */

import { addMul, nextPow2, RealFft } from "./_fft.ts";
import { type BlockSpectra, ShortLagCorrelation } from "./_short_lag_correlation.ts";
import { PivotedCholesky } from "./_cholesky.ts";
import { BlockLevinson } from "./_block_levinson.ts";

/**
 * Options of {@linkcode bssEval}.
 *
 * @category metrics
 */
export interface BssEvalOptions {
  /**
   * Choose the assignment of estimates to references that maximises the mean SIR (as
   * mir_eval's `compute_permutation=True`, its default). Default `true`.
   */
  permute?: boolean;
  /** Length of the time-invariant distortion filter in taps. Default 512 (mir_eval's). */
  filterLength?: number;
}

/**
 * Per-reference BSS-eval scores in dB and the matching of estimates to references.
 *
 * @category metrics
 */
export interface BssEvalResult {
  /** Signal to distortion ratio of each reference's matched estimate, dB. */
  sdr: number[];
  /** Signal to interference ratio, dB (`Infinity` when there is no interference at all). */
  sir: number[];
  /** Signal to artifacts ratio, dB (`Infinity` when there are no artifacts at all). */
  sar: number[];
  /** `permutation[j]` is the index of the estimate matched to reference `j`. */
  permutation: number[];
}

/** Limit on sources when searching permutations exhaustively. */
const MAX_PERMUTED_SOURCES = 9;

/** `10 log10(num / den)`, `Infinity` for a zero denominator (mir_eval's `_safe_db`). */
function safeDb(num: number, den: number): number {
  return den === 0 ? Infinity : 10 * Math.log10(num / den);
}

/** All permutations of `0..n-1` in lexicographic order (as Python's itertools). */
function permutations(n: number): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const walk = () => {
    if (current.length === n) {
      out.push(current.slice());
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      current.push(i);
      walk();
      current.pop();
      used[i] = false;
    }
  };
  walk();
  return out;
}

function checkSignals(
  name: "references" | "estimates",
  signals: readonly ArrayLike<number>[],
  length: number,
): Float64Array[] {
  return signals.map((s, j) => {
    if (s.length !== length) {
      throw new Error(
        `bssEval: ${name}[${j}] has ${s.length} samples but references[0] has ${length}`,
      );
    }
    const out = new Float64Array(length);
    out.set(s);
    let energy = 0;
    for (let t = 0; t < length; t++) {
      const v = out[t];
      if (!Number.isFinite(v)) throw new Error(`bssEval: ${name}[${j}][${t}] is not finite (${v})`);
      energy += v * v;
    }
    if (energy === 0) {
      throw new Error(
        `bssEval: ${name}[${j}] is all zero (silent sources make the decomposition ambiguous)`,
      );
    }
    return out;
  });
}

/** The transform of the last call, reused while the size stays (its tables take a while). */
let lastFft: RealFft | null = null;

/** Below this share of its largest term a difference of energies is summed in the time domain. */
const CANCELLATION = 1e-8;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Interference, distortion and artifact energies summed over the `len` samples of the
 * zero-padded estimate `est` and its projections on the target (`pOne`) and all (`pAll`)
 * delayed references, as mir_eval does.
 */
function timeDomainEnergies(
  est: Float64Array,
  pOne: Float64Array,
  pAll: Float64Array,
  len: number,
): [number, number, number] {
  let interf = 0, distort = 0, artif = 0;
  for (let t = 0; t < len; t++) {
    const x = t < est.length ? est[t] : 0;
    const sFilt = pOne[t], all = pAll[t];
    interf += (all - sFilt) * (all - sFilt);
    distort += (x - sFilt) * (x - sFilt);
    artif += (x - all) * (x - all);
  }
  return [interf, distort, artif];
}

/**
 * Least-squares projector onto the span of the references delayed by 0..filterLength-1
 * samples (one or all references), built from FFT cross-correlations. The Gram matrix is block
 * Toeplitz, so the normal equations are solved by the block Levinson recursion, factored once
 * per span and reused for every estimate; a solution whose residual check fails (nearly
 * dependent delayed references) is recomputed by the dense pivoted Cholesky factorisation,
 * built on first need.
 */
class DelayedSpan {
  readonly #sources: number[];
  readonly #flen: number;
  readonly #correlation: (i: number, j: number) => Float64Array;
  readonly #levinson: BlockLevinson;
  #dense: { gram: Float64Array; factor: PivotedCholesky } | null = null;

  constructor(
    sources: number[],
    flen: number,
    correlation: (i: number, j: number) => Float64Array,
  ) {
    this.#sources = sources;
    this.#flen = flen;
    this.#correlation = correlation;
    const m = sources.length;
    // Γ(k)[bi][bj] = <s_i delayed a, s_j delayed a + k> = r_ij[k], r_ij[k] = sum_t s_i[t + k] s_j[t]
    // (correlations hold lags -(flen-1)..flen-1, lag k at flen - 1 + k)
    const gamma = new Float64Array(flen * m * m);
    sources.forEach((si, bi) => {
      sources.forEach((sj, bj) => {
        const r = correlation(si, sj);
        for (let k = 0; k < flen; k++) gamma[(k * m + bi) * m + bj] = r[flen - 1 + k];
      });
    });
    this.#levinson = new BlockLevinson(gamma, m, flen);
  }

  /** The dense Gram matrix (row-major, source-major order) and its pivoted Cholesky factor. */
  #denseFactor(): { gram: Float64Array; factor: PivotedCholesky } {
    if (this.#dense) return this.#dense;
    const sources = this.#sources, flen = this.#flen, n = sources.length * flen;
    const g = new Float64Array(n * n);
    sources.forEach((si, bi) => {
      sources.forEach((sj, bj) => {
        // <s_i delayed a, s_j delayed b> = r_ij[b - a]
        const r = this.#correlation(si, sj);
        for (let a = 0; a < flen; a++) {
          const row = (bi * flen + a) * n + bj * flen;
          for (let b = 0; b < flen; b++) g[row + b] = r[flen - 1 + b - a];
        }
      });
    });
    this.#dense = { gram: g, factor: new PivotedCholesky(g, n) };
    return this.#dense;
  }

  /**
   * The filter coefficients `x` of the right-hand side `d` and the product `gx = G x` (all
   * source-major): by the block Levinson recursion, or the dense factorisation when the
   * recursion's residual check fails.
   */
  #coefficients(d: Float64Array): { x: Float64Array; gx: Float64Array } {
    const solved = this.#levinson.solvePlanes(d);
    if (solved === null) {
      const { gram, factor } = this.#denseFactor();
      const x = factor.solve(d), n = d.length;
      const gx = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += gram[r * n + c] * x[c];
        gx[r] = s;
      }
      return { x, gx };
    }
    return { x: solved.x, gx: solved.tx };
  }

  /**
   * The right-hand side `d` (correlations of the estimate with each delayed reference), the
   * least-squares filter coefficients `x` (`G x = d`) and `gx = G x` of the estimate whose correlations with
   * reference `i` are `estCorr(i)`.
   */
  solve(
    estCorr: (i: number) => Float64Array,
  ): { d: Float64Array; x: Float64Array; gx: Float64Array } {
    const flen = this.#flen;
    const d = new Float64Array(this.#sources.length * flen);
    this.#sources.forEach((si, bi) => {
      const c = estCorr(si);
      for (let a = 0; a < flen; a++) d[bi * flen + a] = c[flen - 1 - a];
    });
    return { d, ...this.#coefficients(d) };
  }

  /**
   * Projection `sum_i coef_i * s_i` (length `fft.size`, the first `nsampl + flen - 1`
   * meaningful) for the filter coefficients `coef` (source-major) of a solve.
   */
  project(coef: Float64Array, refSpectra: Float64Array[], fft: RealFft): Float64Array {
    const flen = this.#flen;
    const acc = new Float64Array(2 * fft.size);
    this.#sources.forEach((si, bi) => {
      const filt = fft.forward(coef.subarray(bi * flen, (bi + 1) * flen));
      addMul(acc, filt, refSpectra[si]);
    });
    return fft.inverseReal(acc);
  }
}

/**
 * BSS-eval v3 decomposition of each estimate into a filtered reference, interference and
 * artifacts, and the resulting SDR, SIR and SAR in dB, matching
 * `mir_eval.separation.bss_eval_sources` (E. Vincent et al., 2006): the target part is the
 * least-squares projection of the estimate onto the matched reference delayed by
 * 0..filterLength-1 samples; target plus interference is its projection onto all references
 * so delayed; artifacts are the rest. The normal equations are built from block-FFT
 * cross-correlations at the `2 filterLength - 1` lags they need, and solved in float64 by the
 * block Levinson (Whittle) recursion on their block-Toeplitz Gram matrix, factored once per
 * mixture and reused across estimates and permutations (`O(nsrc^3 filterLength^2)` instead of
 * `O((nsrc filterLength)^3)`); a solution that fails the recursion's residual check (nearly
 * dependent delayed references) comes from a dense pivoted Cholesky factorisation instead.
 *
 * Differences from mir_eval, none affecting scores of valid inputs: silence is detected as an
 * all-zero signal (mir_eval tests a zero sum); the Gram matrices of the references are
 * factored once and reused across estimates; numerically dependent delayed references are
 * dropped from the basis instead of falling back to `lstsq` (the projection is the same). On
 * Gram matrices conditioned beyond ~1e12 (references equal to within 1e-6 of their level)
 * double precision keeps too few digits for either implementation to be exact to 0.01 dB.
 *
 * @param references True sources, each `nsampl` samples (all the same length).
 * @param estimates Estimated sources, as many as references, same length.
 * @param opts `permute` (default true), `filterLength` (default 512).
 * @returns Scores per reference and the matching used.
 * @throws RangeError when the signals are not longer than `filterLength` (the scores would be
 *   meaningless), Error for empty, mismatched or non-finite signals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bssEval } from "@avscene/avscene/metrics";
 * const s1 = Float64Array.from({ length: 400 }, (_, t) => Math.sin(0.3 * t) + 0.1 * Math.sin(t * t));
 * const s2 = Float64Array.from({ length: 400 }, (_, t) => Math.sign(Math.sin(0.05 * t)));
 * const e1 = s1.map((v, t) => v + 0.1 * s2[t]);
 * const { sir } = bssEval([s1, s2], [e1, s2], { filterLength: 16, permute: false });
 * assert.ok(sir[0] > 10);
 * ```
 * @category metrics
 */
export function bssEval(
  references: Float64Array[] | Float32Array[],
  estimates: Float64Array[] | Float32Array[],
  opts: BssEvalOptions = {},
): BssEvalResult {
  const permute = opts.permute ?? true;
  const flen = opts.filterLength ?? 512;
  if (!Number.isInteger(flen) || flen < 1) {
    throw new Error(`bssEval: opts.filterLength must be a positive integer, got ${flen}`);
  }
  const nsrc = references.length;
  if (nsrc === 0) throw new Error("bssEval: references is empty");
  if (estimates.length !== nsrc) {
    throw new Error(
      `bssEval: estimates has ${estimates.length} signals but references has ${nsrc}`,
    );
  }
  const nsampl = references[0].length;
  if (nsampl === 0) throw new Error("bssEval: references[0] is empty");
  if (permute && nsrc > MAX_PERMUTED_SOURCES) {
    throw new Error(
      `bssEval: ${nsrc} sources is too many for the exhaustive permutation search ` +
        `(at most ${MAX_PERMUTED_SOURCES}); pass opts.permute = false`,
    );
  }
  const refs = checkSignals("references", references, nsampl);
  const ests = checkSignals("estimates", estimates, nsampl);
  if (nsampl <= flen) {
    // delays 0..filterLength-1 of one reference then span any signal of that length, so the
    // "target" absorbs everything and SDR comes out hundreds of dB
    throw new RangeError(
      `bssEval: signals of ${nsampl} samples are too short for a ${flen}-tap distortion ` +
        "filter (more samples than opts.filterLength needed)",
    );
  }
  const len = nsampl + flen - 1;
  const correlator = new ShortLagCorrelation(nsampl, flen);
  const leading = refs.map((s) => correlator.leading(s));
  const trailing = new Map<Float64Array, BlockSpectra>();
  const trailingOf = (s: Float64Array) => {
    let y = trailing.get(s);
    if (!y) trailing.set(s, y = correlator.trailing(s));
    return y;
  };
  // c[flen - 1 + k] = sum_t x[t + k] y[t], |k| < flen
  const correlations = new Map<string, Float64Array>();
  const correlate = (x: number, y: Float64Array, key: string): Float64Array => {
    let c = correlations.get(key);
    if (!c) correlations.set(key, c = correlator.correlate(leading[x], trailingOf(y)));
    return c;
  };
  const correlation = (i: number, j: number): Float64Array => {
    if (i <= j) return correlate(i, refs[j], `r${i},${j}`);
    // r_ij[k] = r_ji[-k]
    return correlation(j, i).slice().reverse();
  };
  const all = Array.from({ length: nsrc }, (_, i) => i);
  const spanAll = new DelayedSpan(all, flen, correlation);
  const spanOne = all.map((j) => new DelayedSpan([j], flen, correlation));

  const pairs = permute ? all.flatMap((e) => all.map((j) => [e, j])) : all.map((j) => [j, j]);
  const sdr = all.map(() => new Array<number>(nsrc).fill(NaN));
  const sir = all.map(() => new Array<number>(nsrc).fill(NaN));
  const sar = all.map(() => new Array<number>(nsrc).fill(NaN));
  const estCorr = (e: number) => (i: number) => correlate(i, ests[e], `e${e},${i}`);
  // Energies of the decomposition from the normal equations: with P the projection A x of the
  // estimate e (G = A^T A, d = A^T e), |P|^2 = x^T G x and <e, P> = x^T d, and the target
  // projection's span lies in the full one's. The expansions below are those of mir_eval's
  // time-domain sums, for the same coefficients, without the projections' inverse FFTs (G x
  // comes with the solution: the residual check computes it). When a
  // difference cancels to below CANCELLATION of its largest term (a ratio above ~80 dB) its
  // rounding error would show, and that pair is summed in the time domain instead.
  let refSpectra: Float64Array[] | undefined;
  const fullSolve = new Map<number, { d: Float64Array; x: Float64Array; gx: Float64Array }>();
  const energy = ests.map((s) => dot(s, s));
  for (const [e, j] of pairs) {
    let full = fullSolve.get(e);
    if (!full) {
      full = spanAll.solve(estCorr(e));
      fullSolve.set(e, full);
    }
    const one = spanOne[j].solve(estCorr(e));
    const target = dot(one.x, one.gx);
    const cross = dot(one.x, full.gx.subarray(j * flen, (j + 1) * flen));
    const total = dot(full.x, full.gx);
    let interf = total - 2 * cross + target;
    let distort = energy[e] - 2 * dot(one.x, one.d) + target;
    let artif = energy[e] - 2 * dot(full.x, full.d) + total;
    const scale = Math.max(energy[e], total, target);
    if (Math.min(interf, distort, artif) <= CANCELLATION * scale) {
      const size = nextPow2(len);
      if (lastFft?.size !== size) lastFft = new RealFft(size);
      const fft = lastFft;
      refSpectra ??= refs.map((s) => fft.forward(s));
      [interf, distort, artif] = timeDomainEnergies(
        ests[e],
        spanOne[j].project(one.x, refSpectra, fft),
        spanAll.project(full.x, refSpectra, fft),
        len,
      );
    }
    sdr[e][j] = safeDb(target, distort);
    sir[e][j] = safeDb(target, interf);
    sar[e][j] = safeDb(total, artif);
  }

  let best = all;
  if (permute) {
    let bestMean = -Infinity;
    for (const perm of permutations(nsrc)) {
      let m = 0;
      for (let j = 0; j < nsrc; j++) m += sir[perm[j]][j];
      m /= nsrc;
      if (m > bestMean) {
        bestMean = m;
        best = perm;
      }
    }
  }
  return {
    sdr: all.map((j) => sdr[best[j]][j]),
    sir: all.map((j) => sir[best[j]][j]),
    sar: all.map((j) => sar[best[j]][j]),
    permutation: best.slice(),
  };
}
