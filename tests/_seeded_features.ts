/** Fixtures shared by the soft K-means kernel tests. */
import * as tf from "@tensorflow/tfjs";

/** Seeded features `[b, n, d]` in [-1, 1). */
export function features(b: number, n: number, d: number, seed: number): tf.Tensor3D {
  let s = seed;
  const v = Float32Array.from({ length: b * n * d }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return 2 * s / 2147483648 - 1;
  });
  return tf.tensor3d(v, [b, n, d]);
}

/** The largest absolute difference of two tensors. */
export const maxDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
