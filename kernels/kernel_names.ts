/**
 * Names of the tfjs kernels avscene registers (the tfjs-core `kernel_names.ts` idea).
 *
 * @module
 */

/**
 * Forward soft K-means. Inputs `{ x: [B, N, D] }`, attrs {@linkcode SoftKMeansAttrs}; outputs
 * `[centers [B, K, D], assignments [B, K, N], trace [B, traceSize]]` (the trace is what the
 * gradient needs; its layout is each backend's own). Registered on webgpu (WGSL), cpu and wasm
 * (plain loops).
 * @category kernels
 */
export const SoftKMeans = "AvsceneSoftKMeans";

/**
 * Gradient of {@linkcode SoftKMeans}. Inputs `{ x: [B, N, D], trace: [B, traceSize],
 * dCenters: [B, K, D], dAssignments: [B, K, N] }`, attrs {@linkcode SoftKMeansAttrs};
 * output dL/dx `[B, N, D]`. Registered on webgpu, cpu and wasm.
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

/**
 * One Adam update with L2 weight decay of one variable (PyTorch's `Adam(weight_decay)`).
 * Inputs `{ w, g, m, v }` (the variable, its gradient, first and second moments, all the same
 * shape); attrs {@linkcode AdamUpdateAttrs}; outputs `[w', m', v']`:
 * g' = g + weightDecay w, m' = beta1 m + (1 - beta1) g', v' = beta2 v + (1 - beta2) g'^2,
 * w' = w - lr m' / (sqrt(v') + epsilon). Registered on cpu (a plain loop) and wasm (wasm SIMD
 * on the backend's heap, bit-identical to the loop).
 * @category kernels
 */
export const AdamUpdate = "AvsceneAdamUpdate";

/**
 * {@linkcode AdamUpdate} of several variables in one kernel call (one step of an optimiser
 * over all its variables). Inputs `{ w0, g0, m0, v0, w1, g1, m1, v1, ... }` (variable `i`'s
 * value, gradient and moments, each group of one shape); attrs {@linkcode AdamUpdateAttrs};
 * outputs `[w0', m0', v0', w1', m1', v1', ...]`. Registered on cpu (a plain loop) and wasm
 * (wasm SIMD on the backend's heap, bit-identical to the loop).
 * @category kernels
 */
export const AdamUpdates = "AvsceneAdamUpdates";

/**
 * Attributes of the {@linkcode AdamUpdate} kernel.
 *
 * @category kernels
 */
export interface AdamUpdateAttrs {
  /** Step size with the bias corrections folded in. */
  lr: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator epsilon. */
  epsilon: number;
  /** L2 weight decay added to the gradient. */
  weightDecay: number;
  /** Room for tfjs's `NamedAttrMap`. */
  // deno-lint-ignore no-explicit-any
  [name: string]: any;
}

/**
 * Feature normalisation with affine and optional ReLU, `relu?(xhat gamma + beta)` where `xhat`
 * standardises `x` (zero mean, unit variance, `epsilon` in the variance) over each sample's
 * positions and channel groups (`groups > 0`, group norm) or over each position's channels
 * (`groups = 0`, positional norm). Inputs `{ x: [B, H, W, C], gamma: [C], beta: [C] }`, attrs
 * {@linkcode FeatureNormAttrs}; outputs `[y [B, H, W, C], xhat [B, H, W, C], inv [S]]` (`inv`
 * is `1 / sqrt(variance + epsilon)` of each of the `S` normalised sets, what the gradient
 * needs). Registered on cpu and wasm (plain loops).
 * @category kernels
 */
export const FeatureNorm = "AvsceneFeatureNorm";

/**
 * Gradient of {@linkcode FeatureNorm}. Inputs `{ dy, y, xhat, inv, gamma }` (the forward's
 * outputs and scale), attrs {@linkcode FeatureNormAttrs}; outputs `[dx, dgamma, dbeta]`
 * (`dgamma` and `dbeta` in `gamma`'s shape).
 * Registered on cpu and wasm.
 * @category kernels
 */
export const FeatureNormGrad = "AvsceneFeatureNormGrad";

/**
 * Attributes of the {@linkcode FeatureNorm} and {@linkcode FeatureNormGrad} kernels.
 *
 * @category kernels
 */
