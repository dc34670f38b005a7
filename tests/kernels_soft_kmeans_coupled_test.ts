import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { softKMeans, softKMeansComposed, softKMeansCoupled } from "../kernels/mod.ts";
import { softKMeansEachStart } from "../kernels/soft_kmeans_composed.ts";

import { features, maxDiff } from "./_seeded_features.ts";

await initBackend("cpu");

/**
 * The coupled soft K-means of one frame `x` `[N][D]` on a rows x cols grid, in float64 loops
 * written from the definition (grid starts, logits -beta d + gamma x the in-grid 4-neighbour
 * mean of the previous assignments from the second iteration on). Returns assignments [K][N].
 */
function reference(
  x: number[][],
  k: number,
  rows: number,
  cols: number,
  beta: number,
  gamma: number,
  iterations: number,
): number[][] {
  const n = x.length, d = x[0].length;
  let c = Array.from({ length: k }, (_, i) => [...x[Math.floor((i * n) / k)]]);
  let q: number[][] | undefined;
  for (let t = 0; t < iterations; t++) {
    const next: number[][] = Array.from({ length: k }, () => new Array(n).fill(0));
    for (let p = 0; p < n; p++) {
      const r = Math.floor(p / cols), col = p % cols;
      const nb = [[r - 1, col], [r + 1, col], [r, col - 1], [r, col + 1]]
        .filter(([a, b]) => a >= 0 && a < rows && b >= 0 && b < cols).map(([a, b]) => a * cols + b);
      const logits = c.map((ck, j) => {
        let sq = 0;
        for (let e = 0; e < d; e++) sq += (x[p][e] - ck[e]) ** 2;
        const mean = q ? nb.reduce((s, m) => s + q![j][m], 0) / nb.length : 0;
        return -beta * Math.sqrt(Math.max(sq, 1e-10)) + gamma * mean;
      });
      const top = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - top));
      const z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => next[j][p] = v / z);
    }
    q = next;
    c = q.map((qk) => {
      const mass = Math.max(qk.reduce((a, b) => a + b, 0), 1e-8);
      return Array.from({ length: d }, (_, e) => qk.reduce((s, w, p) => s + w * x[p][e], 0) / mass);
    });
  }
  return q!;
}

Deno.test("softKMeansCoupled: gamma 0 is softKMeans to the bit; one iteration is uncoupled", () => {
  tf.tidy(() => {
    const x = features(2, 12, 3, 1);
    const coupling = { gamma: 0, rows: 3, cols: 4 };
    const plain = softKMeans(x, 3, { beta: 4 });
    const off = softKMeansCoupled(x, 3, { beta: 4, coupling });
    assert.deepEqual(off.assignments.arraySync(), plain.assignments.arraySync());
    assert.deepEqual(off.centers.arraySync(), plain.centers.arraySync());
    // the coupling acts on the previous iteration's assignments: none in the first
    const one = softKMeansCoupled(x, 3, {
      beta: 4,
      iterations: 1,
      coupling: { ...coupling, gamma: 5 },
    });
    const composed = softKMeansComposed(x, 3, { beta: 4, iterations: 1 });
    assert.ok(maxDiff(one.assignments, composed.assignments) < 1e-6);
  });
});

Deno.test("softKMeansCoupled: matches a float64 reference of the definition", () => {
  const [rows, cols, d] = [4, 5, 3];
  const x = features(2, rows * cols, d, 7);
  const frames = x.arraySync();
  for (const gamma of [0.5, 3]) {
    const got = softKMeansCoupled(x, 3, {
      beta: 3,
      iterations: 4,
      coupling: { gamma, rows, cols },
    });
    const a = got.assignments.arraySync();
    frames.forEach((f, b) => {
      const want = reference(f, 3, rows, cols, 3, gamma, 4);
      const worst = Math.max(
        ...want.flatMap((row, j) => row.map((w, p) => Math.abs(w - a[b][j][p]))),
      );
      assert.ok(worst < 1e-4, `gamma ${gamma} frame ${b}: max difference ${worst}`);
    });
    // and it differs from plain soft K-means
    const plain = softKMeans(x, 3, { beta: 3, iterations: 4 });
    assert.ok(maxDiff(got.assignments, plain.assignments) > 1e-3, `gamma ${gamma} changed nothing`);
    tf.dispose([got.centers, got.assignments, plain.centers, plain.assignments]);
  }
  x.dispose();
});

