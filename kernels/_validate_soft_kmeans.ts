/**
 * Argument checks of soft K-means, with errors that name the bad argument.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_BETA, DEFAULT_ITERATIONS, type SoftKMeansOptions } from "./soft_kmeans_types.ts";

/** Checked and defaulted arguments. */
export interface SoftKMeansArgs {
  k: number;
  iterations: number;
  beta: number;
}

/**
 * The tensor's values when they are on the CPU already (cpu and wasm backends, or a webgpu
 * tensor not yet uploaded), else `null`: reading a GPU-resident tensor back would stall the
 * queue, so those are not scanned.
 */
function hostValues(x: tf.Tensor): ArrayLike<number> | null {
  const backend = tf.backend() as unknown as {
    tensorMap?: { get(id: unknown): { values?: ArrayLike<number> | null } | undefined };
  };
  if (tf.getBackend() === "cpu" || tf.getBackend() === "wasm") {
    return x.dataSync() as Float32Array;
  }
  const values = backend.tensorMap?.get(x.dataId)?.values;
  return values ?? null;
}

/** Validate `softKMeans(x, k, opts)` and fill in the defaults. */
export function validateSoftKMeans(
  op: string,
  x: tf.Tensor,
  k: number,
  opts: SoftKMeansOptions,
): SoftKMeansArgs {
  if (!(x instanceof tf.Tensor)) {
    throw new TypeError(`${op}: x must be a tf.Tensor3D [batch, positions, channels]`);
  }
  if (x.rank !== 3) {
    throw new Error(
      `${op}: x must be rank 3 [batch, positions, channels], got rank ${x.rank} (shape [${x.shape}])`,
    );
  }
  if (x.dtype !== "float32") {
    throw new Error(`${op}: x must be float32, got ${x.dtype}`);
  }
  const [b, n, d] = x.shape;
  if (b < 1 || n < 1 || d < 1) {
    throw new Error(`${op}: x must have non-empty batch, positions and channels, got [${x.shape}]`);
  }
  if (typeof k !== "number" || !Number.isInteger(k)) {
    throw new Error(`${op}: k must be an integer, got ${k}`);
  }
  if (k < 1) throw new Error(`${op}: k must be >= 1, got ${k}`);
  if (k > n) {
    throw new Error(`${op}: k (${k}) must not exceed the number of positions of x (${n})`);
  }
  const iterations = opts.iterations ?? DEFAULT_ITERATIONS;
  if (typeof iterations !== "number" || !Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`${op}: opts.iterations must be an integer >= 1, got ${iterations}`);
  }
  const beta = opts.beta ?? DEFAULT_BETA;
  if (typeof beta !== "number" || !Number.isFinite(beta) || beta <= 0) {
    throw new Error(`${op}: opts.beta must be a finite number > 0, got ${beta}`);
  }
  const values = hostValues(x);
  if (values !== null) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new Error(`${op}: x must be finite, but x has ${values[i]} at flat index ${i}`);
      }
    }
  }
  return { k, iterations, beta };
}
