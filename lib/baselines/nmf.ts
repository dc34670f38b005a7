/**
 * Non-negative matrix factorisation with the KL-divergence multiplicative updates of Lee and
 * Seung, seeded.
 *
 * @module
 */

import { Rng } from "../random/mod.ts";

/**
 * Options of {@linkcode nmf}.
 *
 * @category model
 */
export interface NmfOptions {
  /** Multiplicative-update iterations. Default 200. */
  iterations?: number;
  /** Seed of the random positive initialisation. Default 0. */
  seed?: number;
}

/**
 * The factors of `V ~ W H`.
 *
 * @category model
 */
export interface NmfResult {
  /** Bases, row-major `[rows, components]`, each column summing to 1. */
  w: Float64Array;
  /** Activations, row-major `[components, columns]`. */
  h: Float64Array;
}

const EPS = 1e-12;

/**
 * Factor a non-negative matrix `V` (row-major `[rows, columns]`, e.g. a magnitude
 * spectrogram `[bins, frames]`) as `W H` with `components` columns in `W`, minimising the
 * generalised KL divergence by multiplicative updates from a seeded uniform initialisation.
 *
 * @param v The matrix.
 * @param rows Its rows.
 * @param columns Its columns.
 * @param components Rank of the factorisation.
 * @param opts Iterations and seed.
 * @returns `W` (columns normalised to unit sum) and `H`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nmf } from "@avscene/avscene/baselines";
 * const v = Float64Array.from([1, 2, 2, 4]); // rank one
 * const { w, h } = nmf(v, 2, 2, 1);
 * assert.ok(Math.abs(w[1] * h[1] - 4) < 1e-6);
 * ```
 * @category model
 */
