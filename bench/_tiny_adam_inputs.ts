/**
 * The inputs of one Adam update over the tiny model's variables, for the Adam benches
 * (`wasm_kernels_bench.ts`, `_wasm_tiering_child.ts`): each variable with seeded random
 * gradients and moments of its shape, and the paper code's hyper-parameters.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../lib/model/mod.ts";

/** Each tiny variable `w` with a gradient `g` and moments `m`, `v`; Adam's attributes. */
export function tinyAdamInputs() {
  const model = createModel({ preset: "tiny", seed: 0 });
  const vars = model.params.variables().map((w, i) => ({
    w: w as tf.Tensor,
    g: tf.randomNormal(w.shape, 0, 1, "float32", 20 + i),
    m: tf.randomNormal(w.shape, 0, 0.1, "float32", 40 + i),
    v: tf.abs(tf.randomNormal(w.shape, 0, 0.01, "float32", 60 + i)),
  }));
  const attrs = { lr: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4 };
  return { vars, attrs };
}
