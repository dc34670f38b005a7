/**
 * The {@linkcode FeatureNorm} and {@linkcode FeatureNormGrad} kernels of tfjs's wasm backend in
 * 128-bit wasm SIMD (`_feature_norm_simd.wat`): the plain kernels' loops and float64
 * arithmetic four values at a time, run on the backend's own heap (the module imports its
 * memory), so no tensor is copied out of or into the heap. The plain JavaScript kernels read
 * every input out of the heap, loop one value at a time and copy every output back in: 16 ms of
 * a 65 ms tiny-preset training step (batch 8) in `bench/train_profile.ts`. Chunk widths that
 * are not a multiple of 4 (group norm with fewer than 4 channels per group) run the plain
 * kernels. Importing this module registers the
 * kernels on `wasm` (replacing the plain registration there).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FeatureNorm, type FeatureNormAttrs, FeatureNormGrad } from "./kernel_names.ts";
import { featureNormGradPlain, featureNormPlain, type KernelArgs } from "./feature_norm_plain.ts";
import { FEATURE_NORM_SIMD } from "./_feature_norm_simd_wasm.ts";
import { heapModule, heapOffset, replaceWasmKernel, type WasmHeapBackend } from "./_wasm_heap.ts";

/** The exports of `_feature_norm_simd.wat`. */
interface SimdExports {
  featureNorm(
    x: number,
    gamma: number,
    beta: number,
    y: number,
    xhat: number,
    inv: number,
    outer: number,
    middle: number,
    groups: number,
    width: number,
    epsilon: number,
    relu: number,
    mean: number,
    sq: number,
  ): void;
  featureNormGrad(
    dy: number,
    y: number,
    xhat: number,
    inv: number,
    gamma: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    outer: number,
    middle: number,
    groups: number,
    width: number,
    relu: number,
    scratch: number,
  ): void;
}

const simd = heapModule<SimdExports>(FEATURE_NORM_SIMD);

/** The memory layout of `[B, H, W, C]` as in the plain kernels: chunks of `width` floats. */
function layout(shape: number[], groups: number) {
  const [b, h, w, c] = shape;
  return groups === 0
    ? { outer: b * h * w, middle: 1, groups: 1, width: c, sets: b * h * w }
    : { outer: b, middle: h * w, groups, width: c / groups, sets: b * groups };
}

const at = heapOffset;

function featureNormSimd(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmHeapBackend;
  const { x, gamma, beta } = args.inputs as Record<string, tf.TensorInfo>;
  const { epsilon, relu, groups: g } = args.attrs as unknown as FeatureNormAttrs;
  const l = layout(x.shape, g);
  const kernels = simd.on(backend);
  if (kernels === null || l.width % 4 !== 0 || tf.util.sizeFromShape(x.shape) === 0) {
    return featureNormPlain(args);
  }
  const y = backend.makeOutput(x.shape, "float32");
  const xhat = backend.makeOutput(x.shape, "float32");
  const inv = backend.makeOutput([l.sets], "float32");
  const scratch = backend.wasm._malloc(16 * l.sets);
  try {
    kernels.featureNorm(
      at(backend, x),
      at(backend, gamma),
      at(backend, beta),
      at(backend, y),
      at(backend, xhat),
      at(backend, inv),
      l.outer,
      l.middle,
      l.groups,
      l.width,
      epsilon,
      relu ? 1 : 0,
      scratch,
      scratch + 8 * l.sets,
    );
  } finally {
    backend.wasm._free(scratch);
  }
  return [y, xhat, inv];
}

function featureNormGradSimd(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmHeapBackend;
  const { dy, y, xhat, inv, gamma } = args.inputs as Record<string, tf.TensorInfo>;
  const { relu, groups: g } = args.attrs as unknown as FeatureNormAttrs;
  const l = layout(dy.shape, g);
  const kernels = simd.on(backend);
  if (kernels === null || l.width % 4 !== 0 || tf.util.sizeFromShape(dy.shape) === 0) {
    return featureNormGradPlain(args);
  }
  const c = dy.shape[3];
  const dx = backend.makeOutput(dy.shape, "float32");
  const dgamma = backend.makeOutput(gamma.shape, "float32");
  const dbeta = backend.makeOutput(gamma.shape, "float32");
  const scratch = backend.wasm._malloc(16 * (c + l.sets));
  try {
    kernels.featureNormGrad(
      at(backend, dy),
      at(backend, y),
      at(backend, xhat),
      at(backend, inv),
      at(backend, gamma),
      at(backend, dx),
      at(backend, dgamma),
      at(backend, dbeta),
      l.outer,
      l.middle,
      l.groups,
      l.width,
      relu ? 1 : 0,
      scratch,
    );
  } finally {
    backend.wasm._free(scratch);
  }
  return [dx, dgamma, dbeta];
}

replaceWasmKernel(FeatureNorm, featureNormSimd);
replaceWasmKernel(FeatureNormGrad, featureNormGradSimd);
