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
  const approx = new Float64Array(rows * columns);
  const ratio = new Float64Array(rows * columns);
  const computeRatio = () => {
    approx.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        const wv = w[r * k + c];
        const hr = c * columns, ar = r * columns;
        for (let j = 0; j < columns; j++) approx[ar + j] += wv * h[hr + j];
      }
    }
    for (let i = 0; i < ratio.length; i++) ratio[i] = v[i] / (approx[i] + EPS);
  };
  const num = new Float64Array(Math.max(k * columns, rows * k));
  for (let it = 0; it < iterations; it++) {
    // H <- H * (W^T (V / WH)) / (W^T 1)
    computeRatio();
    num.fill(0);
    const wSum = new Float64Array(k);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        const wv = w[r * k + c];
        wSum[c] += wv;
        const ar = r * columns, hr = c * columns;
        for (let j = 0; j < columns; j++) num[hr + j] += wv * ratio[ar + j];
      }
    }
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < columns; j++) {
        h[c * columns + j] *= num[c * columns + j] / (wSum[c] + EPS);
      }
    }
    // W <- W * ((V / WH) H^T) / (1 H^T)
    computeRatio();
    const hSum = new Float64Array(k);
    for (let c = 0; c < k; c++) for (let j = 0; j < columns; j++) hSum[c] += h[c * columns + j];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        const ar = r * columns, hr = c * columns;
        for (let j = 0; j < columns; j++) s += ratio[ar + j] * h[hr + j];
        w[r * k + c] *= s / (hSum[c] + EPS);
      }
    }
    // normalise the bases to unit sum, moving the scale into H
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += w[r * k + c];
      if (s <= 0) continue;
      for (let r = 0; r < rows; r++) w[r * k + c] /= s;
      for (let j = 0; j < columns; j++) h[c * columns + j] *= s;
    }
  }
  return { w, h };
}
