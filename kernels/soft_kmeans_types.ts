/**
 * Option and result types of soft K-means.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * Options of `softKMeans` and `softKMeansComposed`.
 *
 * @category kernels
 */
export interface SoftKMeansOptions {
  /** Iterations T of distance -> assignment -> update, an integer >= 1 (default 4). */
  iterations?: number;
  /** Softmax sharpness beta, finite and > 0 (default 30). */
  beta?: number;
}

/**
 * Result of a soft K-means run.
 *
 * @category kernels
 */
export interface SoftKMeansResult {
  /** Cluster centers `[batch, k, channels]` (o_k after the last iteration). */
  centers: tf.Tensor3D;
  /** Soft assignments `[batch, k, positions]` (c_kn of the last iteration; sums to 1 over k). */
  assignments: tf.Tensor3D;
}

/**
 * Default number of iterations T (the paper's).
 *
 * @category kernels
 */
export const DEFAULT_ITERATIONS = 4;

/**
 * Default softmax sharpness beta.
 *
 * @category kernels
 */
export const DEFAULT_BETA = 30;
