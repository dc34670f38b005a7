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

Deno.test("the SIMD kernels' exp (fdlibm's algorithm in wasm) is within one ulp of Math.exp", async () => {
  const { SOFT_KMEANS_SIMD } = await import("../kernels/_soft_kmeans_simd_wasm.ts");
  const bytes = Uint8Array.from(atob(SOFT_KMEANS_SIMD.plain), (c) => c.charCodeAt(0));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { exp } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
    .exports as { exp(x: number): number };
  // special values and the edges of each branch exactly as Math.exp
  for (
    const x of [
      0,
      -0,
      1e-300,
      -(2 ** -29),
      0.5,
      -0.5,
      1,
      -1,
      700,
      -700,
      709.78,
      709.8,
      -745.1,
      -745.2,
      -708.5,
      -720,
      Infinity,
      -Infinity,
      NaN,
    ]
  ) {
    const [got, want] = [exp(x), Math.exp(x)];
    const ulp = Math.abs(want) * 2 ** -52;
    assert.ok(
      Object.is(got, want) || Math.abs(got - want) <= ulp ||
        (Number.isNaN(got) && Number.isNaN(want)),
      `exp(${x}) = ${got}, Math.exp ${want}`,
    );
  }
  assert.ok(Object.is(exp(Infinity), Infinity) && Object.is(exp(-Infinity), 0));
  assert.ok(Number.isNaN(exp(NaN)) && exp(710) === Infinity && exp(-746) === 0);
  // the kernels' arguments (-beta d - max <= 0) and beyond: at most one ulp apart
  let differ = 0;
  for (let i = 0; i < 200_000; i++) {
    const x = -60 + 120 * ((i * 0.6180339887498949) % 1);
    const [got, want] = [exp(x), Math.exp(x)];
    if (got !== want) differ++;
    // one ulp of the larger (of a float64 in [2^e, 2^(e+1)): 2^(e-52))
    const ulp = 2 ** (Math.floor(Math.log2(Math.max(got, want))) - 52);
    assert.ok(Math.abs(got - want) <= ulp, `exp(${x}) = ${got}, Math.exp ${want}`);
  }
  assert.ok(differ < 0.2 * 200_000, `${differ} of 200000 differ`);
});