export interface FeatureNormAttrs {
  /** Channel groups (dividing the channels); 0: positional normalisation. */
  groups: number;
  /** Variance epsilon. */
  epsilon: number;
  /** Apply a ReLU after the affine. */
  relu: boolean;
  /** Room for tfjs's `NamedAttrMap`. */
  // deno-lint-ignore no-explicit-any
  [name: string]: any;
}

/**
 * Filter gradient of a 2-D convolution (NHWC, explicit zero padding):
 * `dw[ky, kx, c, o] = Σ_{b,i,j} x[b, i s + ky - top, j s + kx - left, c] dy[b, i, j, o]`.
 * Inputs `{ x: [B, H, W, C], dy: [B, OH, OW, O] }`, attrs {@linkcode ConvFilterGradAttrs};
 * output `dw [k, k, C, O]`. Registered on wasm only (wasm SIMD on the backend's heap).
 * @category kernels
 */
export const ConvFilterGrad = "AvsceneConvFilterGrad";

/**
 * Attributes of the {@linkcode ConvFilterGrad} kernel.
 *
 * @category kernels
 */
export interface ConvFilterGradAttrs {
  /** Filter size (square). */
  kernel: number;
  /** Stride in both directions. */
  stride: number;
  /** Zero rows above the input. */
  top: number;
  /** Zero columns left of the input. */
  left: number;
  /** Room for tfjs's `NamedAttrMap`. */
  // deno-lint-ignore no-explicit-any
  [name: string]: any;
}

/**
 * A 2-D convolution (NHWC, explicit zero padding, filter `[kh, kw, C, O]`):
 * `y[b, i, j, o] = Σ_{ky,kx,c} x[b, i s + ky - top, j s + kx - left, c] w[ky, kx, c, o]`.
 * Inputs `{ x: [B, H, W, C], w: [kh, kw, C, O] }`, attrs {@linkcode Conv2dDirectAttrs};
 * output `y [B, outHeight, outWidth, O]`. Registered on wasm only (wasm SIMD with fused
 * multiply-adds on the backend's heap; `O` a multiple of 16).
 * @category kernels
 */
export const Conv2dDirect = "AvsceneConv2dDirect";

/**
 * Attributes of the {@linkcode Conv2dDirect} kernel.
 *
 * @category kernels
 */
export interface Conv2dDirectAttrs {
  /** Stride in both directions. */
  stride: number;
  /** Zero rows above the input. */
  top: number;
  /** Zero columns left of the input. */
  left: number;
  /** Output rows (those past the input read the padding's zeros below it). */
  outHeight: number;
  /** Output columns (those past the input read the padding's zeros right of it). */
  outWidth: number;
  /** Room for tfjs's `NamedAttrMap`. */
  // deno-lint-ignore no-explicit-any
  [name: string]: any;
}

/**
 * Input gradient of a 2-D convolution (NHWC, explicit zero padding, filter `[k, k, C, O]`,
 * stride `s`) in polyphase form, written straight into `dx`: input row `p` with
 * `p + top = q s + r` receives `dx[p] = Σ_m dy[q - m] w[m s + r]` (taps `m s + r < k`; columns
 * alike), each of the `s^2` phases a stride-1 convolution of `dy` with only its own taps of the
 * filter (flipped, its channels swapped). Inputs `{ dy: [B, OH, OW, O], w: [k, k, C, O] }`,
 * attrs {@linkcode ConvInputGradAttrs}; output `dx [B, height, width, C]`. Registered on wasm
 * only (the {@linkcode Conv2dDirect} kernel's code; `C` a multiple of 16).
 * @category kernels
 */
export const ConvInputGrad = "AvsceneConvInputGrad";

/**
 * Attributes of the {@linkcode ConvInputGrad} kernel.
 *
 * @category kernels
 */
export interface ConvInputGradAttrs {
  /** The forward convolution's stride in both directions. */
  stride: number;
  /** Zero rows above the forward convolution's input. */
  top: number;
  /** Zero columns left of the forward convolution's input. */
  left: number;
  /** Rows of the forward convolution's input (and of `dx`). */
  height: number;
  /** Columns of the forward convolution's input (and of `dx`). */
  width: number;
  /** Room for tfjs's `NamedAttrMap`. */
  // deno-lint-ignore no-explicit-any
  [name: string]: any;
}
