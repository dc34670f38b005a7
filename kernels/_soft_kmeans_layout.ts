/**
 * Where the WGSL soft K-means kernels keep their per-sample working memory ("trace" and
 * "sweep" buffers). Shared by the forward, backward and extraction programs.
 *
 * @module
 */

/** Smallest squared distance fed to the square root: d = sqrt(max(s, MIN_SQUARED_DISTANCE)). */
export const MIN_SQUARED_DISTANCE = 1e-10;

/** Smallest denominator of the center update: o_k = sum_n c_kn u_n / max(sum_n c_kn, MIN_MASS). */
export const MIN_MASS = 1e-8;

/** Shape of one soft K-means problem. */
export interface SoftKMeansDims {
  /** Batch size B. */
  batch: number;
  /** Positions N. */
  positions: number;
  /** Channels D. */
  channels: number;
  /** Clusters K. */
  clusters: number;
  /** Iterations T. */
  iterations: number;
}

/**
 * Per-sample layout of the forward trace `[B, traceSize]`:
 * centers o^0..o^T `[(T+1), K, D]`, assignments c^1..c^T `[T, K, N]`, squared distances
 * s^1..s^T `[T, K, N]`, assignment masses S^1..S^T `[T, K]`.
 */
export interface TraceLayout {
  /** Offset of o^0 (o^t starts at `centers + t*K*D`). */
  centers: number;
  /** Offset of c^1 (c^t starts at `assignments + (t-1)*K*N`). */
  assignments: number;
  /** Offset of s^1. */
  squaredDistances: number;
  /** Offset of S^1. */
  masses: number;
  /** Floats per sample. */
  size: number;
}

/** The trace layout for `dims`. */
export function traceLayout(dims: SoftKMeansDims): TraceLayout {
  const { positions: n, channels: d, clusters: k, iterations: t } = dims;
  const centers = 0;
  const assignments = (t + 1) * k * d;
  const squaredDistances = assignments + t * k * n;
  const masses = squaredDistances + t * k * n;
  return { centers, assignments, squaredDistances, masses, size: masses + t * k };
}

/**
 * Per-sample layout of the backward sweep `[B, sweepSize]`: center gradients g^0..g^T
 * `[(T+1), K, D]` (g^t = dL/do^t) and squared-distance gradients h^1..h^T `[T, K, N]`
 * (h^t = dL/ds^t).
 */
export interface SweepLayout {
  /** Offset of g^0. */
  centerGrads: number;
  /** Offset of h^1. */
  distanceGrads: number;
  /** Floats per sample. */
  size: number;
}

/** The backward sweep layout for `dims`. */
export function sweepLayout(dims: SoftKMeansDims): SweepLayout {
  const { positions: n, channels: d, clusters: k, iterations: t } = dims;
  const distanceGrads = (t + 1) * k * d;
  return { centerGrads: 0, distanceGrads, size: distanceGrads + t * k * n };
}

/** WGSL `const` declarations of the dimensions and offsets, for the kernels' sources. */
export function layoutConstants(dims: SoftKMeansDims): string {
  const tr = traceLayout(dims);
  const sw = sweepLayout(dims);
  return `
  const N : i32 = ${dims.positions};
  const D : i32 = ${dims.channels};
  const K : i32 = ${dims.clusters};
  const T : i32 = ${dims.iterations};
  const KD : i32 = ${dims.clusters * dims.channels};
  const KN : i32 = ${dims.clusters * dims.positions};
  const TRACE : i32 = ${tr.size};
  const OFF_O : i32 = ${tr.centers};
  const OFF_C : i32 = ${tr.assignments};
  const OFF_S : i32 = ${tr.squaredDistances};
  const OFF_M : i32 = ${tr.masses};
  const SWEEP : i32 = ${sw.size};
  const OFF_G : i32 = ${sw.centerGrads};
  const OFF_H : i32 = ${sw.distanceGrads};
  const MIN_SQ : f32 = ${MIN_SQUARED_DISTANCE.toExponential()};
  const MIN_MASS : f32 = ${MIN_MASS.toExponential()};
`;
}

/** A shader-cache key naming every baked-in dimension. */
export function dimsKey(dims: SoftKMeansDims): string {
  return `${dims.positions}_${dims.channels}_${dims.clusters}_${dims.iterations}`;
}
