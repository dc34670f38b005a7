import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { SoftKMeans, type SoftKMeansAttrs, SoftKMeansGrad } from "../kernels/mod.ts";
import { softKMeansGradPlain, softKMeansPlain } from "../kernels/soft_kmeans_plain.ts";
import { maxRelative, runPlain } from "./kernels_plain_run.ts";

// [B, N, D, K, beta]: the tiny model's visual (K = 2) and audio (K = 1) shapes, N not a
// multiple of K, soft and hard assignments; the initial centers are data points, so every
// case has distances below the floor (no gradient through them)
const CASES: [number, number, number, number, number][] = [
  [8, 256, 32, 2, 30],
  [8, 128, 32, 1, 30],
  [3, 37, 8, 5, 5],
  [2, 20, 12, 3, 0.5],
];

for (const [b, n, d, k, beta] of CASES) {
  Deno.test(`wasm SIMD SoftKMeans equals the plain kernels: B=${b} N=${n} D=${d} K=${k} beta=${beta}`, async () => {
    await initBackend("wasm");
    const attrs: SoftKMeansAttrs = { k, iterations: 4, beta };
    const x = tf.randomNormal([b, n, d], 0, 0.3, "float32", 12);
    const dCenters = tf.randomNormal([b, k, d], 0, 1, "float32", 13);
    const dAssignments = tf.randomNormal([b, k, n], 0, 1, "float32", 14);
    const before = tf.memory().numTensors;
    const outs = tf.engine().runKernel(
      SoftKMeans,
      { x },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    const want = runPlain(softKMeansPlain, { x }, attrs);
    outs.forEach((t, i) => {
      const err = maxRelative(t.dataSync() as Float32Array, want[i]);
      assert.ok(err < 1e-6, `forward output ${i}: ${err}`);
    });
    const trace = outs[2].dataSync();
    assert.ok(trace.some((v) => v < 0), "some distance is below the floor (negated in the trace)");
    const inputs = { x, trace: outs[2], dCenters, dAssignments };
    const dx = tf.engine().runKernel(
      SoftKMeansGrad,
      inputs,
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
    const wantDx = runPlain(softKMeansGradPlain, inputs, attrs)[0];
    const err = maxRelative(dx.dataSync() as Float32Array, wantDx);
    assert.ok(err < 1e-5, `gradient: ${err}`);
    tf.dispose([...outs, dx]);
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
    tf.dispose([x, dCenters, dAssignments]);
  });
}
