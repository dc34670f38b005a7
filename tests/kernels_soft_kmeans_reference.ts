/**
 * Float64 reference of soft K-means in plain TypeScript, and a float64 finite-difference
 * gradient, for the kernel tests. Independent of tfjs.
 *
 * @module
 */

/** Shape `[B, N, D]` of the reference's input. */
export type Shape3 = [number, number, number];

/** Output of {@linkcode softKMeansReference}: centers `[B, K, D]`, assignments `[B, K, N]`. */
export interface ReferenceResult {
  centers: Float64Array;
  assignments: Float64Array;
}

/**
 * Soft K-means in float64, written straight from the method: centers from positions
 * floor(i N / K); T times d_kn = sqrt(max(|o_k - u_n|^2, 1e-10)), c_kn = softmax_k(-beta d_kn),
 * o_k = sum_n c_kn u_n / max(sum_n c_kn, 1e-8).
 */
export function softKMeansReference(
  x: ArrayLike<number>,
  [B, N, D]: Shape3,
  K: number,
  iterations: number,
  beta: number,
): ReferenceResult {
  const centers = new Float64Array(B * K * D);
  const assignments = new Float64Array(B * K * N);
  for (let b = 0; b < B; b++) {
    const u = (n: number, d: number) => x[(b * N + n) * D + d];
    let o = new Float64Array(K * D);
    for (let k = 0; k < K; k++) {
      const src = Math.floor((k * N) / K);
      for (let d = 0; d < D; d++) o[k * D + d] = u(src, d);
    }
    const c = new Float64Array(K * N);
    for (let t = 0; t < iterations; t++) {
      for (let n = 0; n < N; n++) {
        const logits = new Float64Array(K);
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += (o[k * D + d] - u(n, d)) ** 2;
          logits[k] = -beta * Math.sqrt(Math.max(s, 1e-10));
        }
        const m = Math.max(...logits);
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp(logits[k] - m);
        for (let k = 0; k < K; k++) c[k * N + n] = Math.exp(logits[k] - m) / z;
      }
      const next = new Float64Array(K * D);
      for (let k = 0; k < K; k++) {
        let mass = 0;
        for (let n = 0; n < N; n++) mass += c[k * N + n];
        mass = Math.max(mass, 1e-8);
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let n = 0; n < N; n++) acc += c[k * N + n] * u(n, d);
          next[k * D + d] = acc / mass;
        }
      }
      o = next;
    }
    centers.set(o, b * K * D);
    assignments.set(c, b * K * N);
  }
  return { centers, assignments };
}

/** Central finite-difference gradient of `f` at `x`, in float64. */
export function finiteDifferenceGradient(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  h = 1e-6,
): Float64Array {
  const at = Float64Array.from(x);
  const grad = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) {
    const v = at[i];
    at[i] = v + h;
    const up = f(at);
    at[i] = v - h;
    const down = f(at);
    at[i] = v;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/**
 * Largest error of `actual` against `expected`, in units of the tolerance
 * `rtol * (|expected_i| + rms(expected))`: at most 1 means every element is within tolerance.
 */
export function toleranceRatio(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-4,
): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} != ${expected.length}`);
  }
  let sq = 0;
  for (let i = 0; i < expected.length; i++) sq += expected[i] ** 2;
  const rms = Math.sqrt(sq / Math.max(1, expected.length)) || 1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!Number.isFinite(actual[i])) return Infinity;
    worst = Math.max(worst, err / (rtol * (Math.abs(expected[i]) + rms)));
  }
  return worst;
}