export function nmf(
  v: Float64Array | Float32Array,
  rows: number,
  columns: number,
  components: number,
  opts: NmfOptions = {},
): NmfResult {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`nmf: rows must be >= 1, got ${rows}`);
  if (!Number.isInteger(columns) || columns < 1) {
    throw new Error(`nmf: columns must be >= 1, got ${columns}`);
  }
  if (!Number.isInteger(components) || components < 1) {
    throw new Error(`nmf: components must be a positive integer, got ${components}`);
  }
  if (v.length !== rows * columns) {
    throw new Error(`nmf: v has ${v.length} values, expected rows * columns = ${rows * columns}`);
  }
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0) || !Number.isFinite(v[i])) {
      throw new Error(`nmf: v[${i}] must be finite and non-negative, got ${v[i]}`);
    }
  }
  const iterations = opts.iterations ?? 200;
  const rng = new Rng(opts.seed ?? 0);
  const k = components;
  const w = Float64Array.from({ length: rows * k }, () => 0.1 + rng.uniform());
  const h = Float64Array.from({ length: k * columns }, () => 0.1 + rng.uniform());
  // Frame by frame, with W transposed: each column of W H is computed where it is used and
  // dropped, and the inner loops run over the rows (the frequency bins, hundreds) rather than
  // the frames (tens). Every sum runs in the same order as in the plain matrix products, so the
  // factors are the same to the bit.
  const wt = new Float64Array(k * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) wt[c * rows + r] = w[r * k + c];
  const vt = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < columns; j++) vt[j * rows + r] = v[r * columns + j];
  }
  const approx = new Float64Array(rows);
  const ratio = new Float64Array(rows);
  /** Column j of V / (W H + eps), into `ratio`. */
  const ratioOfColumn = (j: number) => {
    approx.fill(0);
    let c = 0;
    // four components a pass (fewer loads and stores of `approx`), left to right as before
    for (; c + 4 <= k; c += 4) {
      const h0 = h[c * columns + j], h1 = h[(c + 1) * columns + j];
      const h2 = h[(c + 2) * columns + j], h3 = h[(c + 3) * columns + j];
      const w0 = c * rows, w1 = w0 + rows, w2 = w1 + rows, w3 = w2 + rows;
      for (let r = 0; r < rows; r++) {
        approx[r] = approx[r] + wt[w0 + r] * h0 + wt[w1 + r] * h1 + wt[w2 + r] * h2 +
          wt[w3 + r] * h3;
      }
    }
    for (; c < k; c++) {
      const hv = h[c * columns + j];
      const wr = c * rows;
      for (let r = 0; r < rows; r++) approx[r] += wt[wr + r] * hv;
    }
    const vr = j * rows;
    for (let r = 0; r < rows; r++) ratio[r] = vt[vr + r] / (approx[r] + EPS);
  };
  const wSum = new Float64Array(k);
  const hSum = new Float64Array(k);
  const wNum = new Float64Array(k * rows);
  for (let it = 0; it < iterations; it++) {
    // H <- H * (W^T (V / WH)) / (W^T 1); column j of H needs only column j of W H
    wSum.fill(0);
    for (let c = 0; c < k; c++) for (let r = 0; r < rows; r++) wSum[c] += wt[c * rows + r];
    for (let j = 0; j < columns; j++) {
      ratioOfColumn(j);
      let c = 0;
      for (; c + 4 <= k; c += 4) {
        const w0 = c * rows, w1 = w0 + rows, w2 = w1 + rows, w3 = w2 + rows;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let r = 0; r < rows; r++) {
          const q = ratio[r];
          s0 += wt[w0 + r] * q;
          s1 += wt[w1 + r] * q;
          s2 += wt[w2 + r] * q;
          s3 += wt[w3 + r] * q;
        }
        h[c * columns + j] *= s0 / (wSum[c] + EPS);
        h[(c + 1) * columns + j] *= s1 / (wSum[c + 1] + EPS);
        h[(c + 2) * columns + j] *= s2 / (wSum[c + 2] + EPS);
        h[(c + 3) * columns + j] *= s3 / (wSum[c + 3] + EPS);
      }
      for (; c < k; c++) {
        let s = 0;
        const wr = c * rows;
        for (let r = 0; r < rows; r++) s += wt[wr + r] * ratio[r];
        h[c * columns + j] *= s / (wSum[c] + EPS);
      }
    }
    // W <- W * ((V / WH) H^T) / (1 H^T)
    hSum.fill(0);
    for (let c = 0; c < k; c++) for (let j = 0; j < columns; j++) hSum[c] += h[c * columns + j];
    wNum.fill(0);
    for (let j = 0; j < columns; j++) {
      ratioOfColumn(j);
      let c = 0;
      for (; c + 4 <= k; c += 4) {
        const h0 = h[c * columns + j], h1 = h[(c + 1) * columns + j];
        const h2 = h[(c + 2) * columns + j], h3 = h[(c + 3) * columns + j];
        const w0 = c * rows, w1 = w0 + rows, w2 = w1 + rows, w3 = w2 + rows;
        for (let r = 0; r < rows; r++) {
          const q = ratio[r];
          wNum[w0 + r] += q * h0;
          wNum[w1 + r] += q * h1;
          wNum[w2 + r] += q * h2;
          wNum[w3 + r] += q * h3;
        }
      }
      for (; c < k; c++) {
        const hv = h[c * columns + j];
        const wr = c * rows;
        for (let r = 0; r < rows; r++) wNum[wr + r] += ratio[r] * hv;
      }
    }
    for (let c = 0; c < k; c++) {
      const scale = hSum[c] + EPS;
      for (let r = c * rows; r < (c + 1) * rows; r++) wt[r] *= wNum[r] / scale;
    }
    // normalise the bases to unit sum, moving the scale into H
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += wt[c * rows + r];
      if (s <= 0) continue;
      for (let r = 0; r < rows; r++) wt[c * rows + r] /= s;
      for (let j = 0; j < columns; j++) h[c * columns + j] *= s;
    }
  }
  for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) w[r * k + c] = wt[c * rows + r];
  return { w, h };
}
