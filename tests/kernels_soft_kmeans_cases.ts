/**
 * Seeded soft K-means test cases shared by the cpu and webgpu kernel tests, and a helper that
 * runs one case (forward and gradient) on the active tfjs backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../lib/random/mod.ts";
import { softKMeans } from "../kernels/mod.ts";
import {
  finiteDifferenceGradient,
  type Shape3,
  softKMeansReference,
} from "./kernels_soft_kmeans_reference.ts";

/** One case: input `[B, N, D]`, K, beta, loss weights, and float64 expectations. */
export interface SoftKMeansCase {
  name: string;
  shape: Shape3;
  k: number;
  beta: number;
  x: Float32Array;
  /** Loss weights on centers `[B, K, D]` and assignments `[B, K, N]`. */
  wCenters: Float32Array;
  wAssignments: Float32Array;
  /** Float64 reference centers, assignments and d(loss)/dx (finite differences). */
  centers: Float64Array;
  assignments: Float64Array;
  grad: Float64Array;
}

/**
 * [B, N, D, K, beta, scale of x]: N not divisible by K, K=1, K=N, D not a multiple of 4, and
 * K > 4 with D a multiple of 4 and N not (the WGSL kernels' several-cluster-block and padded
 * paths).
 */
const SPECS: [number, number, number, number, number, number][] = [
  [2, 7, 5, 3, 30, 0.3], // N % K != 0, D odd
  [1, 6, 4, 1, 30, 0.3], // K = 1
  [2, 5, 3, 5, 30, 0.3], // K = N
  [3, 12, 6, 4, 5, 1], // soft assignments
  [1, 9, 9, 2, 30, 1],
  [2, 10, 7, 3, 1, 1], // very soft
  [2, 11, 8, 9, 10, 1], // 3 blocks of 4 clusters, channels bound as vec4s
];

/**
 * Cases the split WGSL kernels cut into several channel and position tiles: D and N not
 * multiples of 4 or of the tile, one and three cluster blocks.
 */
export const SPLIT_SPECS: [number, number, number, number, number, number][] = [
  [1, 41, 37, 3, 5, 1], // 8 channel tiles of 5, 9 position tiles of 5
  [2, 34, 48, 9, 3, 1], // 12 channel tiles of 4, 7 position tiles of 5, 3 cluster blocks
];

/** The seeded cases (default: the small ones) with their float64 references (T = 4 iterations). */
export function softKMeansCases(
  specs: [number, number, number, number, number, number][] = SPECS,
): SoftKMeansCase[] {
  return specs.map(([b, n, d, k, beta, scale]) => {
    const rng = new Rng(b * 1000 + n * 10 + d);
    const x = Float32Array.from({ length: b * n * d }, () => rng.normal() * scale);
    const wCenters = Float32Array.from({ length: b * k * d }, () => rng.normal());
    const wAssignments = Float32Array.from({ length: b * k * n }, () => rng.normal());
    const shape: Shape3 = [b, n, d];
    const ref = softKMeansReference(x, shape, k, 4, beta);
    const loss = (v: Float64Array) => {
      const r = softKMeansReference(v, shape, k, 4, beta);
      let s = 0;
      r.centers.forEach((c, i) => s += c * wCenters[i]);
      r.assignments.forEach((c, i) => s += c * wAssignments[i]);
      return s;
    };
    return {
      name: `B=${b} N=${n} D=${d} K=${k} beta=${beta}`,
      shape,
      k,
      beta,
      x,
      wCenters,
      wAssignments,
      centers: ref.centers,
      assignments: ref.assignments,
      grad: finiteDifferenceGradient(loss, x),
    };
  });
}

/** Outputs of one case on the active backend, read back to the host. */
export interface CaseOutputs {
  centers: Float32Array;
  assignments: Float32Array;
  grad: Float32Array;
}

/** Run `c` with `softKMeans` on the active backend: forward, and gradient of the weighted sum. */
export async function runCase(c: SoftKMeansCase): Promise<CaseOutputs> {
  const [b, n, d] = c.shape;
  const x = tf.tensor3d(c.x, c.shape);
  const w1 = tf.tensor3d(c.wCenters, [b, c.k, d]);
  const w2 = tf.tensor3d(c.wAssignments, [b, c.k, n]);
  const { centers, assignments } = softKMeans(x, c.k, { beta: c.beta });
  const grad = tf.grad((v: tf.Tensor) => {
    const r = softKMeans(v as tf.Tensor3D, c.k, { beta: c.beta });
    return tf.add(tf.sum(tf.mul(r.centers, w1)), tf.sum(tf.mul(r.assignments, w2)));
  })(x);
  const out = {
    centers: await centers.data() as Float32Array,
    assignments: await assignments.data() as Float32Array,
    grad: await grad.data() as Float32Array,
  };
  tf.dispose([x, w1, w2, centers, assignments, grad]);
  return out;
}

/** Points in well separated groups far from the origin (coordinates up to ~1e3). */
export function farApartPoints(shape: Shape3, seed: number): Float32Array {
  const [b, n, d] = shape;
  const rng = new Rng(seed);
  const out = new Float32Array(b * n * d);
  for (let i = 0; i < b * n; i++) {
    const group = rng.int(0, 3);
    for (let j = 0; j < d; j++) out[i * d + j] = (group - 1.5) * 600 + rng.normal() * 5;
  }
  return out;
}
