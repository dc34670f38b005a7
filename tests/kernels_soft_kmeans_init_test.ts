import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { softKMeans, softKMeansComposed } from "../kernels/mod.ts";
import { softKMeansEachStart } from "../kernels/soft_kmeans_composed.ts";

import { features, maxDiff } from "./_seeded_features.ts";

await initBackend("cpu");

Deno.test("softKMeans init: a start equal to the grid position's feature changes nothing", () => {
  tf.tidy(() => {
    const x = features(2, 12, 3, 1);
    const k = 3;
    // center 0 starts at position 0 without init: the same start given explicitly
    const start = tf.slice(x, [0, 0, 0], [-1, 1, -1]) as tf.Tensor3D;
    const grid = softKMeans(x, k, { beta: 4 });
    const given = softKMeans(x, k, { beta: 4, init: start });
    assert.ok(maxDiff(grid.centers, given.centers) < 1e-5);
    assert.ok(maxDiff(grid.assignments, given.assignments) < 1e-5);
  });
});

Deno.test("softKMeans init: the started center ends at the cluster its start is in", async () => {
  // two far-apart groups; the grid starts both centers in group A (positions 0 and 3)
  const x = tf.tensor3d([[[0, 0], [0, 1], [9, 9], [1, 0], [9, 8], [8, 9]]]);
  const init = tf.tensor3d([[[9, 9]]]);
  const { centers } = softKMeans(x, 2, { beta: 30, init });
  const c = await centers.array();
  assert.ok(c[0][0][0] > 8 && c[0][1][0] < 1, `center 0 in group B: ${JSON.stringify(c)}`);
  tf.dispose([x, init, centers]);
});

Deno.test("softKMeans init: gradient flows into the start; bad starts are named", () => {
  const x = features(2, 10, 4, 2);
  const init = features(2, 1, 4, 3);
  const g = tf.grad((i: tf.Tensor) =>
    tf.sum(softKMeans(x, 3, { beta: 2, init: i as tf.Tensor3D }).centers)
  )(init);
  assert.ok(tf.sum(tf.abs(g)).dataSync()[0] > 0, "the centers depend on the start");
  assert.throws(
    () => softKMeans(x, 3, { init: features(1, 1, 4, 0) }),
    /opts.init must be \[2, Ki, 4\]/,
  );
  assert.throws(() => softKMeans(x, 3, { init: features(2, 4, 4, 0) }), /1 <= Ki <= k/);
  assert.throws(
    () => softKMeansComposed(x, 3, { init: tf.zeros([2, 1, 4], "int32") as tf.Tensor3D }),
    /opts.init must be a float32/,
  );
  tf.dispose([x, init, g]);
});

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`${backend}: softKMeansEachStart equals softKMeans with init per (start, frame), gradients too`, async () => {
    await initBackend(backend);
    try {
      tf.tidy(() => {
        const [b, n, d, a, k] = [3, 16, 4, 2, 3];
        const x = features(b, n, d, 5);
        for (const ki of [1, 2]) {
          const init = features(a, ki, d, 7 + ki);
          const opts = { beta: 3, iterations: 3 };
          const each = softKMeansEachStart(x, init, k, opts);
          // reference: frame j repeated for each start i, row i * b + j
          const xs = tf.reshape(tf.broadcastTo(tf.expandDims(x, 0), [a, b, n, d]), [a * b, n, d]);
          const is = tf.reshape(tf.broadcastTo(tf.expandDims(init, 1), [a, b, ki, d]), [
            a * b,
            ki,
            d,
          ]);
          const ref = softKMeans(xs as tf.Tensor3D, k, { ...opts, init: is as tf.Tensor3D });
          assert.deepEqual(each.centers.shape, [a * b, k, d]);
          assert.deepEqual(each.assignments.shape, [a * b, k, n]);
          assert.ok(maxDiff(each.centers, ref.centers) < 1e-4, `centers, Ki ${ki}`);
          assert.ok(maxDiff(each.assignments, ref.assignments) < 1e-4, `assignments, Ki ${ki}`);
          // a weighted sum of the outputs: the same gradient into x and into the starts
          const w = features(a * b, k, d, 11);
          const f = (xx: tf.Tensor, ii: tf.Tensor) =>
            tf.sum(
              tf.mul(softKMeansEachStart(xx as tf.Tensor3D, ii as tf.Tensor3D, k, opts).centers, w),
            );
          const fr = (xx: tf.Tensor, ii: tf.Tensor) => {
            const xr = tf.reshape(tf.broadcastTo(tf.expandDims(xx, 0), [a, b, n, d]), [
              a * b,
              n,
              d,
            ]);
            const ir = tf.reshape(tf.broadcastTo(tf.expandDims(ii, 1), [a, b, ki, d]), [
              a * b,
              ki,
              d,
            ]);
            return tf.sum(
              tf.mul(
                softKMeans(xr as tf.Tensor3D, k, { ...opts, init: ir as tf.Tensor3D }).centers,
                w,
              ),
            );
          };
          const [gx, gi] = tf.grads(f)([x, init]);
          const [rx, ri] = tf.grads(fr)([x, init]);
          assert.ok(maxDiff(gx, rx) < 1e-3, `gradient into x, Ki ${ki}`);
          assert.ok(maxDiff(gi, ri) < 1e-3, `gradient into the starts, Ki ${ki}`);
          assert.ok(tf.sum(tf.abs(gi)).dataSync()[0] > 0);
        }
        assert.throws(
          () => softKMeansEachStart(x, features(2, 1, 5, 0), k),
          /init must be \[A >= 1, Ki, 4\]/,
        );
        assert.throws(() => softKMeansEachStart(x, features(2, 4, 4, 0), k), /1 <= Ki <= k/);
      });
    } finally {
      await initBackend("cpu");
    }
  });
}

Deno.test("softKMeansEachStart: per-frame starts [B, A, Ki, D] equal softKMeans with each frame's own start; bad shapes named", async () => {
  const x = features(2, 12, 3, 7);
  const init = features(2, 6, 3, 8).reshape([2, 3, 2, 3]) as tf.Tensor4D; // [B, A, Ki, D]
  const { centers } = softKMeansEachStart(x, init, 3, { beta: 5 });
  const got = await centers.array(); // row a * B + b
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 2; b++) {
      const xb = tf.slice(x, [b, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const start = tf.slice(init, [b, a, 0, 0], [1, 1, -1, -1]).reshape([1, 2, 3]) as tf.Tensor3D;
      const want = (await softKMeans(xb, 3, { beta: 5, init: start }).centers.array())[0];
      want.flat().forEach((w, i) => assert.ok(Math.abs(got[a * 2 + b].flat()[i] - w) < 1e-5));
    }
  }
  const wrong = tf.zeros([3, 3, 2, 3]) as tf.Tensor4D; // 3 frames' starts for 2 frames
  assert.throws(() => softKMeansEachStart(x, wrong, 3), /init must be \[A >= 1, Ki, 3\] or \[2, A/);
  tf.dispose([x, init, centers, wrong]);
});
