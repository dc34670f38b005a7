import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import { FeatureNorm, type FeatureNormAttrs, FeatureNormGrad } from "../kernels/mod.ts";
import { featureNormGradPlain, featureNormPlain } from "../kernels/feature_norm_plain.ts";
import { maxRelative, runPlain } from "./kernels_plain_run.ts";

// shapes of the tiny (positional norm) and small (group norm, 8 groups) trunks, and widths
// the plain fallback takes (a group of 2 channels)
const CASES: [number[], number][] = [
  [[2, 6, 5, 16], 0],
  [[3, 4, 4, 32], 0],
  [[2, 5, 3, 64], 8],
  [[2, 4, 4, 32], 8],
  [[2, 3, 3, 8], 4],
];

for (const [shape, groups] of CASES) {
  for (const relu of [false, true]) {
    Deno.test(`wasm SIMD FeatureNorm equals the plain kernel: [${shape}] groups ${groups} relu ${relu}`, async () => {
      await initBackend("wasm");
      const c = shape[3];
      const attrs: FeatureNormAttrs = { groups, epsilon: 1e-5, relu };
      const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, "float32", 3), 2), 0.5);
      const gamma = tf.randomNormal([c], 1, 0.3, "float32", 4);
      const beta = tf.randomNormal([c], 0, 0.3, "float32", 5);
      const dy = tf.randomNormal(shape, 0, 1, "float32", 6);
      const before = tf.memory().numTensors;
      const [y, xhat, inv] = tf.engine().runKernel(
        FeatureNorm,
        { x, gamma, beta },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
      const want = runPlain(featureNormPlain, { x, gamma, beta }, attrs);
      const got = [y, xhat, inv].map((t) => t.dataSync() as Float32Array);
      got.forEach((g, i) =>
        assert.ok(maxRelative(g, want[i]) < 1e-6, `forward output ${i}: ${maxRelative(g, want[i])}`)
      );
      if (relu) assert.ok(got[0].some((v) => v === 0) && got[0].every((v) => v >= 0));
      const grads = tf.engine().runKernel(
        FeatureNormGrad,
        { dy, y, xhat, inv, gamma },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
      const wantGrads = runPlain(featureNormGradPlain, { dy, y, xhat, inv, gamma }, attrs);
      grads.forEach((g, i) => {
        const err = maxRelative(g.dataSync() as Float32Array, wantGrads[i]);
        assert.ok(err < 1e-5, `gradient output ${i}: ${err}`);
      });
      tf.dispose([y, xhat, inv, ...grads]);
      assert.equal(tf.memory().numTensors, before, "no tensor left behind");
      tf.dispose([x, gamma, beta, dy]);
    });
  }
}
