/**
 * Argument checks of soft K-means, with errors that name the bad argument.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  DEFAULT_BETA,
  DEFAULT_ITERATIONS,
  NonFiniteError,
  type SoftKMeansOptions,
} from "./soft_kmeans_types.ts";

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The largest magnitude an input value of `channels` channels may have: the squared distance
 * |o|^2 - 2 o.u + |u|^2 sums terms up to 4 * channels * max^2, which must stay a finite
 * float32.
 *
 * @param channels D of `x` `[B, N, D]`.
 * @returns the bound on |x|.
 */
export function softKMeansMaxAbs(channels: number): number {
  return Math.sqrt(FLOAT32_MAX / (4 * channels));
}

/** Checked and defaulted arguments. */
export interface SoftKMeansArgs {
  k: number;
  iterations: number;
  beta: number;
  /** The checked initial centers, if given. */
  init?: tf.Tensor3D;
}

/**
 * The tensor's values when they are on the CPU already (cpu and wasm backends, or a webgpu
 * tensor not yet uploaded), else `null`: reading a GPU-resident tensor back would stall the
 * queue, so those are not scanned. On wasm a view of the backend's heap (no copy).
 */
function hostValues(x: tf.Tensor): Float32Array | null {
  const backend = tf.backend() as unknown as {
    tensorMap?: { get(id: unknown): { values?: Float32Array | null } | undefined };
    typedArrayFromHeap?(t: tf.TensorInfo): Float32Array;
  };
  if (tf.getBackend() === "wasm" && backend.typedArrayFromHeap !== undefined) {
    return backend.typedArrayFromHeap(x);
  }
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
  const init = opts.init;
  if (init !== undefined) {
    if (!(init instanceof tf.Tensor) || init.rank !== 3 || init.dtype !== "float32") {
      throw new Error(
        `${op}: opts.init must be a float32 tf.Tensor3D [batch, Ki, channels], got ${
          init instanceof tf.Tensor ? `${init.dtype} [${init.shape}]` : typeof init
        }`,
      );
    }
    const [ib, ik, id] = init.shape;
    if (ib !== b || id !== d || ik < 1 || ik > k) {
      throw new Error(
        `${op}: opts.init must be [${b}, Ki, ${d}] with 1 <= Ki <= k (${k}), got [${init.shape}]`,
      );
    }
  }
  const values = hostValues(x);
  if (values !== null) {
    const maxAbs = softKMeansMaxAbs(d);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Math.abs(v) <= maxAbs) continue; // one comparison for the usual value (false for NaN)
      if (!Number.isFinite(v)) {
        throw new NonFiniteError(`${op}: x must be finite, but x has ${v} at flat index ${i}`);
      }
      if (Math.abs(v) > maxAbs) {
        throw new NonFiniteError(
          `${op}: x has ${v} at flat index ${i}, beyond +-${maxAbs.toPrecision(3)} where the ` +
            `squared distances of ${d} channels overflow float32`,
        );
      }
    }
  }
  return init ? { k, iterations, beta, init } : { k, iterations, beta };
}
