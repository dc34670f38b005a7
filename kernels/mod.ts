/**
 * Clustering kernels: soft K-means as WGSL on webgpu, plain tfjs on cpu/wasm, with gradients
 * for both.
 *
 * @module
 */
export * from "./soft_kmeans.ts";
export * from "./soft_kmeans_types.ts";
export { softKMeansComposed } from "./soft_kmeans_composed.ts";
export { WEBGPU_MAX_BATCH, WEBGPU_MAX_CLUSTERS } from "./soft_kmeans_webgpu.ts";
export * from "./kernel_names.ts";
