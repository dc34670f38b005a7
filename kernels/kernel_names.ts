/**
 * Names of the tfjs kernels avscene registers (the tfjs-core `kernel_names.ts` idea).
 *
 * @module
 */

/**
 * Forward soft K-means. Inputs `{ x: [B, N, D] }`, attrs {@linkcode SoftKMeansAttrs}; outputs
 * `[centers [B, K, D], assignments [B, K, N], trace [B, traceSize]]` (the trace is what the
 * gradient needs). Registered on the webgpu backend only.
 * @category kernels
 */
export const SoftKMeans = "AvsceneSoftKMeans";

/**
 * Gradient of {@linkcode SoftKMeans}. Inputs `{ x: [B, N, D], trace: [B, traceSize],
 * dCenters: [B, K, D], dAssignments: [B, K, N] }`, attrs {@linkcode SoftKMeansAttrs};
 * output dL/dx `[B, N, D]`. Registered on the webgpu backend only.
 * @category kernels
 */
export const SoftKMeansGrad = "AvsceneSoftKMeansGrad";

/**
 * Attributes of the {@linkcode SoftKMeans} and {@linkcode SoftKMeansGrad} kernels.
 *
 * @category kernels
 */
export interface SoftKMeansAttrs {
  /** Clusters K. */
  k: number;
  /** Iterations T. */
  iterations: number;
  /** Softmax sharpness beta. */
  beta: number;
  /** Room for tfjs's `NamedAttrMap` (attrs are passed to `runKernel` as such). */
  // deno-lint-ignore no-explicit-any
  [name: string]: any;
}
