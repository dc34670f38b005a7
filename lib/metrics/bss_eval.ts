/**
 * BSS-eval v3 source metrics (SDR, SIR, SAR) with the semantics of
 * `mir_eval.separation.bss_eval_sources`.
 *
 * @module
 */

import { addMul, mulConj, nextPow2, RealFft } from "./_fft.ts";
import { PivotedCholesky } from "./_cholesky.ts";

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
    let energy = 0;
    for (let t = 0; t < length; t++) {
      const v = s[t];
      if (!Number.isFinite(v)) throw new Error(`bssEval: ${name}[${j}][${t}] is not finite (${v})`);
      out[t] = v;
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

/** Below this share of its largest term a difference of energies is summed in the time domain. */
const CANCELLATION = 1e-8;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * `u^T G v'` for the symmetric `n * n` matrix `g` (n = u.length) and `v'` the vector that is
 * `v` (length `m`) at entries `offset..offset+m-1` and zero elsewhere.
 */
function quadratic(
  g: Float64Array,
  u: Float64Array,
  v: Float64Array,
  offset: number,
  m: number,
): number {
  const n = u.length;
  let s = 0;
  for (let r = 0; r < n; r++) {
    if (u[r] === 0) continue;
    const row = r * n + offset;
    let t = 0;
    for (let c = 0; c < m; c++) t += g[row + c] * v[c];
    s += u[r] * t;
  }
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
 * samples (one or all references), built from FFT cross-correlations.
 */
class DelayedSpan {
  readonly #sources: number[];
  readonly #flen: number;
  readonly #solver: PivotedCholesky;
  /** The Gram matrix of the delayed references (row-major, `n * n`). */
  readonly gram: Float64Array;

  constructor(
    sources: number[],
    flen: number,
    correlation: (i: number, j: number) => Float64Array,
  ) {
    this.#sources = sources;
    this.#flen = flen;
    const n = sources.length * flen;
    const g = new Float64Array(n * n);
    const nfft = correlation(sources[0], sources[0]).length;
    sources.forEach((si, bi) => {
      sources.forEach((sj, bj) => {
        if (bj > bi) return; // upper blocks are mirrored below
        // r[k] = sum_t s_i[t + k] s_j[t]; <s_i delayed a, s_j delayed b> = r[(b - a) mod nfft]
        const r = correlation(si, sj);
        for (let a = 0; a < flen; a++) {
          const row = (bi * flen + a) * n + bj * flen;
          for (let b = 0; b < flen; b++) g[row + b] = r[(b - a + nfft) % nfft];
        }
      });
    });
    // mirror the lower block triangle into the upper one
    for (let r = 0; r < n; r++) for (let c = r + 1; c < n; c++) g[r * n + c] = g[c * n + r];
    this.gram = g;
    this.#solver = new PivotedCholesky(g, n);
  }

  /**
   * The right-hand side `d` (correlations of the estimate with each delayed reference) and the
   * least-squares filter coefficients `x` (`G x = d`) of the estimate whose correlations with
   * reference `i` are `estCorr(i)`.
   */
  solve(estCorr: (i: number) => Float64Array, nfft: number): { d: Float64Array; x: Float64Array } {
    const flen = this.#flen;
    const d = new Float64Array(this.#sources.length * flen);
    this.#sources.forEach((si, bi) => {
      const c = estCorr(si);
      for (let a = 0; a < flen; a++) d[bi * flen + a] = c[(nfft - a) % nfft];
    });
    return { d, x: this.#solver.solve(d) };
  }

  /**
   * Projection (length `nfft`, the first `nsampl + flen - 1` meaningful) of the estimate whose
   * correlations with reference `i` are `estCorr(i)` (`c[k] = sum_t s_i[t + k] e[t]`).
   */
  project(
    estCorr: (i: number) => Float64Array,
    refSpectra: Float64Array[],
    fft: RealFft,
  ): Float64Array {
    const flen = this.#flen, nfft = fft.size;
    const d = new Float64Array(this.#sources.length * flen);
    this.#sources.forEach((si, bi) => {
      const c = estCorr(si);
      for (let a = 0; a < flen; a++) d[bi * flen + a] = c[(nfft - a) % nfft];
    });
    const coef = this.#solver.solve(d);
    const acc = new Float64Array(2 * nfft);
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
 * so delayed; artifacts are the rest. The normal equations are built from FFT
 * cross-correlations and solved in float64.
 *
 * Differences from mir_eval, none affecting scores of valid inputs: silence is detected as an
 * all-zero signal (mir_eval tests a zero sum); the Gram matrices of the references are
 * factored once and reused across estimates; numerically dependent delayed references are
 * dropped from the basis instead of falling back to `lstsq` (the projection is the same).
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
  const fft = new RealFft(nextPow2(len));
  const refSpectra = refs.map((s) => fft.forward(s));
  const estSpectra = ests.map((s) => fft.forward(s));

  const refCorr = new Map<string, Float64Array>();
  const correlation = (i: number, j: number): Float64Array => {
    const key = `${i},${j}`;
    let r = refCorr.get(key);
    if (!r) {
      r = fft.inverseReal(mulConj(refSpectra[i], refSpectra[j]));
      refCorr.set(key, r);
    }
    return r;
  };
  const all = Array.from({ length: nsrc }, (_, i) => i);
  const spanAll = new DelayedSpan(all, flen, correlation);
  const spanOne = all.map((j) => new DelayedSpan([j], flen, correlation));

  const pairs = permute ? all.flatMap((e) => all.map((j) => [e, j])) : all.map((j) => [j, j]);
  const sdr = all.map(() => new Array<number>(nsrc).fill(NaN));
  const sir = all.map(() => new Array<number>(nsrc).fill(NaN));
  const sar = all.map(() => new Array<number>(nsrc).fill(NaN));
  const estCorrs = ests.map(() => new Map<number, Float64Array>());
  const estCorr = (e: number) => (i: number): Float64Array => {
    let c = estCorrs[e].get(i);
    if (!c) {
      c = fft.inverseReal(mulConj(refSpectra[i], estSpectra[e]));
      estCorrs[e].set(i, c);
    }
    return c;
  };
  // Energies of the decomposition from the normal equations: with P the projection A x of the
  // estimate e (G = A^T A, d = A^T e), |P|^2 = x^T G x and <e, P> = x^T d, and the target
  // projection's span lies in the full one's. The expansions below are those of mir_eval's
  // time-domain sums, for the same coefficients, without the projections' inverse FFTs. When a
  // difference cancels to below CANCELLATION of its largest term (a ratio above ~80 dB) its
  // rounding error would show, and that pair is summed in the time domain instead.
  const fullSolve = new Map<number, { d: Float64Array; x: Float64Array; q: number }>();
  const energy = ests.map((s) => s.reduce((a, v) => a + v * v, 0));
  for (const [e, j] of pairs) {
    let full = fullSolve.get(e);
    if (!full) {
      const { d, x } = spanAll.solve(estCorr(e), fft.size);
      full = { d, x, q: quadratic(spanAll.gram, x, x, 0, x.length) };
      fullSolve.set(e, full);
    }
    const one = spanOne[j].solve(estCorr(e), fft.size);
    const target = quadratic(spanOne[j].gram, one.x, one.x, 0, flen);
    const cross = quadratic(spanAll.gram, full.x, one.x, j * flen, flen);
    const total = full.q;
    let interf = total - 2 * cross + target;
    let distort = energy[e] - 2 * dot(one.x, one.d) + target;
    let artif = energy[e] - 2 * dot(full.x, full.d) + total;
    const scale = Math.max(energy[e], total, target);
    if (Math.min(interf, distort, artif) <= CANCELLATION * scale) {
      [interf, distort, artif] = timeDomainEnergies(
        ests[e],
        spanOne[j].project(estCorr(e), refSpectra, fft),
        spanAll.project(estCorr(e), refSpectra, fft),
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
