/**
 * Child process of `wasm_tiering_bench.ts`: calls each hand-written wasm kernel (soft K-means,
 * feature norm, matrix product, Adam) `CALLS` times in a row at the tiny x 8 training step's
 * shapes and prints, as one JSON line, each kernel's best and median time per call over the
 * last third of the calls (after V8 has had the first two thirds to tier the code up).
 *
 *   deno run -A [--v8-flags=--no-liftoff] bench/_wasm_tiering_child.ts
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend/mod.ts";
import {
  adamUpdates,
  featureNorm,
  SoftKMeans,
  type SoftKMeansAttrs,
  SoftKMeansGrad,
} from "../kernels/mod.ts";
import { tinyAdamInputs } from "./_tiny_adam_inputs.ts";
import { median } from "./_python.ts";

const CALLS = 300;
await initBackend("wasm");

/** Best and median ms per call of `fn` over the last third of `CALLS` calls. */
function time(fn: () => void): [number, number] {
  const ms: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  const tail = ms.slice((2 * CALLS) / 3);
  return [Math.min(...tail), median(tail)];
}

const result: Record<string, [number, number]> = {};
// soft K-means at the visual map's shape: [8, 256, 32], K = 2, 4 iterations
{
  const x = tf.randomNormal([8, 256, 32], 0, 1, "float32", 1);
  const dCenters = tf.randomNormal([8, 2, 32], 0, 1, "float32", 2);
  const dAssignments = tf.randomNormal([8, 2, 256], 0, 1, "float32", 3);
  const attrs: SoftKMeansAttrs = { k: 2, iterations: 4, beta: 5 };
  const forward = () => tf.engine().runKernel(SoftKMeans, { x }, attrs) as tf.Tensor[];
  result["soft K-means forward [8, 256, 32], K 2"] = time(() => tf.dispose(forward()));
  const trace = forward();
  result["soft K-means gradient"] = time(() =>
    tf.dispose(
      tf.engine().runKernel(SoftKMeansGrad, { x, trace: trace[2], dCenters, dAssignments }, attrs),
    )
  );
  tf.dispose([x, dCenters, dAssignments, ...trace]);
}
// positional norm + ReLU of the first visual layer's map, forward and gradient
{
  const x = tf.randomNormal([8, 32, 32, 16], 0, 1, "float32", 4) as tf.Tensor4D;
  const dy = tf.randomNormal([8, 32, 32, 16], 0, 1, "float32", 5);
  const [gamma, beta] = [tf.ones([16]), tf.zeros([16])];
  const attrs = { groups: 0, epsilon: 1e-5, relu: true };
  result["feature norm forward [8, 32, 32, 16]"] = time(() =>
    tf.dispose(featureNorm(x, gamma, beta, attrs))
  );
  const grad = tf.grad((v: tf.Tensor) =>
    tf.sum(tf.mul(featureNorm(v as tf.Tensor4D, gamma, beta, attrs), dy))
  );
  result["feature norm forward + gradient"] = time(() => tf.dispose(grad(x)));
  tf.dispose([x, dy, gamma, beta]);
}
// the linear layer's product over all positions
{
  const a = tf.randomNormal([2048, 32], 0, 1, "float32", 6) as tf.Tensor2D;
  const b = tf.randomNormal([32, 32], 0, 1, "float32", 7) as tf.Tensor2D;
  result["matrix product [2048, 32] [32, 32]"] = time(() => tf.dispose(tf.matMul(a, b)));
  tf.dispose([a, b]);
}
// Adam over the tiny model's variables
{
  const { vars, attrs } = tinyAdamInputs();
  result[`Adam over ${vars.length} variables`] = time(() =>
    tf.dispose(adamUpdates(vars, attrs).flat())
  );
}
console.log(JSON.stringify(result));