Deno.test("softKMeansCoupled: an ambiguous position inside an object joins its neighbours", () => {
  // a 6 x 6 one-channel map: the left three columns 0 (the object), the right three 1, and at
  // (2, 1), inside the object, a 0.55: nearer the right cluster's value on its own
  const [rows, cols] = [6, 6];
  const v: number[] = Array.from({ length: rows * cols }, (_, p) => p % cols < 3 ? 0 : 1);
  const hole = 2 * cols + 1;
  v[hole] = 0.55;
  const x = tf.tensor3d(v, [1, rows * cols, 1]);
  // the two centers start at the two sides' values
  const init = tf.tensor3d([[[0], [1]]]);
  const run = (gamma: number) => {
    const { assignments, centers } = softKMeansCoupled(x, 2, {
      beta: 5,
      init,
      coupling: { gamma, rows, cols },
    });
    const a = assignments.arraySync()[0];
    tf.dispose([assignments, centers]);
    return a;
  };
  const plain = run(0), coupled = run(3);
  assert.ok(plain[0][hole] < 0.5, `uncoupled, the hole leans right: ${plain[0][hole]}`);
  assert.ok(coupled[0][hole] > 0.5, `coupled, the hole joins the object: ${coupled[0][hole]}`);
  // the object's own positions stay as sure as before (>= 0.9) under the coupling
  const object = v.map((_, p) => p).filter((p) => p % cols < 3 && p !== hole);
  assert.ok(object.every((p) => coupled[0][p] > 0.9));
  tf.dispose([x, init]);
});

Deno.test("softKMeansCoupled: differentiable; arguments checked", () => {
  const x = features(1, 16, 2, 3);
  const loss = (gamma: number) => (t: tf.Tensor) =>
    tf.sum(tf.square(
      softKMeansCoupled(t as tf.Tensor3D, 2, {
        beta: 4,
        coupling: { gamma, rows: 4, cols: 4 },
      }).centers,
    ));
  const g3 = tf.grad(loss(3))(x), g0 = tf.grad(loss(0))(x);
  assert.ok(g3.dataSync().every(Number.isFinite));
  assert.ok(maxDiff(g3, g0) > 1e-4, "the coupling changed no gradient");
  for (
    const [coupling, what] of [
      [{ gamma: -1, rows: 4, cols: 4 }, "coupling.gamma"],
      [{ gamma: NaN, rows: 4, cols: 4 }, "coupling.gamma"],
      [{ gamma: 1, rows: 4, cols: 5 }, "rows x cols"],
      [{ gamma: 1, rows: 2.5, cols: 4 }, "rows x cols"],
    ] as const
  ) {
    assert.throws(() => softKMeansCoupled(x, 2, { coupling }), new RegExp(what));
  }
  tf.dispose([x, g3, g0]);
});

Deno.test("softKMeansEachStart: coupled runs as softKMeansCoupled from each start", () => {
  tf.tidy(() => {
    const x = features(2, 12, 3, 5);
    const starts = features(1, 2, 3, 9).reshape([2, 1, 3]) as tf.Tensor3D; // [A 2, Ki 1, D]
    const coupling = { gamma: 2, rows: 3, cols: 4 };
    const each = softKMeansEachStart(x, starts, 3, { beta: 4, coupling });
    for (let a = 0; a < 2; a++) {
      const init = tf.broadcastTo(tf.slice(starts, [a, 0, 0], [1, -1, -1]), [
        2,
        1,
        3,
      ]) as tf.Tensor3D;
      const one = softKMeansCoupled(x, 3, { beta: 4, init, coupling });
      const got = tf.slice(each.assignments, [a * 2, 0, 0], [2, -1, -1]);
      assert.ok(maxDiff(got, one.assignments) < 1e-5, `start ${a}`);
    }
  });
});
