/**
 * Clustering kernels: soft K-means as WGSL on webgpu, plain loops on cpu/wasm, composed tfjs
 * ops elsewhere, with gradients for each; a fused Adam update (of one variable, or of all an
 * optimiser's variables in one call) and a fused feature normalisation (group or positional
 * norm, affine, ReLU) on cpu/wasm (wasm SIMD on wasm); a convolution's filter gradient in wasm
 * SIMD, and a direct convolution in wasm SIMD with fused multiply-adds.
 *
 * @module
 */
export * from "./soft_kmeans.ts";
export * from "./soft_kmeans_types.ts";
export { type GridCoupling, softKMeansComposed } from "./soft_kmeans_composed.ts";
export { PLAIN_BACKENDS } from "./soft_kmeans_plain.ts";
export { WEBGPU_MAX_BATCH, WEBGPU_MAX_CLUSTERS } from "./soft_kmeans_webgpu.ts";
export * from "./kernel_names.ts";
export { adamUpdate, adamUpdates } from "./adam_update.ts";
export { featureNorm } from "./feature_norm.ts";
export { convFilterGrad } from "./conv_filter_grad.ts";
export { conv2dDirect, convInputGrad } from "./conv2d_direct.ts";
