/**
 * `stopGradient`: a tensor forward, no gradient backward (tfjs has no stop-gradient op).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * `x` forward, zeros for its gradient backward.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { stopGradient } from "./_stop_gradient.ts";
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stopGradient(x), x)));
 * // d/dx sum(c * x) with c = x held constant is c, not 2x
 * assert.deepEqual(Array.from(g(tf.tensor1d([1, 2])).dataSync()), [1, 2]);
 * ```
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(
    ((t: tf.Tensor) => ({
      value: tf.clone(t),
      gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
    })) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return f(x) as T;
}
