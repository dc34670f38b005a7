/**
 * Seeded k-means (k-means++ initialisation, Lloyd iterations, best of several restarts).
 *
 * @module
 */

import { Rng } from "../random/mod.ts";

/**
 * Options of {@linkcode kMeans}.
 *
 * @category model
 */
export interface KMeansOptions {
  /** Seed of the initialisations. Default 0. */
  seed?: number;
  /** Independent restarts; the lowest within-cluster sum of squares wins. Default 10. */
  restarts?: number;
  /** Most Lloyd iterations per restart. Default 100. */
  iterations?: number;
}

/**
 * A clustering of points.
 *
 * @category model
 */
export interface KMeansResult {
  /** Cluster index of each point; every cluster is non-empty when `points >= k`. */
  labels: number[];
  /** The cluster centres. */
  centers: Float64Array[];
  /** Within-cluster sum of squared distances. */
  inertia: number;
}

function sq(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

/**
 * Cluster `points` into `k` groups by k-means, deterministically by seed. An emptied cluster
 * is re-seeded with the point farthest from its centre, so with at least `k` distinct points
 * every cluster keeps a member.
 *
 * @param points The points (all the same dimension).
 * @param k Number of clusters, at most the number of points.
 * @param opts Seed, restarts, iterations.
 * @returns Labels, centres and inertia.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kMeans } from "@avscene/avscene/baselines";
 * const { labels } = kMeans([[0], [0.1], [5], [5.2]].map((p) => Float64Array.from(p)), 2);
 * assert.ok(labels[0] === labels[1] && labels[2] === labels[3] && labels[0] !== labels[2]);
 * ```
 * @category model
 */
export function kMeans(
  points: ArrayLike<number>[],
  k: number,
  opts: KMeansOptions = {},
): KMeansResult {
  const n = points.length;
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`kMeans: k must be a positive integer, got ${k}`);
  }
  if (n < k) throw new Error(`kMeans: points has ${n} entries, fewer than k = ${k}`);
  const dim = points[0].length;
  points.forEach((p, i) => {
    if (p.length !== dim) {
      throw new Error(`kMeans: points[${i}] has ${p.length} values, not ${dim}`);
    }
  });
  const rng = new Rng(opts.seed ?? 0);
  const restarts = opts.restarts ?? 10, iterations = opts.iterations ?? 100;
  let best: KMeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    // k-means++
    const centers: Float64Array[] = [Float64Array.from(points[rng.int(0, n - 1)])];
    const d2 = points.map((p) => sq(p, centers[0]));
    while (centers.length < k) {
      const total = d2.reduce((a, b) => a + b, 0);
      let pick = 0;
      if (total > 0) {
        let u = rng.uniform() * total;
        while (pick < n - 1 && u >= d2[pick]) u -= d2[pick++];
      } else {
        pick = rng.int(0, n - 1);
      }
      centers.push(Float64Array.from(points[pick]));
      points.forEach((p, i) => (d2[i] = Math.min(d2[i], sq(p, centers[centers.length - 1]))));
    }
    const labels = new Array<number>(n).fill(-1);
    for (let it = 0; it < iterations; it++) {
      let changed = false;
      points.forEach((p, i) => {
        let bl = 0, bd = Infinity;
        centers.forEach((c, j) => {
          const d = sq(p, c);
          if (d < bd) {
            bd = d;
            bl = j;
          }
        });
        if (labels[i] !== bl) changed = true;
        labels[i] = bl;
      });
      // re-seed empty clusters with the worst-fitted point
      for (let j = 0; j < k; j++) {
        if (labels.includes(j)) continue;
        let far = 0, fd = -1;
        points.forEach((p, i) => {
          const d = sq(p, centers[labels[i]]);
          if (d > fd && labels.filter((l) => l === labels[i]).length > 1) {
            fd = d;
            far = i;
          }
        });
        labels[far] = j;
        changed = true;
      }
      for (let j = 0; j < k; j++) {
        const c = new Float64Array(dim);
        let count = 0;
        points.forEach((p, i) => {
          if (labels[i] !== j) return;
          count++;
          for (let d = 0; d < dim; d++) c[d] += p[d];
        });
        for (let d = 0; d < dim; d++) c[d] /= count;
        centers[j] = c;
      }
      if (!changed) break;
    }
    const inertia = points.reduce((a, p, i) => a + sq(p, centers[labels[i]]), 0);
    if (!best || inertia < best.inertia) best = { labels: labels.slice(), centers, inertia };
  }
  return best!;
}
